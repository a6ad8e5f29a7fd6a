"""Analytics queries: read a request, check who may see what, compute, shape the answer.

A request names its dimensions the way DHIS2's analytics does, so that its users feel at
home:

- ``indicators``: indicator codes (stored or derived);
- ``orgunits``: units by uid or code, ``KIND-province`` (every unit of a kind),
  ``LEVEL-2`` (a level of the hierarchy, the Government being 1), ``CHILDREN-<unit>``,
  ``GROUP-<code>``, ``USER_ORGUNIT``; the Government when none;
- ``periods``: codes (``2024``, ``2024Q3``, ``202409``...), ranges (``202401..202412``)
  and relative periods (``THIS_MONTH``, ``LAST_MONTH``, ``LAST_12_MONTHS``,
  ``THIS_QUARTER``, ``LAST_4_QUARTERS``, ``THIS_YEAR``, ``LAST_YEAR``, ``LAST_5_YEARS``,
  ``MONTHS_THIS_YEAR`` (the year to date), any ``LAST_<n>_<DAYS|WEEKS|MONTHS|QUARTERS|
  YEARS>``); ``period_type`` aggregates them to a coarser type;
- ``structure``: ``as_reported`` or a day (``today`` by default);
- ``disaggregation``: a category code (one row per option) or ``combination``;
- ``accepted_only``: count only the values the center accepted;
- ``measures``: ``yoy``, ``previous``, ``ytd``, ``share``, ``rank``, ``per_capita``.

The caller must be allowed to view data values; the units asked for must be within their
view scope (a level, a kind or the children of a unit are cut to it), and every indicator
a number rests on within their clearance.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dieuhanh.accounts.scopes import scope_unit_ids
from dieuhanh.analytics import engine, maintenance
from dieuhanh.analytics.engine import MEASURES, POINT_TYPES, TOTAL, Engine, Window
from dieuhanh.catalog.models import Category, Indicator, OrgAggregation
from dieuhanh.core import periods
from dieuhanh.core.periods import ORDER, Period, PeriodType
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues.models import DataValue
from dieuhanh.orgunits import services as orgunit_services
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, OrgUnitKind

AS_REPORTED = "as_reported"
MAX_INDICATORS = 50
MAX_PERIODS = 1000
MAX_CELLS = 250_000
SEPARATORS = re.compile(r"[;,]")
RELATIVE = re.compile(r"^LAST_(\d{1,3})_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS)$")
RELATIVE_TYPES = {
    "DAYS": PeriodType.DAILY,
    "WEEKS": PeriodType.WEEKLY,
    "MONTHS": PeriodType.MONTHLY,
    "QUARTERS": PeriodType.QUARTERLY,
    "YEARS": PeriodType.YEARLY,
}


class AnalyticsError(ValueError):
    """A request that cannot be answered as asked; ``code`` is machine-readable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class AnalyticsRequest:
    indicators: list[str]
    orgunits: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    period_type: str | None = None
    structure: str | None = None
    disaggregation: str | None = None
    accepted_only: bool = False
    measures: list[str] = field(default_factory=list)
    skip_rounding: bool = False
    filters: list[str] = field(default_factory=list)
    aggregate_periods: bool = False
    cells_only: bool = False  # a caller that reads ``Answer.cells``: no rows, no metadata

    @classmethod
    def from_text(cls, **text) -> AnalyticsRequest:
        """From query-string values: lists separated by ``;`` or ``,``."""

        def split(value) -> list[str]:
            if value is None:
                return []
            parts = value if isinstance(value, list | tuple) else [value]
            return [p.strip() for part in parts for p in SEPARATORS.split(part) if p.strip()]

        return cls(
            indicators=split(text.get("indicators")),
            orgunits=split(text.get("orgunits")),
            periods=split(text.get("periods")),
            period_type=(text.get("period_type") or None),
            structure=(text.get("structure") or None),
            disaggregation=(text.get("disaggregation") or None),
            accepted_only=bool(text.get("accepted_only")),
            measures=split(text.get("measures")),
            skip_rounding=bool(text.get("skip_rounding")),
            filters=split(text.get("filters")),
            aggregate_periods=bool(text.get("aggregate_periods")),
        )

    def as_dict(self) -> dict:
        return {
            "indicators": self.indicators,
            "orgunits": self.orgunits,
            "periods": self.periods,
            "period_type": self.period_type,
            "structure": self.structure,
            "disaggregation": self.disaggregation,
            "accepted_only": self.accepted_only,
            "measures": self.measures,
            "filters": self.filters,
            "aggregate_periods": self.aggregate_periods,
        }


