"""Outliers and their follow-up through the API: a value far from its history is flagged
by the z-score, the modified z-score, the seasonal comparison and generated bounds; the
center sends it to follow-up, the agency explains or corrects it, the center closes it."""

import json
import math

import pytest
from django.test import Client

from dieuhanh.accounts.models import User
from dieuhanh.core.models import AuditRecord
from dieuhanh.datavalues.ingest import ImportOptions, RawValue, Scheme, ingest
from dieuhanh.datavalues.models import DataValue, DataValueAudit
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.quality.models import FollowUp, ValueBound
from tests.catalog.conftest import user_with_role
from tests.quality.test_completeness import province

BASE = "/api/v1/quality"
WILD = ("202403", "9000")


def hanoi() -> OrgUnit:
    """Hà Nội, a province the 2025 reform left as it was: one unit, one long series."""
    return province("01")


def history(unit: OrgUnit, wild=WILD):
    """EXPORTS of ``unit`` every month from 2020 to June 2025: a seasonal level around 1000
    with small noise, and one wild value."""
    rows = []
    for index in range(66):
        year, month = 2020 + index // 12, index % 12 + 1
        period = f"{year}{month:02d}"
        value = 1000 + 120 * math.sin(month / 12 * 2 * math.pi) + (index * 37 % 11) * 3 + index
        rows.append(
            RawValue(
                index,
                None,
                "EXPORTS",
                period,
                unit.uid,
                None,
                None,
                wild[1] if period == wild[0] else f"{value:.1f}",
            )
        )
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "quan_tri", password="Mat-khau-2026!"
    )
    result = ingest(
        rows,
        admin,
        ImportOptions(indicator_scheme=Scheme.CODE, orgunit_scheme=Scheme.UID, trusted=True),
    )
    assert result.conflicts == [] and result.created == 66


@pytest.fixture
def people(catalog, db):
    history(hanoi())
    return {
        "analyst": user_with_role("center_analyst", "chuyen_vien"),
        "officer": user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=hanoi()),
        "outsider": user_with_role(
            "agency_data_officer", "can_bo_hai_phong", orgunit=province("31")
        ),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, path, body):
    return client_for(user).post(f"{BASE}{path}", json.dumps(body), content_type="application/json")


def test_a_value_far_from_its_history_is_flagged_by_every_method(people):
    analyst = client_for(people["analyst"])
    body = analyst.get(f"{BASE}/outliers", {"indicator": "EXPORTS"}).json()
    assert body["checked"] == 66
    top = body["results"][0]
    assert (top["period"], top["value"], top["orgunit_code"]) == ("202403", "9000", "01")
    assert {"zscore", "modified_zscore", "seasonal"} <= set(top["methods"])
    assert top["expected"] < 1200 and top["upper"] < 9000
    assert top["followup_id"] is None
    # The seasonal wave itself (±120 around 1000) is not an outlier.
    assert [row["period"] for row in body["results"]] == ["202403"]

    seasonal = analyst.get(f"{BASE}/outliers", {"indicator": "EXPORTS", "method": "seasonal"})
    assert [row["method"] for row in seasonal.json()["results"]] == ["seasonal"]
    window = analyst.get(
        f"{BASE}/outliers", {"indicator": "EXPORTS", "start": "2024-04-01", "end": "2025-06-30"}
    ).json()
    assert window["checked"] == 15 and window["results"] == []
    for query, code in (
        ({"indicator": "EXPORTS", "method": "magic"}, "unknown_method"),
        ({"indicator": "NO_SUCH"}, "unknown_indicator"),
        ({"indicator": "EXPORTS", "orgunit": "missing0000"}, "unknown_orgunit"),
    ):
        refused = analyst.get(f"{BASE}/outliers", query)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    # Another province's officer sees none of Hà Nội's values.
    other = client_for(people["outsider"]).get(f"{BASE}/outliers", {"indicator": "EXPORTS"})
    assert other.json()["checked"] == 0


