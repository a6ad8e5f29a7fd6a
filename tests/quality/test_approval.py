"""Approval of reports through the API: submit, approve, accept, return with a reason,
unlock for a time; approved data refused on every channel with the reason; multi-level
approval; wrong, repeated and unpermitted steps."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from dieuhanh.core.models import AuditRecord
from dieuhanh.datavalues.entry import CellInput, entry_form, find_report, save_cells
from dieuhanh.datavalues.models import (
    DataValue,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    ValueStatus,
    lock_scopes,
)
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.quality import approval
from tests.catalog.conftest import user_with_role
from tests.quality.test_completeness import REGIME, fill_required, months_ago, province

BASE = "/api/v1/quality"


@pytest.fixture
def people(catalog, db):
    hanoi, haiphong = province("01"), province("31")
    return {
        "hanoi": hanoi,
        "officer": user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=hanoi),
        "approver": user_with_role("agency_approver", "lanh_dao_ha_noi", orgunit=hanoi),
        "other_approver": user_with_role("agency_approver", "lanh_dao_hai_phong", orgunit=haiphong),
        "analyst": user_with_role("center_analyst", "chuyen_vien"),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def step(user, action, period, unit, **extra):
    code = getattr(period, "code", period)
    body = {"regime": REGIME, "orgunit": unit.uid, "period": code, **extra}
    return client_for(user).post(
        f"{BASE}/report/{action}", json.dumps(body, default=str), content_type="application/json"
    )


def submitted_report(people, period=None):
    """Hà Nội's report of a past month, filled and submitted through the API."""
    period = period or months_ago(2)
    fill_required(people["officer"], people["hanoi"], period)
    response = step(people["officer"], "submit", period, people["hanoi"])
    assert response.status_code == 200, response.content
    return period


def value_statuses(unit, period) -> set[str]:
    return set(
        DataValue.objects.filter(orgunit=unit, period=period.code).values_list("status", flat=True)
    )


def post_value(user, period, value="5"):
    return client_for(user).post(
        "/api/v1/datavalues/",
        json.dumps(
            [{"indicator": "EXPORTS", "orgunit": "01", "period": period.code, "value": value}]
        ),
        content_type="application/json",
    )


def test_a_report_moves_through_submit_approve_accept(people):
    hanoi, officer, approver, analyst = (
        people[k] for k in ("hanoi", "officer", "approver", "analyst")
    )
    period = submitted_report(people)
    assert value_statuses(hanoi, period) == {ValueStatus.SUBMITTED}

    waiting = client_for(approver).get(f"{BASE}/reports", {"actionable": "true"}).json()
    [row] = waiting["results"]
    assert (row["orgunit_code"], row["status"], row["period"]) == ("01", "submitted", period.code)
    assert row["actions"] == ["approve", "return"]
    assert client_for(analyst).get(f"{BASE}/reports", {"actionable": "true"}).json()["count"] == 0

    approved = step(approver, "approve", period, hanoi)
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["locked"] is True
    assert value_statuses(hanoi, period) == {ValueStatus.APPROVED}
    # The officer can no longer change it, on any channel, and is told why.
    refused = post_value(officer, period).json()
    assert refused["created"] + refused["updated"] == 0
    [error] = refused["errors"]
    assert error["code"] == "E7633" and "phê duyệt" in error["message"]
    form = entry_form(officer, *find_report(officer, REGIME, hanoi.uid, period.code))
    assert not form.editable and not form.can_submit and "phê duyệt" in form.reason

    [waiting_center] = client_for(analyst).get(f"{BASE}/reports?actionable=true").json()["results"]
    assert waiting_center["actions"] == ["accept", "return", "unlock"]
    accepted = step(analyst, "accept", period, hanoi)
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["status"] == "accepted" and body["status_changed_by"] == "chuyen_vien"
    assert [s["action"] for s in body["timeline"]] == ["submit", "approve", "accept"]
    assert [s["user"] for s in body["timeline"]] == [
        "can_bo_ha_noi",
        "lanh_dao_ha_noi",
        "chuyen_vien",
    ]
    assert value_statuses(hanoi, period) == {ValueStatus.ACCEPTED}
    refused = post_value(officer, period, "99").json()["errors"][0]
    assert refused["code"] == "E7633"
    assert "Trung tâm" in refused["message"] and "mở khóa" in refused["message"]
    # A new cell of the accepted report is refused as well, not only stored ones.
    new_cell = save_cells(
        officer,
        *find_report(officer, REGIME, hanoi.uid, period.code),
        [CellInput("IMPORTS", None, "3")],
    )
    assert [c.code for c in new_cell.conflicts] == ["E7633"]
    changes = AuditRecord.objects.filter(content_type__model="submission", action="update")
    assert [r.after["status"] for r in changes.order_by("id")] == ["approved", "accepted"]