@dataclass
class Header:
    name: str
    column: str
    type: str


@dataclass
class Answer:
    headers: list[Header]
    rows: list[list]
    metadata: dict
    structure: str
    accepted_only: bool
    cells: list[engine.Cell] = field(default_factory=list, repr=False)


# --- reading the request -----------------------------------------------------------------
def structure_day(text: str | None, today: datetime.date) -> datetime.date | None:
    """None for ``as_reported``, else the day whose structure is asked for."""
    if not text or text == "today":
        return today
    if text == AS_REPORTED:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise AnalyticsError(
            "invalid_structure",
            _("The structure must be as_reported, today or a date (YYYY-MM-DD), not %(value)s.")
            % {"value": text},
        ) from None


def relative_periods(code: str, today: datetime.date) -> list[Period] | None:
    """The periods a relative period names on ``today``, or None if ``code`` is not one."""

    def current(period_type: str) -> Period:
        return periods.for_date(period_type, today)

    def last(n: int, period_type: str) -> list[Period]:
        this = current(period_type)
        return [this.shift(-i) for i in range(n, 0, -1)]

    match code:
        case "TODAY":
            return [current(PeriodType.DAILY)]
        case "THIS_WEEK":
            return [current(PeriodType.WEEKLY)]
        case "THIS_MONTH":
            return [current(PeriodType.MONTHLY)]
        case "LAST_MONTH":
            return last(1, PeriodType.MONTHLY)
        case "THIS_QUARTER":
            return [current(PeriodType.QUARTERLY)]
        case "LAST_QUARTER":
            return last(1, PeriodType.QUARTERLY)
        case "THIS_YEAR":
            return [current(PeriodType.YEARLY)]
        case "LAST_YEAR":
            return last(1, PeriodType.YEARLY)
        case "MONTHS_THIS_YEAR" | "YEAR_TO_DATE":
            return current(PeriodType.MONTHLY).year_to_date()
        case "QUARTERS_THIS_YEAR":
            return current(PeriodType.QUARTERLY).year_to_date()
    match = RELATIVE.match(code)
    if match:
        count = int(match.group(1))
        if not 1 <= count <= 600:
            return None
        return last(count, RELATIVE_TYPES[match.group(2)])
    return None


@dataclass(frozen=True)
class Span:
    """Several consecutive periods of one type asked for as one (``aggregate_periods``):
    shaped like a period for the engine (``start``, ``end``, ``type``, ``code``, moving in
    time), coded ``first..last``."""

    first: Period
    last: Period

    @property
    def start(self) -> datetime.date:
        return self.first.start

    @property
    def end(self) -> datetime.date:
        return self.last.end

    @property
    def type(self) -> str:
        return self.first.type

    @property
    def code(self) -> str:
        return f"{self.first.code}..{self.last.code}"

    @property
    def length(self) -> int:
        return len(periods.periods_between(self.type, self.start, self.end))

    def same_period_last_year(self) -> Span:
        return Span(self.first.same_period_last_year(), self.last.same_period_last_year())

    def previous(self) -> Span:
        return Span(self.first.shift(-self.length), self.first.previous())

    def year_to_date(self) -> list[Period]:
        return self.last.year_to_date()

    def containing(self, period_type: str) -> Period:
        return self.last.containing(period_type)


def span_of(found: list[Period]) -> Span:
    """The listed periods as one: they must be of one type and follow each other."""
    ordered = sorted(set(found))
    contiguous = all(a.type == b.type and a.next() == b for a, b in itertools.pairwise(ordered))
    if not ordered or not contiguous:
        raise AnalyticsError(
            "periods_not_contiguous",
            _("Periods added up must be of one type and follow each other."),
        )
    return Span(ordered[0], ordered[-1])


