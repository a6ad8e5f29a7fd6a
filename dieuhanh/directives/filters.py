"""One filter for the task list page, its export, the statistics' drill-down and the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from dieuhanh.core.querysets import with_every_word
from dieuhanh.directives.status import STATUSES_OF, Bucket, TaskStatus, status_filter

ORDERINGS = {
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "assigned": ("assigned_on", "id"),
    "-assigned": ("-assigned_on", "-id"),
}


@dataclass
class TaskFilter:
    q: str = ""  # words of the task's text or its document's number
    document: int | None = None
    document_number: str = ""
    project: str = ""  # code: tasks that concern this programme or project
    lead: str = ""  # uid: tasks this unit leads
    unit: str = ""  # uid: tasks this unit leads or co-ordinates
    status: list[str] = field(default_factory=list)
    bucket: str = ""
    key: bool | None = None
    kind: str = ""
    supervisor: int | None = None
    monitor: int | None = None
    assigned_from: datetime.date | None = None
    assigned_to: datetime.date | None = None
    deadline_from: datetime.date | None = None
    deadline_to: datetime.date | None = None
    include_withdrawn: bool = True
    order: str = "deadline"

    def apply(self, queryset, today: datetime.date | None = None):
        today = today or timezone.localdate()
        if self.q:
            queryset = with_every_word(queryset, self.q, ("content", "document__number"))
        if self.document:
            queryset = queryset.filter(document_id=self.document)
        if self.document_number:
            queryset = queryset.filter(document__number__iexact=self.document_number.strip())
        if self.project:
            from dieuhanh.directives.models import Task

            concerned = Task.objects.filter(projects__code=self.project).values("pk")
            queryset = queryset.filter(pk__in=concerned)
        if self.lead:
            queryset = queryset.filter(lead__uid=self.lead)
        if self.unit:
            from dieuhanh.directives.models import Task

            named = Task.objects.filter(coordinators__uid=self.unit).values("pk")
            queryset = queryset.filter(Q(lead__uid=self.unit) | Q(pk__in=named))
        statuses = [status for status in self.status if status in TaskStatus.values]
        if self.bucket in Bucket.values:
            statuses += STATUSES_OF[Bucket(self.bucket)]
        if statuses:
            queryset = queryset.filter(status_filter(set(statuses), today))
        elif not self.include_withdrawn:
            queryset = queryset.filter(withdrawal="")
        if self.key is not None:
            queryset = queryset.filter(is_key=self.key)
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        if self.supervisor:
            queryset = queryset.filter(supervisor_id=self.supervisor)
        if self.monitor:
            queryset = queryset.filter(monitor_id=self.monitor)
        if self.assigned_from:
            queryset = queryset.filter(assigned_on__gte=self.assigned_from)
        if self.assigned_to:
            queryset = queryset.filter(assigned_on__lte=self.assigned_to)
        if self.deadline_from:
            queryset = queryset.filter(deadline__gte=self.deadline_from)
        if self.deadline_to:
            queryset = queryset.filter(deadline__lte=self.deadline_to)
        return queryset.order_by(*ORDERINGS.get(self.order, ORDERINGS["deadline"]))
