"""Reminders and escalation, run by the worker every hour (each notice is written once:
a second run the same day writes nothing):
- before the deadline (``DIEUHANH_TASK_REMIND_DAYS``, 7 and 1 days by default) and on the
  day, to the lead agency's officers and the monitoring officer;
- the day after the deadline, then every week while the task is overdue, to the same
  people;
- for key tasks overdue, on the same days, to the supervising leader (escalation).
Each reminder and escalation also enters the task's timeline."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.scopes import officers_of
from dieuhanh.core.notifications import notify
from dieuhanh.directives.models import Task, TaskEventKind
from dieuhanh.directives.services import REPORTER_PERMISSION, _event, task_url

OVERDUE_EVERY_DAYS = 7
OVERDUE_CHASED_WEEKS = 260  # five years of weekly notices, then the working group's lists


def remind_days() -> tuple[int, ...]:
    return tuple(sorted({int(day) for day in settings.DIEUHANH_TASK_REMIND_DAYS}, reverse=True))


def send_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """Write the day's notices; how many of each kind were written."""
    today = today or timezone.localdate()
    before = {today + datetime.timedelta(days=days): days for days in (*remind_days(), 0)}
    after = [
        today - datetime.timedelta(days=1 + week * OVERDUE_EVERY_DAYS)
        for week in range(OVERDUE_CHASED_WEEKS)
    ]
    due = (
        Task.objects.filter(withdrawal="", completed_at__isnull=True)
        .filter(deadline__in=[*before, *after])
        .select_related("document", "lead", "monitor", "supervisor")
        .order_by("deadline", "id")
    )
    due = list(due)
    officers = officers_of({task.lead_id for task in due}, REPORTER_PERMISSION)
    sent = {"due": 0, "today": 0, "overdue": 0, "escalated": 0}
    for task in due:
        days = (task.deadline - today).days
        people = [*officers.get(task.lead_id, []), *([task.monitor] if task.monitor_id else [])]
        values = {
            "task": str(task)[:180],
            "date": task.deadline.strftime("%d/%m/%Y"),
            "lead": task.lead.name,
            "days": abs(days),
        }
        if days > 0:
            kind, counter = "task_due", "due"
            title = _("Task due on %(date)s (in %(days)d days): %(task)s") % values
        elif days == 0:
            kind, counter = "task_due_today", "today"
            title = _("Task due today: %(task)s") % values
        else:
            kind, counter = "task_overdue", "overdue"
            title = _("Task overdue since %(date)s (%(days)d days): %(task)s") % values
        key = f"{kind}:{task.pk}:{task.deadline.isoformat()}:{days}"
        written = notify(
            people,
            kind,
            title,
            _("Lead agency: %(lead)s.") % values + "\n" + task.content[:1000],
            task_url(task),
            key=key,
        )
        if written:
            sent[counter] += written
            _event(task, TaskEventKind.REMINDED, None, title, recipients=written)
        if days < 0 and task.is_key and task.supervisor_id:
            escalated = notify(
                [task.supervisor],
                "task_escalated",
                _("Key task overdue for %(days)d days: %(task)s") % values,
                _("Lead agency: %(lead)s.") % values + "\n" + task.content[:1000],
                task_url(task),
                key=f"task_escalated:{task.pk}:{task.deadline.isoformat()}:{days}",
            )
            if escalated:
                sent["escalated"] += escalated
                _event(
                    task,
                    TaskEventKind.ESCALATED,
                    None,
                    _("Sent to %(leader)s.") % {"leader": task.supervisor.get_full_name()},
                )
    return sent
