"""Reminders before a task's deadline and on the day, weekly while overdue, escalation of
key tasks to the supervising leader: each once, in the inbox and by email, and in the
task's timeline."""

import datetime

import pytest
from django.core import mail

from dieuhanh.core import notifications
from dieuhanh.core.models import Notification
from dieuhanh.directives import reminders
from dieuhanh.directives.models import TaskEvent
from dieuhanh.directives.tasks import send_task_reminders
from tests.directives.conftest import make_task, today

pytestmark = pytest.mark.django_db


def test_reminders_before_on_and_after_the_deadline_once_each(gov, settings):
    settings.DIEUHANH_TASK_REMIND_DAYS = (7, 1)
    deadline = today() + datetime.timedelta(days=30)
    task = make_task(gov, lead="btc", deadline=deadline, is_key=True, supervisor=gov["leader"])
    mine = Notification.objects.filter(user=gov["btc_officer"], key__contains=f":{task.pk}:")

    def on(offset: int) -> dict:
        return reminders.send_reminders(today=deadline + datetime.timedelta(days=offset))

    assert on(-8) == {"due": 0, "today": 0, "overdue": 0, "escalated": 0}
    assert on(-7)["due"] == 2  # the lead agency's officer and the monitoring officer
    assert on(-7)["due"] == 0  # a second run the same day writes nothing
    on(-1)
    on(0)
    assert [n.kind for n in mine.order_by("id")] == ["task_due", "task_due", "task_due_today"]
    assert not Notification.objects.filter(user=gov["p1_officer"]).exists()  # not their task
    assert on(1) == {"due": 0, "today": 0, "overdue": 2, "escalated": 1}
    assert on(3)["overdue"] == 0  # not every day
    assert on(8) == {"due": 0, "today": 0, "overdue": 2, "escalated": 1}  # a week later
    escalations = Notification.objects.filter(user=gov["leader"], kind="task_escalated")
    assert escalations.count() == 2 and "8" in escalations.order_by("id").last().title
    kinds = list(TaskEvent.objects.filter(task=task).values_list("kind", flat=True))
    assert kinds.count("reminded") == 5 and kinds.count("escalated") == 2
    # Done tasks are not chased.
    from dieuhanh.directives import services

    services.complete_task(gov["analyst"], task)
    assert on(15)["overdue"] == 0


def test_the_scheduled_job_sends_and_the_worker_emails(gov, settings):
    settings.DIEUHANH_TASK_REMIND_DAYS = (7, 1)
    make_task(gov, lead="btc", deadline=today())
    assert send_task_reminders() == {"due": 0, "today": 2, "overdue": 0, "escalated": 0}
    assert notifications.send_pending_emails() == 3  # the assignment, then the day's reminders
    assert sorted(message.to[0] for message in mail.outbox) == [
        "btc@mof.gov.vn",
        "btc@mof.gov.vn",
        "cv@vpcp.gov.vn",
    ]
    assert "[Điều hành]" in mail.outbox[0].subject and "/tasks/" in mail.outbox[0].body
