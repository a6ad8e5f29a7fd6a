"""Validation rules: ``left <operator> right``, each side a formula of the catalog's
language over the indicators of one unit and period (``#{EXPORTS} >= 0``,
``#{COMPLAINTS_RESOLVED} <= #{COMPLAINTS_RECEIVED}``, ``#{X} == sum(#{X.*})``).

Checked in three places: beside the cells of the entry form (``check_report``), after an
import for the units and periods it touched, and over all data on a schedule (``run``).
A run reads the values of the rules' indicators in one ordered pass (one query per period
type, streamed), builds each unit-period's values once and evaluates every rule that applies
to it; the violations found replace those stored for the same rules, units and periods.

A side whose values are missing follows its strategy: skipped if any (the default) or all of
them are missing, or never skipped (missing values count as zero). ``compulsory_pair``: both
sides have values or neither; ``exclusive_pair``: not both. Equality allows for rounding
(relative 1e-9, absolute 1e-6).
"""

from __future__ import annotations

import datetime
import itertools
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.catalog import formulas
from dieuhanh.catalog.models import Indicator, OptionCombination, RegimeIndicator
from dieuhanh.core import periods
from dieuhanh.core.audit import record_event
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues.models import DataValue
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.quality.models import (
    MissingValues,
    RuleOperator,
    RuleViolation,
    ValidationRule,
)