def read_periods(codes: list[str], period_type: str | None, today: datetime.date) -> list[Period]:
    if not codes:
        codes = ["LAST_12_MONTHS"]
    found: list[Period] = []
    for code in codes:
        relative = relative_periods(code.upper(), today)
        if relative is not None:
            found.extend(relative)
            continue
        first, dots, last = code.partition("..")
        try:
            if dots:
                start, end = periods.parse(first), periods.parse(last)
                if start.type != end.type or end < start:
                    raise periods.PeriodError(code)
                span = periods.periods_between(start.type, start.start, end.end)
                found.extend(span)
            else:
                found.append(periods.parse(code))
        except (periods.PeriodError, ValueError):
            raise AnalyticsError(
                "invalid_period",
                _("%(code)s is not a period code, a range or a relative period.") % {"code": code},
            ) from None
        if len(found) > MAX_PERIODS:
            break
    if period_type:
        if period_type not in ORDER:
            raise AnalyticsError(
                "invalid_period_type",
                _("%(value)s is not a period type.") % {"value": period_type},
            )
        coarser = []
        for period in found:
            if ORDER[period.type] > ORDER[period_type]:
                raise AnalyticsError(
                    "invalid_period_type",
                    _("%(period)s cannot be shown as %(type)s periods: they are shorter.")
                    % {"period": period.code, "type": PeriodType(period_type).label},
                )
            coarser.append(period.containing(period_type))
        found = coarser
    unique = list(dict.fromkeys(found))
    if len(unique) > MAX_PERIODS:
        raise AnalyticsError(
            "too_many_periods",
            _("A query may name at most %(n)d periods.") % {"n": MAX_PERIODS},
        )
    return unique


def read_indicators(user, codes: list[str]) -> list[Indicator]:
    if not codes:
        raise AnalyticsError("indicators_required", _("Name at least one indicator."))
    if len(codes) > MAX_INDICATORS:
        raise AnalyticsError(
            "too_many_indicators",
            _("A query may name at most %(n)d indicators.") % {"n": MAX_INDICATORS},
        )
    visible = {
        i.code: i
        for i in Indicator.objects.restrict(user, "view")
        .filter(code__in=codes)
        .select_related("unit")
    }
    unknown = [code for code in codes if code not in visible]
    if unknown:
        raise AnalyticsError(
            "unknown_indicator",
            _("Unknown indicator, or one you may not see: %(codes)s.")
            % {"codes": ", ".join(unknown)},
        )
    return [visible[code] for code in dict.fromkeys(codes)]


def check_clearance(user, catalog: engine.Catalog, visible: list[Indicator]) -> None:
    """Every indicator a number rests on (formula components, weights) must be visible,
    not only those asked for (``visible``, already checked)."""
    checked = {i.pk for i in visible}
    ids = {i.pk for i in catalog.by_code.values()} - checked
    if not ids:
        return
    cleared = set(
        Indicator.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True)
    )
    hidden = sorted(i.code for i in catalog.by_code.values() if i.pk in ids - cleared)
    if hidden:
        raise PermissionDenied(
            _("These numbers rest on indicators you may not see: %(codes)s.")
            % {"codes": ", ".join(hidden)}
        )


def _find_unit(reference: str, day: datetime.date, by_uid: dict | None = None) -> OrgUnit:
    """A unit by uid (looked up in ``by_uid`` when the caller fetched them together); or by
    code: the unit of that code valid on ``day``, else the one that existed last (codes were
    reused in 2025, so a code alone is not an identity)."""
    if by_uid is not None:
        unit = by_uid.get(reference)
    else:
        unit = OrgUnit.objects.filter(uid=reference).first()
    if unit is not None:
        return unit
    candidates = sorted(
        OrgUnit.objects.filter(code=reference), key=lambda u: u.valid_to or datetime.date.max
    )
    valid = [u for u in candidates if u.is_valid_on(day)]
    if valid or candidates:
        return (valid or candidates)[-1]
    raise AnalyticsError(
        "unknown_orgunit",
        _("No organisation unit has the uid or code %(reference)s.") % {"reference": reference},
    )


