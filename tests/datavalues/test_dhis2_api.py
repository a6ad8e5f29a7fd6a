"""The DHIS2-compatible API, from the outside: what a DHIS2 client sends and reads."""

import base64
import datetime
import json

import pytest
from django.test import Client

from dieuhanh.accounts.services import create_token
from dieuhanh.catalog.models import Indicator
from dieuhanh.datavalues.models import DataValue, DataValueAudit, ImportJob
from dieuhanh.orgunits.models import OrgUnit
from tests.catalog.conftest import user_with_role

PASSWORD = "Mat-khau-2026!"
LAST_MONTH = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y%m")


def hanoi():
    """Today's Hà Nội (the unit valid from 1 July 2025; the old one has no start date)."""
    return OrgUnit.objects.filter(code="01", kind="province", valid_to__isnull=True).get()


@pytest.fixture
def pusher(catalog, db):
    user = user_with_role("integration_client", "tich_hop_ha_noi", orgunit=hanoi())
    _token, key = create_token(None, user, "dhis2 push", ["datavalues:write"])
    return Client(HTTP_AUTHORIZATION=f"ApiToken {key}")


def payload(period=LAST_MONTH, **extra):
    return {
        "dataSet": "KTXH_TINH_THANG",
        "period": period,
        "orgUnit": "01",
        "dataValues": [
            {"dataElement": "RETAIL_SALES", "value": "51234.5", "comment": "ước tính"},
            {"dataElement": "EXPORTS", "value": "1520"},
            {"dataElement": "IMPORTS", "value": "1710.25", "followup": True},
        ],
        **extra,
    }


