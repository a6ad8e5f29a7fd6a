"""Cross-source consistency: the same quantity from two sources. For an additive indicator
(aggregated by sum over units), the figure of a reference unit (the national figure, the
owning ministry's, or any unit's) is compared, period by period, with the sum of what the
units of a level (the provinces, by default) reported; a difference beyond the tolerance
(relative, in percent of the reference) is listed. Set-based: one grouped query for the
sums and one for the references, whatever the number of indicators and periods.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from dieuhanh.catalog.models import (
    LEVEL_UNIT_KINDS,
    Indicator,
    OrgAggregation,
    ReportingLevel,
)
from dieuhanh.core import periods
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues.ingest import NUMERIC_TYPES
from dieuhanh.datavalues.models import DataValue
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.services import root_unit, units_on
from dieuhanh.quality.services import read_periods

MAX_PERIODS = 60
NATIONAL, OWNER = "national", "owner"


@dataclass
class Comparison:
    indicator: Indicator
    period: periods.Period
    reference_unit: OrgUnit | None
    reference: float | None
    total: float | None
    reporting: int  # units of the level with a value
    expected: int  # units of the level that existed at the period's end
    tolerance: float

    @property
    def difference(self) -> float | None:
        if self.reference is None or self.total is None:
            return None
        return self.total - self.reference

    @property
    def relative(self) -> float | None:
        """The difference in percent of the reference."""
        if self.difference is None or not self.reference:
            return None
        return round(100 * self.difference / abs(self.reference), 2)

    @property
    def status(self) -> str:
        """consistent, different, or incomplete (a side is missing)."""
        if self.difference is None:
            return "incomplete"
        if self.reference == 0:
            return "consistent" if self.difference == 0 else "different"
        return "consistent" if abs(self.relative) <= self.tolerance else "different"


def _parse_period(code: str) -> periods.Period:
    try:
        return periods.parse(code)
    except periods.PeriodError as error:
        raise ValidationError(str(error), code="invalid_period") from error


def _indicators(user, codes: list[str] | None, level: str):
    queryset = Indicator.objects.restrict(user, "view").filter(formula="")
    if codes:
        found = list(queryset.filter(code__in=codes))
        unknown = set(codes) - {indicator.code for indicator in found}
        if unknown:
            raise ValidationError(
                _("Unknown indicator: “%(code)s”.") % {"code": ", ".join(sorted(unknown))},
                code="unknown_indicator",
            )
        for indicator in found:
            if indicator.aggregation != OrgAggregation.SUM:
                raise ValidationError(
                    _("“%(code)s” does not add up over units: its sources cannot be compared.")
                    % {"code": indicator.code},
                    code="not_additive",
                )
        return found
    return [
        indicator
        for indicator in queryset.filter(aggregation=OrgAggregation.SUM)
        if indicator.value_type in NUMERIC_TYPES and level in (indicator.levels or [])
    ]


def compare(
    user,
    period_codes: list[str],
    *,
    indicator_codes: list[str] | None = None,
    reference: str = NATIONAL,
    level: str = ReportingLevel.PROVINCE,
    tolerance: float = 1.0,
) -> list[Comparison]:
    """For each additive indicator (those named, or every one reported at ``level``) and
    each period of its type among those asked for: the reference unit's figure and the sum
    of ``level``'s units, within the user's view scope."""
    if not permits(user, DataValue, "view"):
        raise denied(DataValue, "view")
    if level not in LEVEL_UNIT_KINDS:
        raise ValidationError(
            _("Unknown level: “%(level)s”.") % {"level": level}, code="invalid_level"
        )
    if not 0 <= tolerance <= 100:
        raise ValidationError(
            _("The tolerance is a percentage between 0 and 100."), code="invalid_tolerance"
        )
    wanted = read_periods(period_codes, _parse_period, MAX_PERIODS)
    indicators = _indicators(user, indicator_codes, level)
    fixed_unit = None
    if reference not in (NATIONAL, OWNER):
        fixed_unit = OrgUnit.objects.restrict(user, "view").filter(uid=reference).first()
        if fixed_unit is None:
            raise ValidationError(
                _("Unknown unit: “%(uid)s”.") % {"uid": reference}, code="unknown_orgunit"
            )
    codes = [period.code for period in wanted]
    ids = [indicator.pk for indicator in indicators]
    visible = DataValue.objects.restrict(user, "view").filter(
        indicator_id__in=ids, period__in=codes, deleted=False, number__isnull=False
    )
    sums = {
        (row["indicator_id"], row["period"]): (float(row["total"]), row["units"])
        for row in visible.filter(orgunit__kind__in=LEVEL_UNIT_KINDS[level])
        .values("indicator_id", "period")
        .annotate(total=Sum("number"), units=Count("orgunit_id", distinct=True))
        .order_by()
    }

    def reference_unit(indicator: Indicator, period: periods.Period) -> OrgUnit | None:
        if fixed_unit is not None:
            return fixed_unit
        if reference == OWNER:
            return indicator.owner
        return root_unit(period.end)

    pairs = {
        (indicator.pk, period.code): reference_unit(indicator, period)
        for indicator in indicators
        for period in wanted
        if period.type == indicator.period_type
    }
    references = {
        (row["indicator_id"], row["orgunit_id"], row["period"]): float(row["total"])
        for row in visible.filter(orgunit_id__in={u.pk for u in pairs.values() if u})
        .values("indicator_id", "orgunit_id", "period")
        .annotate(total=Sum("number"))
        .order_by()
    }
    kinds = LEVEL_UNIT_KINDS[level]
    expected = {
        period.code: units_on(period.end).filter(kind__in=kinds).count() for period in wanted
    }
    found = []
    for indicator in indicators:
        for period in wanted:
            if (indicator.pk, period.code) not in pairs:
                continue
            unit = pairs[(indicator.pk, period.code)]
            total, reporting = sums.get((indicator.pk, period.code), (None, 0))
            found.append(
                Comparison(
                    indicator=indicator,
                    period=period,
                    reference_unit=unit,
                    reference=references.get((indicator.pk, unit.pk, period.code))
                    if unit
                    else None,
                    total=total,
                    reporting=reporting,
                    expected=expected[period.code],
                    tolerance=tolerance,
                )
            )
    return found
