"""The analytics engine: the value of an indicator for a unit and a period, correctly.

Every number is made in the same order:

1. **Over units**, per period of the indicator's own type and per disaggregation
   combination: a unit's effective value (its own report, else its units' values aggregated
   by the indicator's rule over units) comes from the maintained rollups
   (``analytics.maintenance``) or, for a unit with nothing below it, from its report. In a
   structure other than as reported, the target unit's value is made from its contributors
   (``analytics.structure``): added with their shares for a sum, averaged for an average
   (weighted by the weight indicator for a weighted average), and left alone for an
   indicator that is not aggregated, which only a unit that is the same as its single
   contributor can have. A number that used an approximate share is flagged.
2. **Over time**, to the period asked for, by the indicator's rule over time: the sum of a
   flow, the last value of a stock, the average of a level; an indicator not aggregated
   over time has values for periods of its own type only.
3. **Over the disaggregation**: the total of the combinations by the rule over units (a
   sum, or an average weighted like the units'), or each option of a category.
4. **Derived indicators** are evaluated on those aggregates (a ratio of sums, never a sum
   of ratios), with their references' offsets (``previous``, ``last_year``, ``ytd``); a
   reference to a coarser indicator (a yearly plan in a monthly formula) reads the period
   that contains the one asked for.

Measures beside the value: the growth against the same period last year and against the
previous period (in percent, or in points for percentages and indices), the year-to-date
aggregate, the share of the total of the units asked for, the rank among them, and the
value per inhabitant.
"""

from __future__ import annotations

import datetime
import functools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from dieuhanh.analytics.models import Rollup
from dieuhanh.analytics.structure import Contributor, maps
from dieuhanh.catalog import formulas
from dieuhanh.catalog.models import (
    Direction,
    Indicator,
    OrgAggregation,
    TimeAggregation,
    ValueType,
)
from dieuhanh.core import periods
from dieuhanh.core.periods import ORDER, Period
from dieuhanh.datavalues.models import DataValue, ValueStatus

POPULATION_CODE = "POPULATION_AVG"
MEASURES = ("yoy", "previous", "ytd", "share", "rank", "per_capita")
# Value types whose growth is a difference in points, not a ratio.
POINT_TYPES = (ValueType.PERCENT, ValueType.INDEX)
TOTAL = "total"
OPTION_JOIN = "+"  # options that a combination must all have: URBAN+FEMALE


class Window(NamedTuple):
    """An interval of days a value is asked for: a period (``code`` its code), or the year
    to a period's date (``code`` None). A tuple, so that it is a cheap dictionary key."""

    start: datetime.date
    end: datetime.date
    type: str  # the period type the window is expressed in
    code: str | None = None

    @property
    def exact(self) -> Period | None:
        return period_of(self.code) if self.code else None


class Native(NamedTuple):
    """A period of an indicator's own type, as the engine keys it."""

    code: str
    end: datetime.date


@functools.lru_cache(maxsize=65536)
def period_of(code: str) -> Period:
    return periods.parse(code)


def window_of(period) -> Window:
    """The window of a period (or of a span of periods, which has no single code)."""
    code = period.code if isinstance(period, Period) else None
    return Window(period.start, period.end, period.type, code)


@functools.lru_cache(maxsize=65536)
def ytd_window(period: Period) -> Window:
    """From the start of the period's year to its end (periods are immutable: cached, as
    derived formulas with ``ytd()`` ask for it once per unit and option)."""
    first = period.year_to_date()[0]
    return Window(first.start, period.end, period.type, None)


class Number(NamedTuple):
    value: float | None
    approximate: bool = False


NOTHING = Number(None, False)