COMPARISONS = {
    RuleOperator.EQUAL: lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6),
    RuleOperator.NOT_EQUAL: lambda a, b: not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6),
    RuleOperator.LESS: lambda a, b: a < b,
    RuleOperator.LESS_OR_EQUAL: lambda a, b: a <= b or math.isclose(a, b, abs_tol=1e-6),
    RuleOperator.GREATER: lambda a, b: a > b,
    RuleOperator.GREATER_OR_EQUAL: lambda a, b: a >= b or math.isclose(a, b, abs_tol=1e-6),
}
STREAM_CHUNK = 20_000
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompiledRule:
    id: int
    code: str
    name: str
    instruction: str
    importance: str
    period_type: str
    operator: str
    left: formulas.Formula
    right: formulas.Formula
    left_missing: str
    right_missing: str
    kinds: frozenset[str] | None
    left_fn: formulas.Compiled = field(init=False, repr=False, compare=False)
    right_fn: formulas.Compiled = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "left_fn", formulas.compiled(self.left))
        object.__setattr__(self, "right_fn", formulas.compiled(self.right))

    @property
    def codes(self) -> frozenset[str]:
        return self.left.codes | self.right.codes

    def applies_to(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


@dataclass
class Finding:
    """One rule that did not hold for one unit and period."""

    rule: CompiledRule
    orgunit_id: int
    period: str
    left: float | None
    right: float | None
    values: dict[str, float | None]


@dataclass
class RunResult:
    rules: int = 0
    values: int = 0
    reports: int = 0  # unit-periods checked
    checks: int = 0  # rule evaluations that were not skipped
    violations: int = 0
    seconds: float = 0.0
    by_rule: dict[str, int] = field(default_factory=dict)


# --- definitions ------------------------------------------------------------------------------
def check_definition(left: str, right: str, operator: str, period_type: str):
    """Parse both sides and check them against the catalog: known indicators and options,
    of the rule's period type, no period offsets (a rule compares one unit's one period).
    Returns the two formulas; raises ``ValidationError`` naming the side at fault."""
    if operator not in RuleOperator.values:
        raise ValidationError(
            _("Unknown operator: “%(op)s”.") % {"op": operator}, code="invalid_operator"
        )
    from dieuhanh.catalog.services import formula_references

    known = formula_references()
    indicator_types = dict(Indicator.objects.values_list("code", "period_type"))
    parsed = []
    for side, text in ((_("left side"), left), (_("right side"), right)):
        try:
            formula = formulas.parse(text)
            formulas.validate(formula, known)
        except formulas.FormulaError as error:
            raise ValidationError(
                _("The %(side)s is refused: %(error)s") % {"side": side, "error": error},
                code=f"formula_{error.code}",
            ) from error
        for reference in formula.references:
            if reference.offset:
                raise ValidationError(
                    _("The %(side)s uses %(ref)s: a rule compares values of one period.")
                    % {"side": side, "ref": reference},
                    code="formula_offset",
                )
            kind = indicator_types.get(reference.code) or indicator_types.get(
                reference.code.lower()
            )
            if kind and kind != period_type:
                raise ValidationError(
                    _("“%(code)s” is reported %(kind)s; the rule checks data %(rule)s.")
                    % {
                        "code": reference.code,
                        "kind": _period_label(kind),
                        "rule": _period_label(period_type),
                    },
                    code="period_type_mismatch",
                )
        parsed.append(formula)
    return parsed[0], parsed[1]


def _period_label(period_type: str) -> str:
    try:
        return str(periods.PeriodType(period_type).label).lower()
    except ValueError:
        return period_type


def compile_rules(rules) -> list[CompiledRule]:
    compiled = []
    for rule in rules:
        left, right = formulas.parse(rule.left), formulas.parse(rule.right)
        compiled.append(
            CompiledRule(
                id=rule.pk,
                code=rule.code,
                name=rule.name,
                instruction=rule.instruction,
                importance=rule.importance,
                period_type=rule.period_type,
                operator=rule.operator,
                left=left,
                right=right,
                left_missing=rule.left_missing,
                right_missing=rule.right_missing,
                kinds=frozenset(rule.unit_kinds) if rule.unit_kinds else None,
            )
        )
    return compiled


# --- evaluation -------------------------------------------------------------------------------
class Cells:
    """The values of one unit and period, as the formulas ask for them: an indicator's
    total, its value under an option or combination (summed over the combinations holding
    it), or the list of its cells."""

    __slots__ = ("lists", "options", "totals")

    def __init__(self):
        self.totals: dict[str, float] = {}
        self.options: dict[tuple[str, str], float] = {}
        self.lists: dict[str, list[float]] = {}

    def add(self, code: str, keys: tuple[str, ...], number: float) -> None:
        self.totals[code] = self.totals.get(code, 0.0) + number
        for key in keys:
            pair = (code, key)
            self.options[pair] = self.options.get(pair, 0.0) + number
        self.lists.setdefault(code, []).append(number)

    def resolve(self, reference: formulas.Reference):
        if reference.all_options:
            return self.lists.get(reference.code)
        if reference.option is not None:
            return self.options.get((reference.code, reference.option))
        return self.totals.get(reference.code)


def _side(formula: formulas.Formula, function, cells: Cells, strategy: str):
    """(value, skipped) of one side (``function``: the formula compiled). A side that is
    one reference or one number is read directly (most sides are)."""
    references = formula.references
    missing = 0
    for reference in references:
        found = cells.resolve(reference)
        if found is None or found == []:
            missing += 1
    if missing:
        if strategy == MissingValues.SKIP_IF_ANY:
            return None, True
        if strategy == MissingValues.SKIP_IF_ALL and missing == len(references):
            return None, True
        if strategy == MissingValues.NEVER_SKIP:
            resolve = cells.resolve
            return function(lambda ref: _or_zero(resolve(ref), ref)), False
    root = formula.root
    kind = type(root)
    if kind is formulas.Ref and not root.reference.all_options:
        return cells.resolve(root.reference), False
    if kind is formulas.Number:
        return root.value + 0.0, False
    return function(cells.resolve), False


def _or_zero(found, reference: formulas.Reference):
    if found is None:
        return [] if reference.all_options else 0.0
    return found


def _present(references, cells: Cells) -> bool:
    return any(cells.resolve(reference) not in (None, []) for reference in references)


def values_used(rule: CompiledRule, cells: Cells) -> dict[str, float | None]:
    """The values a rule named, as the violation keeps them (a list counts as none)."""
    return {
        str(reference): None if reference.all_options else cells.resolve(reference)
        for reference in (*rule.left.references, *rule.right.references)
    }


def judge(rule: CompiledRule, cells: Cells):
    """None when the rule holds or is skipped, else (left, right, values used)."""
    if rule.operator in (RuleOperator.COMPULSORY_PAIR, RuleOperator.EXCLUSIVE_PAIR):
        has_left = _present(rule.left.references, cells)
        has_right = _present(rule.right.references, cells)
        broken = (
            has_left != has_right
            if rule.operator == RuleOperator.COMPULSORY_PAIR
            else has_left and has_right
        )
        if not broken:
            return None
        left, _skipped = _side(rule.left, rule.left_fn, cells, MissingValues.NEVER_SKIP)
        right, _skipped = _side(rule.right, rule.right_fn, cells, MissingValues.NEVER_SKIP)
        return left, right, values_used(rule, cells)
    left, skipped = _side(rule.left, rule.left_fn, cells, rule.left_missing)
    if skipped or left is None:
        return None
    right, skipped = _side(rule.right, rule.right_fn, cells, rule.right_missing)
    if skipped or right is None or COMPARISONS[rule.operator](left, right):
        return None
    return left, right, values_used(rule, cells)


# --- reading values ---------------------------------------------------------------------------
def _option_keys() -> dict[int, tuple[str, ...]]:
    """For each combination, the keys a reference may use for it: its own code and, when it
    has several options, each option's code."""
    keys: dict[int, set[str]] = defaultdict(set)
    for combo_id, combo_code, option_code in OptionCombination.objects.values_list(
        "id", "code", "options__code"
    ):
        keys[combo_id].add(combo_code.upper())
        if option_code:
            keys[combo_id].add(option_code.upper())
    return {combo_id: tuple(sorted(codes)) for combo_id, codes in keys.items()}


def _stream(user, indicator_ids, unit_ids, start, end, period_codes):
    """(orgunit, period, indicator, combination, number) ordered by unit and period."""
    queryset = (
        DataValue.objects.restrict(user, "view") if user is not None else DataValue.objects.all()
    )
    queryset = queryset.filter(indicator_id__in=indicator_ids, deleted=False, number__isnull=False)
    if unit_ids is not None:
        queryset = queryset.filter(orgunit_id__in=unit_ids)
    if start is not None:
        queryset = queryset.filter(period_start__gte=start)
    if end is not None:
        queryset = queryset.filter(period_start__lte=end)
    if period_codes is not None:
        queryset = queryset.filter(period__in=period_codes)
    rows = (
        queryset.annotate(x=Cast("number", FloatField()))
        .order_by("orgunit_id", "period")
        .values_list("orgunit_id", "period", "indicator_id", "combination_id", "x")
    )
    # The database's rows as they come (a server-side cursor on PostgreSQL), without the
    # ORM's per-row work: the hot loop of a run over millions of values.
    sql, params = rows.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(STREAM_CHUNK):
            yield from chunk


def findings(
    compiled: list[CompiledRule],
    *,
    user=None,
    unit_ids=None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    period_codes=None,
    result: RunResult | None = None,
):
    """Every finding of the rules over the values chosen, unit-period by unit-period."""
    result = result if result is not None else RunResult()
    kinds = dict(OrgUnit.objects.values_list("id", "kind"))
    keys = _option_keys()
    code_of = {pk: code.upper() for pk, code in Indicator.objects.values_list("id", "code")}
    by_type: dict[str, list[CompiledRule]] = defaultdict(list)
    for rule in compiled:
        by_type[rule.period_type].append(rule)
    for rules in by_type.values():
        wanted = {code for rule in rules for code in rule.codes}
        indicator_ids = [pk for pk, code in code_of.items() if code in wanted]
        # A rule is checked where at least one of its values is: the rules of each code.
        rules_of: dict[str, list[int]] = defaultdict(list)
        for index, rule in enumerate(rules):
            for code in rule.codes:
                rules_of[code].append(index)
        current = None
        cells = Cells()
        for orgunit_id, period, indicator_id, combination_id, number in itertools.chain(
            _stream(user, indicator_ids, unit_ids, start, end, period_codes),
            [(None, None, None, None, None)],
        ):
            key = (orgunit_id, period)
            if key != current:
                if current is not None:
                    kind = kinds.get(current[0], "")
                    yield from _check(rules, rules_of, current, kind, cells, result)
                current, cells = key, Cells()
            if orgunit_id is not None:
                result.values += 1
                cells.add(code_of[indicator_id], keys.get(combination_id, ()), number)


def _check(rules, rules_of, key, kind, cells, result):
    result.reports += 1
    candidates = {index for code in cells.totals for index in rules_of.get(code, ())}
    for index in sorted(candidates):
        rule = rules[index]
        if not rule.applies_to(kind):
            continue
        verdict = judge(rule, cells)
        result.checks += 1
        if verdict is not None:
            yield Finding(rule, key[0], key[1], *verdict)


# --- running and storing ----------------------------------------------------------------------
def run(
    user,
    *,
    rules=None,
    unit_ids=None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    period_codes=None,
) -> RunResult:
    """Check the active rules (or those given) over the values in the user's view scope
    (``user=None``: the scheduler, everything), within ``unit_ids``, periods starting from
    ``start`` to ``end`` or listed; replace the stored violations of those rules, units and
    periods with what was found. One audit event says what was checked and found."""
    if user is not None and not permits(user, RuleViolation, "run"):
        raise denied(RuleViolation, "run")
    began = time.perf_counter()
    chosen = rules if rules is not None else ValidationRule.objects.filter(active=True)
    compiled = compile_rules(chosen)
    result = RunResult(rules=len(compiled))
    now = timezone.now()
    starts: dict[str, datetime.date] = {}
    fresh = []
    for finding in findings(
        compiled,
        user=user,
        unit_ids=unit_ids,
        start=start,
        end=end,
        period_codes=period_codes,
        result=result,
    ):
        period_start = starts.get(finding.period)
        if period_start is None:
            period_start = starts[finding.period] = periods.parse(finding.period).start
        fresh.append(
            RuleViolation(
                rule_id=finding.rule.id,
                orgunit_id=finding.orgunit_id,
                period=finding.period,
                period_start=period_start,
                left_value=finding.left,
                right_value=finding.right,
                values=finding.values,
                found_at=now,
            )
        )
        result.by_rule[finding.rule.code] = result.by_rule.get(finding.rule.code, 0) + 1
    result.violations = len(fresh)
    with transaction.atomic():
        stale = RuleViolation.objects.filter(rule_id__in=[rule.id for rule in compiled])
        if user is not None:
            stale = stale.restrict(user, "view")
        if unit_ids is not None:
            stale = stale.filter(orgunit_id__in=unit_ids)
        if start is not None:
            stale = stale.filter(period_start__gte=start)
        if end is not None:
            stale = stale.filter(period_start__lte=end)
        if period_codes is not None:
            stale = stale.filter(period__in=period_codes)
        stale.delete()
        RuleViolation.objects.bulk_create(fresh, batch_size=5000)
        result.seconds = round(time.perf_counter() - began, 3)
        record_event(
            "validation_run",
            user,
            detail={
                "rules": result.rules,
                "values": result.values,
                "reports": result.reports,
                "violations": result.violations,
                "seconds": result.seconds,
                "start": str(start) if start else None,
                "end": str(end) if end else None,
            },
        )
    return result


def report_findings(user, regime, unit: OrgUnit, period: periods.Period) -> list[Finding]:
    """The active rules that the stored values of one report break (drafts included), for
    the entry form: only rules that name an indicator of the report and apply to the unit's
    kind. Two queries and one evaluation per rule."""
    regime_codes = {
        code.upper()
        for code in RegimeIndicator.objects.filter(section__regime=regime).values_list(
            "indicator__code", flat=True
        )
    }
    compiled = [
        rule
        for rule in compile_rules(
            ValidationRule.objects.filter(active=True, period_type=period.type)
        )
        if rule.codes & regime_codes and rule.applies_to(unit.kind)
    ]
    if not compiled:
        return []
    wanted = {code for rule in compiled for code in rule.codes}
    keys = _option_keys()
    cells = Cells()
    for code, combination_id, number in (
        DataValue.objects.restrict(user, "view")
        .filter(
            orgunit=unit,
            period=period.code,
            deleted=False,
            number__isnull=False,
            indicator__code__in=wanted | {code.lower() for code in wanted},
        )
        .annotate(x=Cast("number", FloatField()))
        .values_list("indicator__code", "combination_id", "x")
    ):
        cells.add(code.upper(), keys.get(combination_id, ()), number)
    found = []
    for rule in compiled:
        verdict = judge(rule, cells)
        if verdict is not None:
            found.append(Finding(rule, unit.pk, period.code, *verdict))
    return found


def warning_of(finding: Finding) -> dict:
    """A finding as the entry form shows it beside its rows."""
    rule = finding.rule
    return {
        "rule": rule.code,
        "name": rule.name,
        "instruction": rule.instruction or rule.name,
        "importance": rule.importance,
        "indicators": sorted(rule.codes),
        "left": finding.left,
        "right": finding.right,
    }


# --- writing rules ----------------------------------------------------------------------------
RULE_FIELDS = (
    "name",
    "name_en",
    "instruction",
    "importance",
    "period_type",
    "left",
    "left_missing",
    "operator",
    "right",
    "right_missing",
    "unit_kinds",
    "active",
)


@transaction.atomic
def save_rule(user, code: str, *, groups: list[str] | None = None, **fields) -> ValidationRule:
    """Create or change a rule (``user=None``: the reference loader), checked against the
    catalog first; audited, and a save that changes nothing writes nothing."""
    from dieuhanh.core.audit import record_change, snapshot
    from dieuhanh.quality.models import Importance, ValidationRuleGroup

    rule = ValidationRule.objects.select_for_update().filter(code=code).first()
    action = "change" if rule else "add"
    if user is not None and not permits(user, ValidationRule, action):
        raise denied(ValidationRule, action)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="unknown_field",
        )
    merged = {name: getattr(rule, name) for name in RULE_FIELDS} if rule else {}
    merged.update(fields)
    if not (merged.get("name") or "").strip():
        raise ValidationError(_("Give the rule a name."), code="name_required")
    if merged.get("period_type") not in periods.PeriodType.values:
        raise ValidationError(
            _("Unknown period type: “%(type)s”.") % {"type": merged.get("period_type")},
            code="invalid_period_type",
        )
    for side in ("left_missing", "right_missing"):
        if merged.get(side, MissingValues.SKIP_IF_ANY) not in MissingValues.values:
            raise ValidationError(
                _("Unknown missing-value strategy: “%(value)s”.") % {"value": merged[side]},
                code="invalid_missing_strategy",
            )
    if merged.get("importance", Importance.MEDIUM) not in Importance.values:
        raise ValidationError(_("Unknown importance."), code="invalid_importance")
    check_definition(
        merged.get("left", ""),
        merged.get("right", ""),
        merged.get("operator", ""),
        merged["period_type"],
    )
    group_rows = []
    for group_code in groups or []:
        group = ValidationRuleGroup.objects.filter(code=group_code).first()
        if group is None:
            raise ValidationError(
                _("Unknown rule group: “%(code)s”.") % {"code": group_code}, code="unknown_group"
            )
        group_rows.append(group)
    before = snapshot(rule) if rule else None
    old_groups = sorted(rule.groups.values_list("code", flat=True)) if rule else []
    rule = rule or ValidationRule(code=code)
    for name, value in fields.items():
        setattr(rule, name, value)
    after_fields = {name: getattr(rule, name) for name in RULE_FIELDS}
    new_groups = sorted(g.code for g in group_rows) if groups is not None else old_groups
    if (
        before is not None
        and all(before.get(name) == value for name, value in after_fields.items())
        and new_groups == old_groups
    ):
        return rule
    rule.save()
    if groups is not None:
        rule.groups.set(group_rows)
    record_change(
        "update" if before else "create",
        rule,
        before=None if before is None else {**before, "groups": old_groups},
        after={**snapshot(rule), "groups": new_groups},
        actor=user,
    )
    return rule


