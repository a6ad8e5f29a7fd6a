"""Outliers: values far from their own history.

A series is one unit's values of one indicator in one disaggregation cell. Each value is
judged against the rest of its series by four methods:
- **z-score**: distance from the mean of the *other* values of the series in standard
  deviations (leaving the value out, so that one wild value in a short series cannot hide
  behind the spread it causes itself);
- **modified z-score**: 0.6745 x distance from the median / median absolute deviation
  (Iglewicz and Hoaglin), robust to the outliers themselves;
- **seasonal**: distance from the same period of the previous years (same month, quarter,
  week or day; at least three of them) in their standard deviations, so that Tết or a
  harvest month is compared with Tết and harvest months;
- **min-max bounds**: outside the range set for the unit and indicator (``ValueBound``),
  set by hand or generated from history (median +- factor x scaled MAD).
A small floor on the spread (2% of the centre) keeps flat series from flagging rounding.
The values are read once (one query, through ``restrict``) and each series is scored in
one pass.
"""

from __future__ import annotations

import datetime
import math
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.accounts.scopes import scope_unit_ids
from dieuhanh.catalog.models import Indicator, OptionCombination
from dieuhanh.core import periods
from dieuhanh.core.audit import record_change, record_event, snapshot
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues.ingest import NUMERIC_TYPES
from dieuhanh.datavalues.models import DataValue
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure
from dieuhanh.quality.models import FollowUp, FollowUpStatus, OutlierMethod, ValueBound

THRESHOLDS = {
    OutlierMethod.ZSCORE: 3.0,
    OutlierMethod.MODIFIED_ZSCORE: 3.5,
    OutlierMethod.SEASONAL: 3.0,
    OutlierMethod.MINMAX: 0.0,
}
DETECTED = (
    OutlierMethod.ZSCORE,
    OutlierMethod.MODIFIED_ZSCORE,
    OutlierMethod.SEASONAL,
    OutlierMethod.MINMAX,
)
MIN_HISTORY = 6  # values besides the one judged, for the z-scores
MIN_SEASONS = 3  # previous years of the same period, for the seasonal comparison
MAX_SEASONS = 5
SPREAD_FLOOR = 0.02  # of the centre's absolute value
MAD_SCALE = 1.4826  # MAD x this estimates the standard deviation of a normal series
MAX_LIMIT = 5000


@dataclass
class Outlier:
    value_id: int
    orgunit_id: int
    combination_id: int
    period: str
    period_start: datetime.date
    number: Decimal
    method: str  # the strongest
    score: float
    expected: float | None
    lower: float | None
    upper: float | None
    methods: list[str] = field(default_factory=list)
    followup_id: int | None = None
    followup_status: str | None = None


@dataclass
class OutlierReport:
    indicator: Indicator
    methods: list[str]
    checked: int  # values judged
    outliers: list[Outlier]
    units: dict[int, OrgUnit]
    combinations: dict[int, OptionCombination]


def numeric_indicator(user, code: str) -> Indicator:
    indicator = Indicator.objects.restrict(user, "view").filter(code=code).first()
    if indicator is None:
        raise ValidationError(
            _("Unknown indicator: “%(code)s”.") % {"code": code}, code="unknown_indicator"
        )
    if indicator.value_type not in NUMERIC_TYPES:
        raise ValidationError(
            _("Indicator “%(code)s” does not hold numbers.") % {"code": code},
            code="not_numeric",
        )
    return indicator


