"""How far each plan target is met, computed from the figures, never stored.

A target is judged on its indicator's figure for its unit in its year, read through the
analytics engine as the reader may read it (``analytics.services.query``: the same numbers,
the same access rules as every screen), the units as they were in each period:

- a flow (a sum over time: revenue, exports, rice) on the year to date, against the share
  of the year's target that the elapsed part of the year stands for (on the pace);
- any other figure (a rate, an index, a level) on its latest value in the year;
- the figure rounded as the indicator publishes it (10.0 meets "at least 10").

Until the year is over and its last period is in, a target is *on track* or *at risk*; then
it is *met* or *missed*. With no figure of the year yet it has *no figure yet*; where the
reader may not read the figures (another province's, or no access to data), *not shown*.

One analytics query per year and period type, whatever the number of targets; a flow's
year to date summed from its periods.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.scopes import scope_unit_ids
from dieuhanh.analytics import services as analytics
from dieuhanh.analytics.engine import POINT_TYPES, TOTAL
from dieuhanh.catalog.models import Direction, Indicator, TimeAggregation
from dieuhanh.core import periods
from dieuhanh.core.periods import Period, PeriodType
from dieuhanh.targets.models import Comparison, PlanTarget

# "About" a target on an indicator with no better direction: within this share of it.
ABOUT_TOLERANCE = 0.05
JUDGED_TYPES = (PeriodType.MONTHLY, PeriodType.QUARTERLY, PeriodType.SIXMONTHLY, PeriodType.YEARLY)


class TargetStatus(models.TextChoices):
    MET = "met", _("Met")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    MISSED = "missed", _("Missed")
    NO_DATA = "no_data", _("No figure yet")
    NOT_SHOWN = "not_shown", _("Not shown to you")


# Shown from the worst to the best, as the league tables of tasks are.
STATUS_ORDER = (
    TargetStatus.MISSED,
    TargetStatus.AT_RISK,
    TargetStatus.ON_TRACK,
    TargetStatus.MET,
    TargetStatus.NO_DATA,
    TargetStatus.NOT_SHOWN,
)
TONE = {
    TargetStatus.MET: "success",
    TargetStatus.ON_TRACK: "success",
    TargetStatus.AT_RISK: "warning",
    TargetStatus.MISSED: "danger",
    TargetStatus.NO_DATA: "secondary",
    TargetStatus.NOT_SHOWN: "light",
}


@dataclass
class Progress:
    target: PlanTarget
    status: str
    figure: float | None = None  # the figure judged: year to date for flows
    period: Period | None = None  # the last period it covers
    final: bool = False  # the year's figure is complete
    elapsed: float | None = None  # the part of the year the figure covers, 0-1
    expected: float | None = None  # a flow's target on the pace of ``elapsed``
    history: tuple = ()  # (period, figure) of the year, oldest first

    @property
    def tone(self) -> str:
        return TONE[self.status]

    @property
    def status_label(self) -> str:
        return TargetStatus(self.status).label

    @property
    def share(self) -> float | None:
        """How far the figure is towards the target, 0-100 (a progress bar): for a flow, the
        part of the year's target done; otherwise the figure against the target."""
        value, figure = float(self.target.value), self.figure
        if figure is None or value == 0:
            return None
        figure = round(figure, self.target.indicator.decimals)  # as published, as judged
        if _rule(self.target) == Comparison.AT_MOST:
            ratio = value / figure if figure else 1.0
        else:
            ratio = figure / value
        return max(0.0, min(100.0, ratio * 100))


def is_flow(indicator: Indicator) -> bool:
    return (
        indicator.time_aggregation == TimeAggregation.SUM
        and indicator.value_type not in POINT_TYPES
        and indicator.period_type != PeriodType.YEARLY
    )


def judged_type(indicator: Indicator) -> str:
    """The periods a target is followed in: the indicator's own, or months for shorter
    ones that add up over time (a daily figure is judged month by month)."""
    own = indicator.period_type
    if own in JUDGED_TYPES or indicator.time_aggregation == TimeAggregation.NONE:
        return own
    return PeriodType.MONTHLY


def _rule(target: PlanTarget) -> str:
    """``about`` read by the indicator's direction: at least when higher is better, at most
    when lower is; within ``ABOUT_TOLERANCE`` otherwise (kept as ``about``)."""
    if target.comparison != Comparison.ABOUT:
        return target.comparison
    direction = target.indicator.direction
    if direction == Direction.HIGHER_IS_BETTER:
        return Comparison.AT_LEAST
    if direction == Direction.LOWER_IS_BETTER:
        return Comparison.AT_MOST
    return Comparison.ABOUT


