"""The ingest engine: every channel's values (web form, spreadsheets, the native API, the
DHIS2-compatible API, the demo generator) are written here and nowhere else.

A source yields ``RawValue`` tuples. The engine reads them in chunks. For each row it
resolves the identifiers with in-memory lookups built once per import and applies the
rules that depend on the catalog, the structure and the caller (scope, period open, value
type, disaggregation, reporting level, locks); a refused row becomes a conflict and never
stops the others. The valid rows of a chunk are loaded into a temporary table (``COPY`` on
PostgreSQL) and written with a handful of set-based statements: classify against the
stored values (create, update, unchanged, delete, refused because approved), insert,
update, soft-delete and append the audit trail. Each chunk commits on its own with the
job's counters, unless the caller asked for all-or-nothing.

Concurrency: before reading the stored values a chunk takes transaction-scoped advisory
locks on its (indicator, unit) pairs in a fixed order (PostgreSQL), or the database's write
lock (SQLite, ``transaction_mode=IMMEDIATE``), so two writers of the same cell serialise:
the last to commit wins and each leaves its own audit row with the value it replaced.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.catalog.models import (
    DEFAULT_COMBINATION_UID,
    LEVEL_UNIT_KINDS,
    Indicator,
    OptionCombination,
    RegimeIndicator,
    ReportingRegime,
    Status,
    ValueType,
)
from dieuhanh.core import periods
from dieuhanh.core.middleware import current_request_id
from dieuhanh.datavalues.models import (
    DECIMAL_PLACES,
    MAX_DIGITS,
    AuditKind,
    ChangedCell,
    Channel,
    DataValue,
    DataValueAudit,
    ImportIssue,
    ImportJob,
    LockScope,
    ValueStatus,
    lock_message,
    period_lock_scopes,
    report_lock_scopes,
)
from dieuhanh.orgunits.models import OrgUnit

CHUNK_SIZE = 50_000
MAX_TEXT = 50_000
MAX_COMMENT = 50_000


class Strategy:
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    CREATE_AND_UPDATE = "CREATE_AND_UPDATE"
    DELETE = "DELETE"
    ALL = (CREATE, UPDATE, CREATE_AND_UPDATE, DELETE)


class Scheme:
    UID = "uid"
    CODE = "code"
    AUTO = "auto"  # uid when one matches, else code
    ALL = (UID, CODE, AUTO)


class RawValue(NamedTuple):
    """One value as a source read it; identifiers are uid or code per the import's schemes.
    ``None`` means "not given" (the set-level default applies; comment and follow-up keep
    their stored value)."""

    index: int
    line: int | None
    indicator: str | None
    period: str | None
    orgunit: str | None
    combination: str | None
    attribute: str | None
    value: str | None
    comment: str | None = None
    followup: bool | None = None
    deleted: bool | None = None


@dataclass
class ImportOptions:
    strategy: str = Strategy.CREATE_AND_UPDATE
    dry_run: bool = False
    atomic: bool = False
    indicator_scheme: str = Scheme.UID
    orgunit_scheme: str = Scheme.UID
    combination_scheme: str = Scheme.UID
    status: str = ValueStatus.SUBMITTED
    chunk_size: int = CHUNK_SIZE
    # Set-level defaults (DHIS2's dataSet, period, orgUnit, attributeOptionCombo).
    regime: str | None = None
    period: str | None = None
    orgunit: str | None = None
    attribute: str | None = None
    # Rules that a trusted loader (the demo generator) may skip: capture scope and the
    # open-future check. Never set from a request.
    trusted: bool = False

    def as_dict(self) -> dict:
        return {
            "strategy": self.strategy,
            "dry_run": self.dry_run,
            "atomic": self.atomic,
            "indicator_scheme": self.indicator_scheme,
            "orgunit_scheme": self.orgunit_scheme,
            "combination_scheme": self.combination_scheme,
            "regime": self.regime,
            "period": self.period,
            "orgunit": self.orgunit,
        }


@dataclass
class Conflict:
    index: int
    line: int | None
    code: str
    property: str
    object: str
    message: str


@dataclass(frozen=True)
class Refusal:
    """Why rows are refused, before knowing which row: cached per identifier."""

    code: str
    property: str
    object: str
    message: str

    def at(self, raw: RawValue) -> Conflict:
        return Conflict(raw.index, raw.line, self.code, self.property, self.object, self.message)


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    refused: int = 0
    skipped: int = 0  # existing values under CREATE, new ones under UPDATE, missing deletes
    chunks: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    # (unit id, period code) of the reports the import wrote to: checked against the
    # validation rules once the job is done.
    reports: set[tuple[int, str]] = field(default_factory=set)
    rolled_back: bool = False
    error: str = ""
    dry_run: bool = False

    @property
    def ignored(self) -> int:
        return self.unchanged + self.refused + self.skipped

    @property
    def status(self) -> str:
        if self.rolled_back or self.error:
            return "ERROR"
        return "WARNING" if self.conflicts else "SUCCESS"

    def add(self, other: ImportResult) -> None:
        for name in ("created", "updated", "unchanged", "deleted", "refused", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class ImportAborted(Exception):
    """All-or-nothing import with a refused row: everything is rolled back."""


# --- error codes (DHIS2's where one exists) ------------------------------------------------
E_REGIME = "E7600"
E_ATTRIBUTE = "E7609"
E_INDICATOR = "E7610"
E_PERIOD = "E7611"
E_ORGUNIT = "E7612"
E_COMBINATION = "E7613"
E_SCOPE = "E7617"
E_EMPTY = "E7618"
E_VALUE = "E7619"
E_COMMENT = "E7620"
E_NOT_IN_DISAGGREGATION = "E7622"
E_LEVEL = "E7624"
E_CLOSED = "E7625"
E_FUTURE = "E7626"
E_UNIT_DATES = "E7629"
E_APPROVED = "E7633"
E_LOCKED = "E7634"
E_DUPLICATE = "E7650"
E_DERIVED = "E7651"
E_PERIOD_TYPE = "E7652"


def _number_text(raw: str) -> tuple[str | None, str | None]:
    """(normalised number text, error) for a numeric value given as text."""
    text = raw.strip()
    if not text or not text.isascii() or "_" in text:
        return None, _("“%(value)s” is not a number.") % {"value": raw}
    try:
        number = float(text)
    except ValueError:
        return None, _("“%(value)s” is not a number.") % {"value": raw}
    if not math.isfinite(number):
        return None, _("“%(value)s” is not a finite number.") % {"value": raw}
    plain = text.lstrip("+-")
    if "e" in plain or "E" in plain or text[0] == "+" or plain[:1] == "." or plain[-1:] == ".":
        from decimal import Decimal

        text = format(Decimal(text), "f")
        plain = text.lstrip("-")
    whole, _dot, fraction = plain.partition(".")
    if fraction:
        fraction = fraction.rstrip("0")
        if len(fraction) > DECIMAL_PLACES:
            return None, _("“%(value)s” has more than %(places)d decimal places.") % {
                "value": raw,
                "places": DECIMAL_PLACES,
            }
    whole = whole.lstrip("0") or "0"
    if len(whole) > MAX_DIGITS - DECIMAL_PLACES:
        return None, _("“%(value)s” is too large.") % {"value": raw}
    sign = "-" if text[0] == "-" and (whole != "0" or fraction) else ""
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}", None


# Text that a spreadsheet program would run as a formula: refused on every channel, so that
# an export of our data can never carry an attack into someone's Excel.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str | None) -> bool:
    if not text or text[0] not in FORMULA_START:
        return False
    if text[0] in "+-":  # a signed number is a number
        body = text[1:].strip().replace(",", "").replace(".", "")
        return not body.isdigit()
    return True


NUMERIC_TYPES = {ValueType.NUMBER, ValueType.INTEGER, ValueType.PERCENT, ValueType.INDEX}
TRUE_WORDS = {"true", "1", "yes", "có", "x"}
FALSE_WORDS = {"false", "0", "no", "không"}


@dataclass
class IndicatorInfo:
    id: int
    code: str
    uid: str
    value_type: str
    period_type: str
    kinds: frozenset[str]
    combinations: frozenset[int]
    status: str
    valid_to: datetime.date | None
    derived: bool
    regimes: frozenset[int]
    last_open_start: datetime.date | None  # latest period start open for data (future rule)
    numeric: bool = False  # a number, integer, percentage or index: plain digits are valid


@dataclass
class UnitInfo:
    id: int
    uid: str
    code: str
    name: str
    kind: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class Resolver:
    """The lookups and rules of one import, built once from the catalog, the structure and
    the caller; ``check`` turns a RawValue into a staged row or a Conflict."""

    def __init__(self, user, options: ImportOptions, today: datetime.date | None = None):
        from dieuhanh.accounts.scopes import scope_unit_ids

        self.options = options
        self.today = today or timezone.localdate()
        self.scope = None if options.trusted else scope_unit_ids(user, "add")
        if getattr(user, "is_superuser", False):
            self.scope = None
        self._load_catalog(user)
        self._load_units()
        self._load_locks()
        self.period_cache: dict[str, periods.Period | None] = {}
        self.unit_cache: dict[tuple[str, str], tuple[UnitInfo | None, str | None]] = {}
        self._indicator_periods: dict[tuple, tuple | Refusal] = {}
        self._unit_periods: dict[tuple, UnitInfo | Refusal] = {}
        self._combinations: dict[tuple, int | Refusal] = {}
        self.seen: set[int] = set()
        self.regime_id: int | None = None
        if options.regime:
            regime = self._find_regime(options.regime)
            self.regime_id = regime.pk if regime else None
            self.regime_error = None if regime else options.regime

    # --- loading ---------------------------------------------------------------------------
    def _find_regime(self, reference: str):
        return (
            ReportingRegime.objects.filter(uid=reference).first()
            or ReportingRegime.objects.filter(code=reference).first()
        )

    def _load_catalog(self, user) -> None:
        combos_by_disaggregation: dict[int, set[int]] = {}
        self.combination_by_uid: dict[str, int] = {}
        self.combination_by_code: dict[str, dict[int, int]] = {}
        self.combination_label: dict[int, str] = {}
        for combo_id, uid, code, disaggregation_id, name in OptionCombination.objects.values_list(
            "id", "uid", "code", "disaggregation_id", "name"
        ):
            combos_by_disaggregation.setdefault(disaggregation_id, set()).add(combo_id)
            self.combination_by_uid[uid] = combo_id
            self.combination_by_code.setdefault(code, {})[disaggregation_id] = combo_id
            self.combination_label[combo_id] = name
        self.default_combination = self.combination_by_uid.get(DEFAULT_COMBINATION_UID)
        regime_items: dict[int, set[int]] = {}
        item_disaggregations: dict[int, set[int]] = {}
        for indicator_id, regime_id, disaggregation_id in RegimeIndicator.objects.values_list(
            "indicator_id", "section__regime_id", "disaggregation_id"
        ):
            regime_items.setdefault(indicator_id, set()).add(regime_id)
            item_disaggregations.setdefault(indicator_id, set()).add(disaggregation_id)
        open_future = dict(ReportingRegime.objects.values_list("id", "open_future_periods"))
        self.indicators_by_uid: dict[str, IndicatorInfo] = {}
        self.indicators_by_code: dict[str, IndicatorInfo] = {}
        visible = Indicator.objects.restrict(user, "view") if not self.options.trusted else None
        queryset = visible if visible is not None else Indicator.objects.all()
        for row in queryset.values(
            "id",
            "uid",
            "code",
            "value_type",
            "period_type",
            "levels",
            "disaggregation_id",
            "status",
            "valid_to",
            "formula",
        ):
            kinds = frozenset(
                kind for level in row["levels"] or () for kind in LEVEL_UNIT_KINDS.get(level, ())
            )
            combinations = set(combos_by_disaggregation.get(row["disaggregation_id"], ()))
            for disaggregation_id in item_disaggregations.get(row["id"], ()):
                combinations |= combos_by_disaggregation.get(disaggregation_id, set())
            regimes = frozenset(regime_items.get(row["id"], ()))
            future = max((open_future.get(r, 0) for r in regimes), default=0)
            current = periods.for_date(row["period_type"], self.today, hour=23)
            info = IndicatorInfo(
                id=row["id"],
                code=row["code"],
                uid=row["uid"],
                value_type=row["value_type"],
                period_type=row["period_type"],
                kinds=kinds,
                combinations=frozenset(combinations),
                status=row["status"],
                valid_to=row["valid_to"],
                derived=bool((row["formula"] or "").strip()),
                regimes=regimes,
                last_open_start=current.shift(future).start,
                numeric=row["value_type"] in NUMERIC_TYPES,
            )
            self.indicators_by_uid[info.uid] = info
            self.indicators_by_code[info.code] = info

    def _load_units(self) -> None:
        self.units_by_uid: dict[str, UnitInfo] = {}
        self.units_by_code: dict[str, list[UnitInfo]] = {}
        for row in OrgUnit.objects.values_list(
            "id", "uid", "code", "name", "kind", "valid_from", "valid_to"
        ):
            unit = UnitInfo(*row)
            self.units_by_uid[unit.uid] = unit
            self.units_by_code.setdefault(unit.code, []).append(unit)

    def _load_locks(self) -> None:
        self.locks = period_lock_scopes()
        self.report_locks: dict[str, list[LockScope]] = {}

    def refuse_final_reports(self, chunk, staged: list, conflicts: list, text):
        """Refuse the staged rows that belong to a report approved or accepted (and not
        unlocked): (rows kept, their COPY text). Runs in the caller's thread, since it reads
        the reports of the chunk's periods (once per import and period); a chunk without
        such reports costs one pass over its period codes."""
        if not staged:
            return staged, text
        codes = {row[5] for row in staged}
        unread = codes - self.report_locks.keys()
        if unread:
            found = report_lock_scopes(unread)
            for code in unread:
                self.report_locks[code] = found.get(code, [])
        if not any(self.report_locks[code] for code in codes):
            return staged, text
        regimes = {info.id: info.regimes for info in self.indicators_by_uid.values()}
        names = {unit.id: unit.name for unit in self.units_by_uid.values()}
        lines = {raw.index: raw.line for raw in chunk}
        kept = []
        for row in staged:
            lock = next(
                (
                    lock
                    for lock in self.report_locks[row[5]]
                    if lock.covers(regimes.get(row[1], ()), row[4])
                ),
                None,
            )
            if lock is None:
                kept.append(row)
                continue
            conflicts.append(
                Conflict(
                    row[0],
                    lines.get(row[0]),
                    E_APPROVED,
                    "period",
                    row[5],
                    lock_message(lock, row[5], names.get(row[4], "")),
                )
            )
        conflicts.sort(key=lambda conflict: conflict.index)
        if len(kept) < len(staged) and text is not None:
            text = copy_text(kept) if kept else None
        return kept, text

    # --- resolution --------------------------------------------------------------------------
    def _indicator(self, reference: str) -> IndicatorInfo | None:
        scheme = self.options.indicator_scheme
        if scheme == Scheme.CODE:
            return self.indicators_by_code.get(reference)
        found = self.indicators_by_uid.get(reference)
        if found is None and scheme == Scheme.AUTO:
            found = self.indicators_by_code.get(reference)
        return found

    def _period(self, code: str) -> periods.Period | None:
        try:
            return self.period_cache[code]
        except KeyError:
            try:
                period = periods.parse(code)
            except periods.PeriodError:
                period = None
            self.period_cache[code] = period
            return period

    def _unit(self, reference: str, period: periods.Period) -> tuple[UnitInfo | None, str | None]:
        """The unit a reference names for ``period``: by uid, or by a code, which names the
        unit of that code that existed during the period (codes were reused in 2025)."""
        key = (reference, period.code)
        cached = self.unit_cache.get(key)
        if cached is not None:
            return cached
        scheme = self.options.orgunit_scheme
        unit = None if scheme == Scheme.CODE else self.units_by_uid.get(reference)
        if unit is None and scheme != Scheme.UID:
            candidates = self.units_by_code.get(reference, ())
            living = [u for u in candidates if _overlaps(u, period)]
            if len(living) > 1:  # prefer the unit that exists on the period's last day
                living = [
                    u
                    for u in living
                    if (u.valid_from is None or u.valid_from <= period.end)
                    and (u.valid_to is None or u.valid_to >= period.end)
                ] or living[:1]
            unit = living[0] if living else (candidates[0] if candidates else None)
        result = (unit, None)
        self.unit_cache[key] = result
        return result

    def _combination(self, reference: str | None, indicator: IndicatorInfo) -> int | None:
        if reference is None or reference == "":
            return self.default_combination
        scheme = self.options.combination_scheme
        if scheme != Scheme.CODE:
            found = self.combination_by_uid.get(reference)
            if found is not None or scheme == Scheme.UID:
                return found
        by_disaggregation = self.combination_by_code.get(reference)
        if not by_disaggregation:
            return None
        for combo_id in by_disaggregation.values():
            if combo_id in indicator.combinations:
                return combo_id
        return next(iter(by_disaggregation.values()))

    # --- the rules -------------------------------------------------------------------------
    def check(self, raw: RawValue) -> tuple | Conflict:
        """A staged row (see ``STAGE_COLUMNS``) or the Conflict refusing it.

        The hot path of every import: what depends only on (indicator, period), on
        (unit, period) or on (disaggregation, indicator) is resolved once and cached, so a
        row costs a few dictionary lookups and the check of its value."""
        options = self.options
        period_code = raw.period or options.period or ""
        key = (raw.indicator, period_code)
        found = self._indicator_periods.get(key)
        if found is None:
            found = self._indicator_periods[key] = self._indicator_period(
                raw.indicator, period_code
            )
        if type(found) is Refusal:
            return found.at(raw)
        indicator, period, period_key = found
        unit_reference = raw.orgunit or options.orgunit or ""
        key = (unit_reference, period_code)
        unit = self._unit_periods.get(key)
        if unit is None:
            unit = self._unit_periods[key] = self._unit_period(unit_reference, period)
        if type(unit) is Refusal:
            return unit.at(raw)
        if unit.kind not in indicator.kinds:
            return Refusal(
                E_LEVEL,
                "orgUnit",
                unit_reference,
                _("%(unit)s does not report indicator “%(indicator)s” at its level.")
                % {"unit": unit.name, "indicator": indicator.code},
            ).at(raw)
        key = (raw.combination, indicator.id)
        combination = self._combinations.get(key)
        if combination is None:
            combination = self._combinations[key] = self._combination_of(raw.combination, indicator)
        if type(combination) is Refusal:
            return combination.at(raw)
        attribute = self.default_combination
        attribute_reference = raw.attribute or options.attribute
        if attribute_reference and attribute_reference not in (DEFAULT_COMBINATION_UID, "default"):
            return Refusal(
                E_ATTRIBUTE,
                "attributeOptionCombo",
                attribute_reference,
                _("Attribute option combination not found or not accessible: “%(code)s”.")
                % {"code": attribute_reference},
            ).at(raw)
        if self.locks and period.code in self.locks:
            for lock in self.locks[period.code]:
                if lock.covers(indicator.regimes, unit.id):
                    return Refusal(
                        E_LOCKED, "period", period.code, lock_message(lock, period.code, unit.name)
                    ).at(raw)
        remove = bool(raw.deleted) or options.strategy == Strategy.DELETE
        comment = raw.comment
        if comment:
            if len(comment) > MAX_COMMENT:
                return Refusal(
                    E_COMMENT,
                    "comment",
                    indicator.code,
                    _("The comment is longer than %(n)d characters.") % {"n": MAX_COMMENT},
                ).at(raw)
            if comment[0] in FORMULA_START and looks_like_formula(comment):
                return Refusal(
                    E_COMMENT,
                    "comment",
                    comment[:50],
                    _("The comment looks like a spreadsheet formula; it is refused."),
                ).at(raw)
        number = text = None
        value = raw.value
        has_value = value is not None and value != ""
        if not remove:
            if not has_value:
                if not comment:
                    return Refusal(
                        E_EMPTY,
                        "value",
                        indicator.code,
                        _("Neither a value nor a comment for indicator “%(indicator)s”.")
                        % {"indicator": indicator.code},
                    ).at(raw)
            elif indicator.numeric and value.isascii() and value.isdigit() and len(value) < 19:
                number = value.lstrip("0") or "0"  # the common case: a plain whole number
            else:
                number, text, error = self._value(value, indicator)
                if error:
                    return Refusal(E_VALUE, "value", value, error).at(raw)
        cell = ((indicator.id << 32 | unit.id) << 40 | period_key) << 64 | (
            combination << 32 | attribute
        )
        if cell in self.seen:
            return Refusal(
                E_DUPLICATE,
                "value",
                f"{indicator.code}/{period.code}/{unit_reference}",
                _(
                    "The same value (indicator, period, unit, disaggregation) appears earlier "
                    "in this import; only the first is kept."
                ),
            ).at(raw)
        self.seen.add(cell)
        return (
            raw.index,
            indicator.id,
            combination,
            attribute,
            unit.id,
            period.code,
            period.start,
            period.end,
            number,
            text,
            has_value,
            comment,
            raw.followup,
            remove,
            text if text is not None else number,
        )

    def _indicator_period(self, reference: str | None, period_code: str):
        """(indicator, period, period key) or the Refusal of every row naming them."""
        options = self.options
        if options.regime and self.regime_id is None:
            return Refusal(
                E_REGIME,
                "dataSet",
                options.regime,
                _("Reporting regime not found: “%(code)s”.") % {"code": options.regime},
            )
        indicator = self._indicator(reference) if reference else None
        if indicator is None:
            return Refusal(
                E_INDICATOR,
                "dataElement",
                reference or "",
                _("Indicator not found or not accessible: “%(code)s”.") % {"code": reference or ""},
            )
        if indicator.derived:
            return Refusal(
                E_DERIVED,
                "dataElement",
                reference,
                _("Indicator “%(code)s” is computed from a formula and takes no values.")
                % {"code": indicator.code},
            )
        period = self._period(period_code)
        if period is None:
            return Refusal(
                E_PERIOD,
                "period",
                period_code,
                _("Period not valid: “%(code)s”.") % {"code": period_code},
            )
        if period.type != indicator.period_type:
            return Refusal(
                E_PERIOD_TYPE,
                "period",
                period_code,
                _("Indicator “%(indicator)s” is reported %(type)s, not for period “%(code)s”.")
                % {
                    "indicator": indicator.code,
                    "type": periods.PeriodType(indicator.period_type).label.lower(),
                    "code": period_code,
                },
            )
        if indicator.status == Status.DRAFT or (
            indicator.status == Status.RETIRED
            and (indicator.valid_to is None or period.start > indicator.valid_to)
        ):
            return Refusal(
                E_CLOSED,
                "dataElement",
                reference,
                _("Indicator “%(indicator)s” is not open for period %(period)s.")
                % {"indicator": indicator.code, "period": period.code},
            )
        if not options.trusted and period.start > indicator.last_open_start:
            return Refusal(
                E_FUTURE,
                "period",
                period.code,
                _("Period %(period)s is in the future and not open for indicator “%(indicator)s”.")
                % {"period": period.code, "indicator": indicator.code},
            )
        return indicator, period, _period_key(period)

    def _unit_period(self, reference: str, period: periods.Period):
        """The unit a reference names for a period, within the caller's scope and alive
        during the period, or the Refusal."""
        unit, _unused = self._unit(reference, period)
        if unit is None:
            return Refusal(
                E_ORGUNIT,
                "orgUnit",
                reference,
                _("Organisation unit not found: “%(code)s”.") % {"code": reference},
            )
        if self.scope is not None and unit.id not in self.scope:
            return Refusal(
                E_SCOPE,
                "orgUnit",
                reference,
                _("You may not report for %(unit)s: it is outside your capture scope.")
                % {"unit": unit.name},
            )
        if not _overlaps(unit, period):
            return Refusal(
                E_UNIT_DATES,
                "orgUnit",
                reference,
                _("%(unit)s did not exist during period %(period)s.")
                % {"unit": unit.name, "period": period.code},
            )
        return unit

    def _combination_of(self, reference: str | None, indicator: IndicatorInfo):
        combination = self._combination(reference, indicator)
        if combination is None:
            return Refusal(
                E_COMBINATION,
                "categoryOptionCombo",
                reference or "",
                _("Disaggregation not found: “%(code)s”.") % {"code": reference},
            )
        if combination not in indicator.combinations:
            return Refusal(
                E_NOT_IN_DISAGGREGATION,
                "categoryOptionCombo",
                reference or "",
                _("“%(option)s” is not a disaggregation of indicator “%(indicator)s”.")
                % {
                    "option": self.combination_label.get(combination, reference),
                    "indicator": indicator.code,
                },
            )
        return combination

    def _value(self, value: str, indicator: IndicatorInfo):
        value_type = indicator.value_type
        if value_type == ValueType.TEXT:
            if len(value) > MAX_TEXT:
                return None, None, _("The text is longer than %(n)d characters.") % {"n": MAX_TEXT}
            if looks_like_formula(value):
                return None, None, _("The text looks like a spreadsheet formula; it is refused.")
            return None, value, None
        if value_type == ValueType.BOOLEAN:
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return "1", None, None
            if word in FALSE_WORDS:
                return "0", None, None
            return None, None, _("“%(value)s” is not yes or no (true/false).") % {"value": value}
        number, error = _number_text(value)
        if error:
            return None, None, error
        if value_type == ValueType.INTEGER and "." in number:
            return None, None, _("“%(value)s” is not a whole number.") % {"value": value}
        return number, None, None


def _overlaps(unit: UnitInfo, period: periods.Period) -> bool:
    return (unit.valid_from is None or unit.valid_from <= period.end) and (
        unit.valid_to is None or unit.valid_to >= period.start
    )


def _period_key(period: periods.Period) -> int:
    """A number unique to a period (its start day, type and hour) for duplicate detection."""
    return (period.start.toordinal() << 8) | (periods.ORDER[period.type] << 5) | (period.hour or 0)


# --- the set-based writer --------------------------------------------------------------------
STAGE_COLUMNS = (
    "idx",
    "indicator_id",
    "combination_id",
    "attribute_id",
    "orgunit_id",
    "period",
    "period_start",
    "period_end",
    "number",
    "text",
    "has_value",
    "comment",
    "followup",
    "remove",
    "shown",
)


# Planner settings turned off while a chunk is planned and written (PostgreSQL).
PLAN_SETTINGS = ("enable_hashjoin", "enable_mergejoin", "enable_memoize", "jit")


class Writer:
    """Writes staged rows with set-based SQL on the current connection."""

    def __init__(self, user, options: ImportOptions, job: ImportJob | None):
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.user_name = user.get_username() if self.user else ""
        self.options = options
        self.job_id = job.pk if job else None
        self.channel = Channel.current()
        request_id = current_request_id.get()
        self.request_id = "" if request_id == "-" else request_id
        self.vendor = connection.vendor
        self.values = DataValue._meta.db_table
        self.audit = DataValueAudit._meta.db_table
        self.changed = ChangedCell._meta.db_table

    # --- staging -----------------------------------------------------------------------------
    def stage(self, rows: list[tuple], text: bytes | None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS dv_stage")
            number_type = "numeric" if self.vendor == "postgresql" else "NUMERIC"
            cursor.execute(
                "CREATE TEMP TABLE dv_stage (idx bigint, indicator_id bigint, "
                "combination_id bigint, attribute_id bigint, orgunit_id bigint, "
                f"period varchar(20), period_start date, period_end date, number {number_type}, "
                "text text, has_value boolean, comment text, followup boolean, remove boolean, "
                "shown text)"
            )
            if self.vendor == "postgresql":
                # The reader thread usually prepared the text already.
                self._copy(cursor, text if text is not None else copy_text(rows))
                # A chunk's cells are looked up (and written) through the values' indexes,
                # one probe per staged row. Left to itself, the planner hashes the whole
                # values table for every chunk once it holds more rows than its statistics
                # say (after any bulk load): 1 s per chunk at a million values, growing
                # with the store. Memoising the probes never hits (every cell is distinct),
                # and JIT compilation costs more than it saves on these statements.
                for setting in PLAN_SETTINGS:
                    cursor.execute(f"SET LOCAL {setting} = off")
            else:
                cursor.executemany(
                    f"INSERT INTO dv_stage VALUES ({', '.join(['%s'] * len(STAGE_COLUMNS))})",
                    rows,
                )

    def _copy(self, cursor, text: bytes) -> None:
        """COPY the staged rows' text (``copy_text``) in one call, which releases the GIL."""
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with raw.copy(f"COPY dv_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
            copy.write(text)

    # --- planning --------------------------------------------------------------------------
    def _plan_query(self) -> str:
        """The staged rows joined with the stored values, each with its action: create,
        update, restore, delete, unchanged, skip (not for this strategy) or approved
        (refused: the stored value is read-only)."""
        strategy = self.options.strategy
        differs = "IS DISTINCT FROM" if self.vendor == "postgresql" else "IS NOT"
        read_only = ", ".join(f"'{s}'" for s in ValueStatus.read_only())
        status = self.options.status
        changed = (
            f"(d.deleted OR (s.has_value AND (s.number {differs} d.number "
            f"OR s.text {differs} d.text)) "
            f"OR (s.comment IS NOT NULL AND s.comment {differs} d.comment) "
            f"OR (s.followup IS NOT NULL AND s.followup {differs} d.followup) "
            # a draft becoming submitted is a change; nothing else about status is
            f"OR (d.status = '{ValueStatus.DRAFT}' AND '{status}' <> '{ValueStatus.DRAFT}'))"
        )
        create = "'skip'" if strategy == Strategy.UPDATE else "'create'"
        update = "'skip'" if strategy == Strategy.CREATE else "'update'"
        restore = "'skip'" if strategy == Strategy.UPDATE else "'restore'"
        action = f"""CASE
            WHEN s.remove THEN CASE
                WHEN d.id IS NULL OR d.deleted THEN 'skip'
                WHEN d.status IN ({read_only}) THEN 'approved'
                ELSE 'delete' END
            WHEN d.id IS NULL THEN {create}
            WHEN NOT {changed} THEN 'unchanged'
            WHEN d.status IN ({read_only}) THEN 'approved'
            WHEN d.deleted THEN {restore}
            ELSE {update} END"""
        if self.vendor == "postgresql":
            old_value = "trim_scale(d.number)::text"
        else:
            old_value = (
                "CASE WHEN d.number = CAST(d.number AS INTEGER) "
                "THEN CAST(CAST(d.number AS INTEGER) AS TEXT) ELSE CAST(d.number AS TEXT) END"
            )
        return f"""SELECT s.*, d.id AS old_id, COALESCE(d.text, {old_value}) AS old_shown,
                   d.comment AS old_comment, {action} AS action, {self._new_id()} AS new_id
            FROM dv_stage s LEFT JOIN {self.values} d
              ON d.indicator_id = s.indicator_id AND d.period = s.period
             AND d.orgunit_id = s.orgunit_id AND d.combination_id = s.combination_id
             AND d.attribute_id = s.attribute_id"""

    def _new_id(self) -> str:
        """The id a new value will get, allocated in the plan so that the audit rows can
        name it without joining back (the cells are locked, so nobody else creates them).
        Rows that exist get none."""
        if self.vendor == "postgresql":
            sequence = f"pg_get_serial_sequence('{self.values}', 'id')"
            return f"CASE WHEN d.id IS NULL THEN nextval({sequence}) END"
        used = f"(SELECT seq FROM sqlite_sequence WHERE name = '{self.values}')"
        base = f"(SELECT MAX(COALESCE({used}, 0), COALESCE(MAX(id), 0)) FROM {self.values})"
        return (
            f"CASE WHEN d.id IS NULL THEN {base} + "
            "ROW_NUMBER() OVER (PARTITION BY d.id IS NULL ORDER BY s.idx) END"
        )

    def _writes(self) -> list[str]:
        """The statements that apply a plan (named ``p``): insert the new values, update
        and restore the changed ones, soft-delete, and append one audit row per change."""
        values = self.values
        return [
            f"""INSERT INTO {values} (id, indicator_id, combination_id, attribute_id,
                orgunit_id, period, period_start, period_end, number, text, comment,
                followup, status, deleted, channel, job_id, created_at, updated_at,
                created_by_id, updated_by_id)
            SELECT new_id, indicator_id, combination_id, attribute_id, orgunit_id, period,
                period_start, period_end, number, text, COALESCE(comment, ''),
                COALESCE(followup, FALSE), %(status)s, FALSE, %(channel)s, %(job)s,
                %(now)s, %(now)s, %(user)s, %(user)s
            FROM p WHERE action = 'create'""",
            f"""UPDATE {values} SET
                number = CASE WHEN p.has_value THEN p.number ELSE {values}.number END,
                text = CASE WHEN p.has_value THEN p.text ELSE {values}.text END,
                comment = COALESCE(p.comment, {values}.comment),
                followup = COALESCE(p.followup, {values}.followup),
                status = %(status)s, deleted = FALSE, channel = %(channel)s,
                job_id = %(job)s, updated_at = %(now)s, updated_by_id = %(user)s
            FROM p WHERE {values}.id = p.old_id AND p.action IN ('update', 'restore')""",
            f"""UPDATE {values} SET deleted = TRUE, channel = %(channel)s,
                job_id = %(job)s, updated_at = %(now)s, updated_by_id = %(user)s
            FROM p WHERE {values}.id = p.old_id AND p.action = 'delete'""",
            f"""INSERT INTO {self.audit} (value_id, kind, old_value, new_value, old_comment,
                new_comment, time, user_id, user_name, channel, job_id, request_id)
            SELECT COALESCE(p.old_id, p.new_id),
                CASE p.action WHEN 'create' THEN '{AuditKind.CREATE}'
                    WHEN 'update' THEN '{AuditKind.UPDATE}'
                    WHEN 'restore' THEN '{AuditKind.RESTORE}'
                    ELSE '{AuditKind.DELETE}' END,
                CASE WHEN p.action IN ('create', 'restore') THEN NULL ELSE p.old_shown END,
                CASE WHEN p.action = 'delete' THEN NULL
                    WHEN p.has_value THEN p.shown ELSE p.old_shown END,
                CASE WHEN p.action = 'create' THEN NULL ELSE p.old_comment END,
                CASE WHEN p.action = 'delete' THEN NULL
                    ELSE COALESCE(p.comment, p.old_comment, '') END,
                %(now)s, %(user)s, %(user_name)s, %(channel)s, %(job)s, %(request)s
            FROM p WHERE p.action IN ('create', 'update', 'restore', 'delete')""",
            # the cells whose numbers the analytics must bring up to date
            f"""INSERT INTO {self.changed} (indicator_id, orgunit_id, period, period_end)
            SELECT DISTINCT indicator_id, orgunit_id, period, period_end
            FROM p WHERE p.action IN ('create', 'update', 'restore', 'delete')""",
        ]

    def _params(self) -> dict:
        return {
            # as the ORM stores it (SQLite: naive UTC text), so that lookups compare alike
            "now": connection.ops.adapt_datetimefield_value(timezone.now()),
            "user": self.user.pk if self.user else None,
            "user_name": self.user_name,
            "channel": self.channel,
            "job": self.job_id,
            "request": self.request_id,
            "status": self.options.status,
        }

    def write(self, *, apply: bool) -> tuple[dict[str, int], list[int]]:
        """Plan the staged rows and, unless ``apply`` is false (a dry run), write them.
        Returns the count of rows per action and the indexes of the rows refused because
        their stored value is approved. On PostgreSQL this is one statement (the plan a
        materialised CTE, the writes data-modifying CTEs); SQLite, which has no such CTEs,
        keeps the plan in a temporary table and runs the writes one by one."""
        summary = "SELECT action, COUNT(*), {agg} FROM p GROUP BY action"
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                writes = ""
                if apply:
                    writes = "".join(
                        f", w{n} AS ({statement})" for n, statement in enumerate(self._writes())
                    )
                cursor.execute(
                    f"WITH p AS MATERIALIZED ({self._plan_query()}){writes} "
                    + summary.format(
                        agg="array_agg(idx ORDER BY idx) FILTER (WHERE action = 'approved')"
                    ),
                    self._params(),
                )
                rows = cursor.fetchall()
                return (
                    {action: count for action, count, _ in rows},
                    [i for _a, _c, indexes in rows for i in indexes or ()],
                )
            cursor.execute("DROP TABLE IF EXISTS p")
            cursor.execute(f"CREATE TEMP TABLE p AS {self._plan_query()}")
            cursor.execute(summary.format(agg="NULL"))
            counts = {action: count for action, count, _ in cursor.fetchall()}
            cursor.execute("SELECT idx FROM p WHERE action = 'approved' ORDER BY idx")
            approved = [row[0] for row in cursor.fetchall()]
            if apply:
                params = self._params()
                for statement in self._writes():
                    cursor.execute(statement, params)
            cursor.execute("DROP TABLE p")
            return counts, approved

    def lock(self) -> None:
        if self.vendor != "postgresql":
            return  # SQLite: the IMMEDIATE transaction already holds the write lock
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(pg_advisory_xact_lock(k.indicator_id::int, k.orgunit_id::int)) "
                "FROM (SELECT DISTINCT indicator_id, orgunit_id FROM dv_stage "
                "ORDER BY indicator_id, orgunit_id) k"
            )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS dv_stage")
            if self.vendor == "postgresql":  # the rest of the transaction plans freely
                for setting in PLAN_SETTINGS:
                    cursor.execute(f"RESET {setting}")


