"""The figures the operations center's screens show, every one read through the analytics
engine (``analytics.services.query``): the same numbers as the pivot table and the API,
the same access rules, the same structure mapping.

A screen carries a ``View`` from page to page: the period chosen (none: the latest figures
of each indicator) and the structure (today's units, a past day's, or as reported).
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.scopes import scope_unit_ids
from dieuhanh.analytics import engine
from dieuhanh.analytics import services as analytics
from dieuhanh.catalog.models import Direction, Indicator, TimeAggregation, ValueType
from dieuhanh.core import periods
from dieuhanh.core.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind
from dieuhanh.orgunits.services import root_unit
from dieuhanh.targets import progress
from dieuhanh.targets import services as target_services
from dieuhanh.targets.models import PlanTarget

# From the shortest period to the longest.
PERIOD_ORDER = (
    PeriodType.HOURLY,
    PeriodType.DAILY,
    PeriodType.WEEKLY,
    PeriodType.MONTHLY,
    PeriodType.QUARTERLY,
    PeriodType.SIXMONTHLY,
    PeriodType.YEARLY,
)
SERIES_LENGTH = {
    PeriodType.DAILY: 30,
    PeriodType.WEEKLY: 26,
    PeriodType.MONTHLY: 24,
    PeriodType.QUARTERLY: 12,
    PeriodType.SIXMONTHLY: 8,
    PeriodType.YEARLY: 10,
}
POINT_TYPES = (ValueType.PERCENT, ValueType.INDEX)
STRUCTURES = ("today", analytics.AS_REPORTED)


class ViewError(ValueError):
    pass


@dataclass(frozen=True)
class View:
    """The period and structure a screen shows, carried along by every link it offers."""

    period: str | None = None
    structure: str = "today"

    @classmethod
    def from_params(cls, params) -> View:
        period = (params.get("period") or "").strip() or None
        if period is not None:
            try:
                period = periods.parse(period).code
            except periods.PeriodError as error:
                raise ViewError(_("%(code)s is not a period code.") % {"code": period}) from error
        structure = (params.get("structure") or "today").strip()
        if structure not in STRUCTURES:
            try:
                datetime.date.fromisoformat(structure)
            except ValueError as error:
                raise ViewError(
                    _("The structure is today, as_reported or a day (YYYY-MM-DD), not %(value)s.")
                    % {"value": structure}
                ) from error
        return cls(period, structure)

    @property
    def params(self) -> dict[str, str]:
        found = {}
        if self.period:
            found["period"] = self.period
        if self.structure != "today":
            found["structure"] = self.structure
        return found

    def query(self, **extra) -> str:
        """``?period=...&structure=...`` (only what differs from the defaults), or ""."""
        merged = {**self.params, **{k: v for k, v in extra.items() if v not in (None, "")}}
        return "?" + urlencode(merged) if merged else ""

    @property
    def map_structure(self) -> str:
        """The tile map draws today's provinces: as reported, a past period's provinces
        would not fit it, so it maps their figures onto today's."""
        return "today" if self.structure == analytics.AS_REPORTED else self.structure


def coarser(first: str, second: str) -> bool:
    return PERIOD_ORDER.index(first) > PERIOD_ORDER.index(second)


def shown_type(indicator: Indicator, view: View) -> str:
    """The period type a figure is shown in: the indicator's own, or the chosen period's
    when that is longer and the indicator adds up over time (a year of monthly exports)."""
    own = indicator.period_type
    if view.period is None:
        return own
    chosen = periods.period_type_of(view.period)
    if coarser(chosen, own) and indicator.time_aggregation != TimeAggregation.NONE:
        return chosen
    return own


def series_periods(
    indicator: Indicator, view: View, today: datetime.date, length: int | None = None
) -> list[Period]:
    """The periods of a figure's history, oldest first, ending with the chosen period (in
    the type it is shown in) or the current one."""
    kind = shown_type(indicator, view)
    length = length or SERIES_LENGTH.get(kind, 12)
    if view.period is not None:
        chosen = periods.parse(view.period)
        end = chosen.end
        last = periods.for_date(kind, min(end, today) if chosen.start <= today else end, hour=0)
    else:
        last = periods.for_date(kind, today, hour=0)
    return [last.shift(-n) for n in range(length - 1, -1, -1)]


def default_units(user) -> list[str]:
    """The country for the center and leaders; an agency's own unit otherwise."""
    if scope_unit_ids(user, "view") is None:
        return []
    return ["USER_ORGUNIT"] if user.orgunit_id else []


