"""Unit profiles: a province (or commune) against its parent and its peers, its history
across the 2025 merger and its reporting record; a ministry's indicators and record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.scopes import scope_unit_ids
from dieuhanh.analytics import engine
from dieuhanh.analytics import services as analytics
from dieuhanh.catalog.models import Indicator, ReportingRegime, Status, ValueType
from dieuhanh.core import periods
from dieuhanh.core.querysets import denied, permits
from dieuhanh.dashboards import figures
from dieuhanh.datavalues.models import Submission
from dieuhanh.orgunits import services as orgunit_services
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, OrgUnitKind, Succession

REGION_SET = "SOCIO_ECONOMIC_REGION"
RECORD_PERIODS = 6
HISTORY_YEARS = 10
AGENCY_KINDS = (
    OrgUnitKind.MINISTRY,
    OrgUnitKind.MINISTRY_LEVEL,
    OrgUnitKind.GOVERNMENT_AGENCY,
)


def _day(view: figures.View, today: datetime.date) -> datetime.date:
    return analytics.structure_day(view.structure, today) or today


def check_scope(user, unit: OrgUnit) -> None:
    """A unit outside the user's view scope has no profile for them."""
    allowed = scope_unit_ids(user, "view")
    if allowed is not None and unit.pk not in allowed:
        raise denied(OrgUnit, "view", unit)


def profile(user, unit: OrgUnit, view: figures.View, today: datetime.date | None = None) -> dict:
    """What the profile page shows at once; its figures come as separate items."""
    today = today or timezone.localdate()
    check_scope(user, unit)
    day = _day(view, today)
    on = day if unit.is_valid_on(day) else (unit.valid_to or day)
    trail = orgunit_services.ancestors(unit, on)
    allowed = scope_unit_ids(user, "view")
    crumbs = [
        {
            "name": a.short_name,
            "url": (
                reverse("core:home") + view.query()
                if a.kind == OrgUnitKind.GOVERNMENT
                else reverse("dashboards:unit", args=[a.uid]) + view.query()
            ),
        }
        for a in trail
        if allowed is None or a.pk in allowed or a.kind == OrgUnitKind.GOVERNMENT
    ]
    merged_from = list(
        Succession.objects.filter(successor=unit)
        .select_related("predecessor")
        .order_by("effective_date", "predecessor__code")
    )
    went_to = list(
        Succession.objects.filter(predecessor=unit)
        .select_related("successor")
        .order_by("effective_date", "successor__code")
    )
    region = (
        OrgUnitGroup.objects.filter(group_set__code=REGION_SET, members=unit).first()
        if unit.kind == OrgUnitKind.PROVINCE
        else None
    )
    children_kind = {
        OrgUnitKind.PROVINCE: OrgUnitKind.COMMUNE,
        OrgUnitKind.GOVERNMENT: OrgUnitKind.PROVINCE,
    }.get(unit.kind)
    child_indicators = []
    if children_kind:
        child_indicators = [
            i.code
            for i in Indicator.objects.restrict(user, "view")
            .filter(status=Status.ACTIVE)
            .order_by("code")
            if children_kind in (i.levels or []) and i.value_type not in NON_NUMERIC
        ]
    owned = []
    if unit.kind in AGENCY_KINDS:
        owned = list(
            Indicator.objects.restrict(user, "view")
            .filter(owner=unit, status=Status.ACTIVE)
            .exclude(value_type__in=NON_NUMERIC)
            .order_by("code")
        )
    wanted = view.params.get("indicator")
    return {
        "unit": unit,
        "crumbs": crumbs,
        "merged_from": merged_from,
        "went_to": went_to,
        "region": region,
        "is_area": unit.kind in orgunit_services.AREA_KINDS,
        "is_agency": unit.kind in AGENCY_KINDS,
        "child_indicators": child_indicators,
        "owned": owned,
        "history_indicator": _history_indicator(user, unit),
        "wanted": wanted,
    }


NON_NUMERIC = (ValueType.TEXT, ValueType.BOOLEAN)
# Daily and hourly figures (rainfall, damage, new cases) follow events: the emergency
# screens show them, not a profile's latest figures against the peers.
EVENT_PERIODS = (periods.PeriodType.DAILY, periods.PeriodType.HOURLY)
HISTORY_CANDIDATES = ("RETAIL_SALES", "BUDGET_REVENUE", "EXPORTS", "GRDP_CURRENT")