def meets(target: PlanTarget, figure: float, scale: float = 1.0) -> bool:
    """Whether ``figure`` meets the target (its bounds times ``scale``: a flow's pace),
    compared as published, at the indicator's decimals."""
    figure = round(figure, target.indicator.decimals)
    value = float(target.value) * scale
    rule = _rule(target)
    if rule == Comparison.AT_LEAST:
        return figure >= round(value, target.indicator.decimals)
    if rule == Comparison.AT_MOST:
        return figure <= round(value, target.indicator.decimals)
    if rule == Comparison.BETWEEN:
        upper = float(target.upper if target.upper is not None else target.value) * scale
        decimals = target.indicator.decimals
        return round(value, decimals) <= figure <= round(upper, decimals)
    return abs(figure - value) <= abs(value) * ABOUT_TOLERANCE


def _elapsed(period: Period, year: int) -> float:
    first = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - first).days
    return min(1.0, ((period.end - first).days + 1) / days)


def judge(
    target: PlanTarget, history: list[tuple[Period, float | None]], today: datetime.date
) -> Progress:
    """The target's progress from its figures of the year (oldest first): final once the
    year is over and its last period is in (a December estimate of the whole year is not)."""
    known = [(period, figure) for period, figure in history if figure is not None]
    if not known:
        return Progress(target, TargetStatus.NO_DATA, history=tuple(history))
    period, figure = known[-1]
    final = period.end >= datetime.date(target.year, 12, 31) and today > period.end
    elapsed = _elapsed(period, target.year)
    flow = is_flow(target.indicator)
    scale = 1.0 if final or not flow else elapsed
    ok = meets(target, figure, scale)
    if final:
        status = TargetStatus.MET if ok else TargetStatus.MISSED
    else:
        status = TargetStatus.ON_TRACK if ok else TargetStatus.AT_RISK
    return Progress(
        target,
        status,
        figure=figure,
        period=period,
        final=final,
        elapsed=elapsed,
        expected=float(target.value) * elapsed if flow and not final else None,
        history=tuple(history),
    )


def progress(user, targets, today: datetime.date | None = None) -> list[Progress]:
    """The progress of each of ``targets`` (in their order), as ``user`` may read the
    figures."""
    today = today or timezone.localdate()
    targets = list(targets)
    allowed = scope_unit_ids(user, "view")
    groups: dict[tuple[int, str], list[PlanTarget]] = defaultdict(list)
    for target in targets:
        if allowed is None or target.orgunit_id in allowed:
            groups[(target.year, judged_type(target.indicator))].append(target)
    found: dict[int, Progress] = {}
    for (year, period_type), members in groups.items():
        found.update(_year_of(user, year, period_type, members, today))
    return [found.get(t.pk) or Progress(t, TargetStatus.NOT_SHOWN) for t in targets]


def _year_of(user, year, period_type, members, today) -> dict[int, Progress]:
    wanted = [p for p in periods.periods_in_year(period_type, year) if p.start <= today]
    if not wanted:
        return {t.pk: judge(t, [], today) for t in members}
    request = analytics.AnalyticsRequest(
        indicators=sorted({t.indicator.code for t in members}),
        orgunits=sorted({t.orgunit.uid for t in members}),
        periods=[p.code for p in wanted],
        structure=analytics.AS_REPORTED,
        skip_rounding=True,
        cells_only=True,
    )
    try:
        answer = analytics.query(user, request, today=today)
    except (PermissionDenied, analytics.AnalyticsError):
        return {}
    # A flow's year to date is the sum of its periods so far (the engine adds them up the
    # same way; summed here, the query asks for no second window per period). A period not
    # reported stays empty: it is not counted as elapsed.
    figures: dict[tuple[int, int], dict[str, float | None]] = defaultdict(dict)
    running: dict[tuple[int, int], float] = defaultdict(float)
    for cell in sorted(answer.cells, key=lambda c: c.period.start):
        if cell.option != TOTAL:
            continue
        key = (cell.indicator.pk, cell.unit_id)
        figure = cell.value
        if figure is not None and is_flow(cell.indicator):
            running[key] += figure
            figure = running[key]
        figures[key][cell.period.code] = figure
    result = {}
    for target in members:
        row = figures.get((target.indicator_id, target.orgunit_id), {})
        result[target.pk] = judge(target, [(p, row.get(p.code)) for p in wanted], today)
    return result


def counts(items: list[Progress]) -> dict[str, int]:
    """How many targets are in each status, in ``STATUS_ORDER``."""
    tally = {status.value: 0 for status in STATUS_ORDER}
    for item in items:
        tally[item.status] += 1
    return tally