def load_reference_rules() -> dict:
    """The validation rules shipped with the product (``fixtures/rules.json``), through
    ``save_rule``: a second load changes nothing."""
    import json
    from pathlib import Path

    from dieuhanh.core.audit import audit_channel, record_change, snapshot
    from dieuhanh.quality.models import ValidationRuleGroup

    document = json.loads(
        (Path(__file__).resolve().parent / "fixtures" / "rules.json").read_text(encoding="utf-8")
    )
    report = {"groups": 0, "rules": 0}
    with audit_channel("command"):
        for item in document["groups"]:
            group, created = ValidationRuleGroup.objects.get_or_create(
                code=item["code"],
                defaults={k: item.get(k, "") for k in ("name", "name_en", "description")},
            )
            if created:
                record_change("create", group, before=None, after=snapshot(group))
                report["groups"] += 1
        for item in document["rules"]:
            fields = {name: item[name] for name in RULE_FIELDS if name in item}
            existed = ValidationRule.objects.filter(code=item["code"]).exists()
            if existed:
                continue  # the center may have changed it since; the reference adds only
            save_rule(None, item["code"], groups=item.get("groups", []), **fields)
            report["rules"] += 1
    return report


# --- reading and queuing ----------------------------------------------------------------------
def selection(user, *, group=None, codes=None, orgunit_uid=None):
    """(rules, unit ids or None) for a run: the active rules of a group or those named, and
    a unit's subtree."""
    from dieuhanh.orgunits.models import OrgUnitClosure

    chosen = ValidationRule.objects.filter(active=True)
    if group:
        chosen = chosen.filter(groups__code=group)
    if codes:
        chosen = ValidationRule.objects.filter(code__in=codes)
        unknown = set(codes) - set(chosen.values_list("code", flat=True))
        if unknown:
            raise ValidationError(
                _("Unknown rules: %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
                code="unknown_rule",
            )
    unit_ids = None
    if orgunit_uid:
        unit = OrgUnit.objects.filter(uid=orgunit_uid).first()
        if unit is None:
            raise ValidationError(
                _("Unknown unit: “%(uid)s”.") % {"uid": orgunit_uid}, code="unknown_orgunit"
            )
        unit_ids = set(
            OrgUnitClosure.objects.filter(ancestor=unit).values_list("descendant_id", flat=True)
        ) | {unit.pk}
    return list(chosen.distinct()), unit_ids


def queue_run(user, rule_ids: list[int]) -> None:
    """A run over the whole store, by the worker after the request commits."""
    if not permits(user, RuleViolation, "run"):
        raise denied(RuleViolation, "run")
    from dieuhanh.quality.tasks import run_rules_for

    transaction.on_commit(lambda: run_rules_for.delay(user.pk, rule_ids))


def violations(user, *, rule=None, group=None, orgunit_uid=None, period=None, importance=None):
    """The stored violations the user may see."""
    from dieuhanh.orgunits.models import OrgUnitClosure

    queryset = RuleViolation.objects.restrict(user, "view").select_related("rule", "orgunit")
    if rule:
        queryset = queryset.filter(rule__code=rule)
    if group:
        queryset = queryset.filter(rule__groups__code=group)
    if importance:
        queryset = queryset.filter(rule__importance=importance)
    if period:
        queryset = queryset.filter(period=period)
    if orgunit_uid:
        unit = OrgUnit.objects.filter(uid=orgunit_uid).first()
        if unit is None:
            raise ValidationError(
                _("Unknown unit: “%(uid)s”.") % {"uid": orgunit_uid}, code="unknown_orgunit"
            )
        queryset = queryset.filter(
            orgunit_id__in=OrgUnitClosure.objects.filter(ancestor=unit).values("descendant_id")
        )
    return queryset.order_by("-period_start", "orgunit__name", "rule__code")


# --- after an import --------------------------------------------------------------------------
def check_import(sender, job, reports, **kwargs) -> None:
    """Receiver of ``datavalues.signals.values_imported``: the rules over the reports the
    import wrote to, the violations stored, their number kept on the job for its page. A
    failure here is logged; it never fails an import that has committed."""
    from dieuhanh.datavalues.models import ImportJob

    unit_ids = {unit_id for unit_id, _period in reports}
    codes = {period for _unit_id, period in reports}
    try:
        run(None, unit_ids=unit_ids, period_codes=codes)
        found = RuleViolation.objects.filter(orgunit_id__in=unit_ids, period__in=codes).count()
    except Exception:
        logger.exception("validation rules after import %s", job.pk)
        return
    ImportJob.objects.filter(pk=job.pk).update(
        checked={"units": sorted(unit_ids), "periods": sorted(codes), "violations": found}
    )


def job_violations(user, job, limit: int = 50):
    """(how many, the first ``limit``) violations the user may see in the reports an import
    wrote to, or None when the job was not checked."""
    checked = job.checked or {}
    if "units" not in checked or not permits(user, RuleViolation, "view"):
        return None
    found = violations(user).filter(orgunit_id__in=checked["units"], period__in=checked["periods"])
    return found.count(), list(found[:limit])
