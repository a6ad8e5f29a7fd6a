"""A task's status is derived from its facts and the day asked about: the rule in Python
(one task) and in SQL (the statistics) give the same answer in every case."""

import datetime
import itertools

import pytest
from django.utils import timezone

from dieuhanh.directives.models import Task
from dieuhanh.directives.status import Bucket, TaskStatus, derive, status_of
from tests.directives.conftest import days, make_task, today


def moment(day: datetime.date, hour: int = 23) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))


DEADLINES = [None, -30, -1, 0, 3, 7, 8, 60]
COMPLETIONS = [None, -40, -30, -2, 0]  # days from today, judged against each deadline
WITHDRAWALS = ["", "cancelled", "adjusted"]


def test_the_statuses_of_single_tasks():
    day = datetime.date(2026, 6, 15)
    assert derive(deadline=None, completed_at=None, withdrawal="", today=day) == "in_progress"
    assert derive(deadline=day, completed_at=None, withdrawal="", today=day) == "due_soon"
    assert (
        derive(
            deadline=day - datetime.timedelta(days=1), completed_at=None, withdrawal="", today=day
        )
        == "overdue"
    )
    # Completed on the deadline, late in the evening: on time (the day counts, in Vietnam's
    # time zone); a minute after midnight: late.
    assert derive(deadline=day, completed_at=moment(day, 23), withdrawal="", today=day) == (
        "done_on_time"
    )
    late = moment(day + datetime.timedelta(days=1), 0)
    assert derive(
        deadline=day, completed_at=late, withdrawal="", today=day + datetime.timedelta(days=2)
    ) == ("done_late")
    # Seen from a day before it was completed, the task was still open (and overdue).
    assert derive(
        deadline=day, completed_at=late, withdrawal="", today=day + datetime.timedelta(days=0)
    ) == ("due_soon")
    assert derive(deadline=None, completed_at=None, withdrawal="adjusted", today=day) == "adjusted"
    assert (
        TaskStatus.OVERDUE.bucket == Bucket.OVERDUE and TaskStatus.DUE_SOON.bucket == "in_progress"
    )
    assert TaskStatus.CANCELLED.bucket is None and TaskStatus.OVERDUE.colour == "danger"


@pytest.mark.django_db
def test_python_and_sql_agree_on_every_combination(gov):
    made = []
    for deadline, completion, withdrawal in itertools.product(DEADLINES, COMPLETIONS, WITHDRAWALS):
        task = make_task(gov, deadline=None if deadline is None else days(deadline))
        task.completed_at = None if completion is None else moment(days(completion), 10)
        task.withdrawal = withdrawal
        task.withdrawn_at = moment(days(-5)) if withdrawal else None
        task.save()  # keeps completed_on with completed_at
        made.append(task.pk)
    for seen_on in (today(), days(-10), days(-35)):
        annotated = {t.pk: t.status for t in Task.objects.filter(pk__in=made).with_status(seen_on)}
        for task in Task.objects.filter(pk__in=made):
            assert annotated[task.pk] == status_of(task, seen_on), (
                task.deadline,
                task.completed_at,
                task.withdrawal,
                seen_on,
            )
    statuses = set(
        Task.objects.filter(pk__in=made).with_status(today()).values_list("status", flat=True)
    )
    assert statuses == set(TaskStatus.values)  # every status occurs in the grid