# --- the engine ------------------------------------------------------------------------------
def _chunks(rows: Iterable[RawValue], size: int) -> Iterator[list[RawValue]]:
    chunk: list[RawValue] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ingest(
    rows: Iterable[RawValue],
    user,
    options: ImportOptions,
    *,
    job: ImportJob | None = None,
    today: datetime.date | None = None,
    on_chunk=None,
) -> ImportResult:
    """Import ``rows`` for ``user``. Each chunk commits on its own (with the job's counters)
    unless ``options.atomic``: then one refused row rolls everything back. A dry run writes
    nothing and reports what would happen."""
    resolver = Resolver(user, options, today=today)
    writer = Writer(user, options, job)
    result = ImportResult(dry_run=options.dry_run)
    try:
        if options.atomic and not options.dry_run:
            with transaction.atomic():
                _run(rows, resolver, writer, result, job, on_chunk)
                if result.conflicts:
                    raise ImportAborted
        else:
            _run(rows, resolver, writer, result, job, on_chunk)
    except ImportAborted:
        result.rolled_back = True
        result.created = result.updated = result.deleted = 0
    return result


def _checked(rows, resolver: Resolver, size: int, as_copy: bool):
    """(chunk, staged rows, conflicts, the staged rows as COPY text or None) for each chunk
    of the source."""
    for chunk in _chunks(rows, size):
        staged = []
        conflicts: list[Conflict] = []
        for raw in chunk:
            checked = resolver.check(raw)
            if isinstance(checked, Conflict):
                conflicts.append(checked)
            else:
                staged.append(checked)
        yield chunk, staged, conflicts, copy_text(staged) if as_copy and staged else None


