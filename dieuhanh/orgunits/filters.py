"""One filter for the list page, the API and the export (as NetBox's FilterSets)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dieuhanh.orgunits import services
from dieuhanh.orgunits.models import OrgUnitParent, valid_on_q


@dataclass
class UnitFilter:
    as_of: datetime.date | None = None
    kind: str | None = None
    parent: str | None = None  # uid: the direct children on as_of
    ancestor: str | None = None  # uid: everything below on as_of
    level: int | None = None
    q: str | None = None
    group: str | None = None  # group code

    @property
    def day(self) -> datetime.date:
        return self.as_of or timezone.localdate()

    def apply(self, queryset):
        """Filter ``queryset`` (already restricted to what the user may see)."""
        visible = queryset
        day = self.day
        if self.q:
            queryset = queryset.filter(id__in=services.search(self.q, day).values("id"))
        queryset = queryset.valid_on(day)
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        if self.parent:
            parent = get_object_or_404(visible, uid=self.parent)
            queryset = queryset.filter(id__in=services.children_on(parent, day).values("id"))
        if self.ancestor:
            ancestor = get_object_or_404(visible, uid=self.ancestor)
            queryset = queryset.filter(id__in=services.descendants(ancestor, day).values("id"))
        if self.level:
            queryset = queryset.filter(id__in=services.level_on(day, self.level).values("id"))
        if self.group:
            queryset = queryset.filter(groups__code=self.group)
        return with_parent_on(queryset, day).order_by("kind", "code")


def with_parent_on(queryset, day: datetime.date):
    """Annotate each unit with its parent's uid and name on ``day`` (no query per row)."""
    edges = OrgUnitParent.objects.filter(valid_on_q(day), child=OuterRef("pk"))
    return queryset.annotate(
        parent_uid=Subquery(edges.values("parent__uid")[:1]),
        parent_name=Subquery(edges.values("parent__short_name")[:1]),
    )