def test_the_center_sends_a_value_to_follow_up_the_agency_explains_the_center_closes(people):
    analyst, officer = people["analyst"], people["officer"]
    [top] = client_for(analyst).get(f"{BASE}/outliers", {"indicator": "EXPORTS"}).json()["results"]
    assert post(officer, "/followups", {"value_id": top["value_id"]}).status_code == 403
    opened = post(analyst, "/followups", {"value_id": top["value_id"]})
    assert opened.status_code == 200, opened.content
    followup = opened.json()
    assert followup["status"] == "open" and followup["method"] == top["method"]
    assert followup["flagged_value"] == "9000" and followup["score"] == top["score"]
    assert DataValue.objects.get(pk=top["value_id"]).followup is True
    again = post(analyst, "/followups", {"value_id": top["value_id"]})
    assert (again.status_code, again.json()["code"]) == (409, "already_open")
    listed = client_for(analyst).get(f"{BASE}/outliers", {"indicator": "EXPORTS"}).json()
    assert listed["results"][0]["followup_status"] == "open"

    # The agency sees it among its tasks; another province does not.
    mine = client_for(officer).get(f"{BASE}/followups", {"status": "open"}).json()
    assert [item["id"] for item in mine["results"]] == [followup["id"]]
    assert client_for(people["outsider"]).get(f"{BASE}/followups").json()["count"] == 0
    outsider = post(people["outsider"], f"/followups/{followup['id']}/explain", {"answer": "x"})
    assert outsider.status_code == 404
    empty = post(officer, f"/followups/{followup['id']}/explain", {"answer": "  "})
    assert (empty.status_code, empty.json()["code"]) == (422, "text_required")
    explained = post(
        officer,
        f"/followups/{followup['id']}/explain",
        {"answer": "Tháng 3/2024 có lô hàng điện tử xuất khẩu đột xuất."},
    )
    assert explained.status_code == 200 and explained.json()["status"] == "explained"
    assert explained.json()["answered_by"] == "can_bo_ha_noi"

    assert post(officer, f"/followups/{followup['id']}/close", {"note": ""}).status_code == 403
    closed = post(analyst, f"/followups/{followup['id']}/close", {"note": "Chấp nhận giải trình"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert DataValue.objects.get(pk=top["value_id"]).followup is False
    late = post(officer, f"/followups/{followup['id']}/explain", {"answer": "Bổ sung"})
    assert (late.status_code, late.json()["code"]) == (409, "closed")
    changes = AuditRecord.objects.filter(
        content_type__model="followup", object_id=str(followup["id"])
    )
    assert [r.action for r in changes.order_by("id")] == ["create", "update", "update"]
    # A closed follow-up leaves room for a new one on the same value.
    assert post(analyst, "/followups", {"value_id": top["value_id"]}).status_code == 200


def test_the_agency_corrects_a_value_in_follow_up(people):
    analyst, officer = people["analyst"], people["officer"]
    calm = DataValue.objects.get(orgunit=hanoi(), period="202405")
    unflagged = post(analyst, "/followups", {"value_id": calm.pk})
    assert (unflagged.status_code, unflagged.json()["code"]) == (422, "reason_required")
    opened = post(
        analyst, "/followups", {"value_id": calm.pk, "reason": "Lệch với số của Cục Hải quan"}
    ).json()
    assert opened["method"] == "manual" and opened["reason"] == "Lệch với số của Cục Hải quan"
    bad = post(officer, f"/followups/{opened['id']}/correct", {"value": "mười hai"})
    assert bad.status_code == 422
    corrected = post(
        officer,
        f"/followups/{opened['id']}/correct",
        {"value": "1234.5", "comment": "Theo số liệu Cục Hải quan"},
    )
    assert corrected.status_code == 200, corrected.content
    body = corrected.json()
    assert body["status"] == "corrected" and body["current_value"] == "1234.5"
    assert body["flagged_value"] == calm.value and body["answer"] == "Theo số liệu Cục Hải quan"
    change = DataValueAudit.objects.filter(value=calm).latest("id")
    assert (change.kind, change.new_value, change.user_name) == (
        "update",
        "1234.5",
        "can_bo_ha_noi",
    )
    missing = post(analyst, "/followups", {"value_id": 0, "reason": "x"})
    assert missing.status_code == 404


def test_bounds_generated_from_history_flag_the_wild_value_and_hand_set_ones_are_kept(people):
    analyst = people["analyst"]
    assert post(people["officer"], "/bounds/generate", {"indicator": "EXPORTS"}).status_code == 403
    refused = post(analyst, "/bounds/generate", {"indicator": "EXPORTS", "factor": 50})
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_factor")
    generated = post(analyst, "/bounds/generate", {"indicator": "EXPORTS"}).json()
    assert generated["generated"] == 1 and generated["kept_manual"] == 0
    [bound] = client_for(analyst).get(f"{BASE}/bounds", {"indicator": "EXPORTS"}).json()["results"]
    assert bound["generated"] is True and 0 < bound["lower"] < 1000 < bound["upper"] < 9000
    flagged = (
        client_for(analyst)
        .get(f"{BASE}/outliers", {"indicator": "EXPORTS", "method": "minmax"})
        .json()["results"]
    )
    assert [row["period"] for row in flagged] == ["202403"]

    hand = post(
        analyst,
        "/bounds",
        {"indicator": "EXPORTS", "orgunit": hanoi().uid, "lower": "0", "upper": "10000"},
    )
    assert hand.status_code == 200 and hand.json()["generated"] is False
    inverted = post(
        analyst,
        "/bounds",
        {"indicator": "EXPORTS", "orgunit": hanoi().uid, "lower": "9", "upper": "1"},
    )
    assert (inverted.status_code, inverted.json()["code"]) == (422, "inverted_bound")
    none = client_for(analyst).get(f"{BASE}/outliers", {"indicator": "EXPORTS", "method": "minmax"})
    assert none.json()["results"] == []
    again = post(analyst, "/bounds/generate", {"indicator": "EXPORTS"}).json()
    assert again["kept_manual"] == 1 and again["generated"] == 0
    assert ValueBound.objects.get(generated=False).upper == 10000
    assert AuditRecord.objects.filter(action="generate_bounds").count() == 2
    assert FollowUp.objects.count() == 0