def _history_indicator(user, unit: OrgUnit) -> str | None:
    visible = set(
        Indicator.objects.restrict(user, "view")
        .filter(code__in=HISTORY_CANDIDATES)
        .values_list("code", flat=True)
    )
    return next((code for code in HISTORY_CANDIDATES if code in visible), None)


# --- the unit against its parent and peers --------------------------------------------------
@dataclass
class Comparison:
    indicator: Indicator
    period: periods.Period | None
    value: float | None
    change: float | None
    tone: str
    parent_value: float | None
    rank: int | None
    peers: int
    region_rank: int | None = None
    region_peers: int = 0
    approximate: bool = False


@dataclass
class Comparisons:
    unit: OrgUnit
    parent: OrgUnit | None
    region: OrgUnitGroup | None
    rows: list[Comparison] = field(default_factory=list)

    @property
    def without(self) -> int:
        return sum(1 for row in self.rows if row.period is None)


def comparisons(
    user, unit: OrgUnit, view: figures.View, today: datetime.date | None = None
) -> Comparisons:
    """Each indicator reported at the unit's level: its latest figure, the change on last
    year, the parent's figure (the country's for a province) and the unit's rank among its
    peers (and within its region)."""
    today = today or timezone.localdate()
    check_scope(user, unit)
    day = _day(view, today)
    on = day if unit.is_valid_on(day) else (unit.valid_to or day)
    parent = orgunit_services.parent_on(unit, on)
    indicators = [
        i
        for i in Indicator.objects.restrict(user, "view")
        .filter(status=Status.ACTIVE)
        .exclude(value_type__in=NON_NUMERIC)
        .select_related("unit")
        .order_by("code")
        if unit.kind in (i.levels or []) and i.period_type not in EVENT_PERIODS
    ]
    result = Comparisons(unit, parent, None)
    if parent is None or not indicators:
        return result
    if unit.kind == OrgUnitKind.PROVINCE:
        result.region = OrgUnitGroup.objects.filter(
            group_set__code=REGION_SET, members=unit
        ).first()
    region_members = (
        set(result.region.members.values_list("pk", flat=True)) if result.region else set()
    )
    peers_token = (
        "KIND-province" if parent.kind == OrgUnitKind.GOVERNMENT else f"CHILDREN-{parent.uid}"
    )
    allowed = scope_unit_ids(user, "view")
    tokens = [parent.uid, peers_token] if allowed is None or parent.pk in allowed else [peers_token]
    structure = view.structure if unit.is_valid_on(day) else analytics.AS_REPORTED
    by_type: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        by_type.setdefault(figures.shown_type(indicator, view), []).append(indicator)
    for group in by_type.values():
        candidates = figures.series_periods(group[0], view, min(today, unit.valid_to or today), 4)
        if view.period is not None:
            candidates = candidates[-1:]
        # First the unit alone over the recent periods (its latest figure and its change),
        # then its parent and peers in that period only (the ranks): the peers' history and
        # changes are not needed.
        own = analytics.query(
            user,
            figures.ask([i.code for i in group], [unit.uid], candidates, structure, ["yoy"]),
            today=today,
        )
        cells = {(c.indicator.code, c.period): c for c in own.cells}
        latest: dict[periods.Period, list[Indicator]] = {}
        for indicator in group:
            chosen = next(
                (
                    cells[(indicator.code, p)]
                    for p in reversed(candidates)
                    if cells.get((indicator.code, p))
                    and cells[(indicator.code, p)].value is not None
                ),
                None,
            )
            if chosen is None:
                result.rows.append(
                    Comparison(indicator, None, None, None, "neutral", None, None, 0)
                )
            else:
                latest.setdefault(chosen.period, []).append(indicator)
        for period, found in latest.items():
            answer = analytics.query(
                user, figures.ask([i.code for i in found], tokens, [period], structure), today=today
            )
            values_of: dict[str, dict[int, float | None]] = {}
            parent_value: dict[str, float | None] = {}
            for cell in answer.cells:
                if cell.unit_id == parent.pk:
                    parent_value[cell.indicator.code] = cell.value
                else:
                    values_of.setdefault(cell.indicator.code, {})[cell.unit_id] = cell.value
            for indicator in found:
                chosen = cells[(indicator.code, period)]
                values = values_of.get(indicator.code, {})
                order = engine.ranks(values, indicator.direction)
                region_values = {k: v for k, v in values.items() if k in region_members}
                region_order = (
                    engine.ranks(region_values, indicator.direction) if region_values else {}
                )
                change = chosen.measures.get("yoy")
                result.rows.append(
                    Comparison(
                        indicator=indicator,
                        period=period,
                        value=chosen.value,
                        change=change,
                        tone=figures.tone(indicator, change),
                        parent_value=parent_value.get(indicator.code),
                        rank=order.get(unit.pk),
                        peers=sum(v is not None for v in values.values()),
                        region_rank=region_order.get(unit.pk),
                        region_peers=sum(v is not None for v in region_values.values()),
                        approximate=chosen.approximate,
                    )
                )
    result.rows.sort(key=lambda row: (row.period is None, row.indicator.code))
    return result