@dataclass
class Cell:
    indicator: Indicator
    unit_id: int
    period: Period
    option: str
    value: float | None
    approximate: bool
    measures: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Catalog:
    """The indicators a query needs: asked for, referenced by formulas, weights, population;
    and, read on first use, the combinations of their disaggregations."""

    by_code: dict[str, Indicator]
    formulas: dict[str, formulas.Formula]
    _options: dict[int, list[tuple[int, str, frozenset[str]]]] | None = None

    @functools.cached_property
    def by_id(self) -> dict[int, Indicator]:
        return {i.pk: i for i in self.by_code.values()}

    def weight_of(self, indicator: Indicator) -> Indicator:
        """The indicator whose values weigh ``indicator``'s (a weighted average)."""
        return self.by_id[indicator.weight_id]

    @property
    def options(self) -> dict[int, list[tuple[int, str, frozenset[str]]]]:
        """Per disaggregation: its combinations (id, code, the codes of their options)."""
        if self._options is None:
            from dieuhanh.catalog.models import OptionCombination

            disaggregations = {i.disaggregation_id for i in self.by_code.values()}
            found: dict[int, list] = defaultdict(list)
            for combination in (
                OptionCombination.objects.filter(disaggregation_id__in=disaggregations)
                .prefetch_related("options")
                .order_by("sort_order", "id")
            ):
                found[combination.disaggregation_id].append(
                    (
                        combination.pk,
                        combination.code,
                        frozenset(o.code for o in combination.options.all()),
                    )
                )
            self._options = dict(found)
        return self._options


def load_catalog(indicators: Iterable[Indicator]) -> Catalog:
    """The indicators with every indicator their formulas and weights reach (one query per
    level of reference; catalogs are shallow)."""

    by_code = {i.code: i for i in indicators}
    parsed: dict[str, formulas.Formula] = {}
    queue = list(by_code.values())
    while queue:
        codes: set[str] = set()
        weight_ids: set[int] = set()
        for indicator in queue:
            if indicator.formula and indicator.code not in parsed:
                parsed[indicator.code] = formulas.parse(indicator.formula)
                codes |= parsed[indicator.code].codes
            if indicator.weight_id:
                weight_ids.add(indicator.weight_id)
        known_ids = {i.pk for i in by_code.values()}
        missing = Q(code__in=codes - set(by_code)) | Q(pk__in=weight_ids - known_ids)
        queue = list(Indicator.objects.filter(missing).select_related("unit"))
        queue = [i for i in queue if i.code not in by_code]
        by_code.update({i.code: i for i in queue})
    return Catalog(by_code, parsed)