def read_orgunits(
    user,
    tokens: list[str],
    day: datetime.date | None,
    first: datetime.date,
    last: datetime.date,
) -> list[OrgUnit]:
    """The target units: of the structure of ``day``, or (``day`` None, as reported) every
    unit a kind, level or group names that existed between ``first`` and ``last``. Units
    named one by one must be inside the caller's view scope; the others are cut to it."""
    at = day or last
    allowed = scope_unit_ids(user, "view")
    named: list[OrgUnit] = []
    expanded: list[OrgUnit] = []
    if not tokens:
        root = orgunit_services.root_unit(at)
        tokens = [root.uid] if root else []
    by_uid = {unit.uid: unit for unit in OrgUnit.objects.filter(uid__in=tokens)}  # one query
    for token in tokens:
        upper = token.upper()
        if upper == "USER_ORGUNIT":
            if user.orgunit_id is None:
                raise AnalyticsError("no_user_orgunit", _("Your account has no unit."))
            named.append(user.orgunit)
        elif upper.startswith("KIND-"):
            kind = token[5:].lower()
            if kind not in OrgUnitKind.values:
                raise AnalyticsError(
                    "unknown_kind", _("%(kind)s is not a kind of unit.") % {"kind": token[5:]}
                )
            units = OrgUnit.objects.filter(kind=kind)
            units = units.valid_on(day) if day else units.filter(_overlapping(first, last))
            expanded.extend(units.order_by("code", "valid_from"))
        elif upper.startswith("LEVEL-"):
            try:
                level = int(token[6:])
            except ValueError:
                level = 0
            if level < 1:
                raise AnalyticsError(
                    "invalid_level", _("%(value)s is not a level (1, 2, 3...).") % {"value": token}
                )
            days = [day] if day else _days_between(first, last)
            seen = set()
            for on in days:
                for unit in orgunit_services.level_on(on, level).order_by("code"):
                    if unit.pk not in seen:
                        seen.add(unit.pk)
                        expanded.append(unit)
        elif upper.startswith("CHILDREN-"):
            parent = _find_unit(token[9:], at)
            if allowed is not None and parent.pk not in allowed:
                raise _outside(parent)
            expanded.extend(orgunit_services.children_on(parent, at).order_by("code"))
        elif upper.startswith("GROUP-"):
            group = OrgUnitGroup.objects.filter(code=token[6:]).first()
            if group is None:
                raise AnalyticsError(
                    "unknown_group", _("No group has the code %(code)s.") % {"code": token[6:]}
                )
            members = group.members.all()
            if day:
                members = members.valid_on(day)
            expanded.extend(members.order_by("code"))
        else:
            named.append(_find_unit(token, at, by_uid))
    if allowed is not None:
        for unit in named:
            if unit.pk not in allowed:
                raise _outside(unit)
        expanded = [u for u in expanded if u.pk in allowed]
    if day:
        for unit in named:
            if not unit.is_valid_on(day):
                raise AnalyticsError(
                    "unit_not_in_structure",
                    _(
                        "%(unit)s does not exist on %(day)s; ask for the structure as reported, "
                        "or for a day on which it existed."
                    )
                    % {"unit": unit, "day": day.strftime("%d/%m/%Y")},
                )
    return list({u.pk: u for u in named + expanded}.values())


def _overlapping(first, last):
    from django.db.models import Q

    return (Q(valid_from__isnull=True) | Q(valid_from__lte=last)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=first)
    )


