"""The operations center's hot issues from the tasks: key tasks overdue, the longest
overdue first (see ``dashboards.issues``)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dieuhanh.dashboards.issues import SHOWN_PER_SOURCE, HotIssue
from dieuhanh.directives.models import Task
from dieuhanh.directives.status import TaskStatus, status_filter

HIGH_AFTER_DAYS = 30  # a key task this long overdue is a high-severity issue


def overdue_key_tasks(user, today: datetime.date) -> list[HotIssue]:
    overdue = (
        Task.objects.restrict(user, "view")
        .filter(is_key=True)
        .filter(status_filter([TaskStatus.OVERDUE], today))
        .select_related("document", "lead")
        .order_by("deadline", "id")
    )
    found = list(overdue[: SHOWN_PER_SOURCE + 1])
    issues = [
        HotIssue(
            kind="task",
            severity="high" if (today - task.deadline).days > HIGH_AFTER_DAYS else "medium",
            title=_("Key task overdue: %(lead)s") % {"lead": task.lead.name},
            detail=ngettext(
                "%(task)s (due %(date)s, %(days)d day late)",
                "%(task)s (due %(date)s, %(days)d days late)",
                (today - task.deadline).days,
            )
            % {
                "task": str(task),
                "date": task.deadline.strftime("%d/%m/%Y"),
                "days": (today - task.deadline).days,
            },
            url=reverse("directives:task", args=[task.pk]),
            icon="flag",
            when=task.deadline,
        )
        for task in found[:SHOWN_PER_SOURCE]
    ]
    if len(found) > SHOWN_PER_SOURCE:
        count = overdue.count()
        issues.append(
            HotIssue(
                kind="task",
                severity="medium",
                title=ngettext("%(n)d key task overdue", "%(n)d key tasks overdue", count)
                % {"n": count},
                detail=_("The list of overdue key tasks, the longest overdue first."),
                url=reverse("directives:tasks") + "?key=1&status=overdue",
                icon="flag",
                when=today,
            )
        )
    return issues
