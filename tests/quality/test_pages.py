"""The data quality pages: an agency's tasks, the scorecard, approving and returning from
the page, follow-ups answered and closed, outliers sent to follow-up, rule violations."""

import json

from django.test import Client

from dieuhanh.datavalues.models import Submission, SubmissionStatus
from dieuhanh.quality import rules
from dieuhanh.quality.models import FollowUp, FollowUpStatus, RuleViolation
from tests.catalog.conftest import user_with_role
from tests.quality.test_approval import people, step, submitted_report  # noqa: F401
from tests.quality.test_completeness import months_ago, province
from tests.quality.test_outliers import history


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_approver_approves_from_the_tasks_and_the_center_accepts(people):  # noqa: F811
    period = submitted_report(people)
    hanoi = people["hanoi"]
    approver = client_for(people["approver"])
    home = approver.get("/quality/").content.decode()
    tasks = home[home.index('data-testid="tasks-approve"') :]
    assert f'data-report="01-{period.code}"' in tasks
    url = f"/quality/reports/KTXH_TINH_THANG/{hanoi.uid}/{period.code}/step/"
    done = approver.post(url, {"action": "approve", "next": "/quality/"}, follow=True)
    assert done.redirect_chain[-1][0] == "/quality/"
    assert "Báo cáo đã được phê duyệt." in done.content.decode()
    assert Submission.objects.get(orgunit=hanoi).status == SubmissionStatus.APPROVED
    again = approver.post(url, {"action": "approve"}, follow=True).content.decode()
    assert "đã ở trạng thái" in again  # told, not changed twice

    analyst = client_for(people["analyst"])
    home = analyst.get("/quality/").content.decode()
    assert 'data-testid="tasks-accept"' in home
    analyst.post(url, {"action": "accept", "next": "//elsewhere.example/"})
    assert Submission.objects.get(orgunit=hanoi).status == SubmissionStatus.ACCEPTED
    detail = analyst.get(f"/quality/reports/KTXH_TINH_THANG/{hanoi.uid}/{period.code}/")
    timeline = detail.content.decode()
    assert timeline.count('data-action="') == 3 and 'data-status="accepted"' in timeline


def test_a_returned_report_shows_among_the_agencys_tasks(people):  # noqa: F811
    period = submitted_report(people)
    hanoi = people["hanoi"]
    url = f"/quality/reports/KTXH_TINH_THANG/{hanoi.uid}/{period.code}/step/"
    empty = client_for(people["approver"]).post(
        url, {"action": "return", "reason": ""}, follow=True
    )
    assert "Hãy nêu lý do." in empty.content.decode()
    client_for(people["approver"]).post(url, {"action": "return", "reason": "Thiếu số liệu"})
    home = client_for(people["officer"]).get("/quality/").content.decode()
    returned = home[home.index('data-testid="tasks-returned"') :]
    assert "Thiếu số liệu" in returned[: returned.index("</ul>")]
    assert 'data-testid="scorecard-table"' in home
    assert home.count('<tr data-unit="') == 1  # an agency's scorecard is its own


def test_the_center_sees_the_scorecard_of_every_province(people):  # noqa: F811
    page = client_for(people["analyst"]).get("/quality/?regime=KTXH_TINH_THANG").content.decode()
    assert page.count('<tr data-unit="') == 34
    data = page[page.index('id="dh-completeness-data"') :]
    chart = json.loads(data[data.index(">") + 1 : data.index("</script>")])
    assert len(chart["periods"]) == 6 and set(chart["series"]) == {
        "on_time",
        "late",
        "missing",
        "pending",
    }


def test_follow_ups_from_the_outlier_page_to_the_answer_and_the_close(catalog, db):
    history(province("01"))
    analyst = user_with_role("center_analyst", "chuyen_vien")
    officer = user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=province("01"))
    center = client_for(analyst)
    page = center.get("/quality/outliers/", {"indicator": "EXPORTS"}).content.decode()
    value_id = int(page.split('data-value="')[1].split('"')[0])
    center.post("/quality/outliers/?indicator=EXPORTS", {"value": value_id})
    followup = FollowUp.objects.get(value_id=value_id)
    assert "đang xác minh" in center.get("/quality/outliers/?indicator=EXPORTS").content.decode()
    agency = client_for(officer)
    home = agency.get("/quality/").content.decode()
    assert 'data-testid="tasks-followups"' in home
    listed = agency.get("/quality/followups/").content.decode()
    assert f'data-followup="{followup.pk}"' in listed and 'data-testid="close-form"' not in listed
    agency.post(
        f"/quality/followups/{followup.pk}/step/",
        {"action": "explain", "text": "Lô hàng xuất khẩu đột xuất"},
    )
    followup.refresh_from_db()
    assert followup.status == FollowUpStatus.EXPLAINED
    refused = agency.post(
        f"/quality/followups/{followup.pk}/step/", {"action": "close"}, follow=True
    )
    assert FollowUp.objects.get(pk=followup.pk).status == FollowUpStatus.EXPLAINED
    assert refused.status_code == 200
    center.post(f"/quality/followups/{followup.pk}/step/", {"action": "close", "text": "Đồng ý"})
    assert FollowUp.objects.get(pk=followup.pk).status == FollowUpStatus.CLOSED


def test_the_violations_page_runs_the_checks_and_lists_them(catalog, db):
    rules.load_reference_rules()
    officer = user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=province("01"))
    analyst = user_with_role("center_analyst", "chuyen_vien")
    period = months_ago(1)
    client_for(officer).post(
        f"/data/entry/KTXH_TINH_THANG/{province('01').uid}/{period.code}/save/",
        json.dumps({"cells": [{"indicator": "EXPORTS", "value": "-1"}]}),
        content_type="application/json",
    )
    assert client_for(officer).post("/quality/violations/").status_code == 403
    ran = client_for(analyst).post("/quality/violations/", follow=True).content.decode()
    assert "vi phạm" in ran
    assert RuleViolation.objects.filter(rule__code="EXPORTS_NONNEG").count() == 1
    listed = client_for(officer).get("/quality/violations/", {"importance": "high"})
    assert 'data-rule="EXPORTS_NONNEG"' in listed.content.decode()
    assert "Kim ngạch xuất khẩu không được là số âm." in listed.content.decode()
    other = user_with_role("center_analyst", "chuyen_vien_2")
    by_unit = client_for(other).get("/quality/violations/", {"orgunit": province("31").uid})
    assert 'data-rule="EXPORTS_NONNEG"' not in by_unit.content.decode()
    hanoi = client_for(other).get("/quality/violations/", {"orgunit": province("01").uid})
    assert 'data-rule="EXPORTS_NONNEG"' in hanoi.content.decode()


def test_wrong_steps_and_methods_are_refused_on_the_pages(people):  # noqa: F811
    period = submitted_report(people)
    hanoi = people["hanoi"]
    url = f"/quality/reports/KTXH_TINH_THANG/{hanoi.uid}/{period.code}/step/"
    assert client_for(people["approver"]).get(url).status_code == 405
    bogus = client_for(people["approver"]).post(url, {"action": "explode"}, follow=True)
    assert bogus.status_code == 200
    assert Submission.objects.get(orgunit=hanoi).status == SubmissionStatus.SUBMITTED
    consumer = user_with_role("data_consumer", "khai_thac")  # reads shared data only
    assert client_for(consumer).get("/quality/").status_code == 403
    outsider = client_for(people["other_approver"])
    assert outsider.post(url, {"action": "approve"}).status_code == 404
    assert step(people["approver"], "approve", period, hanoi).status_code == 200