# COPY's text format: a backslash, tab, newline or carriage return inside a field is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if type(value) is str:
        return value.translate(_COPY_ESCAPES)
    return str(value)  # int, date (ISO), Decimal


def copy_text(staged: list[tuple]) -> bytes:
    """Staged rows (``STAGE_COLUMNS``) in COPY's text format. Built in the reader thread, so
    that the writing thread sends one buffer instead of adapting row by row while the reader
    wants the interpreter too. The fields that come from the payload (numbers as text, text
    values, comments) are escaped; ids, codes and dates need no escaping."""
    field = _copy_field
    dates: dict = {}
    lines = []
    append = lines.append
    for (
        idx,
        indicator_id,
        combination_id,
        attribute_id,
        orgunit_id,
        period,
        start,
        end,
        number,
        text,
        has_value,
        comment,
        followup,
        remove,
        shown,
    ) in staged:
        span = dates.get(period)
        if span is None:
            span = dates[period] = f"{period}\t{start.isoformat()}\t{end.isoformat()}"
        append(
            f"{idx}\t{indicator_id}\t{combination_id}\t{attribute_id}\t{orgunit_id}\t{span}\t"
            f"{field(number)}\t{field(text)}\t{'t' if has_value else 'f'}\t{field(comment)}\t"
            f"{field(followup)}\t{'t' if remove else 'f'}\t{field(shown)}\n"
        )
    return "".join(lines).encode()