def ask(codes, orgunits, period_list, structure: str, measures=()) -> analytics.AnalyticsRequest:
    """The analytics request of a screen's figure (unrounded: the page rounds)."""
    return analytics.AnalyticsRequest(
        indicators=list(codes),
        orgunits=list(orgunits),
        periods=[p.code for p in period_list],
        structure=structure,
        measures=list(measures),
        skip_rounding=True,
    )


def tone(indicator: Indicator, change: float | None) -> str:
    """good / bad / neutral: the direction of a change read against the indicator's."""
    if change is None or change == 0 or indicator.direction == Direction.NEUTRAL:
        return "neutral"
    better = change > 0 if indicator.direction == Direction.HIGHER_IS_BETTER else change < 0
    return "good" if better else "bad"


def change_unit(indicator: Indicator) -> str:
    return _("points") if indicator.value_type in POINT_TYPES else "%"


def unit_label(indicator: Indicator) -> str:
    return indicator.unit_label


# --- one figure -----------------------------------------------------------------------------
@dataclass
class Tile:
    """A key figure: the latest value of an indicator for a unit, its change on the same
    period last year, its recent history and, where one is set, the target."""

    indicator: Indicator
    unit: OrgUnit | None
    period: Period | None
    value: float | None
    change: float | None
    tone: str
    history: list[tuple[str, float | None]]
    year_to_date: float | None = None
    approximate: bool = False
    target: float | None = None
    target_label: str = ""
    plan: PlanTarget | None = None  # the plan's target the tile shows, when it has none

    @property
    def target_met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        if self.plan is not None:  # as the targets page judges it
            return progress.meets(self.plan, self.value)
        if self.indicator.direction == Direction.LOWER_IS_BETTER:
            return self.value <= self.target
        return self.value >= self.target

    @property
    def target_share(self) -> float | None:
        """How far the value is towards the target, in percent (for a progress bar)."""
        if self.target in (None, 0) or self.value is None:
            return None
        if self.indicator.direction == Direction.LOWER_IS_BETTER:
            return min(100.0, max(0.0, self.target / self.value * 100)) if self.value else 100.0
        return min(100.0, max(0.0, self.value / self.target * 100))


def key_figure(
    user,
    indicator_code: str,
    view: View,
    *,
    orgunits: list[str] | None = None,
    target: float | None = None,
    target_label: str = "",
    today: datetime.date | None = None,
) -> Tile:
    today = today or timezone.localdate()
    indicator = _indicator(user, indicator_code)
    history_periods = series_periods(indicator, view, today, length=13)
    measures = ["yoy"]
    flow = (
        indicator.time_aggregation == TimeAggregation.SUM
        and shown_type(indicator, view) in (PeriodType.MONTHLY, PeriodType.QUARTERLY)
        and indicator.value_type not in POINT_TYPES
    )
    if flow:
        measures.append("ytd")
    units = orgunits if orgunits is not None else default_units(user)
    answer = analytics.query(
        user,
        ask([indicator.code], units[:1], history_periods, view.structure, measures),
        today=today,
    )
    cells = answer.cells
    unit = _unit_of(answer, cells)
    language = None
    history = [(c.period.label(language), c.value) for c in cells]
    chosen = cells[-1] if view.period is not None else _latest(cells)
    if chosen is None or chosen.value is None:
        return Tile(indicator, unit, None, None, None, "neutral", history, target=target,
                    target_label=target_label)  # fmt: skip
    change = chosen.measures.get("yoy")
    plan = None
    if target is None and not progress.is_flow(indicator):
        plan = target_services.target_for(user, indicator, unit, chosen.period.year)
    if plan is not None:  # a flow's month is no match for its year's target: the plan page
        target = float(plan.value)
        target_label = plan.wording or _("Plan target %(year)d") % {"year": plan.year}
    return Tile(
        indicator=indicator,
        unit=unit,
        period=chosen.period,
        value=chosen.value,
        change=change,
        tone=tone(indicator, change),
        history=history,
        year_to_date=chosen.measures.get("ytd") if flow else None,
        approximate=chosen.approximate,
        target=target,
        target_label=target_label,
        plan=plan,
    )


def _latest(cells):
    for cell in reversed(cells):
        if cell.value is not None:
            return cell
    return None


def _unit_of(answer, cells) -> OrgUnit | None:
    if not cells:
        return None
    return OrgUnit.objects.filter(pk=cells[0].unit_id).first()