def _days_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The days on which the structure between ``first`` and ``last`` may differ."""
    from dieuhanh.analytics.structure import maps

    structure = maps(maintenance.structure_version())
    return [first] + [d for d in structure.change_days if first < d <= last]


def _outside(unit: OrgUnit) -> PermissionDenied:
    return PermissionDenied(
        _("%(unit)s is outside the units whose data you may see.") % {"unit": unit}
    )


def read_breakdown(text: str | None, indicators: list[Indicator]) -> tuple[str | None, dict]:
    """The options each indicator is shown by: ``{indicator code: [(option code, name)]}``."""
    if not text:
        return None, {i.code: [(TOTAL, _("Total"))] for i in indicators}
    if text == "combination":
        from dieuhanh.catalog.models import OptionCombination

        result = {}
        for indicator in indicators:
            combos = OptionCombination.objects.filter(
                disaggregation_id=indicator.disaggregation_id
            ).order_by("sort_order", "id")
            result[indicator.code] = [(c.code, c.name) for c in combos]
        return text, result
    category = Category.objects.filter(code=text).prefetch_related("options").first()
    if category is None:
        raise AnalyticsError(
            "unknown_category",
            _("%(code)s is not a category (or 'combination').") % {"code": text},
        )
    options = [(o.code, o.name) for o in category.options.all()]
    result = {}
    for indicator in indicators:
        has = indicator.disaggregation.categories.filter(pk=category.pk).exists()
        result[indicator.code] = options if has else [(TOTAL, _("Total"))]
    return text, result


def read_filters(texts: list[str]) -> list[tuple[str, str]]:
    """``CATEGORY:OPTION`` filters: (category code, option code), each checked."""
    from dieuhanh.catalog.models import CategoryOption

    found = []
    for text in texts:
        category, colon, option = text.partition(":")
        if (
            not colon
            or not CategoryOption.objects.filter(category__code=category, code=option).exists()
        ):
            raise AnalyticsError(
                "invalid_filter",
                _(
                    "%(filter)s is not a filter: write CATEGORY:OPTION with an option of the "
                    "category (AREA:URBAN)."
                )
                % {"filter": text},
            )
        found.append((category, option))
    return found


# --- the query ---------------------------------------------------------------------------
def query(user, request: AnalyticsRequest, today: datetime.date | None = None) -> Answer:
    if not permits(user, DataValue, "view"):
        raise denied(DataValue, "view")
    today = today or timezone.localdate()
    refreshed = maintenance.refresh()
    day = structure_day(request.structure, today)
    unknown = [m for m in request.measures if m not in MEASURES]
    if unknown:
        raise AnalyticsError(
            "unknown_measure",
            _("Unknown measure %(names)s; the measures are %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(MEASURES)},
        )
    output_periods = read_periods(request.periods, request.period_type, today)
    if request.aggregate_periods:
        output_periods = [span_of(output_periods)]
    filters = read_filters(request.filters)
    indicators = read_indicators(user, request.indicators)
    first = min(p.start for p in output_periods)
    last = max(p.end for p in output_periods)
    units = read_orgunits(user, request.orgunits, day, first, last)
    breakdown, options = read_breakdown(request.disaggregation, indicators)
    wanted = [option for _category, option in filters]
    cells = len(units) * len(output_periods) * sum(len(options[i.code]) for i in indicators)
    if cells > MAX_CELLS:
        raise AnalyticsError(
            "too_large",
            _("The query asks for %(n)s numbers; at most %(max)s at once.")
            % {"n": f"{cells:,}", "max": f"{MAX_CELLS:,}"},
        )
    catalog_indicators = list(indicators)
    measures = list(dict.fromkeys(request.measures))
    if "per_capita" in measures:
        population = Indicator.objects.filter(code=engine.POPULATION_CODE).first()
        if population is not None:
            catalog_indicators.append(population)
    catalog = engine.load_catalog(catalog_indicators)
    check_clearance(user, catalog, indicators)
    computation = Engine(
        catalog,
        [u.pk for u in units],
        structure_day=day,
        accepted_only=request.accepted_only,
        version=(
            refreshed.structure_version
            if refreshed.structure_version is not None
            else maintenance.structure_version()
        ),
    )
    windows = _windows(output_periods, measures)
    needs = engine.needs_for(catalog, [i.code for i in indicators], windows)
    if "per_capita" in measures and engine.POPULATION_CODE in catalog.by_code:
        years = {engine.window_of(p.containing(PeriodType.YEARLY)) for p in output_periods}
        needs.setdefault(engine.POPULATION_CODE, set()).update(years)
    computation.prefetch(needs)
    computed = _compute(
        computation, catalog, indicators, units, output_periods, options, measures, wanted
    )
    return _answer(
        request, indicators, units, output_periods, options, breakdown, measures, computed, day
    )


def _with_filters(option: str, wanted: list[str]) -> str:
    """The option shown, restricted to the combinations with every filter's option too."""
    if not wanted:
        return option
    shown = [] if option == TOTAL else [option]
    return engine.OPTION_JOIN.join(shown + wanted)


