"""The analytics engine's own store: maintained rollups and their state.

``Rollup`` holds, for every unit that has units below it with data, the unit's effective
value of a cell (indicator, period of the indicator's own type, disaggregation option
combination): the unit's own reported value when it has one, else its children's effective
values aggregated by the indicator's rule over units. Leaves have no rollup row: their
effective value is their reported value. Rows are kept twice, over all values and over
accepted values only (``accepted``). Units are as they were in the period (the structure
``as_reported``); other structures are mapped at query time.

``RollupState`` is one row: the structure's version (a new random number at every change
of units, parent links and successions, which the query side's caches compare against) and
whether the rollups must be rebuilt because the hierarchy changed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.querysets import RestrictedQuerySet


class Rollup(models.Model):
    indicator_id = models.BigIntegerField()
    orgunit_id = models.BigIntegerField()
    period = models.CharField(max_length=20)
    period_end = models.DateField()
    combination_id = models.BigIntegerField()
    accepted = models.BooleanField(default=False)
    value = models.DecimalField(max_digits=38, decimal_places=10)
    # how many values (own) or children (aggregated) the value rests on; 0 for own values
    children = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        default_permissions = ()
        indexes = [
            # the maintenance's lookups, cell by cell
            models.Index(
                fields=["indicator_id", "orgunit_id", "period", "accepted"],
                name="rollup_cell",
            ),
            # the queries' reads: a range of days per (indicator, unit), from the index
            # alone on PostgreSQL
            models.Index(
                fields=["indicator_id", "orgunit_id", "accepted", "period_end"],
                include=["period", "combination_id", "value"],
                name="rollup_read",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.orgunit_id}/{self.period}/{self.combination_id}"


class RollupState(models.Model):
    structure_version = models.PositiveBigIntegerField(default=0)
    rebuild = models.BooleanField(default=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")
        default_permissions = ()

    def __str__(self) -> str:
        return f"v{self.structure_version}"