def _indicator(user, code: str) -> Indicator:
    found = analytics.read_indicators(user, [code])
    return found[0]


# --- a figure for every province (map, ranking, tables) -------------------------------------
@dataclass
class Row:
    unit: OrgUnit
    value: float | None
    approximate: bool
    rank: int | None = None
    change: float | None = None


@dataclass
class Figures:
    """An indicator's figure for a set of units in one period, with the parent's."""

    indicator: Indicator
    period: Period | None
    rows: list[Row]
    parent: Row | None
    structure: str
    periods: list[Period] = field(default_factory=list)

    @property
    def ranked(self) -> list[Row]:
        present = [r for r in self.rows if r.value is not None]
        return sorted(present, key=lambda r: r.rank or 0) + [
            r for r in self.rows if r.value is None
        ]

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        values = [r.value for r in self.rows if r.value is not None]
        return (min(values), max(values)) if values else (None, None)


def unit_figures(
    user,
    indicator_code: str,
    view: View,
    *,
    parent: OrgUnit | None = None,
    structure: str | None = None,
    today: datetime.date | None = None,
) -> Figures:
    """The indicator for the provinces (or the units under ``parent``) in the chosen period,
    or the latest period in which at least half of them reported; ranks by direction."""
    found = many_unit_figures(
        user, [indicator_code], view, parent=parent, structure=structure, today=today
    )
    return found[indicator_code]


def many_unit_figures(
    user,
    indicator_codes: list[str],
    view: View,
    *,
    parent: OrgUnit | None = None,
    structure: str | None = None,
    today: datetime.date | None = None,
    lookback: int = 4,
) -> dict[str, Figures]:
    """``unit_figures`` of several indicators at once: one query per period type. Without a
    chosen period, the latest is looked for among the last ``lookback`` periods."""
    today = today or timezone.localdate()
    indicators = analytics.read_indicators(user, indicator_codes)
    structure = structure or view.structure
    day = analytics.structure_day(structure, today) or today
    top = parent or root_unit(day)
    if top is None:
        return {i.code: Figures(i, None, [], None, structure) for i in indicators}
    below = (
        f"CHILDREN-{top.uid}"
        if parent is not None and parent.kind != OrgUnitKind.GOVERNMENT
        else "KIND-province"
    )
    tokens = [top.uid, below]
    if scope_unit_ids(user, "view") is not None:
        tokens = [below]  # an agency sees its own units, not the parent's total
    by_type: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        by_type.setdefault(shown_type(indicator, view), []).append(indicator)
    found: dict[str, Figures] = {}
    for group in by_type.values():
        if view.period is not None:
            candidates = [series_periods(group[0], view, today, length=1)[-1]]
        else:
            candidates = series_periods(group[0], view, today, length=lookback)
        codes = [i.code for i in group]
        try:
            answer = analytics.query(
                user, ask(codes, tokens, candidates, structure, ["yoy"]), today=today
            )
        except PermissionDenied:
            answer = analytics.query(
                user, ask(codes, [below], candidates, structure, ["yoy"]), today=today
            )
        units = OrgUnit.objects.in_bulk({c.unit_id for c in answer.cells})
        for indicator in group:
            by_period: dict[Period, list] = {}
            for cell in answer.cells:
                if cell.indicator.code == indicator.code:
                    by_period.setdefault(cell.period, []).append(cell)
            found[indicator.code] = _figures_of(
                indicator, view, candidates, by_period, units, top, below, structure
            )
    return found


def _figures_of(indicator, view, candidates, by_period, units, top, below, structure) -> Figures:
    chosen = candidates[-1]
    if view.period is None:
        chosen = _latest_period(candidates, by_period, top.pk)
    parent_row = None
    rows = []
    for cell in by_period.get(chosen, []):
        row = Row(
            units[cell.unit_id], cell.value, cell.approximate, change=cell.measures.get("yoy")
        )
        if cell.unit_id == top.pk and below != top.uid:
            parent_row = row
        else:
            rows.append(row)
    order = engine.ranks({r.unit.pk: r.value for r in rows}, indicator.direction)
    for row in rows:
        row.rank = order.get(row.unit.pk)
    has_values = any(r.value is not None for r in rows) or (parent_row and parent_row.value)
    return Figures(
        indicator,
        chosen if has_values else None,
        rows,
        parent_row,
        structure,
        periods=candidates,
    )


