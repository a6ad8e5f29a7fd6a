"""/api/v1/indicators/, /disaggregations/, /reporting-regimes/ and /metadata/: the catalog.

Reads are public reference data (indicators above the caller's clearance are hidden); writes
need the catalog permissions of a center analyst and are audited with before and after.
"""

from __future__ import annotations

import datetime
import json

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from dieuhanh.catalog import metadata, services
from dieuhanh.catalog.filters import IndicatorFilter
from dieuhanh.catalog.models import (
    Category,
    Disaggregation,
    Indicator,
    IndicatorGroup,
    ReportingRegime,
)
from dieuhanh.catalog.models import (
    Status as CatalogStatus,
)
from dieuhanh.core import periods
from dieuhanh.core.api_auth import permitted, public_api_auth
from dieuhanh.core.api_errors import ApiError
from dieuhanh.core.api_pagination import paginate
from dieuhanh.core.exports import audit_export, csv_response, file_response

indicators_router = Router(tags=["catalog"])
disaggregations_router = Router(tags=["catalog"])
regimes_router = Router(tags=["catalog"])
metadata_router = Router(tags=["catalog"])

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


# --- schemas ------------------------------------------------------------------------------
class OwnerOut(Schema):
    uid: str
    code: str
    name: str


class IndicatorOut(Schema):
    uid: str
    code: str
    name: str
    name_en: str
    short_name: str
    unit: str
    unit_name: str
    value_type: str
    decimals: int
    direction: str
    period_type: str
    aggregation: str
    weight: str | None
    time_aggregation: str
    levels: list[str]
    disaggregation: str
    sensitivity: str
    groups: list[str]
    tags: list[str]
    formula: str
    formula_after_aggregation: bool
    derived: bool
    owner: OwnerOut | None
    status: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class IndicatorList(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[IndicatorOut]


class VersionOut(Schema):
    number: int
    valid_from: datetime.date | None
    reason: str
    recorded_at: datetime.datetime
    definition: dict


class IndicatorDetail(IndicatorOut):
    definition: str
    method: str
    legal_basis: str
    source_system: str
    notes: str
    formula_readable: str
    formula_references: list[str]
    used_in_formulas: list[str]
    regimes: list[str]
    versions: list[VersionOut]


class IndicatorIn(Schema):
    code: str = Field(..., min_length=1, max_length=50, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str = Field(..., min_length=1, max_length=255)
    name_en: str = ""
    short_name: str = ""
    unit: str = Field(..., description="Unit of measure code, e.g. BILLION_VND, PERCENT.")
    value_type: str = "number"
    decimals: int = Field(1, ge=0, le=6)
    direction: str = "neutral"
    period_type: str
    aggregation: str
    weight: str | None = None
    time_aggregation: str
    levels: list[str] = []
    disaggregation: str = "default"
    sensitivity: str = "public"
    groups: list[str] = []
    tags: list[str] = []
    formula: str = ""
    formula_after_aggregation: bool = True
    owner: str | None = Field(None, description="Organisation unit uid or agency code.")
    legal_basis: str = ""
    source_system: str = ""
    definition: str = ""
    method: str = ""
    status: str = "active"
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    notes: str = ""


class IndicatorPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=255)
    name_en: str | None = None
    short_name: str | None = None
    unit: str | None = None
    value_type: str | None = None
    decimals: int | None = Field(None, ge=0, le=6)
    direction: str | None = None
    period_type: str | None = None
    aggregation: str | None = None
    weight: str | None = None
    time_aggregation: str | None = None
    levels: list[str] | None = None
    disaggregation: str | None = None
    sensitivity: str | None = None
    groups: list[str] | None = None
    tags: list[str] | None = None
    formula: str | None = None
    formula_after_aggregation: bool | None = None
    owner: str | None = None
    legal_basis: str | None = None
    source_system: str | None = None
    definition: str | None = None
    method: str | None = None
    status: str | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    notes: str | None = None
    reason: str = Field("", description="Why the definition changes (kept in its version).")
    effective_from: datetime.date | None = Field(
        None, description="First day of the new definition (today)."
    )


class RetireIn(Schema):
    last_day: datetime.date | None = None


class ListParams(Schema):
    q: str | None = Field(None, description="Code or name, diacritics optional.")
    group: str | None = Field(None, description="Group code, e.g. D1498_1 or PLAN_OPS.")
    owner: str | None = Field(None, description="Responsible agency: uid or code (BTC).")
    period_type: periods.PeriodType | None = None
    status: CatalogStatus | None = None
    value_type: str | None = None
    regime: str | None = Field(None, description="Reporting regime code.")
    derived: bool | None = None
    limit: int = Field(100, ge=1, le=5000)
    offset: int = Field(0, ge=0)


class PageParams(Schema):
    q: str | None = None
    limit: int = Field(100, ge=1, le=5000)
    offset: int = Field(0, ge=0)


class RegimeParams(PageParams):
    period_type: periods.PeriodType | None = None
    status: CatalogStatus | None = None
    indicator: str | None = Field(None, description="Regimes that ask for this indicator.")


class ScheduleParams(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


class OptionOut(Schema):
    code: str
    uid: str
    name: str
    name_en: str


class CategoryOut(Schema):
    code: str
    uid: str
    name: str
    name_en: str
    options: list[OptionOut]


class CombinationOut(Schema):
    code: str
    uid: str
    name: str
    name_en: str
    options: list[str]


class DisaggregationOut(Schema):
    code: str
    uid: str
    name: str
    name_en: str
    status: str
    categories: list[CategoryOut]
    combinations: list[CombinationOut]
    indicators: list[str]


class DisaggregationList(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[DisaggregationOut]


class OptionIn(Schema):
    code: str = Field(..., min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=255)
    name_en: str = ""


class CategoryIn(Schema):
    code: str = Field(..., min_length=1, max_length=50, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str = Field(..., min_length=1, max_length=255)
    name_en: str = ""
    options: list[OptionIn]


class DisaggregationIn(Schema):
    code: str = Field(..., min_length=1, max_length=50, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str = Field(..., min_length=1, max_length=255)
    name_en: str = ""
    categories: list[str] = Field(..., min_length=1)
    status: str = "active"


class GroupOut(Schema):
    code: str
    name: str
    name_en: str
    group_set: str
    indicators: int


class SectionItemOut(Schema):
    indicator: str
    name: str
    disaggregation: str
    required: bool


class SectionOut(Schema):
    code: str
    name: str
    items: list[SectionItemOut]


class NarrativeOut(Schema):
    number: str
    title: str
    guidance: str


class RegimeOut(Schema):
    uid: str
    code: str
    name: str
    name_en: str
    legal_basis: str
    legal_basis_date: datetime.date | None
    issuer: OwnerOut | None
    receiver: OwnerOut | None
    reporter_kinds: list[str]
    frequency: str
    period_type: str
    cutoff_rule: str
    deadline_rule: str
    deadline_value: int
    signature_required: bool
    open_future_periods: int
    status: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class RegimeList(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[RegimeOut]


class RegimeDetail(RegimeOut):
    description: str
    reporter_units: list[OwnerOut]
    sections: list[SectionOut]
    narrative: list[NarrativeOut]


class ScheduleRowOut(Schema):
    period: str
    label: str
    start: datetime.date
    end: datetime.date
    cutoff_start: datetime.date
    cutoff_end: datetime.date
    deadline: datetime.date


class ScheduleOut(Schema):
    regime: str
    year: int
    period_type: str
    cutoff_rule: str
    periods: list[ScheduleRowOut]


class ReportersOut(Schema):
    regime: str
    period: str
    count: int
    units: list[OwnerOut]


class SectionItemIn(Schema):
    indicator: str
    disaggregation: str | None = None
    required: bool = True


class SectionIn(Schema):
    code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=255)
    items: list[SectionItemIn] = []


class NarrativeIn(Schema):
    number: str = Field(..., min_length=1, max_length=20)
    title: str = Field(..., min_length=1, max_length=255)
    guidance: str = ""


class RegimeIn(Schema):
    code: str = Field(..., min_length=1, max_length=50, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str = Field(..., min_length=1, max_length=255)
    name_en: str = ""
    description: str = ""
    legal_basis: str = ""
    legal_basis_date: datetime.date | None = None
    issuer: str | None = None
    receiver: str | None = None
    reporter_kinds: list[str] = []
    reporter_units: list[str] = []
    frequency: str = "regular"
    period_type: str
    cutoff_rule: str = "calendar"
    deadline_rule: str
    deadline_value: int = Field(..., ge=0, le=366)
    signature_required: bool = False
    open_future_periods: int = Field(0, ge=0, le=120)
    status: str = "active"
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    sections: list[SectionIn] = []
    narrative: list[NarrativeIn] = []


class RegimePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=255)
    name_en: str | None = None
    description: str | None = None
    legal_basis: str | None = None
    legal_basis_date: datetime.date | None = None
    issuer: str | None = None
    receiver: str | None = None
    reporter_kinds: list[str] | None = None
    reporter_units: list[str] | None = None
    frequency: str | None = None
    period_type: str | None = None
    cutoff_rule: str | None = None
    deadline_rule: str | None = None
    deadline_value: int | None = Field(None, ge=0, le=366)
    signature_required: bool | None = None
    open_future_periods: int | None = Field(None, ge=0, le=120)
    status: str | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    sections: list[SectionIn] | None = None
    narrative: list[NarrativeIn] | None = None


class ImportOut(Schema):
    status: str
    dry_run: bool
    changes: int
    created: dict[str, list[str]]
    updated: dict[str, list[str]]
    unchanged: dict[str, int]
    refused: list[dict]


# --- serialisation --------------------------------------------------------------------------
def unit_ref(unit) -> dict | None:
    if unit is None:
        return None
    return {"uid": unit.uid, "code": unit.code, "name": unit.short_name or unit.name}


def indicator_out(indicator: Indicator) -> dict:
    return {
        "uid": indicator.uid,
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "short_name": indicator.short_name,
        "unit": indicator.unit.code,
        "unit_name": indicator.unit.name,
        "value_type": indicator.value_type,
        "decimals": indicator.decimals,
        "direction": indicator.direction,
        "period_type": indicator.period_type,
        "aggregation": indicator.aggregation,
        "weight": indicator.weight.code if indicator.weight else None,
        "time_aggregation": indicator.time_aggregation,
        "levels": indicator.levels,
        "disaggregation": indicator.disaggregation.code,
        "sensitivity": indicator.sensitivity,
        "groups": sorted(g.code for g in indicator.groups.all()),
        "tags": indicator.tags,
        "formula": indicator.formula,
        "formula_after_aggregation": indicator.formula_after_aggregation,
        "derived": indicator.is_derived,
        "owner": unit_ref(indicator.owner),
        "status": indicator.status,
        "valid_from": indicator.valid_from,
        "valid_to": indicator.valid_to,
    }


def indicator_detail(indicator: Indicator, user) -> dict:
    return {
        **indicator_out(indicator),
        "definition": indicator.definition,
        "method": indicator.method,
        "legal_basis": indicator.legal_basis,
        "source_system": indicator.source_system,
        "notes": indicator.notes,
        "formula_readable": services.readable_formula(indicator),
        "formula_references": sorted(services.formula_codes(indicator)),
        "used_in_formulas": [other.code for other in services.used_in_formulas(indicator, user)],
        "regimes": [r.code for r in services.regimes_using(indicator, user)],
        "versions": [
            {
                "number": v.number,
                "valid_from": v.valid_from,
                "reason": v.reason,
                "recorded_at": v.recorded_at,
                "definition": v.definition,
            }
            for v in indicator.versions.order_by("number")
        ],
    }


def disaggregation_out(disaggregation: Disaggregation, user) -> dict:
    return {
        "code": disaggregation.code,
        "uid": disaggregation.uid,
        "name": disaggregation.name,
        "name_en": disaggregation.name_en,
        "status": disaggregation.status,
        "categories": [category_out(c) for c in services.ordered_categories(disaggregation)],
        "combinations": [
            {
                "code": c.code,
                "uid": c.uid,
                "name": c.name,
                "name_en": c.name_en,
                "options": [o.code for o in c.options.all()],
            }
            for c in disaggregation.combinations.prefetch_related("options")
        ],
        "indicators": sorted(
            Indicator.objects.restrict(user, "view")
            .filter(disaggregation=disaggregation)
            .values_list("code", flat=True)
        ),
    }


def category_out(category: Category) -> dict:
    return {
        "code": category.code,
        "uid": category.uid,
        "name": category.name,
        "name_en": category.name_en,
        "options": [
            {"code": o.code, "uid": o.uid, "name": o.name, "name_en": o.name_en}
            for o in category.options.order_by("sort_order", "code")
        ],
    }


def regime_out(regime: ReportingRegime) -> dict:
    return {
        "uid": regime.uid,
        "code": regime.code,
        "name": regime.name,
        "name_en": regime.name_en,
        "legal_basis": regime.legal_basis,
        "legal_basis_date": regime.legal_basis_date,
        "issuer": unit_ref(regime.issuer),
        "receiver": unit_ref(regime.receiver),
        "reporter_kinds": regime.reporter_kinds,
        "frequency": regime.frequency,
        "period_type": regime.period_type,
        "cutoff_rule": regime.cutoff_rule,
        "deadline_rule": regime.deadline_rule,
        "deadline_value": regime.deadline_value,
        "signature_required": regime.signature_required,
        "open_future_periods": regime.open_future_periods,
        "status": regime.status,
        "valid_from": regime.valid_from,
        "valid_to": regime.valid_to,
    }


def regime_detail(regime: ReportingRegime) -> dict:
    return {
        **regime_out(regime),
        "description": regime.description,
        "reporter_units": [unit_ref(u) for u in regime.reporter_units.all()],
        "sections": [
            {
                "code": section.code,
                "name": section.name,
                "items": [
                    {
                        "indicator": item.indicator.code,
                        "name": item.indicator.name,
                        "disaggregation": item.disaggregation.code,
                        "required": item.required,
                    }
                    for item in section.items.select_related("indicator", "disaggregation")
                ],
            }
            for section in regime.sections.order_by("sort_order")
        ],
        "narrative": [
            {"number": n.number, "title": n.title, "guidance": n.guidance}
            for n in regime.narrative_sections.order_by("sort_order")
        ],
    }


def _visible_indicator(request, code: str, action: str = "view") -> Indicator:
    queryset = Indicator.objects.restrict(request.auth, action).select_related(
        "unit", "owner", "disaggregation", "weight"
    )
    return get_object_or_404(queryset, code=code.upper())


def _regime(request, code: str, action: str = "view") -> ReportingRegime:
    queryset = ReportingRegime.objects.restrict(request.auth, action).select_related(
        "issuer", "receiver"
    )
    return get_object_or_404(queryset, code=code.upper())


# --- indicators -----------------------------------------------------------------------------
@indicators_router.get(
    "/", response=IndicatorList, auth=public_api_auth, operation_id="indicators_list"
)
def list_indicators(request, params: Query[ListParams]):
    """Indicators, filtered; ``count`` and ``results``."""
    indicator_filter = IndicatorFilter(**params.dict(exclude={"limit", "offset"}))
    queryset = indicator_filter.apply(Indicator.objects.restrict(request.auth, "view"))
    return paginate(request, queryset, params.limit, params.offset, indicator_out)


@indicators_router.get(
    "/groups/", response=list[GroupOut], auth=public_api_auth, operation_id="indicators_groups"
)
def list_groups(request):
    """The 7 groups of Decision 1498/QĐ-TTg and the 4 groups of the action plan."""
    visible = Indicator.objects.restrict(request.auth, "view")
    return [
        {
            "code": g.code,
            "name": g.name,
            "name_en": g.name_en,
            "group_set": g.group_set.code,
            "indicators": visible.filter(groups=g).count(),
        }
        for g in IndicatorGroup.objects.restrict(request.auth, "view").select_related("group_set")
    ]


@indicators_router.get(
    "/export", auth=public_api_auth, operation_id="indicators_export", url_name="indicators_export"
)
def export_indicators(request, params: Query[ListParams], format: str = "csv"):
    """The (filtered) indicators as CSV or Excel, in the layout that the import reads."""
    if format not in {"csv", "xlsx"}:
        raise ApiError(
            422,
            "invalid_format",
            _("The format is csv or xlsx, not %(format)s.") % {"format": format},
        )
    indicator_filter = IndicatorFilter(**params.dict(exclude={"limit", "offset"}))
    indicators = indicator_filter.apply(Indicator.objects.restrict(request.auth, "view"))
    rows = metadata.indicator_rows(indicators)
    audit_export(request.auth, "indicators", {"format": format, **params.dict(exclude_none=True)})
    name = f"indicators-{timezone.localdate().isoformat()}"
    if format == "csv":
        return csv_response(f"{name}.csv", metadata.INDICATOR_COLUMNS, rows)
    return file_response(
        f"{name}.xlsx",
        metadata.write_xlsx(metadata.INDICATOR_COLUMNS, rows),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@indicators_router.post(
    "/import",
    response=ImportOut,
    auth=permitted(Indicator, "change"),
    operation_id="indicators_import",
)
def import_indicators(request, file: File[UploadedFile], dry_run: bool = True):
    """Indicators from CSV or Excel (the export's columns). ``dry_run`` (the default) lists
    what would be created, changed or refused, and writes nothing."""
    content = _read_upload(file)
    name = (file.name or "").lower()
    try:
        rows = metadata.read_xlsx(content) if name.endswith(".xlsx") else metadata.read_csv(content)
    except Exception as error:  # a broken file of any kind: say so, never a 500
        raise ApiError(
            422,
            "unreadable_file",
            _("The file cannot be read as %(kind)s.")
            % {"kind": "Excel (.xlsx)" if name.endswith(".xlsx") else "CSV (UTF-8)"},
        ) from error
    report = metadata.import_catalog(request.auth, metadata.indicators_from_table(rows), dry_run)
    return report.as_dict()


def _read_upload(file: UploadedFile) -> bytes:
    if file.size and file.size > MAX_UPLOAD_BYTES:
        raise ApiError(413, "file_too_large", _("The file is larger than 10 MB."))
    return file.read()


@indicators_router.get(
    "/{code}/", response=IndicatorDetail, auth=public_api_auth, operation_id="indicators_get"
)
def get_indicator(request, code: str):
    return indicator_detail(_visible_indicator(request, code), request.auth)


@indicators_router.post(
    "/",
    response={201: IndicatorDetail},
    auth=permitted(Indicator, "add"),
    operation_id="indicators_create",
)
def create_indicator(request, payload: IndicatorIn):
    fields, groups = metadata.indicator_fields(payload.dict())
    indicator = services.create_indicator(request.auth, groups=groups, **fields)
    return Status(201, indicator_detail(_visible_indicator(request, indicator.code), request.auth))


@indicators_router.patch(
    "/{code}/",
    response=IndicatorDetail,
    auth=permitted(Indicator, "change"),
    operation_id="indicators_update",
)
def update_indicator(request, code: str, payload: IndicatorPatch):
    indicator = _visible_indicator(request, code, "change")
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    effective_from = data.pop("effective_from", None)
    fields, groups = metadata.indicator_fields(data, partial=True)
    services.update_indicator(
        request.auth,
        indicator,
        groups=groups,
        reason=reason,
        effective_from=effective_from,
        **fields,
    )
    return indicator_detail(_visible_indicator(request, code), request.auth)


@indicators_router.post(
    "/{code}/retire",
    response=IndicatorDetail,
    auth=permitted(Indicator, "change"),
    operation_id="indicators_retire",
)
def retire_indicator(request, code: str, payload: RetireIn):
    indicator = _visible_indicator(request, code, "change")
    services.retire_indicator(request.auth, indicator, payload.last_day)
    return indicator_detail(_visible_indicator(request, code), request.auth)


# --- disaggregations --------------------------------------------------------------------------
@disaggregations_router.get(
    "/", response=DisaggregationList, auth=public_api_auth, operation_id="disaggregations_list"
)
def list_disaggregations(request, params: Query[PageParams]):
    queryset = Disaggregation.objects.restrict(request.auth, "view").order_by("code")
    if params.q:
        queryset = queryset.filter(Q(code__icontains=params.q) | Q(name__icontains=params.q))
    return paginate(
        request,
        queryset,
        params.limit,
        params.offset,
        lambda row: disaggregation_out(row, request.auth),
    )


@disaggregations_router.get(
    "/categories/",
    response=list[CategoryOut],
    auth=public_api_auth,
    operation_id="disaggregations_categories",
)
def list_categories(request):
    return [category_out(c) for c in Category.objects.restrict(request.auth, "view")]


@disaggregations_router.post(
    "/categories/",
    response={201: CategoryOut},
    auth=permitted(Category, "add"),
    operation_id="disaggregations_save_category",
)
def save_category(request, payload: CategoryIn):
    """Create a category, or update one (options are added or renamed, never removed)."""
    category = services.save_category(
        request.auth,
        payload.code,
        payload.name,
        payload.name_en,
        [services.OptionSpec(o.code, o.name, o.name_en) for o in payload.options],
    )
    return Status(201, category_out(category))


@disaggregations_router.get(
    "/{code}/",
    response=DisaggregationOut,
    auth=public_api_auth,
    operation_id="disaggregations_get",
)
def get_disaggregation(request, code: str):
    queryset = Disaggregation.objects.restrict(request.auth, "view")
    return disaggregation_out(get_object_or_404(queryset, code__iexact=code), request.auth)


def _categories(request, codes: list[str]) -> list[Category]:
    found = {
        c.code: c
        for c in Category.objects.restrict(request.auth, "view").filter(
            code__in=[c.upper() for c in codes]
        )
    }
    missing = [code for code in codes if code.upper() not in found]
    if missing:
        raise ApiError(
            422,
            "unknown_category",
            _("Unknown categories: %(codes)s.") % {"codes": ", ".join(missing)},
        )
    return [found[code.upper()] for code in codes]


@disaggregations_router.post(
    "/",
    response={201: DisaggregationOut},
    auth=permitted(Disaggregation, "add"),
    operation_id="disaggregations_create",
)
def create_disaggregation(request, payload: DisaggregationIn):
    if Disaggregation.objects.filter(code=payload.code.upper()).exists():
        raise ApiError(
            422,
            "duplicate_code",
            _("A disaggregation with code %(code)s exists already.") % {"code": payload.code},
        )
    disaggregation = services.save_disaggregation(
        request.auth,
        payload.code,
        payload.name,
        payload.name_en,
        _categories(request, payload.categories),
        status=payload.status,
    )
    return Status(201, disaggregation_out(disaggregation, request.auth))


@disaggregations_router.put(
    "/{code}/",
    response=DisaggregationOut,
    auth=permitted(Disaggregation, "change"),
    operation_id="disaggregations_update",
)
def update_disaggregation(request, code: str, payload: DisaggregationIn):
    queryset = Disaggregation.objects.restrict(request.auth, "change")
    disaggregation = get_object_or_404(queryset, code__iexact=code)
    if payload.code.upper() != disaggregation.code:
        raise ApiError(422, "code_immutable", _("The code of a disaggregation never changes."))
    disaggregation = services.save_disaggregation(
        request.auth,
        disaggregation.code,
        payload.name,
        payload.name_en,
        _categories(request, payload.categories),
        status=payload.status,
    )
    return disaggregation_out(disaggregation, request.auth)


# --- reporting regimes -------------------------------------------------------------------------
@regimes_router.get("/", response=RegimeList, auth=public_api_auth, operation_id="regimes_list")
def list_regimes(request, params: Query[RegimeParams]):
    queryset = ReportingRegime.objects.restrict(request.auth, "view").select_related(
        "issuer", "receiver"
    )
    if params.q:
        queryset = queryset.filter(Q(code__icontains=params.q) | Q(name__icontains=params.q))
    if params.period_type:
        queryset = queryset.filter(period_type=params.period_type)
    if params.status:
        queryset = queryset.filter(status=params.status)
    if params.indicator:
        queryset = queryset.filter(
            sections__items__indicator__code=params.indicator.upper()
        ).distinct()
    return paginate(request, queryset.order_by("code"), params.limit, params.offset, regime_out)


@regimes_router.get(
    "/{code}/", response=RegimeDetail, auth=public_api_auth, operation_id="regimes_get"
)
def get_regime(request, code: str):
    return regime_detail(_regime(request, code))


@regimes_router.get(
    "/{code}/schedule",
    response=ScheduleOut,
    auth=public_api_auth,
    operation_id="regimes_schedule",
)
def regime_schedule(request, code: str, params: Query[ScheduleParams]):
    """The periods of ``year`` (this year) with their cut-off window and deadline."""
    regime = _regime(request, code)
    year = params.year or timezone.localdate().year
    return {
        "regime": regime.code,
        "year": year,
        "period_type": regime.period_type,
        "cutoff_rule": regime.cutoff_rule,
        "periods": [
            {
                "period": row.period.code,
                "label": row.period.label(),
                "start": row.period.start,
                "end": row.period.end,
                "cutoff_start": row.window_start,
                "cutoff_end": row.window_end,
                "deadline": row.deadline,
            }
            for row in services.schedule(regime, year)
        ],
    }


@regimes_router.get(
    "/{code}/reporters",
    response=ReportersOut,
    auth=public_api_auth,
    operation_id="regimes_reporters",
)
def regime_reporters(request, code: str, period: str):
    """The units that must report ``period`` (a DHIS2 period code such as 202509)."""
    regime = _regime(request, code)
    try:
        parsed = periods.parse(period)
    except periods.PeriodError as error:
        raise ApiError(422, "invalid_period", str(error)) from error
    if parsed.type != regime.period_type:
        raise ApiError(
            422,
            "period_type_mismatch",
            _("%(regime)s is reported for %(type)s periods; %(period)s is not one.")
            % {
                "regime": regime.code,
                "type": periods.PeriodType(regime.period_type).label.lower(),
                "period": period,
            },
        )
    units = list(services.reporters(regime, parsed))
    return {
        "regime": regime.code,
        "period": parsed.code,
        "count": len(units),
        "units": [unit_ref(u) for u in units],
    }


@regimes_router.post(
    "/",
    response={201: RegimeDetail},
    auth=permitted(ReportingRegime, "add"),
    operation_id="regimes_create",
)
def create_regime(request, payload: RegimeIn):
    data = payload.dict()
    code = data.pop("code")
    regime = services.save_regime(
        request.auth, code, create_only=True, **metadata.regime_arguments(data)
    )
    return Status(201, regime_detail(regime))


@regimes_router.patch(
    "/{code}/",
    response=RegimeDetail,
    auth=permitted(ReportingRegime, "change"),
    operation_id="regimes_update",
)
def update_regime(request, code: str, payload: RegimePatch):
    regime = _regime(request, code, "change")
    arguments = metadata.regime_arguments(payload.dict(exclude_unset=True), partial=True)
    services.save_regime(request.auth, regime.code, **arguments)
    return regime_detail(_regime(request, code))


@regimes_router.post(
    "/{code}/retire",
    response=RegimeDetail,
    auth=permitted(ReportingRegime, "change"),
    operation_id="regimes_retire",
)
def retire_regime(request, code: str, payload: RetireIn):
    regime = _regime(request, code, "change")
    services.retire_regime(request.auth, regime, payload.last_day)
    return regime_detail(_regime(request, code))


# --- metadata exchange -------------------------------------------------------------------------
@metadata_router.get(
    "/export", auth=public_api_auth, operation_id="metadata_export", url_name="metadata_export"
)
def export_metadata(request):
    """The whole catalog as one JSON document (what the caller may see)."""
    document = metadata.export_catalog(request.auth)
    audit_export(request.auth, "catalog metadata", {"format": "json"})
    return file_response(
        f"catalog-{timezone.localdate().isoformat()}.json",
        json.dumps(document, ensure_ascii=False, indent=1),
        "application/json",
    )


@metadata_router.post(
    "/import",
    response=ImportOut,
    auth=permitted(Indicator, "change"),
    operation_id="metadata_import",
)
def import_metadata(request, dry_run: bool = False):
    """A catalog document (the export's JSON) in the request body, or as the file ``file``
    of a multipart form. All or nothing; ``dry_run`` reports without writing."""
    upload = request.FILES.get("file")
    content = _read_upload(upload) if upload else request.body
    if len(content) > MAX_UPLOAD_BYTES:
        raise ApiError(413, "file_too_large", _("The file is larger than 10 MB."))
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(
            422, "invalid_json", _("The document is not valid JSON: %(error)s") % {"error": error}
        ) from error
    return metadata.import_catalog(request.auth, document, dry_run).as_dict()