def test_return_with_a_reason_reopens_the_report_and_a_new_submission_restarts(people):
    hanoi, officer, approver = people["hanoi"], people["officer"], people["approver"]
    period = submitted_report(people)
    first_submitted_at = Submission.objects.get(orgunit=hanoi).submitted_at

    no_reason = step(approver, "return", period, hanoi, reason="  ")
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    returned = step(approver, "return", period, hanoi, reason="Số xuất khẩu lệch với Cục Hải quan")
    assert returned.status_code == 200, returned.content
    assert returned.json()["return_reason"] == "Số xuất khẩu lệch với Cục Hải quan"
    assert value_statuses(hanoi, period) == {ValueStatus.DRAFT}

    report = find_report(officer, REGIME, hanoi.uid, period.code)
    form = entry_form(officer, *report)
    assert form.editable and form.can_submit
    page = client_for(officer).get(f"/data/entry/{REGIME}/{hanoi.uid}/{period.code}/")
    assert "Số xuất khẩu lệch với Cục Hải quan" in page.content.decode()
    assert save_cells(officer, *report, [CellInput("EXPORTS", None, "12")]).conflicts == []
    assert value_statuses(hanoi, period) == {ValueStatus.DRAFT}  # drafts until sent again

    again = step(officer, "submit", period, hanoi)
    assert again.status_code == 200, again.content
    body = again.json()
    assert body["status"] == "submitted" and body["return_reason"] == ""
    assert [s["action"] for s in body["timeline"]] == ["submit", "return", "resubmit"]
    assert body["timeline"][1]["reason"] == "Số xuất khẩu lệch với Cục Hải quan"
    assert Submission.objects.get(orgunit=hanoi).submitted_at == first_submitted_at
    assert value_statuses(hanoi, period) == {ValueStatus.SUBMITTED}
    assert step(approver, "approve", period, hanoi).json()["status"] == "approved"


def test_wrong_repeated_and_unpermitted_steps_are_refused(people):
    hanoi = people["hanoi"]
    period = submitted_report(people)
    accept_too_early = step(people["analyst"], "accept", period, hanoi)
    assert accept_too_early.status_code == 409
    assert accept_too_early.json()["code"] == "invalid_transition"
    assert step(people["officer"], "approve", period, hanoi).status_code == 403
    # Another province's approver does not even see the report.
    assert step(people["other_approver"], "approve", period, hanoi).status_code == 404
    assert step(people["approver"], "accept", period, hanoi).status_code == 403
    assert step(people["approver"], "approve", period, hanoi).status_code == 200
    repeated = step(people["approver"], "approve", period, hanoi)
    assert repeated.status_code == 409 and repeated.json()["code"] == "already_done"
    missing = step(people["approver"], "approve", months_ago(5), hanoi)
    assert missing.status_code == 404
    bad_period = step(people["approver"], "approve", "2025-13", hanoi)
    assert bad_period.status_code == 422
    assert Submission.objects.get(orgunit=hanoi).events.count() == 2  # submit, approve
    # An accepted report is returned by the center only.
    assert step(people["analyst"], "accept", period, hanoi).status_code == 200
    by_approver = step(people["approver"], "return", period, hanoi, reason="Sai số")
    assert by_approver.status_code == 409
    by_center = step(people["analyst"], "return", period, hanoi, reason="Sai số")
    assert by_center.status_code == 200 and by_center.json()["status"] == "returned"


