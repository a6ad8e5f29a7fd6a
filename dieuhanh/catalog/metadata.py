"""Metadata exchange: the whole catalog as one JSON document, and indicators as CSV/Excel.

The document names every object by its code (organisation units by uid) so that it can move
between installations. ``import_catalog`` applies a document through the services, so an
import obeys the same rules and leaves the same audit trail as a person editing. It is
all-or-nothing: if one object is refused nothing is written. A dry run performs the whole
import and rolls it back, so that it reports exactly what a real run would do. Importing an
export changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.catalog import services
from dieuhanh.catalog.models import (
    DEFAULT_CODE,
    Category,
    Disaggregation,
    Indicator,
    IndicatorGroup,
    IndicatorGroupSet,
    MeasurementUnit,
    ReportingRegime,
)
from dieuhanh.core.audit import snapshot
from dieuhanh.core.querysets import denied, ensure_permitted, permits

FORMAT = "dieuhanh-catalog"
VERSION = 1
SECTIONS = ("units", "categories", "disaggregations", "group_sets", "indicators", "regimes")
SCALE = Decimal("0.000001")
SECTION_MODELS = {
    "units": MeasurementUnit,
    "categories": Category,
    "disaggregations": Disaggregation,
    "group_sets": IndicatorGroupSet,
    "indicators": Indicator,
    "regimes": ReportingRegime,
}

# Indicator columns in CSV and Excel, in order; lists are separated by ";".
INDICATOR_COLUMNS = (*services.INDICATOR_FIELDS, "groups")
LIST_COLUMNS = {"levels", "groups", "tags"}
ROW_KEY = "_row"  # the line of a table row, carried into refusals


class _Rollback(Exception):
    pass


@dataclass
class ImportReport:
    dry_run: bool
    created: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    updated: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "refused" if self.refused else ("dry_run" if self.dry_run else "imported")

    @property
    def changes(self) -> int:
        return sum(len(v) for v in self.created.values()) + sum(
            len(v) for v in self.updated.values()
        )

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "dry_run": self.dry_run,
            "changes": self.changes,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "refused": self.refused,
        }


# --- export -------------------------------------------------------------------------------
def _date(value):
    return value.isoformat() if value else None


def indicator_data(indicator: Indicator) -> dict:
    return {
        "code": indicator.code,
        "uid": indicator.uid,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "short_name": indicator.short_name,
        "unit": indicator.unit.code,
        "value_type": indicator.value_type,
        "decimals": indicator.decimals,
        "direction": indicator.direction,
        "period_type": indicator.period_type,
        "aggregation": indicator.aggregation,
        "weight": indicator.weight.code if indicator.weight else None,
        "time_aggregation": indicator.time_aggregation,
        "levels": list(indicator.levels),
        "disaggregation": indicator.disaggregation.code,
        "sensitivity": indicator.sensitivity,
        "groups": sorted(g.code for g in indicator.groups.all()),
        "tags": list(indicator.tags),
        "formula": indicator.formula,
        "formula_after_aggregation": indicator.formula_after_aggregation,
        "owner": indicator.owner.uid if indicator.owner else None,
        "legal_basis": indicator.legal_basis,
        "source_system": indicator.source_system,
        "definition": indicator.definition,
        "method": indicator.method,
        "status": indicator.status,
        "valid_from": _date(indicator.valid_from),
        "valid_to": _date(indicator.valid_to),
        "notes": indicator.notes,
    }


def regime_data(regime: ReportingRegime) -> dict:
    content = services.regime_content(regime)
    return {
        "code": regime.code,
        "uid": regime.uid,
        "name": regime.name,
        "name_en": regime.name_en,
        "description": regime.description,
        "legal_basis": regime.legal_basis,
        "legal_basis_date": _date(regime.legal_basis_date),
        "issuer": regime.issuer.uid if regime.issuer else None,
        "receiver": regime.receiver.uid if regime.receiver else None,
        "reporter_kinds": list(regime.reporter_kinds),
        "reporter_units": content["reporter_units"],
        "frequency": regime.frequency,
        "period_type": regime.period_type,
        "cutoff_rule": regime.cutoff_rule,
        "deadline_rule": regime.deadline_rule,
        "deadline_value": regime.deadline_value,
        "signature_required": regime.signature_required,
        "open_future_periods": regime.open_future_periods,
        "status": regime.status,
        "valid_from": _date(regime.valid_from),
        "valid_to": _date(regime.valid_to),
        "sections": [
            {
                "code": s["code"],
                "name": s["name"],
                "items": [
                    {"indicator": code, "disaggregation": disaggregation, "required": required}
                    for code, disaggregation, required in s["items"]
                ],
            }
            for s in content["sections"]
        ],
        "narrative": [
            {"number": number, "title": title, "guidance": guidance}
            for number, title, guidance in content["narrative"]
        ],
    }


def export_catalog(user) -> dict:
    """The catalog that ``user`` may see, as one document."""
    indicators = (
        Indicator.objects.restrict(user, "view")
        .select_related("unit", "weight", "disaggregation", "owner")
        .prefetch_related("groups")
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "name_en": u.name_en,
                "symbol": u.symbol,
                "base": u.base,
                "scale": str(u.scale.normalize()),
            }
            for u in MeasurementUnit.objects.restrict(user, "view")
        ],
        "categories": [
            {
                "code": c.code,
                "uid": c.uid,
                "name": c.name,
                "name_en": c.name_en,
                "options": [
                    {"code": o.code, "uid": o.uid, "name": o.name, "name_en": o.name_en}
                    for o in c.options.order_by("sort_order", "code")
                ],
            }
            for c in Category.objects.restrict(user, "view").exclude(code=DEFAULT_CODE)
        ],
        "disaggregations": [
            {
                "code": d.code,
                "uid": d.uid,
                "name": d.name,
                "name_en": d.name_en,
                "status": d.status,
                "categories": [c.code for c in services.ordered_categories(d)],
                "combinations": {c.code: c.uid for c in d.combinations.all()},
            }
            for d in Disaggregation.objects.restrict(user, "view").exclude(code=DEFAULT_CODE)
        ],
        "group_sets": [
            {
                "code": s.code,
                "name": s.name,
                "name_en": s.name_en,
                "legal_basis": s.legal_basis,
                "groups": [
                    {"code": g.code, "name": g.name, "name_en": g.name_en}
                    for g in s.groups.order_by("sort_order", "code")
                ],
            }
            for s in IndicatorGroupSet.objects.restrict(user, "view")
        ],
        "indicators": [indicator_data(i) for i in indicators],
        "regimes": [
            regime_data(r)
            for r in ReportingRegime.objects.restrict(user, "view").select_related(
                "issuer", "receiver"
            )
        ],
    }


# --- import -------------------------------------------------------------------------------
class Refused(ValidationError):
    """A reference in the document that names nothing known (a unit, group, date...)."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message, code=code)