_DONE = object()


def _read_ahead(produce):
    """Run a generator one item ahead in a thread: while the database writes a chunk, the
    next one is parsed and checked (the database call releases the GIL). Pure Python work
    only: the reading thread never touches the database. Errors reach the caller; the
    thread stops when the caller stops."""
    import queue
    import threading

    from django.utils import translation

    items: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    language = translation.get_language()

    def work():
        translation.activate(language)  # refusals in the caller's language
        try:
            for item in produce:
                while not stop.is_set():
                    try:
                        items.put((item, None), timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put((_DONE, None))
        except BaseException as error:  # handed to the caller, raised there
            items.put((_DONE, error))

    thread = threading.Thread(target=work, name="ingest-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, error = items.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                items.get_nowait()
            except queue.Empty:
                thread.join(0.1)


def _run(rows, resolver: Resolver, writer: Writer, result: ImportResult, job, on_chunk) -> None:
    as_copy = writer.vendor == "postgresql"
    for chunk, staged, conflicts, text in _read_ahead(
        _checked(rows, resolver, max(1, writer.options.chunk_size), as_copy)
    ):
        result.total += len(chunk)
        staged, text = resolver.refuse_final_reports(chunk, staged, conflicts, text)
        if not writer.options.dry_run:
            result.reports.update({(row[4], row[5]) for row in staged})
        chunk_result = ImportResult()
        with transaction.atomic():
            if staged:
                writer.stage(staged, text)
                writer.lock()
                counts, approved = writer.write(apply=not writer.options.dry_run)
                if approved:
                    by_index = {row[0]: row for row in staged}
                    lines = {raw.index: raw.line for raw in chunk}
                    for index in approved:
                        period = by_index[index][5]
                        conflicts.append(
                            Conflict(
                                index,
                                lines.get(index),
                                E_APPROVED,
                                "value",
                                period,
                                _(
                                    "The value for period %(period)s is approved and cannot "
                                    "be changed."
                                )
                                % {"period": period},
                            )
                        )
                writer.drop()
                chunk_result.created = counts.get("create", 0) + counts.get("restore", 0)
                chunk_result.updated = counts.get("update", 0)
                chunk_result.deleted = counts.get("delete", 0)
                chunk_result.unchanged = counts.get("unchanged", 0)
                chunk_result.skipped = counts.get("skip", 0)
            chunk_result.refused = len(conflicts)
            if job is not None and not writer.options.dry_run:
                _save_chunk(job, chunk_result, conflicts, len(chunk))
        result.add(chunk_result)
        result.conflicts.extend(conflicts)
        result.chunks += 1
        if on_chunk is not None:
            on_chunk(result)


def _save_chunk(job: ImportJob, chunk: ImportResult, conflicts: list[Conflict], rows: int) -> None:
    """The job's counters and refused rows, in the chunk's own transaction."""
    from django.db.models import F

    store_issues(job, conflicts)
    ImportJob.objects.filter(pk=job.pk).update(
        total=F("total") + rows,
        created=F("created") + chunk.created,
        updated=F("updated") + chunk.updated,
        unchanged=F("unchanged") + chunk.unchanged + chunk.skipped,
        deleted=F("deleted") + chunk.deleted,
        refused=F("refused") + chunk.refused,
        chunks=F("chunks") + 1,
        heartbeat_at=timezone.now(),
    )


def store_issues(job: ImportJob, conflicts: list[Conflict]) -> None:
    """The refused rows of an import, kept with its job."""
    ImportIssue.objects.bulk_create(
        [
            ImportIssue(
                job=job,
                index=c.index,
                line=c.line,
                code=c.code,
                property=c.property,
                object=c.object[:255],
                message=c.message,
            )
            for c in conflicts
        ],
        batch_size=5000,
    )