def _windows(output_periods: list[Period], measures: list[str]) -> list[Window]:
    windows = [engine.window_of(p) for p in output_periods]
    for period in output_periods:
        if "yoy" in measures:
            windows.append(engine.window_of(period.same_period_last_year()))
        if "previous" in measures:
            windows.append(engine.window_of(period.previous()))
        if "ytd" in measures:
            windows.append(engine.ytd_window(period))
    return list(dict.fromkeys(windows))


def _compute(computation, catalog, indicators, units, output_periods, options, measures, wanted):
    population = catalog.by_code.get(engine.POPULATION_CODE)
    unit_ids = [u.pk for u in units]
    cells: list[engine.Cell] = []
    for indicator in indicators:
        additive = indicator.aggregation == OrgAggregation.SUM and not indicator.formula
        for period in output_periods:
            window = engine.window_of(period)
            bases = {}
            if "yoy" in measures:
                bases["yoy"] = engine.window_of(period.same_period_last_year())
            if "previous" in measures:
                bases["previous"] = engine.window_of(period.previous())
            for shown, _name in options[indicator.code]:
                option = _with_filters(shown, wanted)
                numbers = computation.values(indicator, unit_ids, window, option)
                group = [
                    engine.Cell(indicator, unit_id, period, shown, n.value, n.approximate)
                    for unit_id, n in zip(unit_ids, numbers, strict=True)
                ]
                for measure, base_window in bases.items():
                    base = computation.values(indicator, unit_ids, base_window, option)
                    for cell, number in zip(group, base, strict=True):
                        cell.measures[measure] = engine.growth(indicator, cell.value, number.value)
                if "ytd" in measures:
                    ytd = computation.values(indicator, unit_ids, engine.ytd_window(period), option)
                    for cell, number in zip(group, ytd, strict=True):
                        cell.measures["ytd"] = number.value
                if "per_capita" in measures:
                    for cell in group:
                        cell.measures["per_capita"] = _per_capita(
                            computation, indicator, population, cell.unit_id, period, cell.value
                        )
                if "share" in measures:
                    total = sum(c.value for c in group if c.value is not None)
                    for cell in group:
                        cell.measures["share"] = (
                            cell.value / total * 100
                            if additive and cell.value is not None and total
                            else None
                        )
                if "rank" in measures:
                    order = engine.ranks({c.unit_id: c.value for c in group}, indicator.direction)
                    for cell in group:
                        cell.measures["rank"] = order.get(cell.unit_id)
                cells.extend(group)
    return cells


def _per_capita(computation, indicator, population, unit_id, period, value):
    """The value per inhabitant, in the base unit of the indicator's unit (đồng per person
    for an indicator in billion đồng), for additive indicators."""
    if (
        value is None
        or population is None
        or indicator.aggregation != OrgAggregation.SUM
        or indicator.value_type in POINT_TYPES
    ):
        return None
    year = period.containing(PeriodType.YEARLY)
    people = computation.value(population, unit_id, engine.window_of(year), TOTAL).value
    if not people:
        return None
    scale = float(indicator.unit.scale or 1)
    people_scale = float(population.unit.scale or 1)
    return value * scale / (people * people_scale)


def _round(value, decimals: int | None):
    """Half away from zero, as statistical tables (and the pages' ``vn_number``) round:
    Python's ``round`` would give 100.2 for 100.25."""
    if value is None or decimals is None:
        return value
    rounded = round(value, decimals)
    if abs(abs(value - rounded) * 10**decimals - 0.5) < 1e-6:  # a half: away from zero
        exponent = Decimal(1).scaleb(-decimals)
        rounded = float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))
    return int(rounded) if decimals == 0 else rounded


