"""The catalog: every write and every rule, and the queries other modules use.

Writes run in a transaction, are checked against the rules below and leave an AuditRecord.
Rules (each refused with a ValidationError whose ``code`` names it):
- ``invalid_interval``: a validity that ends before it starts;
- ``aggregation_not_meaningful``: an aggregation that makes no sense for the value type
  (summing a percent or an index, adding up text), or a weighted average without weights;
- ``unknown_level``: a reporting level that is not a kind of organisation unit;
- ``formula_*``: a formula that does not parse, references an unknown indicator or option,
  itself, or closes a cycle (the message gives the position in the formula);
- ``deadline_before_cutoff``: a regime whose deadline comes before its cut-off window ends;
- ``deadline_rule_not_applicable``: a "day of the month" deadline for periods shorter than
  a month;
- ``period_type_mismatch``: an indicator in a regime of another period type;
- ``disaggregation_in_use``: changing the categories of a disaggregation that holds values.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.catalog import formulas
from dieuhanh.catalog.models import (
    DEFAULT_CATEGORY_UID,
    DEFAULT_CODE,
    DEFAULT_COMBINATION_UID,
    DEFAULT_DISAGGREGATION_UID,
    DEFAULT_OPTION_UID,
    LEVEL_UNIT_KINDS,
    Category,
    CategoryOption,
    DeadlineRule,
    Direction,
    Disaggregation,
    DisaggregationCategory,
    Frequency,
    Indicator,
    IndicatorGroup,
    IndicatorGroupSet,
    IndicatorVersion,
    MeasurementUnit,
    NarrativeSection,
    OptionCombination,
    OrgAggregation,
    RegimeIndicator,
    RegimeSection,
    ReportingRegime,
    Status,
    TimeAggregation,
    ValueType,
)
from dieuhanh.core import periods
from dieuhanh.core.audit import record_change, snapshot
from dieuhanh.core.models import Sensitivity
from dieuhanh.orgunits.models import OrgUnit, valid_on_q
from dieuhanh.orgunits.services import normalize, show_date

ONE_DAY = datetime.timedelta(days=1)

INDICATOR_FIELDS = (
    "code",
    "name",
    "name_en",
    "short_name",
    "definition",
    "method",
    "legal_basis",
    "source_system",
    "owner",
    "unit",
    "value_type",
    "decimals",
    "direction",
    "period_type",
    "aggregation",
    "weight",
    "time_aggregation",
    "levels",
    "disaggregation",
    "sensitivity",
    "tags",
    "formula",
    "formula_after_aggregation",
    "status",
    "valid_from",
    "valid_to",
    "notes",
)
# A change of any of these is a new version of the indicator's definition.
DEFINITION_FIELDS = (
    "definition",
    "method",
    "unit",
    "value_type",
    "decimals",
    "period_type",
    "aggregation",
    "weight",
    "time_aggregation",
    "disaggregation",
    "formula",
    "formula_after_aggregation",
)
REGIME_FIELDS = (
    "code",
    "name",
    "name_en",
    "description",
    "legal_basis",
    "legal_basis_date",
    "issuer",
    "receiver",
    "reporter_kinds",
    "frequency",
    "period_type",
    "cutoff_rule",
    "deadline_rule",
    "deadline_value",
    "signature_required",
    "open_future_periods",
    "status",
    "valid_from",
    "valid_to",
)

# Which aggregations make sense for which value types.
ADDITIVE_TYPES = {ValueType.NUMBER, ValueType.INTEGER}
ORG_AGGREGATIONS = {
    ValueType.NUMBER: set(OrgAggregation),
    ValueType.INTEGER: set(OrgAggregation),
    ValueType.PERCENT: set(OrgAggregation) - {OrgAggregation.SUM},
    ValueType.INDEX: set(OrgAggregation) - {OrgAggregation.SUM},
    ValueType.BOOLEAN: {OrgAggregation.MIN, OrgAggregation.MAX, OrgAggregation.NONE},
    ValueType.TEXT: {OrgAggregation.NONE},
}
TIME_AGGREGATIONS = {
    ValueType.NUMBER: set(TimeAggregation),
    ValueType.INTEGER: set(TimeAggregation),
    ValueType.PERCENT: set(TimeAggregation) - {TimeAggregation.SUM},
    ValueType.INDEX: set(TimeAggregation) - {TimeAggregation.SUM},
    ValueType.BOOLEAN: {TimeAggregation.LAST, TimeAggregation.NONE},
    ValueType.TEXT: {TimeAggregation.LAST, TimeAggregation.NONE},
}


def refuse(code: str, message: str) -> None:
    raise ValidationError(message, code=code)


def check_interval(thing, valid_from, valid_to) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        refuse(
            "invalid_interval",
            _("%(thing)s: the validity ends (%(end)s) before it starts (%(start)s).")
            % {"thing": thing, "end": show_date(valid_to), "start": show_date(valid_from)},
        )


def check_choice(thing, model, field: str, value, choices) -> None:
    if value not in {choice.value for choice in choices}:
        refuse(
            f"unknown_{field}",
            _("%(thing)s: %(value)s is not a known %(field)s; use one of %(choices)s.")
            % {
                "thing": thing,
                "value": value if value not in (None, "") else "-",
                "field": model._meta.get_field(field).verbose_name,
                "choices": ", ".join(choice.value for choice in choices),
            },
        )


# --- indicators: rules -------------------------------------------------------------------
def formula_references() -> dict[str, set[str]]:
    """Every indicator code with the option and combination codes it may be referenced by."""
    known: dict[str, set[str]] = {}
    options_by_disaggregation: dict[int, set[str]] = {}
    for disaggregation_id, combination, option in OptionCombination.objects.values_list(
        "disaggregation_id", "code", "options__code"
    ):
        codes = options_by_disaggregation.setdefault(disaggregation_id, set())
        codes.add(combination.upper())
        if option:
            codes.add(option.upper())
    for code, disaggregation_id in Indicator.objects.values_list("code", "disaggregation_id"):
        known[code.upper()] = options_by_disaggregation.get(disaggregation_id, set())
    return known


def formula_graph(exclude_code: str | None = None) -> dict[str, set[str]]:
    graph = {}
    for code, text in Indicator.objects.exclude(formula="").values_list("code", "formula"):
        if code == exclude_code:
            continue
        try:
            graph[code.upper()] = formulas.parse(text).codes
        except formulas.FormulaError:
            continue
    return graph


def formula_error(indicator, error: formulas.FormulaError) -> ValidationError:
    return ValidationError(
        _("%(indicator)s: the formula is refused: %(error)s")
        % {"indicator": indicator.code, "error": error},
        code=f"formula_{error.code}",
    )


def check_formula(indicator: Indicator) -> formulas.Formula | None:
    if not indicator.formula:
        return None
    try:
        formula = formulas.parse(indicator.formula)
        known = formula_references()
        known.setdefault(indicator.code.upper(), set())
        formulas.validate(formula, known, own_code=indicator.code.upper())
    except formulas.FormulaError as error:
        raise formula_error(indicator, error) from error
    graph = formula_graph(exclude_code=indicator.code)
    graph[indicator.code.upper()] = formula.codes
    cycle = formulas.find_cycle(graph)
    if cycle and indicator.code.upper() in cycle:
        own = indicator.code.upper()
        following = cycle[cycle.index(own) + 1]
        position = next((ref.position for ref in formula.references if ref.code == following), 0)
        refuse(
            "formula_cycle",
            _(
                "%(indicator)s: the formula refers back to itself through %(path)s "
                "(position %(position)s)."
            )
            % {"indicator": indicator.code, "path": " → ".join(cycle), "position": position + 1},
        )
    return formula


def check_indicator(indicator: Indicator) -> None:
    code = indicator.code
    check_interval(code, indicator.valid_from, indicator.valid_to)
    for field, choices in (
        ("value_type", ValueType),
        ("period_type", periods.PeriodType),
        ("aggregation", OrgAggregation),
        ("time_aggregation", TimeAggregation),
        ("direction", Direction),
        ("sensitivity", Sensitivity),
        ("status", Status),
    ):
        check_choice(code, Indicator, field, getattr(indicator, field), choices)
    value_type = ValueType(indicator.value_type)
    if indicator.aggregation not in ORG_AGGREGATIONS[value_type] or (
        indicator.time_aggregation not in TIME_AGGREGATIONS[value_type]
    ):
        refuse(
            "aggregation_not_meaningful",
            _(
                "%(indicator)s: a value of type %(type)s cannot be aggregated by %(aggregation)s "
                "over units or by %(time)s over time (a percentage or an index is never added up)."
            )
            % {
                "indicator": code,
                "type": value_type.label,
                "aggregation": OrgAggregation(indicator.aggregation).label,
                "time": TimeAggregation(indicator.time_aggregation).label,
            },
        )
    if indicator.aggregation == OrgAggregation.WEIGHTED_AVERAGE:
        weight = indicator.weight
        if weight is None or weight.code == code or weight.value_type not in ADDITIVE_TYPES:
            refuse(
                "aggregation_not_meaningful",
                _("%(indicator)s: a weighted average needs another, numeric indicator as weight.")
                % {"indicator": code},
            )
    elif indicator.weight_id is not None:
        indicator.weight = None
    if value_type == ValueType.INTEGER:
        indicator.decimals = 0
    if not 0 <= indicator.decimals <= 6:
        refuse(
            "invalid_decimals",
            _("%(indicator)s: from 0 to 6 decimals.") % {"indicator": code},
        )
    unknown_levels = [level for level in indicator.levels if level not in LEVEL_UNIT_KINDS]
    if unknown_levels:
        refuse(
            "unknown_level",
            _("%(indicator)s: unknown reporting level %(levels)s; use %(choices)s.")
            % {
                "indicator": code,
                "levels": ", ".join(map(str, unknown_levels)),
                "choices": ", ".join(LEVEL_UNIT_KINDS),
            },
        )
    check_formula(indicator)


def fill_indicator(indicator: Indicator) -> None:
    indicator.code = indicator.code.strip().upper()
    # Known levels in their hierarchical order; unknown ones are kept for check_indicator.
    order = list(LEVEL_UNIT_KINDS)
    indicator.levels = sorted(
        set(indicator.levels),
        key=lambda level: (order.index(level) if level in order else 99, level),
    )
    indicator.tags = sorted({tag.strip() for tag in indicator.tags if tag.strip()})
    indicator.formula = indicator.formula.strip()
    parts = [indicator.code, indicator.name, indicator.name_en, indicator.short_name]
    parts += list(indicator.tags)
    indicator.search_text = normalize(" ".join(parts))


def definition_of(indicator: Indicator) -> dict:
    data = snapshot(indicator)
    return {
        key: data[f"{key}_id"] if f"{key}_id" in data else data[key] for key in DEFINITION_FIELDS
    }


# --- indicators: writes ------------------------------------------------------------------
def _indicator_snapshot(indicator: Indicator, group_codes: list[str]) -> dict:
    return {**snapshot(indicator, exclude=("search_text",)), "groups": group_codes}


def _group_codes(indicator: Indicator) -> list[str]:
    return sorted(indicator.groups.values_list("code", flat=True))


@transaction.atomic
def create_indicator(actor, *, groups: Iterable[IndicatorGroup] = (), **fields) -> Indicator:
    unknown = set(fields) - set(INDICATOR_FIELDS) - {"uid"}
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    fields.setdefault("disaggregation", default_disaggregation())
    indicator = Indicator(**fields)
    fill_indicator(indicator)
    if Indicator.objects.filter(code=indicator.code).exists():
        refuse(
            "duplicate_code",
            _("An indicator with code %(code)s exists already.") % {"code": indicator.code},
        )
    check_indicator(indicator)
    indicator.save()
    groups = list(groups)
    indicator.groups.set(groups)
    IndicatorVersion.objects.create(
        indicator=indicator,
        number=1,
        valid_from=indicator.valid_from,
        definition=definition_of(indicator),
        reason=_("First definition"),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_change(
        "create",
        indicator,
        before=None,
        after=_indicator_snapshot(indicator, sorted(g.code for g in groups)),
        actor=actor,
    )
    return indicator


@transaction.atomic
def update_indicator(
    actor,
    indicator: Indicator,
    *,
    groups: Iterable[IndicatorGroup] | None = None,
    reason: str = "",
    effective_from: datetime.date | None = None,
    **changes,
) -> Indicator:
    """Change an indicator. A change of its definition (method, unit, formula, rules) is a
    new version from ``effective_from`` (today), with ``reason``; the earlier versions stay."""
    unknown = set(changes) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    before_groups = _group_codes(indicator)
    before = _indicator_snapshot(indicator, before_groups)
    before_definition = definition_of(indicator)
    for key, value in changes.items():
        setattr(indicator, key, value)
    fill_indicator(indicator)
    if indicator.code != before["code"]:
        refuse(
            "code_immutable",
            _("The code of an indicator never changes (other systems refer to it by code)."),
        )
    check_indicator(indicator)
    group_codes = sorted(g.code for g in groups) if groups is not None else before_groups
    after = _indicator_snapshot(indicator, group_codes)
    if after == before:
        return indicator
    indicator.save()
    if groups is not None:
        indicator.groups.set(list(groups))
    definition = definition_of(indicator)
    if definition != before_definition:
        last = indicator.versions.order_by("-number").first()
        day = effective_from or timezone.localdate()
        if last is not None and last.valid_from and day < last.valid_from:
            refuse(
                "invalid_interval",
                _("%(indicator)s: a new definition cannot start before the current one (%(date)s).")
                % {"indicator": indicator.code, "date": show_date(last.valid_from)},
            )
        IndicatorVersion.objects.create(
            indicator=indicator,
            number=(last.number + 1) if last else 1,
            valid_from=day,
            definition=definition,
            reason=reason,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    record_change("update", indicator, before=before, after=after, actor=actor)
    return indicator


def retire_indicator(actor, indicator: Indicator, last_day: datetime.date | None = None):
    """An indicator is retired, never deleted: its values and history stay readable."""
    users = [
        formula_user
        for formula_user, text in Indicator.objects.active()
        .exclude(formula="")
        .exclude(pk=indicator.pk)
        .values_list("code", "formula")
        if indicator.code in codes_in(text)
    ]
    if users:
        refuse(
            "indicator_in_use",
            _("%(indicator)s is used in the formula of %(users)s: change those first.")
            % {"indicator": indicator.code, "users": ", ".join(sorted(users))},
        )
    return update_indicator(
        actor,
        indicator,
        status=Status.RETIRED,
        valid_to=indicator.valid_to or last_day or timezone.localdate(),
    )


def codes_in(text: str) -> set[str]:
    """The indicator codes a formula refers to (none for an empty or broken formula: a
    broken one is refused, with its position, when its indicator is saved)."""
    if not text:
        return set()
    try:
        return formulas.parse(text).codes
    except formulas.FormulaError:
        return set()


# --- indicators: queries -----------------------------------------------------------------
def search_indicators(queryset, q: str):
    """Indicators whose code, name, English name or tags contain every word of ``q``
    (diacritics optional: "can can thuong mai" finds "Cán cân thương mại")."""
    for word in normalize(q).split():
        queryset = queryset.filter(search_text__contains=word)
    return queryset


OFFSET_LABELS = {
    "previous": gettext_lazy("%(name)s of the previous period"),
    "last_year": gettext_lazy("%(name)s of the same period last year"),
    "ytd": gettext_lazy("%(name)s, accumulated from the start of the year"),
}


def readable_formula(indicator: Indicator, names: dict[str, str] | None = None) -> str:
    """The formula with indicator names in place of codes, for people."""
    if not indicator.formula:
        return ""
    formula = formulas.parse(indicator.formula)
    if names is None:
        names = dict(Indicator.objects.filter(code__in=formula.codes).values_list("code", "name"))

    def label(reference) -> str:
        text = names.get(reference.code, reference.code)
        if reference.option:
            text = f"{text} ({reference.option})"
        elif reference.all_options:
            text = _("%(name)s, each option") % {"name": text}
        if reference.offset:
            text = OFFSET_LABELS[reference.offset] % {"name": text}
        return f"[{text}]"

    return formulas.to_text(formula, label=label)


def formula_codes(indicator: Indicator) -> set[str]:
    return codes_in(indicator.formula)


def regimes_using(indicator: Indicator, user):
    """The regimes that ask for ``indicator``, of those ``user`` may see."""
    regimes = ReportingRegime.objects.restrict(user, "view")
    return regimes.filter(sections__items__indicator=indicator).distinct()


def used_in_formulas(indicator: Indicator, user) -> list[Indicator]:
    """The indicators ``user`` may see whose formula refers to ``indicator``."""
    candidates = (
        Indicator.objects.restrict(user, "view")
        .exclude(formula="")
        .filter(formula__icontains=indicator.code)
    )
    return [other for other in candidates if indicator.code in codes_in(other.formula)]


# --- disaggregations ---------------------------------------------------------------------
def default_disaggregation() -> Disaggregation:
    """The disaggregation with the single combination "total" (created on first use, with
    DHIS2's identifiers for its default objects)."""
    disaggregation = Disaggregation.objects.filter(code=DEFAULT_CODE).first()
    if disaggregation is not None:
        return disaggregation
    with transaction.atomic():
        category = Category.objects.create(
            uid=DEFAULT_CATEGORY_UID, code=DEFAULT_CODE, name="Tổng số", name_en="Total"
        )
        option = CategoryOption.objects.create(
            uid=DEFAULT_OPTION_UID,
            category=category,
            code=DEFAULT_CODE,
            name="Tổng số",
            name_en="Total",
        )
        disaggregation = Disaggregation.objects.create(
            uid=DEFAULT_DISAGGREGATION_UID, code=DEFAULT_CODE, name="Tổng số", name_en="Total"
        )
        DisaggregationCategory.objects.create(disaggregation=disaggregation, category=category)
        combination = OptionCombination.objects.create(
            uid=DEFAULT_COMBINATION_UID,
            disaggregation=disaggregation,
            code=DEFAULT_CODE,
            name="Tổng số",
            name_en="Total",
        )
        combination.options.add(option)
        record_change("create", disaggregation, before=None, after=snapshot(disaggregation))
    return disaggregation


def _category_snapshot(category: Category) -> dict:
    return {
        **snapshot(category),
        "options": [
            {"code": o.code, "name": o.name, "name_en": o.name_en}
            for o in category.options.order_by("sort_order", "code")
        ],
    }


@dataclass
class OptionSpec:
    code: str
    name: str
    name_en: str = ""
    uid: str | None = None


@transaction.atomic
def save_category(actor, code: str, name: str, name_en: str, options: list[OptionSpec], uid=None):
    """Create or update a category with its options in the given order. Options are never
    removed (values may be stored under them); the disaggregations using the category get
    combinations for the new options."""
    code = code.strip().upper()
    if not options:
        refuse("no_options", _("%(category)s: a category needs options.") % {"category": code})
    codes = [spec.code.strip().upper() for spec in options]
    if len(set(codes)) != len(codes):
        refuse(
            "duplicate_code",
            _("%(category)s: two options with one code.") % {"category": code},
        )
    category = Category.objects.select_for_update().filter(code=code).first()
    before = _category_snapshot(category) if category else None
    if category is None:
        category = Category(code=code, **({"uid": uid} if uid else {}))
    category.name, category.name_en = name, name_en
    category.save()
    existing = {o.code: o for o in category.options.all()}
    missing = sorted(set(existing) - set(codes))
    if missing:
        refuse(
            "option_in_use",
            _("%(category)s: options are never removed (values may use them): %(options)s.")
            % {"category": code, "options": ", ".join(missing)},
        )
    for order, (spec, option_code) in enumerate(zip(options, codes, strict=True)):
        option = existing.get(option_code) or CategoryOption(
            category=category, code=option_code, **({"uid": spec.uid} if spec.uid else {})
        )
        option.name, option.name_en, option.sort_order = spec.name, spec.name_en, order
        option.save()
    after = _category_snapshot(category)
    if after != before:
        record_change(
            "update" if before else "create", category, before=before, after=after, actor=actor
        )
        for disaggregation in category.disaggregations.all():
            sync_combinations(disaggregation)
    return category


def _disaggregation_snapshot(disaggregation: Disaggregation) -> dict:
    return {
        **snapshot(disaggregation),
        "categories": [c.code for c in ordered_categories(disaggregation)],
    }


def ordered_categories(disaggregation: Disaggregation) -> list[Category]:
    return [
        link.category
        for link in DisaggregationCategory.objects.filter(disaggregation=disaggregation)
        .select_related("category")
        .order_by("sort_order")
    ]


@transaction.atomic
def save_disaggregation(
    actor,
    code: str,
    name: str,
    name_en: str,
    categories: list[Category],
    status: str = Status.ACTIVE,
    uid: str | None = None,
    combination_uids: dict[str, str] | None = None,
) -> Disaggregation:
    code = code.strip().upper() if code != DEFAULT_CODE else code
    if code == DEFAULT_CODE:
        return default_disaggregation()
    check_choice(code, Disaggregation, "status", status, Status)
    if not categories:
        refuse(
            "no_categories",
            _("%(disaggregation)s: choose at least one category.") % {"disaggregation": code},
        )
    disaggregation = Disaggregation.objects.select_for_update().filter(code=code).first()
    before = _disaggregation_snapshot(disaggregation) if disaggregation else None
    if disaggregation is None:
        disaggregation = Disaggregation(code=code, **({"uid": uid} if uid else {}))
    disaggregation.name, disaggregation.name_en, disaggregation.status = name, name_en, status
    new_codes = [c.code for c in categories]
    if before and before["categories"] != new_codes and disaggregation.indicators.exists():
        refuse(
            "disaggregation_in_use",
            _(
                "%(disaggregation)s is used by indicators: its categories cannot change; create "
                "a new disaggregation instead."
            )
            % {"disaggregation": code},
        )
    disaggregation.save()
    if before is None or before["categories"] != new_codes:
        DisaggregationCategory.objects.filter(disaggregation=disaggregation).delete()
        for order, category in enumerate(categories):
            DisaggregationCategory.objects.create(
                disaggregation=disaggregation, category=category, sort_order=order
            )
    sync_combinations(disaggregation, combination_uids or {})
    after = _disaggregation_snapshot(disaggregation)
    if after != before:
        record_change(
            "update" if before else "create",
            disaggregation,
            before=before,
            after=after,
            actor=actor,
        )
    return disaggregation


def sync_combinations(disaggregation: Disaggregation, uids: dict[str, str] | None = None) -> None:
    """One combination per tuple of options (cartesian product, in category order). Existing
    combinations keep their uid; combinations are never deleted (values may use them)."""
    if disaggregation.is_default:
        return
    uids = uids or {}
    categories = ordered_categories(disaggregation)
    option_lists = [list(c.options.order_by("sort_order", "code")) for c in categories]
    existing = {c.code: c for c in disaggregation.combinations.all()}
    for order, options in enumerate(itertools.product(*option_lists)):
        code = "_".join(option.code for option in options)
        name = ", ".join(option.name for option in options)
        name_en = ", ".join(option.name_en or option.name for option in options)
        combination = existing.get(code)
        if combination is None:
            combination = OptionCombination.objects.create(
                disaggregation=disaggregation,
                code=code,
                name=name,
                name_en=name_en,
                sort_order=order,
                **({"uid": uids[code]} if code in uids else {}),
            )
            combination.options.set(options)
            record_change(
                "create",
                combination,
                before=None,
                after={**snapshot(combination), "options": [o.code for o in options]},
                related=disaggregation,
            )
        elif (combination.name, combination.name_en, combination.sort_order) != (
            name,
            name_en,
            order,
        ):
            combination.name, combination.name_en, combination.sort_order = name, name_en, order
            combination.save(update_fields=["name", "name_en", "sort_order", "updated_at"])


# --- groups and units of measure -----------------------------------------------------------
def _save_simple(actor, model, lookup: dict, values: dict):
    """Create or update a row found by ``lookup``, audited; returns (row, created, changed)."""
    row = model.objects.select_for_update().filter(**lookup).first()
    before = snapshot(row) if row else None
    if row is None:
        row = model(**lookup)
    for key, value in values.items():
        setattr(row, key, value)
    after = snapshot(row)
    if before is not None and {k: v for k, v in after.items() if k != "id"} == {
        k: v for k, v in before.items() if k != "id"
    }:
        return row, False, False
    row.save()
    record_change(
        "update" if before else "create", row, before=before, after=snapshot(row), actor=actor
    )
    return row, before is None, before is not None


@transaction.atomic
def save_unit_of_measure(actor, code: str, **values) -> MeasurementUnit:
    return _save_simple(actor, MeasurementUnit, {"code": code.strip().upper()}, values)[0]


@transaction.atomic
def save_group_set(actor, code: str, **values) -> IndicatorGroupSet:
    return _save_simple(actor, IndicatorGroupSet, {"code": code.strip().upper()}, values)[0]


@transaction.atomic
def save_group(actor, code: str, **values) -> IndicatorGroup:
    return _save_simple(actor, IndicatorGroup, {"code": code.strip().upper()}, values)[0]


# --- reporting regimes: schedule -----------------------------------------------------------
@dataclass(frozen=True)
class ScheduledPeriod:
    period: periods.Period
    window_start: datetime.date
    window_end: datetime.date
    deadline: datetime.date


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 + months
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def _day_of_month(first: datetime.date, day: int) -> datetime.date:
    return first.replace(day=min(day, calendar.monthrange(first.year, first.month)[1]))


def deadline_for(regime: ReportingRegime, period: periods.Period, window_end) -> datetime.date:
    n = regime.deadline_value
    if regime.deadline_rule == DeadlineRule.DAY_OF_LAST_MONTH:
        return _day_of_month(period.end.replace(day=1), n)
    if regime.deadline_rule == DeadlineRule.DAY_OF_NEXT_MONTH:
        return _day_of_month(_add_months(period.end, 1), n)
    return window_end + datetime.timedelta(days=n)


def scheduled(regime: ReportingRegime, period: periods.Period) -> ScheduledPeriod:
    start, end = periods.reporting_window(period, regime.cutoff_rule)
    return ScheduledPeriod(period, start, end, deadline_for(regime, period, end))


def schedule(regime: ReportingRegime, year: int) -> list[ScheduledPeriod]:
    """The periods of ``year`` with their cut-off window and deadline (daily regimes list the
    days of the year; hourly regimes have no schedule)."""
    return [
        scheduled(regime, period) for period in periods.periods_in_year(regime.period_type, year)
    ]


def regime_period(regime: ReportingRegime, code: str) -> periods.Period:
    """The period a code names, which must be of the regime's period type."""
    try:
        period = periods.parse(code)
    except periods.PeriodError as error:
        raise ValidationError(str(error), code="invalid_period") from error
    if period.type != regime.period_type:
        raise ValidationError(
            _("This regime is reported by %(type)s periods.")
            % {"type": periods.PeriodType(regime.period_type).label.lower()},
            code="invalid_period",
        )
    return period


def reporters(regime: ReportingRegime, period: periods.Period):
    """The units that must report for ``period``: the listed units and every unit of the
    listed kinds that exists on the period's last day (63 provinces before July 2025, 34
    after)."""
    day = period.end
    query = Q(pk__in=regime.reporter_units.values("pk"))
    if regime.reporter_kinds:
        query |= Q(kind__in=regime.reporter_kinds)
    return OrgUnit.objects.filter(query).filter(valid_on_q(day)).order_by("kind", "code")


# --- reporting regimes: rules and writes -----------------------------------------------------
MONTH_OR_LONGER = {
    periods.PeriodType.MONTHLY,
    periods.PeriodType.QUARTERLY,
    periods.PeriodType.SIXMONTHLY,
    periods.PeriodType.YEARLY,
}


def check_regime(regime: ReportingRegime) -> None:
    code = regime.code
    check_interval(code, regime.valid_from, regime.valid_to)
    check_choice(code, ReportingRegime, "period_type", regime.period_type, periods.PeriodType)
    check_choice(code, ReportingRegime, "cutoff_rule", regime.cutoff_rule, periods.CutoffRule)
    check_choice(code, ReportingRegime, "deadline_rule", regime.deadline_rule, DeadlineRule)
    check_choice(code, ReportingRegime, "status", regime.status, Status)
    check_choice(code, ReportingRegime, "frequency", regime.frequency, Frequency)
    if not 0 <= regime.deadline_value <= 366:
        refuse(
            "invalid_deadline",
            _("%(regime)s: the deadline is from 0 to 366 days.") % {"regime": code},
        )
    if not 0 <= (regime.open_future_periods or 0) <= 120:
        refuse(
            "invalid_open_future_periods",
            _("%(regime)s: from 0 to 120 future periods may be open.") % {"regime": code},
        )
    unknown_kinds = [kind for kind in regime.reporter_kinds if not _is_unit_kind(kind)]
    if unknown_kinds:
        refuse(
            "unknown_kind",
            _("%(regime)s: unknown kind of unit %(kinds)s.")
            % {"regime": code, "kinds": ", ".join(map(str, unknown_kinds))},
        )
    if regime.period_type == periods.PeriodType.HOURLY:
        refuse(
            "period_type_not_reportable",
            _("%(regime)s: reports are daily or longer; hourly values come through the API.")
            % {"regime": code},
        )
    if regime.deadline_rule != DeadlineRule.DAYS_AFTER_END:
        if regime.period_type not in MONTH_OR_LONGER:
            refuse(
                "deadline_rule_not_applicable",
                _("%(regime)s: a deadline on a day of the month needs monthly or longer periods.")
                % {"regime": code},
            )
        if not 1 <= regime.deadline_value <= 31:
            refuse(
                "invalid_deadline",
                _("%(regime)s: the deadline day is between 1 and 31.") % {"regime": code},
            )
    # Every period of two years (one of them a leap year) must end its cut-off first.
    for year in (2024, 2025):
        for row in schedule(regime, year):
            if row.deadline < row.window_end:
                refuse(
                    "deadline_before_cutoff",
                    _(
                        "%(regime)s: the deadline (%(deadline)s) comes before the end of the "
                        "cut-off window (%(end)s) for period %(period)s."
                    )
                    % {
                        "regime": code,
                        "deadline": show_date(row.deadline),
                        "end": show_date(row.window_end),
                        "period": row.period.code,
                    },
                )


def _is_unit_kind(kind) -> bool:
    from dieuhanh.orgunits.models import OrgUnitKind

    return kind in OrgUnitKind.values


@dataclass
class SectionSpec:
    code: str
    name: str
    items: list[tuple[Indicator, Disaggregation | None, bool]]


@dataclass
class NarrativeSpec:
    number: str
    title: str
    guidance: str = ""


def regime_content(regime: ReportingRegime) -> dict:
    """The sections, items and narrative outline as comparable data."""
    return {
        "reporter_units": sorted(regime.reporter_units.values_list("uid", flat=True)),
        "sections": [
            {
                "code": section.code,
                "name": section.name,
                "items": [
                    [item.indicator.code, item.disaggregation.code, item.required]
                    for item in section.items.select_related("indicator", "disaggregation")
                ],
            }
            for section in regime.sections.order_by("sort_order")
        ],
        "narrative": [
            [n.number, n.title, n.guidance]
            for n in regime.narrative_sections.order_by("sort_order")
        ],
    }


def check_sections(regime: ReportingRegime, sections: list[SectionSpec]) -> None:
    seen = set()
    for section in sections:
        for indicator, disaggregation, _required in section.items:
            if indicator.code in seen:
                refuse(
                    "duplicate_indicator",
                    _("%(regime)s: %(indicator)s appears twice.")
                    % {"regime": regime.code, "indicator": indicator.code},
                )
            seen.add(indicator.code)
            if indicator.period_type != regime.period_type:
                refuse(
                    "period_type_mismatch",
                    _(
                        "%(regime)s: %(indicator)s is reported %(indicator_type)s, the regime "
                        "%(regime_type)s."
                    )
                    % {
                        "regime": regime.code,
                        "indicator": indicator.code,
                        "indicator_type": periods.PeriodType(indicator.period_type).label.lower(),
                        "regime_type": periods.PeriodType(regime.period_type).label.lower(),
                    },
                )
            if disaggregation is not None and not (
                disaggregation.is_default or disaggregation.pk == indicator.disaggregation_id
            ):
                refuse(
                    "disaggregation_mismatch",
                    _(
                        "%(regime)s: %(indicator)s is broken down by %(own)s; the regime may ask "
                        "for that or for the total only."
                    )
                    % {
                        "regime": regime.code,
                        "indicator": indicator.code,
                        "own": indicator.disaggregation.name,
                    },
                )


@transaction.atomic
def save_regime(
    actor,
    code: str,
    *,
    sections: list[SectionSpec] | None = None,
    narrative: list[NarrativeSpec] | None = None,
    reporter_units: list[OrgUnit] | None = None,
    create_only: bool = False,
    **fields,
) -> ReportingRegime:
    """Create or update a regime with, when given, its sections, narrative outline and
    listed reporting units (each replaced as a whole)."""
    unknown = set(fields) - set(REGIME_FIELDS) - {"uid"}
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    code = code.strip().upper()
    regime = ReportingRegime.objects.select_for_update().filter(code=code).first()
    if regime is not None and create_only:
        refuse(
            "duplicate_code",
            _("A reporting regime with code %(code)s exists already.") % {"code": code},
        )
    before = {**snapshot(regime), **regime_content(regime)} if regime else None
    if regime is None:
        regime = ReportingRegime(code=code)
    for key, value in fields.items():
        if key != "code":
            setattr(regime, key, value)
    if regime.open_future_periods is None:  # left empty on the form: none
        regime.open_future_periods = 0
    check_regime(regime)
    if sections is not None:
        check_sections(regime, sections)
    regime.save()
    if reporter_units is not None:
        regime.reporter_units.set(reporter_units)
    if sections is not None and (before is None or _sections_data(sections) != before["sections"]):
        regime.sections.all().delete()
        for order, spec in enumerate(sections):
            section = RegimeSection.objects.create(
                regime=regime, code=spec.code, name=spec.name, sort_order=order
            )
            RegimeIndicator.objects.bulk_create(
                RegimeIndicator(
                    section=section,
                    indicator=indicator,
                    disaggregation=disaggregation or indicator.disaggregation,
                    required=required,
                    sort_order=position,
                )
                for position, (indicator, disaggregation, required) in enumerate(spec.items)
            )
    if narrative is not None and (
        before is None
        or [[n.number, n.title, n.guidance] for n in narrative] != before["narrative"]
    ):
        regime.narrative_sections.all().delete()
        NarrativeSection.objects.bulk_create(
            NarrativeSection(
                regime=regime, number=n.number, title=n.title, guidance=n.guidance, sort_order=i
            )
            for i, n in enumerate(narrative)
        )
    after = {**snapshot(regime), **regime_content(regime)}
    if after != before:
        record_change(
            "update" if before else "create", regime, before=before, after=after, actor=actor
        )
    return regime


def _sections_data(sections: list[SectionSpec]) -> list[dict]:
    return [
        {
            "code": spec.code,
            "name": spec.name,
            "items": [
                [indicator.code, (disaggregation or indicator.disaggregation).code, required]
                for indicator, disaggregation, required in spec.items
            ],
        }
        for spec in sections
    ]


def retire_regime(actor, regime: ReportingRegime, last_day: datetime.date | None = None):
    return save_regime(
        actor,
        regime.code,
        status=Status.RETIRED,
        valid_to=regime.valid_to or last_day or timezone.localdate(),
    )


def resolve_unit(reference: str) -> OrgUnit | None:
    """An organisation unit by uid, or by a code that names exactly one unit valid today
    (agency codes such as BTC are stable; commune codes were reused)."""
    reference = (reference or "").strip()
    if not reference:
        return None
    unit = OrgUnit.objects.filter(uid=reference).first()
    if unit is not None:
        return unit
    candidates = list(
        OrgUnit.objects.filter(code=reference).filter(valid_on_q(timezone.localdate()))[:2]
    )
    return candidates[0] if len(candidates) == 1 else None