def _text(item: dict, key: str, default: str = "") -> str:
    value = item.get(key)
    return default if value is None else str(value).strip()


def _day(item: dict, key: str) -> datetime.date | None:
    value = item.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError as error:
        raise Refused(
            _("%(field)s: %(value)s is not a date (yyyy-mm-dd).") % {"field": key, "value": value},
            "invalid_date",
        ) from error


def _bool(value, default: bool) -> bool:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "y", "x", "có", "co"}


def _list(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


UNKNOWN_CODES = {
    MeasurementUnit: "unknown_unit_of_measure",
    IndicatorGroup: "unknown_indicator_group",
    Indicator: "unknown_indicator",
    Disaggregation: "unknown_disaggregation",
    Category: "unknown_category",
}


def _one(model, code: str):
    row = model.objects.filter(code=code).first()
    if row is None:
        raise Refused(
            _("Unknown %(what)s %(code)s.") % {"what": model._meta.verbose_name, "code": code},
            UNKNOWN_CODES[model],
        )
    return row


def _unit_ref(reference: str | None, what: str):
    if not reference:
        return None
    unit = services.resolve_unit(reference)
    if unit is None:
        raise Refused(
            _("Unknown organisation unit %(unit)s (%(what)s).") % {"unit": reference, "what": what},
            "unknown_orgunit",
        )
    return unit


def _disaggregation_ref(code: str):
    code = code or DEFAULT_CODE
    if code == DEFAULT_CODE:
        return services.default_disaggregation()
    return _one(Disaggregation, code.upper())


def _decimals(value) -> int:
    try:
        return int(value if value not in (None, "") else 1)
    except (TypeError, ValueError) as error:
        raise Refused(_("decimals must be a whole number."), "invalid_decimals") from error


# How each indicator field is read from a document, a table row or an API payload.
INDICATOR_READERS = {
    "code": lambda item: _text(item, "code").upper(),
    "name": lambda item: _text(item, "name"),
    "name_en": lambda item: _text(item, "name_en"),
    "short_name": lambda item: _text(item, "short_name"),
    "unit": lambda item: _one(MeasurementUnit, _text(item, "unit").upper()),
    "value_type": lambda item: _text(item, "value_type", "number"),
    "decimals": lambda item: _decimals(item.get("decimals")),
    "direction": lambda item: _text(item, "direction", "neutral"),
    "period_type": lambda item: _text(item, "period_type"),
    "aggregation": lambda item: _text(item, "aggregation"),
    "weight": lambda item: (
        _one(Indicator, _text(item, "weight").upper()) if _text(item, "weight") else None
    ),
    "time_aggregation": lambda item: _text(item, "time_aggregation"),
    "levels": lambda item: _list(item.get("levels")),
    "disaggregation": lambda item: _disaggregation_ref(_text(item, "disaggregation")),
    "sensitivity": lambda item: _text(item, "sensitivity", "public"),
    "tags": lambda item: _list(item.get("tags")),
    "formula": lambda item: _text(item, "formula"),
    "formula_after_aggregation": lambda item: _bool(item.get("formula_after_aggregation"), True),
    "owner": lambda item: _unit_ref(_text(item, "owner"), _("owner")),
    "legal_basis": lambda item: _text(item, "legal_basis"),
    "source_system": lambda item: _text(item, "source_system"),
    "definition": lambda item: _text(item, "definition"),
    "method": lambda item: _text(item, "method"),
    "status": lambda item: _text(item, "status", "active"),
    "valid_from": lambda item: _day(item, "valid_from"),
    "valid_to": lambda item: _day(item, "valid_to"),
    "notes": lambda item: _text(item, "notes"),
}


def indicator_fields(item: dict, partial: bool = False):
    """The service arguments for an indicator described by ``item`` (codes resolved to rows):
    ``(fields, groups)``. With ``partial`` only the keys present in ``item`` (groups is None
    when absent). Raises ``Refused`` for an unknown unit, group, disaggregation or owner."""
    if partial:
        fields = {key: read(item) for key, read in INDICATOR_READERS.items() if key in item}
    else:
        fields = {key: read(item) for key, read in INDICATOR_READERS.items()}
    if partial and "groups" not in item:
        return fields, None
    return fields, [_one(IndicatorGroup, code.upper()) for code in _list(item.get("groups"))]


def _sections(item: dict) -> list:
    sections = []
    for section in item.get("sections") or []:
        items = []
        for entry in section.get("items") or []:
            indicator = _one(Indicator, _text(entry, "indicator").upper())
            code = _text(entry, "disaggregation")
            disaggregation = _disaggregation_ref(code) if code else None
            items.append((indicator, disaggregation, _bool(entry.get("required"), True)))
        sections.append(services.SectionSpec(_text(section, "code"), _text(section, "name"), items))
    return sections


def _whole(item: dict, key: str) -> int:
    try:
        return int(item.get(key) or 0)
    except (TypeError, ValueError) as error:
        raise Refused(
            _("%(field)s must be a whole number.") % {"field": key}, "invalid_number"
        ) from error


REGIME_READERS = {
    "name": lambda item: _text(item, "name"),
    "name_en": lambda item: _text(item, "name_en"),
    "description": lambda item: _text(item, "description"),
    "legal_basis": lambda item: _text(item, "legal_basis"),
    "legal_basis_date": lambda item: _day(item, "legal_basis_date"),
    "issuer": lambda item: _unit_ref(_text(item, "issuer"), _("issuing body")),
    "receiver": lambda item: _unit_ref(_text(item, "receiver"), _("receiving body")),
    "reporter_kinds": lambda item: _list(item.get("reporter_kinds")),
    "frequency": lambda item: _text(item, "frequency", "regular"),
    "period_type": lambda item: _text(item, "period_type"),
    "cutoff_rule": lambda item: _text(item, "cutoff_rule", "calendar"),
    "deadline_rule": lambda item: _text(item, "deadline_rule"),
    "deadline_value": lambda item: _whole(item, "deadline_value"),
    "signature_required": lambda item: _bool(item.get("signature_required"), False),
    "open_future_periods": lambda item: _whole(item, "open_future_periods"),
    "status": lambda item: _text(item, "status", "active"),
    "valid_from": lambda item: _day(item, "valid_from"),
    "valid_to": lambda item: _day(item, "valid_to"),
    "sections": _sections,
    "narrative": lambda item: [
        services.NarrativeSpec(_text(n, "number"), _text(n, "title"), _text(n, "guidance"))
        for n in item.get("narrative") or []
    ],
    "reporter_units": lambda item: [
        _unit_ref(uid, _("reporting unit")) for uid in _list(item.get("reporter_units"))
    ],
}


def regime_arguments(item: dict, partial: bool = False) -> dict:
    """The arguments of ``services.save_regime`` for a regime described by ``item``."""
    return {key: read(item) for key, read in REGIME_READERS.items() if not partial or key in item}


class _Importer:
    def __init__(self, actor, report: ImportReport):
        self.actor, self.report = actor, report
        self.place: int | None = None

    def tally(self, section: str, code: str, before, after) -> None:
        if before is None:
            self.report.created[section].append(code)
        elif before != after:
            self.report.updated[section].append(code)
        else:
            self.report.unchanged[section] += 1

    def allowed(self, section: str) -> bool:
        """An import writes only the kinds of object its caller may add and change."""
        if self.actor is None:  # the reference loader
            return True
        model = SECTION_MODELS[section]
        return permits(self.actor, model, "add") and permits(self.actor, model, "change")

    def run(self, document: dict) -> None:
        for section in SECTIONS:
            handler = getattr(self, f"import_{section}")
            items = document.get(section) or []
            if not isinstance(items, list):
                self.refuse(section, "-", _("%(section)s must be a list.") % {"section": section})
                continue
            if items and not self.allowed(section):
                self.refuse(
                    section,
                    "-",
                    str(denied(SECTION_MODELS[section], "change")),
                    "permission_denied",
                )
                continue
            # Where each object stands in the file, for the refusals: its line in a table,
            # else its place in the document's list (indicators are reordered below).
            places = {
                id(item): (item.get(ROW_KEY) if isinstance(item, dict) else None) or index + 1
                for index, item in enumerate(items)
            }
            if section == "indicators":
                items = dependency_order(items)
            for item in items:
                self.place = places.get(id(item))
                code = str(item.get("code", "")).strip().upper() if isinstance(item, dict) else ""
                if not code:
                    self.refuse(section, f"#{self.place}", _("Every object needs a code."))
                    continue
                try:
                    with transaction.atomic():
                        handler(code, item)
                except ValidationError as error:
                    self.refuse(
                        section, code, " ".join(error.messages), getattr(error, "code", None)
                    )
                except PermissionDenied as error:
                    self.refuse(section, code, str(error), "permission_denied")
                except (AttributeError, TypeError, ValueError):
                    self.refuse(
                        section,
                        code,
                        _("The object is malformed (a list or a field of the wrong type)."),
                        "malformed",
                    )

    def refuse(self, section, code, message, error_code=None) -> None:
        self.report.refused.append(
            {
                "section": section,
                "code": code,
                "row": self.place,
                "error": error_code or "invalid",
                "detail": message,
            }
        )

    def import_units(self, code, item):
        row = MeasurementUnit.objects.filter(code=code).first()
        before = snapshot(row) if row else None
        try:
            scale = Decimal(str(item.get("scale") or 1)).quantize(SCALE)
        except InvalidOperation as error:
            raise Refused(_("The scale must be a number."), "invalid_scale") from error
        row = services.save_unit_of_measure(
            self.actor,
            code,
            name=_text(item, "name"),
            name_en=_text(item, "name_en"),
            symbol=_text(item, "symbol"),
            base=_text(item, "base"),
            scale=scale,
        )
        row.refresh_from_db()
        self.tally("units", code, before, snapshot(row))

    def import_categories(self, code, item):
        row = Category.objects.filter(code=code).first()
        before = services._category_snapshot(row) if row else None
        options = [
            services.OptionSpec(
                code=_text(o, "code"),
                name=_text(o, "name"),
                name_en=_text(o, "name_en"),
                uid=o.get("uid"),
            )
            for o in item.get("options") or []
        ]
        row = services.save_category(
            self.actor, code, _text(item, "name"), _text(item, "name_en"), options, item.get("uid")
        )
        self.tally("categories", code, before, services._category_snapshot(row))

    def import_disaggregations(self, code, item):
        row = Disaggregation.objects.filter(code=code).first()
        before = self._disaggregation_state(row)
        categories = [_one(Category, c.upper()) for c in _list(item.get("categories"))]
        row = services.save_disaggregation(
            self.actor,
            code,
            _text(item, "name"),
            _text(item, "name_en"),
            categories,
            status=_text(item, "status", "active"),
            uid=item.get("uid"),
            combination_uids=item.get("combinations") or {},
        )
        self.tally("disaggregations", code, before, self._disaggregation_state(row))

    @staticmethod
    def _disaggregation_state(row):
        if row is None:
            return None
        return {
            **services._disaggregation_snapshot(row),
            "combinations": sorted(row.combinations.values_list("code", "name", "uid")),
        }

    def import_group_sets(self, code, item):
        group_set = IndicatorGroupSet.objects.filter(code=code).first()
        before = self._group_set_state(group_set)
        group_set = services.save_group_set(
            self.actor,
            code,
            name=_text(item, "name"),
            name_en=_text(item, "name_en"),
            legal_basis=_text(item, "legal_basis"),
        )
        for order, group in enumerate(item.get("groups") or []):
            services.save_group(
                self.actor,
                _text(group, "code"),
                name=_text(group, "name"),
                name_en=_text(group, "name_en"),
                group_set=group_set,
                sort_order=order,
            )
        self.tally("group_sets", code, before, self._group_set_state(group_set))

    @staticmethod
    def _group_set_state(group_set):
        if group_set is None:
            return None
        return {
            **snapshot(group_set),
            "groups": sorted(group_set.groups.values_list("code", "name", "name_en", "sort_order")),
        }

    def import_indicators(self, code, item):
        existing = Indicator.objects.filter(code=code).first()
        if existing is not None and self.actor is not None:
            # An indicator above the importer's clearance is not theirs to change.
            ensure_permitted(self.actor, "change", existing)
        before = indicator_data(existing) if existing else None
        fields, groups = indicator_fields({**item, "code": code})
        if existing is None:
            if item.get("uid"):
                fields["uid"] = item["uid"]
            row = services.create_indicator(self.actor, groups=groups, **fields)
        else:
            row = services.update_indicator(
                self.actor, existing, groups=groups, reason=_text(item, "reason"), **fields
            )
        row.refresh_from_db()
        self.tally("indicators", code, before, indicator_data(row))

    def import_regimes(self, code, item):
        existing = ReportingRegime.objects.filter(code=code).first()
        before = regime_data(existing) if existing else None
        arguments = regime_arguments(item)
        if existing is None and item.get("uid"):
            arguments["uid"] = item["uid"]
        row = services.save_regime(self.actor, code, **arguments)
        row.refresh_from_db()
        self.tally("regimes", code, before, regime_data(row))


def dependency_order(items: list) -> list:
    """Indicators after the indicators their formula or weight refers to (a derived
    indicator may come before its components in a file)."""
    by_code = {str(i.get("code", "")).strip().upper(): i for i in items if isinstance(i, dict)}
    needs = {}
    for code, item in by_code.items():
        refs = set(services.codes_in(str(item.get("formula") or "")))
        if item.get("weight"):
            refs.add(str(item["weight"]).strip().upper())
        needs[code] = refs & set(by_code)
    ordered, placed = [], set()

    def place(code, path):
        if code in placed or code in path:
            return
        for other in sorted(needs.get(code, ())):
            place(other, path | {code})
        placed.add(code)
        ordered.append(by_code[code])

    for code in by_code:
        place(code, set())
    return ordered + [i for i in items if not isinstance(i, dict)]


def import_catalog(actor, document: dict, dry_run: bool = False) -> ImportReport:
    """Apply ``document``; all or nothing. With ``dry_run`` nothing is kept."""
    report = ImportReport(dry_run=dry_run)
    if not isinstance(document, dict) or document.get("format", FORMAT) != FORMAT:
        report.refused.append(
            {
                "section": "-",
                "code": "-",
                "error": "invalid_format",
                "detail": _("This is not a catalog document (format %(format)s).")
                % {"format": FORMAT},
            }
        )
        return report
    try:
        with transaction.atomic():
            _Importer(actor, report).run(document)
            if dry_run or report.refused:
                raise _Rollback
    except _Rollback:
        pass
    return report


# --- indicators as a table (CSV, Excel) ----------------------------------------------------
def indicator_rows(indicators) -> list[list]:
    rows = []
    for indicator in indicators:
        data = indicator_data(indicator)
        rows.append(
            [
                ";".join(data[c]) if c in LIST_COLUMNS else ("" if data[c] is None else data[c])
                for c in INDICATOR_COLUMNS
            ]
        )
    return rows


def indicators_from_table(rows: list[dict]) -> dict:
    """A catalog document holding the indicators of a table (CSV or Excel rows)."""
    items = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        item = {key: value for key, value in row.items() if key in INDICATOR_COLUMNS}
        if any(value not in (None, "") for value in item.values()):
            items.append({**item, ROW_KEY: line})
    return {"format": FORMAT, "version": VERSION, "indicators": items}


def read_csv(content: bytes) -> list[dict]:
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(content: bytes) -> list[dict]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell).strip() if cell is not None else "" for cell in next(rows, [])]
    result = []
    for values in rows:
        result.append(
            {
                header[i]: ("" if value is None else value)
                for i, value in enumerate(values)
                if i < len(header) and header[i]
            }
        )
    return result


def write_xlsx(columns, rows, title: str = "indicators") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
