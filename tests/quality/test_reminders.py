"""Reminders before a deadline and notices while overdue, in the inbox and by email, once
each; a returned report and a value to explain reach the agency's officers too."""

import datetime

import pytest
from django.core import mail
from django.test import Client

from dieuhanh.catalog import services as catalog_services
from dieuhanh.catalog.models import ReportingRegime
from dieuhanh.core import notifications, periods
from dieuhanh.core.models import Notification
from dieuhanh.quality import reminders
from tests.catalog.conftest import user_with_role
from tests.quality.test_approval import people, step, submitted_report  # noqa: F401
from tests.quality.test_completeness import REGIME, fill_required, province


@pytest.fixture
def officer(catalog, db):
    return user_with_role(
        "agency_data_officer", "can_bo_ha_noi", orgunit=province("01"), email="canbo@hanoi.gov.vn"
    )


def deadline_of(period: periods.Period) -> datetime.date:
    return catalog_services.scheduled(ReportingRegime.objects.get(code=REGIME), period).deadline


def test_reminders_before_the_deadline_and_notices_while_overdue_once_each(officer):
    analyst = user_with_role("center_analyst", "chuyen_vien")
    period = periods.for_date("monthly", datetime.date.today(), hour=0).shift(-1)
    deadline = deadline_of(period)
    mine = Notification.objects.filter(user=officer, key__contains=f"{REGIME}:")
    due = mine.filter(kind="report_due", key__contains=period.code)
    reminders.send_reminders(today=deadline - datetime.timedelta(days=3))
    [notice] = due.all()
    assert period.label() in notice.title and notice.url.endswith(f"/{period.code}/")
    reminders.send_reminders(today=deadline - datetime.timedelta(days=3))
    assert due.count() == 1  # a second run writes nothing
    reminders.send_reminders(today=deadline - datetime.timedelta(days=2))
    assert due.count() == 1  # nothing two days before
    reminders.send_reminders(today=deadline - datetime.timedelta(days=1))
    assert due.count() == 2
    assert not Notification.objects.filter(user=analyst).exists()  # the center does not report

    overdue = mine.filter(kind="report_overdue", key__contains=period.code)
    reminders.send_reminders(today=deadline + datetime.timedelta(days=1))
    assert overdue.count() == 1
    reminders.send_reminders(today=deadline + datetime.timedelta(days=3))
    assert overdue.count() == 1  # not every day
    reminders.send_reminders(today=deadline + datetime.timedelta(days=8))
    assert overdue.count() == 2  # again a week later

    sent = notifications.send_pending_emails()
    assert sent == Notification.objects.filter(user=officer).count() == len(mail.outbox)
    assert mail.outbox[0].to == ["canbo@hanoi.gov.vn"] and "[Điều hành]" in mail.outbox[0].subject
    assert notifications.send_pending_emails() == 0


def test_a_received_report_is_not_reminded(officer):
    period = periods.for_date("monthly", datetime.date.today(), hour=0).shift(-1)
    fill_required(officer, province("01"), period)
    reminders.send_reminders(today=deadline_of(period) - datetime.timedelta(days=1))
    titles = Notification.objects.filter(user=officer).values_list("title", flat=True)
    assert not any(period.label() in title for title in titles)


def test_a_returned_report_and_a_value_to_explain_reach_the_officers(
    people,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    period = submitted_report(people)
    with django_capture_on_commit_callbacks(execute=True):
        step(people["approver"], "return", period, people["hanoi"], reason="Thiếu biểu 02")
    [notice] = Notification.objects.filter(user=people["officer"], kind="report_returned")
    assert notice.body == "Thiếu biểu 02" and period.code in notice.title


def test_the_inbox_is_each_users_own(officer):
    other = user_with_role("agency_data_officer", "can_bo_hai_phong", orgunit=province("31"))
    notifications.notify([officer], "test", "Thông báo thử", "Nội dung", "/quality/")
    client = Client()
    client.force_login(officer)
    page = client.get("/notifications/").content.decode()
    assert "Thông báo thử" in page and 'data-testid="inbox-unread">1<' in page
    opened = client.post(
        "/notifications/", {"id": Notification.objects.get().pk, "open": "/quality/"}
    )
    assert opened["Location"] == "/quality/"
    assert Notification.objects.get().read_at is not None
    assert 'data-testid="inbox-unread"' not in client.get("/notifications/").content.decode()
    foreign = Client()
    foreign.force_login(other)
    assert "Thông báo thử" not in foreign.get("/notifications/").content.decode()
    assert Notification.objects.restrict(other, "view").count() == 0
    for elsewhere in ("//elsewhere.example/", "/\\elsewhere.example/"):
        escaped = client.post("/notifications/", {"open": elsewhere})
        assert escaped["Location"] == "/notifications/"