def test_the_center_unlocks_for_a_time_and_the_report_locks_again(people):
    hanoi, officer, analyst = people["hanoi"], people["officer"], people["analyst"]
    period = submitted_report(people)
    step(people["approver"], "approve", period, hanoi)
    step(analyst, "accept", period, hanoi)
    now = timezone.now()
    for until, code in (
        (now - datetime.timedelta(hours=1), "invalid_until"),
        (now + datetime.timedelta(days=31), "invalid_until"),
    ):
        refused = step(analyst, "unlock", period, hanoi, reason="Sửa số liệu", until=until)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    no_reason = step(analyst, "unlock", period, hanoi, until=now + datetime.timedelta(days=2))
    assert no_reason.status_code == 422
    assert (
        step(people["approver"], "unlock", period, hanoi, reason="x", until=now).status_code == 403
    )

    until = now + datetime.timedelta(days=2)
    unlocked = step(
        analyst, "unlock", period, hanoi, reason="Tổng cục Thống kê điều chỉnh", until=until
    )
    assert unlocked.status_code == 200, unlocked.content
    assert unlocked.json()["locked"] is False and unlocked.json()["status"] == "accepted"
    assert value_statuses(hanoi, period) == {ValueStatus.SUBMITTED}
    assert post_value(officer, period, "77").json()["updated"] == 1
    again = step(analyst, "unlock", period, hanoi, reason="Lần hai", until=until)
    assert again.status_code == 409 and again.json()["code"] == "already_done"

    # Once the time is over, writes are refused even before the scheduler locks it again.
    later = until + datetime.timedelta(seconds=1)
    [lock] = [
        lock
        for lock in lock_scopes([period.code], now=later)[period.code]
        if hanoi.pk in lock.unit_ids
    ]
    assert lock.reason == "accepted"
    assert approval.relock_expired(now=now) == 0
    assert approval.relock_expired(now=later) == 1
    submission = Submission.objects.get(orgunit=hanoi)
    assert submission.status == SubmissionStatus.ACCEPTED and submission.unlocked_until is None
    assert value_statuses(hanoi, period) == {ValueStatus.ACCEPTED}
    assert (
        DataValue.objects.get(orgunit=hanoi, period=period.code, indicator__code="EXPORTS").number
        == 77
    )
    assert list(submission.events.values_list("action", flat=True)) == [
        "submit",
        "approve",
        "accept",
        "unlock",
        "relock",
    ]


def test_an_unlocked_report_sent_again_goes_through_approval_anew(people):
    hanoi, analyst = people["hanoi"], people["analyst"]
    period = submitted_report(people)
    step(people["approver"], "approve", period, hanoi)
    until = timezone.now() + datetime.timedelta(days=1)
    assert step(analyst, "unlock", period, hanoi, reason="Bổ sung", until=until).status_code == 200
    assert step(people["approver"], "approve", period, hanoi).json()["code"] == "unlocked"
    resent = step(people["officer"], "submit", period, hanoi).json()
    assert resent["status"] == "submitted" and resent["unlocked_until"] is None
    assert approval.relock_expired(now=until + datetime.timedelta(seconds=1)) == 0
    assert step(people["approver"], "approve", period, hanoi).status_code == 200


def test_a_province_approves_the_reports_of_its_communes_first(people):
    hanoi, approver = people["hanoi"], people["approver"]
    period = submitted_report(people)
    commune = (
        OrgUnit.objects.filter(parent_edges__parent=hanoi, valid_to__isnull=True)
        .order_by("code")
        .first()
    )
    Submission.objects.create(
        regime=Submission.objects.get(orgunit=hanoi).regime,
        orgunit=commune,
        period=period.code,
        submitted_at=timezone.now(),
        channel="api",
    )
    waiting = step(approver, "approve", period, hanoi)
    assert waiting.status_code == 409 and waiting.json()["code"] == "units_pending"
    assert commune.name in waiting.json()["detail"]
    assert step(approver, "approve", period, commune).json()["status"] == "approved"
    assert step(approver, "approve", period, hanoi).json()["status"] == "approved"


def test_the_report_detail_and_list_follow_the_view_scope(people):
    period = submitted_report(people)
    hanoi = people["hanoi"]
    query = {"regime": REGIME, "orgunit": hanoi.uid, "period": period.code}
    detail = client_for(people["officer"]).get(f"{BASE}/report", query)
    assert detail.status_code == 200 and detail.json()["actions"] == []
    outsider = client_for(people["other_approver"])
    assert outsider.get(f"{BASE}/report", query).status_code == 404
    assert outsider.get(f"{BASE}/reports").json()["count"] == 0
    steps = SubmissionEvent.objects.filter(submission__orgunit=hanoi)
    assert steps.restrict(people["officer"], "view").count() == 1
    assert steps.restrict(people["other_approver"], "view").count() == 0
    consumer = user_with_role("data_consumer", "khai_thac_du_lieu")  # reads shared data only
    assert client_for(consumer).get(f"{BASE}/reports").status_code == 403