def post(client, body, query="idScheme=code", **headers):
    return client.post(
        f"/api/dataValueSets?{query}",
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_post_counts_then_repost_is_ignored_and_get_returns_values(pusher):
    first = post(pusher, payload())
    assert first.status_code == 200, first.content
    summary = first.json()
    assert summary["status"] == "SUCCESS"
    assert summary["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    assert summary["response"]["importCount"]["imported"] == 3
    value = DataValue.objects.get(indicator__code="RETAIL_SALES", period=LAST_MONTH)
    assert str(value.number).rstrip("0") == "51234.5"
    assert value.comment == "ước tính" and value.channel == "dhis2"
    assert value.created_by.username == "tich_hop_ha_noi"
    assert DataValueAudit.objects.filter(value=value, kind="create").count() == 1

    again = post(pusher, payload())
    assert again.json()["importCount"] == {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0}
    assert DataValueAudit.objects.filter(value=value).count() == 1  # nothing changed twice

    read = pusher.get(
        f"/api/dataValueSets?dataSet=KTXH_TINH_THANG&period={LAST_MONTH}&orgUnit=01&idScheme=code"
    )
    assert read.status_code == 200
    values = {v["dataElement"]: v for v in read.json()["dataValues"]}
    assert values["RETAIL_SALES"]["value"] == "51234.5"
    assert values["IMPORTS"]["followup"] is True
    assert values["EXPORTS"]["value"] == "1520"
    assert values["EXPORTS"]["categoryOptionCombo"] == "default"


def test_unknown_unit_gives_warning_with_conflict_and_index(pusher):
    body = payload()
    body["dataValues"][1]["orgUnit"] = "XX99"
    response = post(pusher, body)
    assert response.status_code == 200
    summary = response.json()
    assert summary["status"] == "WARNING"
    assert summary["importCount"]["imported"] == 2
    assert summary["importCount"]["ignored"] == 1
    [conflict] = summary["conflicts"]
    assert conflict["object"] == "XX99"
    assert conflict["errorCode"] == "E7612"
    assert conflict["indexes"] == [1]
    assert summary["rejectedIndexes"] == [1]


def test_update_changes_value_and_audits_old_and_new(pusher):
    post(pusher, payload())
    body = payload()
    body["dataValues"] = [{"dataElement": "EXPORTS", "value": "1600"}]
    summary = post(pusher, body).json()
    assert summary["importCount"]["updated"] == 1
    audit = DataValueAudit.objects.get(value__indicator__code="EXPORTS", kind="update")
    assert (audit.old_value, audit.new_value) == ("1520", "1600")
    assert audit.job.uid == ImportJob.objects.latest("id").uid


def test_strategies_create_update_delete_and_dry_run(pusher):
    dry = post(pusher, payload(), query="idScheme=code&dryRun=true").json()
    assert dry["importCount"]["imported"] == 3
    assert not DataValue.objects.exists()
    post(pusher, payload())
    changed = payload()
    changed["dataValues"][0]["value"] = "1"
    created_only = post(pusher, changed, query="idScheme=code&importStrategy=CREATE").json()
    assert created_only["importCount"] == {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0}
    deleted = post(pusher, payload(), query="idScheme=code&importStrategy=DELETE").json()
    assert deleted["importCount"]["deleted"] == 3
    assert DataValue.objects.filter(deleted=True).count() == 3
    read = pusher.get(
        f"/api/dataValueSets?dataSet=KTXH_TINH_THANG&period={LAST_MONTH}&orgUnit=01&idScheme=code"
    )
    assert read.json()["dataValues"] == []
    restored = post(pusher, payload()).json()
    assert restored["importCount"]["imported"] == 3
    assert DataValueAudit.objects.filter(kind="restore").count() == 3


def test_rules_refuse_bad_rows_without_stopping_good_ones(pusher):
    body = payload()
    body["dataValues"] += [
        {"dataElement": "NOPE", "value": "1"},
        {"dataElement": "EXPORTS", "value": "12abc", "orgUnit": "01", "period": "202401"},
        {"dataElement": "RETAIL_SALES", "value": "5", "period": "2024Q1"},
        {"dataElement": "RETAIL_SALES", "value": "5", "orgUnit": "79"},  # outside scope
        {"dataElement": "RETAIL_SALES", "value": "5", "period": "203001"},  # future
        {"dataElement": "EXPORTS", "value": "=HYPERLINK(1)"},
        {"dataElement": "EXPORTS"},
        {"dataElement": "EXPORTS", "value": "1", "categoryOptionCombo": "NOPE"},
    ]
    summary = post(pusher, body).json()
    assert summary["status"] == "WARNING"
    assert summary["importCount"]["imported"] == 3
    codes = {}
    for conflict in summary["conflicts"]:  # one conflict per object and error code
        codes.setdefault(conflict["errorCode"], []).extend(conflict["indexes"])
    assert codes["E7610"] == [3]
    assert codes["E7619"] == [4, 8]
    assert codes["E7652"] == [5]
    assert codes["E7617"] == [6]
    assert codes["E7626"] == [7]
    assert codes["E7618"] == [9]
    assert codes["E7613"] == [10]


def test_atomic_import_writes_nothing_when_a_row_is_refused(pusher):
    body = payload()
    body["dataValues"].append({"dataElement": "NOPE", "value": "1"})
    response = post(pusher, body, query="idScheme=code&atomicMode=ALL")
    assert response.status_code == 409
    assert response.json()["status"] == "ERROR"
    assert not DataValue.objects.exists()


def test_old_province_code_resolves_by_period(catalog, db):
    """Code 35 was Hà Nam until June 2025; values for later periods are refused."""
    user = user_with_role("integration_client", "tich_hop_tw")
    user.is_superuser = True
    user.save()
    _token, key = create_token(None, user, "push", ["datavalues:write"])
    client = Client(HTTP_AUTHORIZATION=f"ApiToken {key}")
    body = {
        "dataValues": [
            {"dataElement": "EXPORTS", "period": "202503", "orgUnit": "35", "value": "1"},
            {"dataElement": "EXPORTS", "period": "202508", "orgUnit": "35", "value": "1"},
        ]
    }
    summary = post(client, body).json()
    assert summary["importCount"]["imported"] == 1
    assert summary["conflicts"][0]["indexes"] == [1]
    assert summary["conflicts"][0]["errorCode"] == "E7629"


def test_csv_payload_and_csv_read(pusher):
    csv_body = (
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
        f"EXPORTS,{LAST_MONTH},01,,,77\n"
        f"IMPORTS,{LAST_MONTH},01,,,88\n"
    )
    response = pusher.post(
        "/api/dataValueSets.csv?idScheme=code", data=csv_body, content_type="application/csv"
    )
    assert response.json()["importCount"]["imported"] == 2
    read = pusher.get(
        f"/api/dataValueSets.csv?dataElement=EXPORTS&period={LAST_MONTH}&orgUnit=01&idScheme=code"
    )
    text = b"".join(read.streaming_content).decode()
    assert text.splitlines()[0].startswith("dataelement,period,orgunit")
    assert f"EXPORTS,{LAST_MONTH}," in text and ",77," in text


def test_authentication(catalog, db):
    body = json.dumps(payload())
    anonymous = Client().post("/api/dataValueSets", data=body, content_type="application/json")
    assert anonymous.status_code == 401
    bad = Client(HTTP_AUTHORIZATION="ApiToken d2h_nope").post(
        "/api/dataValueSets", data=body, content_type="application/json"
    )
    assert bad.status_code == 401
    reader = user_with_role("integration_client", "chi_doc", orgunit=hanoi())
    _t, key = create_token(None, reader, "read", ["datavalues:read"])
    read_only = Client(HTTP_AUTHORIZATION=f"ApiToken {key}").post(
        "/api/dataValueSets", data=body, content_type="application/json"
    )
    assert read_only.status_code == 403
    basic_user = user_with_role("integration_client", "basic_user", orgunit=hanoi())
    basic_user.set_password(PASSWORD)
    basic_user.save()
    credentials = base64.b64encode(f"basic_user:{PASSWORD}".encode()).decode()
    refused = post(Client(), payload(), HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert refused.status_code == 403  # needs the DHIS2 password permission
    from django.contrib.auth.models import Permission

    basic_user.user_permissions.add(Permission.objects.get(codename="dhis2_basic_auth"))
    allowed = post(Client(), payload(), HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert allowed.status_code == 200
    assert allowed.json()["importCount"]["imported"] == 3
    wrong = base64.b64encode(b"basic_user:wrong-password").decode()
    assert post(Client(), payload(), HTTP_AUTHORIZATION=f"Basic {wrong}").status_code == 401


def test_malformed_payloads_get_clear_errors(pusher):
    broken = pusher.post(
        "/api/dataValueSets",
        data=b'{"dataValues": [{"dataElement": ',
        content_type="application/json",
    )
    assert broken.status_code == 409
    assert "JSON" in broken.json()["message"]
    not_object = pusher.post("/api/dataValueSets", data=b"[1, 2]", content_type="application/json")
    assert not_object.status_code == 409
    bad_strategy = post(pusher, payload(), query="importStrategy=SOMETIMES")
    assert bad_strategy.status_code == 409


def test_read_is_scoped(pusher, catalog):
    post(pusher, payload())
    outsider = user_with_role(
        "agency_data_officer",
        "can_bo_hcm",
        orgunit=OrgUnit.objects.filter(code="79", kind="province", valid_to__isnull=True).get(),
    )
    client = Client()
    client.force_login(outsider)
    read = client.get(
        f"/api/dataValueSets?dataSet=KTXH_TINH_THANG&period={LAST_MONTH}&orgUnit=01&idScheme=code"
    )
    assert read.status_code == 200
    assert read.json()["dataValues"] == []
    missing = client.get("/api/dataValueSets?period=202501")
    assert missing.status_code == 409


def test_indicator_list_has_the_regime_indicators(catalog, db):
    assert Indicator.objects.filter(code__in=["RETAIL_SALES", "EXPORTS", "IMPORTS"]).count() == 3


def test_an_oversized_payload_is_refused_before_it_is_read(pusher, monkeypatch):
    monkeypatch.setattr("dieuhanh.datavalues.sources.MAX_UPLOAD_BYTES", 200)
    response = post(pusher, payload())
    assert response.status_code == 413
    assert response.json()["httpStatusCode"] == 413 and "MB" in response.json()["message"]
    assert not DataValue.objects.exists()