class Engine:
    """One query's computation. ``targets`` are unit ids of the structure asked for
    (``structure_day``, or None for units as reported)."""

    def __init__(
        self,
        catalog: Catalog,
        targets: list[int],
        *,
        structure_day: datetime.date | None,
        accepted_only: bool = False,
        version: int = 0,
    ):
        self.catalog = catalog
        self.targets = targets
        self.structure_day = structure_day
        self.accepted_only = accepted_only
        self.maps = maps(version) if structure_day is not None else None
        # (indicator id, unit id, native period code) -> {combination id: value}
        self.effective: dict[tuple[int, int, str], dict[int, float]] = {}
        self.fetched: set[tuple[int, str]] = set()  # (indicator id, native period code)
        self._memo: dict[tuple, Number] = {}
        self._natives: dict[tuple[str, Window], list[Period]] = {}
        self._contributors: dict[datetime.date, dict] = {}
        self._units: dict[datetime.date, frozenset[int]] = {}

    # --- fetching ----------------------------------------------------------------------------
    def natives(self, indicator: Indicator, window: Window) -> list[Native]:
        """The periods of the indicator's own type inside ``window`` (none when its type
        is coarser than the window's)."""
        key = (indicator.period_type, window)
        found = self._natives.get(key)
        if found is None:
            if ORDER[indicator.period_type] > ORDER[window.type]:
                inside = []
            elif window.code is not None:
                inside = period_of(window.code).periods(indicator.period_type)
            else:
                inside = [
                    p
                    for p in periods.periods_between(
                        indicator.period_type, window.start, window.end
                    )
                    if window.start <= p.start and p.end <= window.end
                ]
            found = [Native(p.code, p.end) for p in inside]
            self._natives[key] = found
        return found

    def contributors(self, day: datetime.date) -> dict[int, tuple[Contributor, ...]]:
        found = self._contributors.get(day)
        if found is None:
            if self.maps is None:
                found = {t: (Contributor(t, 1.0, False),) for t in self.targets}
            else:
                everything = self.maps.contributors(self.structure_day, day)
                found = {t: everything.get(t, ()) for t in self.targets}
            self._contributors[day] = found
        return found

    def _units_on(self, day: datetime.date) -> frozenset[int]:
        """Every unit whose values the targets are made of in the hierarchy of ``day``."""
        found = self._units.get(day)
        if found is None:
            found = frozenset(
                c.unit_id for contributors in self.contributors(day).values() for c in contributors
            )
            self._units[day] = found
        return found

    def prefetch(self, needs: dict[str, set[Window]]) -> None:
        """Read every effective value the windows of each indicator need: the rollups in
        one range query per set of units, then the reports of the cells the rollups do not
        hold (units with nothing below them)."""
        wanted: dict[tuple[int, str], tuple[datetime.date, set[int]]] = {}
        for code, windows in needs.items():
            indicator = self.catalog.by_code.get(code)
            if indicator is None or indicator.formula:
                continue
            for window in windows:
                for period in self.natives(indicator, window):
                    key = (indicator.id, period.code)
                    if key in self.fetched or key in wanted:
                        continue
                    wanted[key] = (period.end, self._units_on(period.end))
        if not wanted:
            return
        # Group by unit set, so that a query over many periods is a handful of statements.
        groups: dict[frozenset[int], dict[int, dict[str, datetime.date]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        for (indicator_id, code), (end, units) in wanted.items():
            groups[units][indicator_id][code] = end
        for units, by_indicator in groups.items():
            if units:
                self._read(by_indicator, sorted(units))
        self.fetched.update(wanted)

    def _read(self, by_indicator: dict[int, dict[str, datetime.date]], unit_ids: list[int]):
        indicator_ids = sorted(by_indicator)
        ends = [end for codes in by_indicator.values() for end in codes.values()]
        postgres = connection.vendor == "postgresql"
        number = "::float8" if postgres else ""
        effective = self.effective
        found: set[tuple[int, int, str]] = set()
        with connection.cursor() as cursor:
            # A range of days per (indicator, unit): the covering index reads it in order.
            cursor.execute(
                f"SELECT indicator_id, orgunit_id, period, combination_id, value{number} "
                f"FROM {Rollup._meta.db_table} WHERE accepted = %s "
                f"AND indicator_id IN ({', '.join(['%s'] * len(indicator_ids))}) "
                f"AND orgunit_id IN ({', '.join(['%s'] * len(unit_ids))}) "
                "AND period_end BETWEEN %s AND %s",
                [self.accepted_only, *indicator_ids, *unit_ids, min(ends), max(ends)],
            )
            for indicator_id, unit_id, code, combination_id, value in cursor.fetchall():
                if code not in by_indicator[indicator_id]:
                    continue
                key = (indicator_id, unit_id, code)
                found.add(key)
                effective.setdefault(key, {})[combination_id] = float(value)
            missing = [
                (indicator_id, code, unit_id)
                for indicator_id, codes in by_indicator.items()
                for code in codes
                for unit_id in unit_ids
                if (indicator_id, unit_id, code) not in found
            ]
            if not missing:
                return
            status = f" AND d.status = '{ValueStatus.ACCEPTED}'" if self.accepted_only else ""
            condition = f"NOT d.deleted AND d.number IS NOT NULL{status}"
            select = (
                "SELECT d.indicator_id, d.orgunit_id, d.period, d.combination_id, "
                f"d.number{number} FROM {DataValue._meta.db_table} d"
            )
            if postgres:
                # Each missing cell is one probe of the values' unique index.
                cursor.execute(
                    f"{select} JOIN unnest(%s::bigint[], %s::text[], %s::bigint[]) "
                    "AS k(indicator_id, period, orgunit_id) ON d.indicator_id = k.indicator_id "
                    "AND d.period = k.period AND d.orgunit_id = k.orgunit_id "
                    f"WHERE {condition}",
                    [list(column) for column in zip(*missing, strict=True)],
                )
            else:
                codes = sorted({code for _i, code, _u in missing})
                cursor.execute(
                    f"{select} WHERE d.indicator_id IN "
                    f"({', '.join(['%s'] * len(indicator_ids))}) "
                    f"AND d.orgunit_id IN ({', '.join(['%s'] * len(unit_ids))}) "
                    f"AND d.period IN ({', '.join(['%s'] * len(codes))}) AND {condition}",
                    [*indicator_ids, *unit_ids, *codes],
                )
            raw: dict[tuple[int, int, str], dict[int, list[float]]] = {}
            for indicator_id, unit_id, code, combination_id, value in cursor.fetchall():
                key = (indicator_id, unit_id, code)
                if key in found or code not in by_indicator[indicator_id]:
                    continue
                raw.setdefault(key, {}).setdefault(combination_id, []).append(float(value))
        by_id = self.catalog.by_id
        for key, combos in raw.items():
            rule = by_id[key[0]].aggregation
            effective[key] = {
                combination: _combine_attributes(rule, numbers)
                for combination, numbers in combos.items()
            }

    # --- values ------------------------------------------------------------------------------
    def _native(self, indicator: Indicator, unit_id: int, period: Native) -> dict[int, Number]:
        """The target unit's value per combination in one period of the indicator's type."""
        key = ("n", indicator.id, unit_id, period.code)
        found = self._memo.get(key)
        if found is not None:
            return found  # type: ignore[return-value]
        # the units of the hierarchy of the period's last day
        contributors = self.contributors(period.end).get(unit_id, ())
        result: dict[int, Number] = {}
        rule = indicator.aggregation
        if len(contributors) == 1 and contributors[0].share == 1.0:
            only = contributors[0]
            values = self.effective.get((indicator.id, only.unit_id, period.code), {})
            result = {c: Number(v, only.approximate) for c, v in values.items()}
        elif contributors and rule != OrgAggregation.NONE:
            parts: dict[int, list[tuple[float, float, bool, int]]] = defaultdict(list)
            for contributor in contributors:
                values = self.effective.get((indicator.id, contributor.unit_id, period.code))
                if not values:
                    continue
                for combination, value in values.items():
                    parts[combination].append(
                        (value, contributor.share, contributor.approximate, contributor.unit_id)
                    )
            for combination, found_parts in parts.items():
                result[combination] = self._over_units(indicator, period, combination, found_parts)
        self._memo[key] = result  # type: ignore[assignment]
        return result

    def _over_units(self, indicator, period, combination, parts) -> Number:
        rule = indicator.aggregation
        approximate = any(p[2] for p in parts)
        if rule == OrgAggregation.SUM:
            return Number(sum(v * s for v, s, _a, _u in parts), approximate)
        if rule == OrgAggregation.MIN:
            return Number(min(v for v, *_ in parts), approximate)
        if rule == OrgAggregation.MAX:
            return Number(max(v for v, *_ in parts), approximate)
        if rule == OrgAggregation.WEIGHTED_AVERAGE and indicator.weight_id:
            weight = self.catalog.weight_of(indicator)
            total = weighted = 0.0
            for value, share, _a, unit_id in parts:
                w = self._unit_weight(weight, indicator, unit_id, period, combination)
                if w is not None and w > 0:
                    total += w * share
                    weighted += value * w * share
            if total > 0:
                return Number(weighted / total, approximate)
            return NOTHING
        shares = sum(s for _v, s, _a, _u in parts)
        if shares <= 0:
            return NOTHING
        return Number(sum(v * s for v, s, _a, _u in parts) / shares, approximate)

    def _unit_weight(self, weight, indicator, unit_id, period, combination) -> float | None:
        """A contributing unit's weight in ``period`` (in the weight's period containing
        it), for the same combination when the two share their disaggregation."""
        try:
            weight_period = period_of(period.code).containing(weight.period_type)
        except ValueError:
            return None
        values = self.effective.get((weight.pk, unit_id, weight_period.code))
        if not values:
            return None
        if weight.disaggregation_id == indicator.disaggregation_id:
            return values.get(combination)
        return sum(values.values())

    def _over_time(self, indicator: Indicator, unit_id: int, window: Window) -> dict[int, Number]:
        key = ("t", indicator.id, unit_id, window)
        found = self._memo.get(key)
        if found is not None:
            return found  # type: ignore[return-value]
        natives = self.natives(indicator, window)
        rule = indicator.time_aggregation
        result: dict[int, Number] = {}
        if not natives:
            pass
        elif len(natives) == 1 and natives[0].code == window.code:
            result = self._native(indicator, unit_id, natives[0])
        elif rule != TimeAggregation.NONE:
            series: dict[int, list[Number]] = defaultdict(list)
            for period in natives:
                for combination, number in self._native(indicator, unit_id, period).items():
                    if number.value is not None:
                        series[combination].append(number)
            for combination, numbers in series.items():
                approximate = any(n.approximate for n in numbers)
                if rule == TimeAggregation.SUM:
                    value = sum(n.value for n in numbers)
                elif rule == TimeAggregation.LAST:
                    value = numbers[-1].value
                    approximate = numbers[-1].approximate
                else:
                    value = sum(n.value for n in numbers) / len(numbers)
                result[combination] = Number(value, approximate)
        self._memo[key] = result  # type: ignore[assignment]
        return result

    def stored(self, indicator: Indicator, unit_id: int, window: Window, option: str) -> Number:
        """A stored indicator's value: the total of its combinations, of those with some
        options, or one combination (``option`` is ``total``, option codes joined by ``+``
        — the combinations with all of them — or a combination code)."""
        by_combination = self._over_time(indicator, unit_id, window)
        if not by_combination:
            return NOTHING
        if option == TOTAL:
            chosen = list(by_combination)
        else:
            required = option.split(OPTION_JOIN)
            combos = self.catalog.options.get(indicator.disaggregation_id, [])
            chosen = [
                pk
                for pk, code, option_codes in combos
                if pk in by_combination
                and (code == option or all(o in option_codes for o in required))
            ]
        if not chosen:
            return NOTHING
        if len(chosen) == 1:
            return by_combination[chosen[0]]
        numbers = [by_combination[pk] for pk in chosen]
        approximate = any(n.approximate for n in numbers)
        rule = indicator.aggregation
        if rule == OrgAggregation.SUM:
            return Number(sum(n.value for n in numbers), approximate)
        if rule == OrgAggregation.NONE:
            return NOTHING  # combinations of a rate do not add up
        if rule == OrgAggregation.MIN:
            return Number(min(n.value for n in numbers), approximate)
        if rule == OrgAggregation.MAX:
            return Number(max(n.value for n in numbers), approximate)
        if rule == OrgAggregation.WEIGHTED_AVERAGE and indicator.weight_id:
            weight = self.catalog.weight_of(indicator)
            if weight.disaggregation_id == indicator.disaggregation_id:
                weights = self._over_time(weight, unit_id, window)
                total = weighted = 0.0
                for pk in chosen:
                    w = weights.get(pk)
                    if w is not None and w.value:
                        total += w.value
                        weighted += w.value * by_combination[pk].value
                        approximate = approximate or w.approximate
                if total > 0:
                    return Number(weighted / total, approximate)
                return NOTHING
        return Number(sum(n.value for n in numbers) / len(numbers), approximate)

    def values(
        self, indicator: Indicator, unit_ids: list[int], window: Window, option: str
    ) -> list[Number]:
        """``value`` for many units at once; the common case (the total of an additive
        indicator, summed over time) in one tight loop."""
        fast = self._sums(indicator, unit_ids, window) if option == TOTAL else None
        if fast is not None:
            return fast
        return [self.value(indicator, unit_id, window, option) for unit_id in unit_ids]

    def _sums(self, indicator: Indicator, unit_ids: list[int], window: Window):
        """The totals of a stored additive indicator: the sum over contributors (with their
        shares), combinations and periods, which commute. None when another rule applies."""
        if indicator.formula or indicator.aggregation != OrgAggregation.SUM:
            return None
        natives = self.natives(indicator, window)
        exact = len(natives) == 1 and natives[0].code == window.code
        if not natives or not (exact or indicator.time_aggregation == TimeAggregation.SUM):
            return None if natives else [NOTHING] * len(unit_ids)
        effective = self.effective
        indicator_id = indicator.id
        by_native = [(n.code, self.contributors(n.end)) for n in natives]
        result = []
        for unit_id in unit_ids:
            total, found, approximate = 0.0, False, False
            for code, contributors in by_native:
                for contributor in contributors.get(unit_id, ()):
                    values = effective.get((indicator_id, contributor.unit_id, code))
                    if values:
                        found = True
                        total += contributor.share * sum(values.values())
                        approximate = approximate or contributor.approximate
            result.append(Number(total, approximate) if found else NOTHING)
        return result

    def value(self, indicator: Indicator, unit_id: int, window: Window, option: str) -> Number:
        key = ("v", indicator.code, unit_id, window, option)
        found = self._memo.get(key)
        if found is None:
            if indicator.formula:
                found = self._derived(indicator, unit_id, window, option)
            else:
                found = self.stored(indicator, unit_id, window, option)
            self._memo[key] = found
        return found

    def _derived(self, indicator: Indicator, unit_id: int, window: Window, option: str) -> Number:
        if option != TOTAL:
            return NOTHING
        formula = self.catalog.formulas[indicator.code]
        approximate = False

        def resolve(reference: formulas.Reference):
            nonlocal approximate
            target = self.catalog.by_code.get(reference.code)
            if target is None:
                return None
            shifted = reference_window(window, reference.offset, target)
            if shifted is None:
                return None
            if reference.all_options:
                combos = self.catalog.options.get(target.disaggregation_id, [])
                numbers = [self.value(target, unit_id, shifted, code) for _pk, code, _o in combos]
                approximate = approximate or any(n.approximate for n in numbers)
                return [n.value for n in numbers]
            number = self.value(target, unit_id, shifted, reference.option or TOTAL)
            approximate = approximate or number.approximate
            return number.value

        try:
            value = formulas.evaluate(formula, resolve)
        except (ArithmeticError, ValueError, TypeError):
            value = None
        if value is not None and not math.isfinite(value):
            value = None
        return Number(value, approximate and value is not None)


def reference_window(window: Window, offset: str | None, target: Indicator) -> Window | None:
    """The window a formula reference reads: shifted by its offset, and widened to the
    period of the referenced indicator's type that contains it when that type is coarser
    (a yearly estimate read in a monthly formula)."""
    base = window.exact
    if offset in ("previous", "last_year"):
        if base is None:
            return None
        base = base.previous() if offset == "previous" else base.same_period_last_year()
        window = window_of(base)
    elif offset == "ytd":
        if base is None:
            return None
        window = ytd_window(base)
    if ORDER[target.period_type] > ORDER[window.type]:
        anchor = base or periods.for_date(window.type, window.end)
        return window_of(anchor.containing(target.period_type))
    return window


def needs_for(
    catalog: Catalog, codes: Iterable[str], windows: Iterable[Window]
) -> dict[str, set[Window]]:
    """Every (stored indicator, window) the values of ``codes`` over ``windows`` read."""
    needs: dict[str, set[Window]] = defaultdict(set)

    def visit(code: str, window: Window, depth: int) -> None:
        indicator = catalog.by_code.get(code)
        if indicator is None or depth > 10:
            return
        if window in needs[code]:
            return
        needs[code].add(window)
        if indicator.weight_id:
            weight = catalog.weight_of(indicator)
            needs[weight.code].update(_weight_windows(window, weight))
        formula = catalog.formulas.get(code)
        if formula is None:
            return
        for reference in formula.references:
            target = catalog.by_code.get(reference.code)
            if target is None:
                continue
            shifted = reference_window(window, reference.offset, target)
            if shifted is not None:
                visit(reference.code, shifted, depth + 1)

    for code in codes:
        for window in windows:
            visit(code, window, 0)
    return needs


def _weight_windows(window: Window, weight: Indicator) -> set[Window]:
    """The windows of a weight's own periods that cover ``window``."""
    found = set()
    for period in periods.periods_between(weight.period_type, window.start, window.end):
        found.add(window_of(period))
    return found


def _combine_attributes(rule: str, numbers: list[float]) -> float:
    if len(numbers) == 1:
        return numbers[0]
    if rule == OrgAggregation.SUM:
        return sum(numbers)
    if rule == OrgAggregation.MIN:
        return min(numbers)
    if rule == OrgAggregation.MAX:
        return max(numbers)
    return sum(numbers) / len(numbers)


def growth(indicator: Indicator, value: float | None, base: float | None) -> float | None:
    """Growth in percent, or the change in points for a percentage or an index."""
    if value is None or base is None:
        return None
    if indicator.value_type in POINT_TYPES:
        return value - base
    if base == 0:
        return None
    return (value / base - 1) * 100


def ranks(values: dict[int, float | None], direction: str) -> dict[int, int]:
    """Competition ranks (1, 2, 2, 4) of the units with a value; the best first: highest
    unless lower is better."""
    present = [(v, k) for k, v in values.items() if v is not None]
    present.sort(key=lambda item: item[0], reverse=direction != Direction.LOWER_IS_BETTER)
    result: dict[int, int] = {}
    previous = None
    rank = 0
    for position, (value, key) in enumerate(present, start=1):
        if value != previous:
            rank = position
            previous = value
        result[key] = rank
    return result