@functools.lru_cache(maxsize=4096)
def _period_label(code: str, language: str | None) -> str:
    first, dots, last = code.partition("..")
    if dots:
        return (
            f"{periods.parse(first).label(language)} \u2013 {periods.parse(last).label(language)}"
        )
    return periods.parse(code).label(language)


def _answer(request, indicators, units, output_periods, options, breakdown, measures, cells, day):
    if request.cells_only:
        return Answer(
            headers=[],
            rows=[],
            metadata={},
            structure=AS_REPORTED if day is None else day.isoformat(),
            accepted_only=request.accepted_only,
            cells=cells,
        )
    headers = [
        Header("indicator", _("Indicator"), "string"),
        Header("orgunit", _("Unit"), "string"),
        Header("period", _("Period"), "string"),
    ]
    if breakdown:
        headers.append(Header("option", _("Disaggregation"), "string"))
    headers.append(Header("value", _("Value"), "number"))
    labels = {
        "yoy": _("Change on the same period last year"),
        "previous": _("Change on the previous period"),
        "ytd": _("Year to date"),
        "share": _("Share of the total (%)"),
        "rank": _("Rank"),
        "per_capita": _("Per inhabitant"),
    }
    for measure in measures:
        headers.append(Header(measure, labels[measure], "number"))
    headers.append(Header("approximate", _("Approximate"), "boolean"))
    unit_uid = {u.pk: u.uid for u in units}
    period_code = {p: p.code for p in output_periods}
    decimals_of = {i.code: (None if request.skip_rounding else i.decimals) for i in indicators}
    measure_decimals = None if request.skip_rounding else 2
    rows = []
    append = rows.append
    for cell in cells:
        code = cell.indicator.code
        decimals = decimals_of[code]
        value = _round(cell.value, decimals)
        row = [code, unit_uid[cell.unit_id], period_code[cell.period]]
        if breakdown:
            row.append(cell.option)
        row.append(value)
        if measures:
            for measure in measures:
                found = cell.measures.get(measure)
                if measure == "rank":
                    row.append(found)
                else:
                    row.append(_round(found, decimals if measure == "ytd" else measure_decimals))
        row.append(cell.approximate)
        append(row)
    metadata = {
        "indicators": {
            i.code: {
                "name": i.name,
                "short_name": i.short_name or i.name,
                "unit": i.unit.name,
                "symbol": i.unit.symbol,
                "decimals": i.decimals,
                "value_type": i.value_type,
                "period_type": i.period_type,
                "aggregation": i.aggregation,
                "time_aggregation": i.time_aggregation,
                "direction": i.direction,
                "derived": bool(i.formula),
                "growth_unit": "points" if i.value_type in POINT_TYPES else "%",
            }
            for i in indicators
        },
        "orgunits": {
            u.uid: {
                "name": u.name,
                "short_name": str(u),
                "code": u.code,
                "kind": u.kind,
                "valid_from": u.valid_from.isoformat() if u.valid_from else None,
                "valid_to": u.valid_to.isoformat() if u.valid_to else None,
            }
            for u in units
        },
        "periods": {
            p.code: {
                "label": _period_label(p.code, get_language()),
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
            }
            for p in output_periods
        },
        "dimensions": {
            "indicators": [i.code for i in indicators],
            "orgunits": [u.uid for u in units],
            "periods": [p.code for p in output_periods],
        },
    }
    if request.filters:
        metadata["filters"] = list(request.filters)
    if breakdown:
        metadata["options"] = {code: name for found in options.values() for code, name in found}
        metadata["dimensions"]["options"] = list(
            dict.fromkeys(code for found in options.values() for code, _n in found)
        )
    return Answer(
        headers=headers,
        rows=rows,
        metadata=metadata,
        structure=AS_REPORTED if day is None else day.isoformat(),
        accepted_only=request.accepted_only,
        cells=cells,
    )
