"""A task's status, derived from its facts and today's date, never stored (Taiga's rule).

The same rule twice: ``derive`` for one task in Python, ``status_conditions`` for a whole
queryset in SQL, on the stored ``completed_on`` (the completion's day), so that the
statistics count many thousands of rows without loading them; the tests check that the two
agree on every case.

- withdrawn: cancelled or adjusted;
- completed: done on time when completed on or before the deadline in force (a deadline
  extended before completion counts), otherwise done late; a task with no deadline is
  done on time;
- open: overdue after its deadline, due soon within ``DUE_SOON_DAYS`` of it, otherwise in
  progress within the deadline (so is a task with no deadline).

The four buckets of the Government Office's reports are done on time, done late, in
progress (due soon included) and overdue; withdrawn tasks are in none of them.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress, within the deadline")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    CANCELLED = "cancelled", _("Cancelled")
    ADJUSTED = "adjusted", _("Adjusted")

    @property
    def colour(self) -> str:
        """The Bootstrap colour the status is shown in."""
        return STATUS_COLOURS[self]

    @property
    def bucket(self) -> str | None:
        return BUCKET_OF.get(self)


STATUS_COLOURS = {
    TaskStatus.IN_PROGRESS: "primary",
    TaskStatus.DUE_SOON: "warning",
    TaskStatus.OVERDUE: "danger",
    TaskStatus.DONE_ON_TIME: "success",
    TaskStatus.DONE_LATE: "secondary",
    TaskStatus.CANCELLED: "light",
    TaskStatus.ADJUSTED: "light",
}


class Bucket(models.TextChoices):
    """The four counts of the public reports."""

    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    IN_PROGRESS = "in_progress", _("In progress within the deadline")
    OVERDUE = "overdue", _("Overdue")


BUCKET_OF = {
    TaskStatus.IN_PROGRESS: Bucket.IN_PROGRESS,
    TaskStatus.DUE_SOON: Bucket.IN_PROGRESS,
    TaskStatus.OVERDUE: Bucket.OVERDUE,
    TaskStatus.DONE_ON_TIME: Bucket.DONE_ON_TIME,
    TaskStatus.DONE_LATE: Bucket.DONE_LATE,
}
STATUSES_OF = {
    bucket: tuple(status for status, of in BUCKET_OF.items() if of == bucket) for bucket in Bucket
}


def due_soon_days() -> int:
    return settings.DIEUHANH_TASK_DUE_SOON_DAYS


def start_of(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the country's time zone. Conditions compare stored
    moments with it rather than cast each row's moment to a day (a Python function per row
    on SQLite: twenty times slower over 50,000 tasks)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def moment_on(day: datetime.date, at: datetime.time = datetime.time(12)) -> datetime.datetime:
    """The moment recorded for something done on ``day`` when only the day is known (an
    imported list, the demo): ``at`` o'clock, or now if that hour of today has not come yet, so
    a completion dated today is never in the future."""
    return min(timezone.make_aware(datetime.datetime.combine(day, at)), timezone.now())


def completed_on(completed_at: datetime.datetime) -> datetime.date:
    """The day a task was completed, in the country's time zone."""
    return timezone.localtime(completed_at).date()


def derive(
    *,
    deadline: datetime.date | None,
    completed_at: datetime.datetime | None,
    withdrawal: str,
    today: datetime.date | None = None,
    withdrawn_at: datetime.datetime | None = None,
) -> TaskStatus:
    """The status on ``today``; a day in the past sees the task as it was then (a task
    completed or withdrawn later was still open; the deadline is the one in force now)."""
    today = today or timezone.localdate()
    if withdrawal and (withdrawn_at is None or completed_on(withdrawn_at) <= today):
        return TaskStatus.CANCELLED if withdrawal == "cancelled" else TaskStatus.ADJUSTED
    if completed_at is not None and completed_on(completed_at) <= today:
        if deadline is None or completed_on(completed_at) <= deadline:
            return TaskStatus.DONE_ON_TIME
        return TaskStatus.DONE_LATE
    if deadline is None:
        return TaskStatus.IN_PROGRESS
    if deadline < today:
        return TaskStatus.OVERDUE
    if deadline <= today + datetime.timedelta(days=due_soon_days()):
        return TaskStatus.DUE_SOON
    return TaskStatus.IN_PROGRESS


def status_of(task, today: datetime.date | None = None) -> TaskStatus:
    return derive(
        deadline=task.deadline,
        completed_at=task.completed_at,
        withdrawal=task.withdrawal,
        today=today,
        withdrawn_at=task.withdrawn_at,
    )


def status_conditions(today: datetime.date | None = None, prefix: str = "") -> dict:
    """Each status as a WHERE clause over the task's columns (``prefix`` for a related
    task); the clauses exclude one another, so a filter on a few statuses uses the
    columns' indexes and the CASE of all of them is the status."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=due_soon_days())

    def q(**lookups) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    deadline = F(f"{prefix}deadline")
    tomorrow = start_of(today + datetime.timedelta(days=1))
    withdrawn = withdrawn_condition(today, prefix)
    kept = ~withdrawn
    done = kept & q(completed_at__isnull=False, completed_at__lt=tomorrow)
    open_ = kept & (q(completed_at__isnull=True) | q(completed_at__gte=tomorrow))
    return {
        TaskStatus.CANCELLED: withdrawn & q(withdrawal="cancelled"),
        TaskStatus.ADJUSTED: withdrawn & ~q(withdrawal="cancelled"),
        TaskStatus.DONE_ON_TIME: done & (q(deadline__isnull=True) | q(completed_on__lte=deadline)),
        TaskStatus.DONE_LATE: done & q(completed_on__gt=deadline),
        TaskStatus.OVERDUE: open_ & q(deadline__lt=today),
        TaskStatus.DUE_SOON: open_ & q(deadline__gte=today, deadline__lte=soon),
        TaskStatus.IN_PROGRESS: open_ & (q(deadline__isnull=True) | q(deadline__gt=soon)),
    }


def withdrawn_condition(today: datetime.date, prefix: str = "") -> Q:
    """Tasks withdrawn (cancelled or adjusted) on or before ``today``."""
    tomorrow = start_of(today + datetime.timedelta(days=1))
    return ~Q(**{f"{prefix}withdrawal": ""}) & (
        Q(**{f"{prefix}withdrawn_at__isnull": True}) | Q(**{f"{prefix}withdrawn_at__lt": tomorrow})
    )


def status_expression(today: datetime.date | None = None, prefix: str = "") -> Case:
    """``derive`` as one SQL CASE."""
    return Case(
        *(
            When(condition, then=Value(str(status)))
            for status, condition in status_conditions(today, prefix).items()
        ),
        output_field=CharField(),
    )


def status_filter(statuses, today: datetime.date | None = None, prefix: str = "") -> Q:
    """Tasks in any of ``statuses``."""
    conditions = status_conditions(today, prefix)
    condition = Q(pk__in=[])
    for status in statuses:
        condition |= conditions[TaskStatus(status)]
    return condition