def parse_methods(text: str | None) -> list[str]:
    if not text:
        return list(DETECTED)
    methods = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in methods if m not in DETECTED]
    if unknown:
        raise ValidationError(
            _("Unknown method: %(names)s. Use %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(DETECTED)},
            code="unknown_method",
        )
    return methods


def _values(user, indicator: Indicator, orgunit_uid: str | None):
    queryset = DataValue.objects.restrict(user, "view").filter(
        indicator=indicator, deleted=False, number__isnull=False
    )
    if orgunit_uid:
        unit = OrgUnit.objects.filter(uid=orgunit_uid).first()
        if unit is None:
            raise ValidationError(
                _("Unknown unit: “%(uid)s”.") % {"uid": orgunit_uid}, code="unknown_orgunit"
            )
        queryset = queryset.filter(
            orgunit_id__in=OrgUnitClosure.objects.filter(ancestor=unit).values("descendant_id")
        )
    return queryset.order_by("orgunit_id", "combination_id", "attribute_id", "period_start")


def _season(period_type: str, start: datetime.date):
    """The position of a period within its year (None for yearly and longer periods)."""
    if period_type == periods.PeriodType.MONTHLY:
        return start.month
    if period_type == periods.PeriodType.QUARTERLY:
        return (start.month - 1) // 3
    if period_type == periods.PeriodType.WEEKLY:
        return start.isocalendar()[1]
    if period_type == periods.PeriodType.DAILY:
        return (start.month, start.day)
    if period_type == periods.PeriodType.SIXMONTHLY:
        return start.month > 6
    return None


def _spread(value: float, centre: float) -> float:
    return max(value, SPREAD_FLOOR * abs(centre), 1e-12)


def _bounds_of(indicator: Indicator, unit_ids) -> dict[tuple[int, int | None], tuple]:
    """(unit, cell or None for all cells) -> (lower, upper, generated)."""
    return {
        (orgunit_id, combination_id): (lower, upper, generated)
        for orgunit_id, combination_id, lower, upper, generated in ValueBound.objects.filter(
            indicator=indicator, orgunit_id__in=unit_ids
        ).values_list("orgunit_id", "combination_id", "lower", "upper", "generated")
    }


def _bound_for(bounds: dict, orgunit_id: int, combination_id: int):
    """The bound that applies to a series: one set by hand before a generated one, the
    cell's own before the one for all cells."""
    found = [
        b
        for b in (bounds.get((orgunit_id, combination_id)), bounds.get((orgunit_id, None)))
        if b is not None
    ]
    return next((b for b in found if not b[2]), found[0] if found else None)


def detect(
    user,
    indicator_code: str,
    *,
    methods: list[str] | None = None,
    orgunit_uid: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    thresholds: dict[str, float] | None = None,
    limit: int = 500,
) -> OutlierReport:
    """The values of ``indicator_code`` in the user's view scope (within ``orgunit_uid``'s
    subtree, with periods starting between ``start`` and ``end``) that a method flags,
    strongest first; each judged against its whole series."""
    indicator = numeric_indicator(user, indicator_code)
    methods = methods or list(DETECTED)
    limits = {**THRESHOLDS, **(thresholds or {})}
    rows = list(
        _values(user, indicator, orgunit_uid).values_list(
            "id", "orgunit_id", "combination_id", "attribute_id", "period", "period_start", "number"
        )
    )
    bounds = (
        _bounds_of(indicator, {row[1] for row in rows}) if OutlierMethod.MINMAX in methods else {}
    )
    found: list[Outlier] = []
    checked = 0
    series: list[tuple] = []
    key = None
    for row in [*rows, None]:
        row_key = row[1:4] if row is not None else None
        if row_key != key and series:
            checked += _judge(
                series, indicator.period_type, methods, limits, bounds, start, end, found
            )
            series = []
        key = row_key
        if row is not None:
            series.append(row)
    found.sort(key=lambda o: (-o.score / max(limits[o.method], 1.0), o.period_start))
    found = found[: max(1, min(limit, MAX_LIMIT))]
    followups = dict(
        FollowUp.objects.filter(value_id__in=[o.value_id for o in found])
        .exclude(status=FollowUpStatus.CLOSED)
        .values_list("value_id", "id")
    )
    statuses = dict(FollowUp.objects.filter(pk__in=followups.values()).values_list("id", "status"))
    for outlier in found:
        outlier.followup_id = followups.get(outlier.value_id)
        outlier.followup_status = statuses.get(outlier.followup_id)
    return OutlierReport(
        indicator=indicator,
        methods=methods,
        checked=checked,
        outliers=found,
        units=OrgUnit.objects.in_bulk({o.orgunit_id for o in found}),
        combinations=OptionCombination.objects.in_bulk({o.combination_id for o in found}),
    )


def _judge(series, period_type, methods, limits, bounds, start, end, found) -> int:
    """Score the values of one series that fall in the window; append the outliers."""
    numbers = [float(row[6]) for row in series]
    n = len(numbers)
    total = math.fsum(numbers)
    squares = math.fsum(x * x for x in numbers)
    median = mad = None
    if OutlierMethod.MODIFIED_ZSCORE in methods and n > MIN_HISTORY:
        median = statistics.median(numbers)
        mad = statistics.median(abs(x - median) for x in numbers)
        if mad == 0:  # more than half the values equal: the mean absolute deviation instead
            # (Iglewicz and Hoaglin: |x - median| / (1.253314 x mean absolute deviation))
            mad = 0.6745 * 1.253314 * math.fsum(abs(x - median) for x in numbers) / n
    seasons: dict = {}
    if OutlierMethod.SEASONAL in methods:
        for row, x in zip(series, numbers, strict=True):
            season = _season(period_type, row[5])
            if season is not None:
                seasons.setdefault(season, []).append((row[5].year, x))
    orgunit_id, combination_id = series[0][1], series[0][2]
    bound = _bound_for(bounds, orgunit_id, combination_id) if bounds else None
    checked = 0
    for row, x in zip(series, numbers, strict=True):
        if (start and row[5] < start) or (end and row[5] > end):
            continue
        checked += 1
        scores: list[tuple[float, str, float | None, float | None, float | None]] = []
        if OutlierMethod.ZSCORE in methods and n - 1 >= MIN_HISTORY:
            others = n - 1
            mean = (total - x) / others
            variance = max((squares - x * x - others * mean * mean) / (others - 1), 0.0)
            sd = _spread(math.sqrt(variance), mean)
            scores.append(
                (abs(x - mean) / sd, OutlierMethod.ZSCORE, mean, mean - 3 * sd, mean + 3 * sd)
            )
        if median is not None:
            spread = _spread(mad, median)
            score = 0.6745 * abs(x - median) / spread
            width = limits[OutlierMethod.MODIFIED_ZSCORE] * spread / 0.6745
            scores.append(
                (score, OutlierMethod.MODIFIED_ZSCORE, median, median - width, median + width)
            )
        if seasons:
            season = _season(period_type, row[5])
            earlier = [
                value
                for year, value in seasons.get(season, ())
                if row[5].year - MAX_SEASONS <= year < row[5].year
            ]
            if len(earlier) >= MIN_SEASONS:
                mean = math.fsum(earlier) / len(earlier)
                sd = _spread(statistics.stdev(earlier), mean)
                scores.append(
                    (abs(x - mean) / sd, OutlierMethod.SEASONAL, mean, mean - 3 * sd, mean + 3 * sd)
                )
        if bound is not None and OutlierMethod.MINMAX in methods:
            lower = float(bound[0]) if bound[0] is not None else None
            upper = float(bound[1]) if bound[1] is not None else None
            width = max((upper or 0) - (lower or 0), abs(upper or lower or 1), 1e-12)
            if lower is not None and x < lower:
                scores.append((1 + (lower - x) / width, OutlierMethod.MINMAX, None, lower, upper))
            elif upper is not None and x > upper:
                scores.append((1 + (x - upper) / width, OutlierMethod.MINMAX, None, lower, upper))
        flagged = [s for s in scores if s[0] > limits[s[1]]]
        if not flagged:
            continue
        strongest = max(flagged, key=lambda s: s[0] / max(limits[s[1]], 1.0))
        found.append(
            Outlier(
                value_id=row[0],
                orgunit_id=orgunit_id,
                combination_id=combination_id,
                period=row[4],
                period_start=row[5],
                number=row[6],
                method=strongest[1],
                score=round(strongest[0], 2),
                expected=strongest[2],
                lower=strongest[3],
                upper=strongest[4],
                methods=[s[1] for s in flagged],
            )
        )
    return checked


# --- bounds ---------------------------------------------------------------------------------
def generate_bounds(
    user, indicator_code: str, *, factor: float = 4.0, orgunit_uid: str | None = None
) -> dict:
    """Bounds for every series of the indicator in the user's scope with enough history:
    median +- ``factor`` x scaled MAD (never below zero for a series that never was).
    Bounds set by hand are kept; generated ones are replaced. One audit record says what
    was generated."""
    if not (permits(user, ValueBound, "add") and permits(user, ValueBound, "change")):
        raise denied(ValueBound, "add")
    if not 1 <= factor <= 10:
        raise ValidationError(_("The factor must lie between 1 and 10."), code="invalid_factor")
    indicator = numeric_indicator(user, indicator_code)
    by_series: dict[tuple[int, int], list[float]] = {}
    for orgunit_id, combination_id, number in _values(user, indicator, orgunit_uid).values_list(
        "orgunit_id", "combination_id", "number"
    ):
        by_series.setdefault((orgunit_id, combination_id), []).append(float(number))
    manual = set(
        ValueBound.objects.filter(indicator=indicator, generated=False).values_list(
            "orgunit_id", "combination_id"
        )
    )
    fresh = []
    for (orgunit_id, combination_id), numbers in by_series.items():
        if len(numbers) < MIN_HISTORY or manual & {
            (orgunit_id, combination_id),
            (orgunit_id, None),
        }:
            continue
        median = statistics.median(numbers)
        spread = _spread(MAD_SCALE * statistics.median(abs(x - median) for x in numbers), median)
        lower = median - factor * spread
        if min(numbers) >= 0:
            lower = max(lower, 0.0)
        fresh.append(
            ValueBound(
                indicator=indicator,
                orgunit_id=orgunit_id,
                combination_id=combination_id,
                lower=Decimal(str(round(lower, 6))),
                upper=Decimal(str(round(median + factor * spread, 6))),
                generated=True,
                updated_by=user,
            )
        )
    with transaction.atomic():
        removed, _kinds = ValueBound.objects.filter(
            indicator=indicator,
            generated=True,
            orgunit_id__in={bound.orgunit_id for bound in fresh},
        ).delete()
        ValueBound.objects.bulk_create(fresh, batch_size=2000)
        summary = {
            "indicator": indicator.code,
            "factor": factor,
            "generated": len(fresh),
            "replaced": removed,
            "kept_manual": len(manual),
        }
        record_event("generate_bounds", user, instance=indicator, detail=summary)
    return summary


@transaction.atomic
def set_bound(
    user,
    indicator_code: str,
    orgunit_uid: str,
    combination_uid: str | None,
    lower: Decimal | None,
    upper: Decimal | None,
) -> ValueBound:
    """A bound set by hand for a unit (and a disaggregation cell, or all of them); it
    survives later generations."""
    if not permits(user, ValueBound, "change"):
        raise denied(ValueBound, "change")
    indicator = numeric_indicator(user, indicator_code)
    unit = OrgUnit.objects.restrict(user, "view").filter(uid=orgunit_uid).first()
    if unit is None:
        raise ValidationError(
            _("Unknown unit: “%(uid)s”.") % {"uid": orgunit_uid}, code="unknown_orgunit"
        )
    allowed = scope_unit_ids(user, "change")
    if allowed is not None and unit.pk not in allowed:
        raise denied(ValueBound, "change", unit)
    combination = None
    if combination_uid:
        combination = OptionCombination.objects.filter(uid=combination_uid).first()
        if combination is None:
            raise ValidationError(
                _("Unknown disaggregation cell: “%(uid)s”.") % {"uid": combination_uid},
                code="unknown_combination",
            )
    if lower is None and upper is None:
        raise ValidationError(_("Give a minimum, a maximum or both."), code="empty_bound")
    if lower is not None and upper is not None and lower > upper:
        raise ValidationError(_("The minimum is greater than the maximum."), code="inverted_bound")
    bound = (
        ValueBound.objects.select_for_update()
        .filter(indicator=indicator, orgunit=unit, combination=combination)
        .first()
    )
    before = snapshot(bound) if bound else None
    bound = bound or ValueBound(indicator=indicator, orgunit=unit, combination=combination)
    bound.lower, bound.upper, bound.generated, bound.updated_by = lower, upper, False, user
    bound.save()
    record_change(
        "update" if before else "create", bound, before=before, after=snapshot(bound), actor=user
    )
    return bound