# --- history across the 2025 merger ---------------------------------------------------------
@dataclass
class History:
    indicator: Indicator
    years: list[str]
    total: list[float | None]  # the unit as it is today (its predecessors' figures mapped)
    parts: list[tuple[str, list[float | None]]]  # each predecessor, as it reported
    request: analytics.AnalyticsRequest


def history(
    user, unit: OrgUnit, indicator_code: str, today: datetime.date | None = None
) -> History:
    """The unit's yearly figures over ten years in today's structure (the provinces merged
    into it added up before the merger), beside each predecessor's figure as reported."""
    today = today or timezone.localdate()
    check_scope(user, unit)
    indicator = analytics.read_indicators(user, [indicator_code])[0]
    this_year = periods.for_date(periods.PeriodType.YEARLY, today)
    years = [this_year.shift(-n) for n in range(HISTORY_YEARS - 1, -1, -1)]
    structure = "today" if unit.is_valid_on(today) else (unit.valid_to or today).isoformat()
    ask = analytics.AnalyticsRequest(
        indicators=[indicator.code],
        orgunits=[unit.uid],
        periods=[y.code for y in years],
        structure=structure,
        skip_rounding=True,
    )
    total = [c.value for c in analytics.query(user, ask, today=today).cells]
    parts = []
    predecessors = [
        s.predecessor
        for s in Succession.objects.filter(successor=unit)
        .select_related("predecessor")
        .order_by("predecessor__code")
    ]
    allowed = scope_unit_ids(user, "view")
    predecessors = [p for p in predecessors if allowed is None or p.pk in allowed]
    if predecessors:
        earlier = analytics.AnalyticsRequest(
            indicators=[indicator.code],
            orgunits=[p.uid for p in predecessors],
            periods=[y.code for y in years],
            structure=analytics.AS_REPORTED,
            skip_rounding=True,
        )
        cells = analytics.query(user, earlier, today=today).cells
        grid = {(c.unit_id, c.period.code): c.value for c in cells}
        for predecessor in predecessors:
            parts.append(
                (
                    _("%(name)s (until %(day)s)")
                    % {
                        "name": predecessor.short_name,
                        "day": predecessor.valid_to.strftime("%d/%m/%Y")
                        if predecessor.valid_to
                        else "",
                    },
                    [
                        grid.get((predecessor.pk, y.code))
                        if predecessor.valid_from is None or y.start >= predecessor.valid_from
                        else None
                        for y in years
                    ],
                )
            )
    return History(indicator, [y.label() for y in years], total, parts, ask)


# --- the reporting record -------------------------------------------------------------------
@dataclass
class RecordRow:
    regime: ReportingRegime
    marks: list[tuple[str, str]]  # (period label, on_time / late / missing / pending)
    on_time: int
    due: int


def reporting_record(user, unit: OrgUnit, today: datetime.date | None = None) -> list[RecordRow]:
    """The unit's reports in the last periods of each regime it reports under."""
    from dieuhanh.quality import services as quality

    today = today or timezone.localdate()
    check_scope(user, unit)
    if not permits(user, Submission, "view"):
        return []
    rows = []
    for regime in quality.watched_regimes(user):
        current = periods.for_date(regime.period_type, today, hour=0)
        codes = [current.shift(-n).code for n in range(RECORD_PERIODS, 0, -1)]
        try:
            result = quality.completeness(user, regime.code, codes, today=today, units={unit.pk})
        except ValidationError:  # periods the regime cannot read
            continue
        mine = result.reports
        if not mine:
            continue
        marks = [(r.period.label(), r.status) for r in sorted(mine, key=lambda r: r.period.start)]
        due = sum(1 for r in mine if not r.pending)
        rows.append(RecordRow(regime, marks, sum(1 for r in mine if r.on_time), due))
    return rows