def _latest_period(candidates, by_period, parent_id: int) -> Period:
    """The latest period in which at least half of the units reported; else the latest in
    which any did; else the last asked for."""
    any_value = None
    for period in reversed(candidates):
        cells = [c for c in by_period.get(period, []) if c.unit_id != parent_id]
        reported = sum(c.value is not None for c in cells)
        if cells and reported * 2 >= len(cells):
            return period
        if reported and any_value is None:
            any_value = period
    return any_value or candidates[-1]


# --- a series for charts --------------------------------------------------------------------
@dataclass
class Series:
    name: str
    values: list[float | None]
    unit: str
    indicator: Indicator


@dataclass
class Chart:
    categories: list[str]
    series: list[Series]
    period_codes: list[str]
    unit_uids: list[str]
    request: analytics.AnalyticsRequest
    target: float | None = None
    target_label: str = ""
    forecast: dict | None = None


def chart(
    user,
    indicator_codes: list[str],
    view: View,
    *,
    orgunits: list[str] | None = None,
    period_text: str = "",
    period_type: str = "",
    by_unit: bool = False,
    today: datetime.date | None = None,
) -> Chart:
    """Series for a chart: over time (one line per indicator and unit) or, ``by_unit``,
    across units (one bar per unit, the chosen or latest period)."""
    today = today or timezone.localdate()
    indicators = analytics.read_indicators(user, indicator_codes)
    units = orgunits if orgunits is not None else default_units(user)
    if period_text:
        period_list = analytics.read_periods(
            analytics.AnalyticsRequest.from_text(indicators=[], periods=period_text).periods,
            period_type or None,
            today,
        )
    else:
        period_list = series_periods(indicators[0], view, today)
    request = ask([i.code for i in indicators], units, period_list, view.structure)
    answer = analytics.query(user, request, today=today)
    unit_order = answer.metadata["dimensions"]["orgunits"]
    names = {uid: meta["short_name"] for uid, meta in answer.metadata["orgunits"].items()}
    unit_uid = dict(OrgUnit.objects.filter(uid__in=unit_order).values_list("pk", "uid"))
    grid: dict[tuple[str, str, str], float | None] = {}
    for cell in answer.cells:
        grid[(cell.indicator.code, unit_uid.get(cell.unit_id, ""), cell.period.code)] = cell.value
    period_codes = [p.code for p in period_list]
    if by_unit:
        # The latest period in which any unit has a value.
        chosen = next(
            (
                code
                for code in reversed(period_codes)
                if any(
                    grid.get((i.code, u, code)) is not None for i in indicators for u in unit_order
                )
            ),
            period_codes[-1],
        )
        categories = [names.get(u, u) for u in unit_order]
        series = [
            Series(i.name, [grid.get((i.code, u, chosen)) for u in unit_order], unit_label(i), i)
            for i in indicators
        ]
        period_codes = [chosen]
    else:
        categories = [p.label() for p in period_list]
        series = []
        for indicator in indicators:
            for uid in unit_order:
                name = (
                    indicator.name
                    if len(unit_order) == 1
                    else f"{indicator.name} · {names.get(uid, uid)}"
                )
                series.append(
                    Series(
                        name,
                        [grid.get((indicator.code, uid, code)) for code in period_codes],
                        unit_label(indicator),
                        indicator,
                    )
                )
    return Chart(categories, series, period_codes, unit_order, request)


def analytics_link(request: analytics.AnalyticsRequest, file_format: str) -> str:
    """The analytics API address that downloads the same figures (CSV or Excel)."""
    params = {
        "indicators": ";".join(request.indicators),
        "orgunits": ";".join(request.orgunits),
        "periods": ";".join(request.periods),
        "structure": request.structure or "",
        "format": file_format,
    }
    if request.measures:
        params["measures"] = ";".join(request.measures)
    return (
        f"{reverse('api-v1:analytics_query')}?{urlencode({k: v for k, v in params.items() if v})}"
    )


def robust_outliers(values: dict[int, float], limit: float = 3.5) -> dict[int, float]:
    """Units whose value stands out from the others' by the modified z-score (Iglewicz and
    Hoaglin): |0.6745 (x - median) / MAD| above ``limit``."""
    if len(values) < 5:
        return {}
    middle = statistics.median(values.values())
    spread = statistics.median(abs(v - middle) for v in values.values())
    if spread == 0:
        return {}
    found = {}
    for key, value in values.items():
        score = 0.6745 * (value - middle) / spread
        if abs(score) > limit:
            found[key] = score
    return found
