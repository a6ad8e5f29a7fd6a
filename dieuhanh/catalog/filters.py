"""One indicator filter for the catalog page, the API and the exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from dieuhanh.catalog import services


@dataclass
class IndicatorFilter:
    q: str | None = None
    group: str | None = None  # group code, e.g. D1498_1 or PLAN_OPS
    owner: str | None = None  # organisation unit uid or code
    period_type: str | None = None
    status: str | None = None
    value_type: str | None = None
    regime: str | None = None  # regime code
    derived: bool | None = None

    def apply(self, queryset):
        """Filter ``queryset`` (already restricted to what the user may see)."""
        if self.q:
            queryset = services.search_indicators(queryset, self.q)
        if self.group:
            queryset = queryset.filter(groups__code=self.group.upper())
        if self.owner:
            queryset = queryset.filter(Q(owner__uid=self.owner) | Q(owner__code=self.owner.upper()))
        if self.period_type:
            queryset = queryset.filter(period_type=self.period_type)
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.value_type:
            queryset = queryset.filter(value_type=self.value_type)
        if self.regime:
            queryset = queryset.filter(regime_items__section__regime__code=self.regime.upper())
        if self.derived is not None:
            queryset = queryset.exclude(formula="") if self.derived else queryset.filter(formula="")
        return (
            queryset.distinct()
            .select_related("unit", "owner", "disaggregation", "weight")
            .prefetch_related("groups")
            .order_by("code")
        )
