"""/api/v1/datavalues/ and /api/v1/imports/: the native data-value API.

Writes go through the ingest engine like every other channel; ``Idempotency-Key`` makes a
retried POST a no-op. Reads go through ``restrict(user, "view")``.
"""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from dieuhanh.core.api_auth import api_auth, permitted
from dieuhanh.core.api_errors import ApiError
from dieuhanh.core.api_pagination import paginate
from dieuhanh.core.exports import audit_export, csv_response, file_response
from dieuhanh.core.idempotency import run_once
from dieuhanh.datavalues import queries, services, sources
from dieuhanh.datavalues.ingest import ImportOptions, ImportResult, Scheme, Strategy
from dieuhanh.datavalues.models import (
    DataValue,
    DataValueAudit,
    ImportFormat,
    ImportJob,
)

values_router = Router(tags=["datavalues"])
imports_router = Router(tags=["datavalues"])


class ValueOut(Schema):
    id: int
    indicator: str
    orgunit: str
    orgunit_code: str
    period: str
    disaggregation: str
    value: str | None
    comment: str
    followup: bool
    status: str
    deleted: bool
    channel: str
    job: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    updated_by: str | None


class ValuePage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ValueOut]


class ValueFilters(Schema):
    indicator: list[str] = []
    regime: list[str] = []
    orgunit: list[str] = []
    children: bool = False
    period: list[str] = []
    start: datetime.date | None = None
    end: datetime.date | None = None
    status: str | None = None
    updated_since: datetime.datetime | None = None
    include_deleted: bool = False


def _value_out(row: dict) -> dict:
    return {
        "id": row["id"],
        "indicator": row["indicator__code"],
        "orgunit": row["orgunit__uid"],
        "orgunit_code": row["orgunit__code"],
        "period": row["period"],
        "disaggregation": row["combination__code"],
        "value": queries.shown_value(row),
        "comment": row["comment"],
        "followup": row["followup"],
        "status": row["status"],
        "deleted": row["deleted"],
        "channel": row["channel"],
        "job": row["job__uid"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "updated_by": row["updated_by__username"],
    }


def _selection(filters: ValueFilters) -> queries.Selection:
    return queries.Selection(
        regimes=filters.regime,
        indicators=filters.indicator,
        periods=filters.period,
        start=filters.start,
        end=filters.end,
        orgunits=filters.orgunit,
        children=filters.children,
        include_deleted=filters.include_deleted,
        updated_since=filters.updated_since,
        status=filters.status,
        require_scope=False,
    )


@values_router.get(
    "/",
    response=ValuePage,
    auth=api_auth,
    operation_id="datavalues_list",
    url_name="datavalues_list",
)
def list_values(
    request, filters: Query[ValueFilters], limit: int = 100, offset: int = 0, format: str = ""
):
    """Values the caller may see, filtered by indicator or regime, unit (with ``children``),
    period or dates, status and last change; ``format=csv`` downloads them."""
    try:
        queryset = queries.select_values(request.auth, _selection(filters))
    except queries.SelectionError as error:
        raise ApiError(422, error.code, str(error)) from error
    if format == "csv":
        rows = [_value_out(row) for row in queries.value_rows(queryset)]
        audit_export(request.auth, "data values", {"format": "csv", "rows": len(rows)})
        header = list(ValueOut.model_fields)
        return csv_response(
            "datavalues.csv", header, ([row[name] for name in header] for row in rows)
        )
    return paginate(request, queryset.values(*queries.VALUE_FIELDS), limit, offset, _value_out)


class ErrorOut(Schema):
    index: int
    line: int | None
    code: str
    field: str
    object: str
    message: str


class ImportOut(Schema):
    job: str
    status: str
    dry_run: bool
    total: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    refused: int
    rolled_back: bool
    errors: list[ErrorOut]


def _result_out(job: ImportJob, result: ImportResult) -> dict:
    return {
        "job": job.uid,
        "status": result.status,
        "dry_run": result.dry_run,
        "total": result.total,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged + result.skipped,
        "deleted": result.deleted,
        "refused": len(result.conflicts),
        "rolled_back": result.rolled_back,
        "errors": [
            {
                "index": c.index,
                "line": c.line,
                "code": c.code,
                "field": c.property,
                "object": c.object,
                "message": c.message,
            }
            for c in result.conflicts
        ],
    }


def _options(strategy: str, dry_run: bool, atomic: bool, id_scheme: str) -> ImportOptions:
    strategy = strategy.upper()
    if strategy not in Strategy.ALL:
        raise ApiError(422, "invalid_strategy", _("Unknown strategy “%s”.") % strategy)
    if id_scheme not in Scheme.ALL:
        raise ApiError(422, "invalid_id_scheme", _("Unknown id scheme “%s”.") % id_scheme)
    return ImportOptions(
        strategy=strategy,
        dry_run=dry_run,
        atomic=atomic,
        indicator_scheme=id_scheme,
        orgunit_scheme=id_scheme,
        combination_scheme=id_scheme,
    )


@values_router.post(
    "/",
    response={200: ImportOut, 409: ImportOut},
    auth=permitted(DataValue, "add"),
    operation_id="datavalues_post",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "indicator": {"type": "string"},
                                "orgunit": {"type": "string"},
                                "period": {"type": "string"},
                                "disaggregation": {"type": "string"},
                                "value": {"type": "string"},
                                "comment": {"type": "string"},
                                "followup": {"type": "boolean"},
                            },
                        },
                    }
                }
            },
        }
    },
)
def post_values(
    request,
    strategy: str = Strategy.CREATE_AND_UPDATE,
    dry_run: bool = False,
    atomic: bool = False,
    id_scheme: str = Scheme.AUTO,
):
    """A JSON list of values (indicator, orgunit, period, disaggregation, value, comment,
    followup); identifiers by uid or code (``id_scheme=auto``). Refused rows are listed
    with their index and never stop the others, unless ``atomic``."""
    options = _options(strategy, dry_run, atomic, id_scheme)
    body = request.read(sources.MAX_UPLOAD_BYTES + 1)
    if len(body) > sources.MAX_UPLOAD_BYTES:
        raise ApiError(413, "file_too_large", _("The payload is too large."))

    def handler():
        try:
            job, result = services.import_data(request.auth, body, ImportFormat.JSON, options)
        except sources.SourceError as error:
            raise ApiError(422, error.code, str(error)) from error
        return (409 if result.rolled_back else 200), _result_out(job, result)

    return run_once(request, request.auth, body, handler)


@values_router.get(
    "/template",
    auth=api_auth,
    operation_id="datavalues_template",
    url_name="datavalues_template",
)
def download_template(request, regime: str, orgunit: str, period: str):
    """The report's Excel form (regime code, unit uid, period code), pre-filled with the
    stored values and last period's; fill it in and send it back to ``/imports/``."""
    from django.core.exceptions import ValidationError

    from dieuhanh.datavalues import entry, template

    try:
        found = entry.find_report(request.auth, regime, orgunit, period)
    except ValidationError as error:
        raise ApiError(422, error.code or "invalid", error.messages[0]) from error
    form = entry.entry_form(request.auth, *found)
    audit_export(
        request.auth, "report form", {"regime": regime, "orgunit": orgunit, "period": period}
    )
    return file_response(
        f"{regime}-{form.unit.code}-{period}.xlsx",
        template.build_template(form),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class AuditOut(Schema):
    value: int
    kind: str
    old_value: str | None
    new_value: str | None
    old_comment: str | None
    new_comment: str | None
    time: datetime.datetime
    user: str
    channel: str
    job: str | None
    request_id: str


def _audit_out(audit: DataValueAudit) -> dict:
    return {
        "value": audit.value_id,
        "kind": audit.kind,
        "old_value": audit.old_value,
        "new_value": audit.new_value,
        "old_comment": audit.old_comment,
        "new_comment": audit.new_comment,
        "time": audit.time,
        "user": audit.user_name,
        "channel": audit.channel,
        "job": audit.job.uid if audit.job_id else None,
        "request_id": audit.request_id,
    }


class AuditPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[AuditOut]


@values_router.get(
    "/audit",
    response=AuditPage,
    auth=api_auth,
    operation_id="datavalues_audit",
    url_name="datavalues_audit",
)
def value_audit(
    request, value: int | None = None, job: str | None = None, limit: int = 100, offset: int = 0
):
    """The changes of one value (``value``) or made by one import (``job``)."""
    if value is None and not job:
        raise ApiError(422, "missing_filter", _("Give a value id or a job id."))
    queryset = DataValueAudit.objects.restrict(request.auth, "view").select_related("job")
    if value is not None:
        queryset = queryset.filter(value_id=value)
    if job:
        queryset = queryset.filter(job__uid=job)
    return paginate(request, queryset.order_by("time", "id"), limit, offset, _audit_out)


# --- imports -------------------------------------------------------------------------------
class JobOut(Schema):
    id: str
    status: str
    format: str
    channel: str
    filename: str
    size: int
    encoding: str
    dry_run: bool
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    total: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    refused: int
    chunks: int
    message: str
    user: str | None
    errors_url: str


def _job_out(job: ImportJob, request=None) -> dict:
    return {
        "id": job.uid,
        "status": job.status,
        "format": job.format,
        "channel": job.channel,
        "filename": job.filename,
        "size": job.size,
        "encoding": job.encoding,
        "dry_run": job.dry_run,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "total": job.total,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "deleted": job.deleted,
        "refused": job.refused,
        "chunks": job.chunks,
        "message": job.message,
        "user": job.user.username if job.user_id else None,
        "errors_url": f"/api/v1/imports/{job.uid}/errors",
    }


class JobPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[JobOut]


@imports_router.get(
    "/", response=JobPage, auth=api_auth, operation_id="imports_list", url_name="imports_list"
)
def list_jobs(request, status: str | None = None, limit: int = 50, offset: int = 0):
    """Import jobs the caller may see, newest first."""
    queryset = ImportJob.objects.restrict(request.auth, "view").select_related("user")
    if status:
        queryset = queryset.filter(status=status)
    return paginate(request, queryset, limit, offset, _job_out)


@imports_router.post(
    "/",
    response={202: JobOut},
    auth=permitted(DataValue, "add"),
    operation_id="imports_create",
)
def create_job(
    request,
    format: str = "",
    strategy: str = Strategy.CREATE_AND_UPDATE,
    dry_run: bool = False,
    atomic: bool = False,
    id_scheme: str = Scheme.AUTO,
    encoding: str = "",
):
    """A file in the multipart field ``file``: long-format CSV or Excel (indicator, unit,
    period, disaggregation, value, comment), JSON, or DHIS2 JSON/CSV (``format``). The
    answer is the queued job; follow it at ``/api/v1/imports/{id}``."""
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(422, "missing_file", _("Send the file in the form field “file”."))
    if upload.size > sources.MAX_UPLOAD_BYTES:
        raise ApiError(413, "file_too_large", _("The file is too large."))
    options = _options(strategy, dry_run, atomic, id_scheme)
    data = upload.read()

    def handler():
        try:
            job = services.queue_upload(
                request.auth,
                data,
                upload.name,
                options,
                fmt=format,
                content_type=upload.content_type or "",
                encoding=encoding,
            )
        except sources.SourceError as error:
            raise ApiError(422, error.code, str(error)) from error
        return 202, _job_out(job)

    return run_once(request, request.auth, data, handler)


@imports_router.get(
    "/{uid}", response=JobOut, auth=api_auth, operation_id="imports_get", url_name="imports_get"
)
def get_job(request, uid: str):
    job = get_object_or_404(
        ImportJob.objects.restrict(request.auth, "view").select_related("user"), uid=uid
    )
    return _job_out(job)


ERROR_COLUMNS = ("index", "line", "code", "field", "object", "message")


@imports_router.get(
    "/{uid}/errors",
    auth=api_auth,
    operation_id="imports_errors",
    url_name="imports_errors",
)
def job_errors(request, uid: str, format: str = "json"):
    """The refused rows of a job, as JSON, CSV (``format=csv``) or Excel (``format=xlsx``)."""
    job = get_object_or_404(ImportJob.objects.restrict(request.auth, "view"), uid=uid)
    rows = [
        [issue.index, issue.line, issue.code, issue.property, issue.object, issue.message]
        for issue in job.issues.all()
    ]
    if format == "csv":
        audit_export(request.auth, "import errors", {"job": job.uid, "format": "csv"})
        return csv_response(f"import-{job.uid}-errors.csv", ERROR_COLUMNS, rows)
    if format == "xlsx":
        from dieuhanh.catalog.metadata import write_xlsx

        audit_export(request.auth, "import errors", {"job": job.uid, "format": "xlsx"})
        content = write_xlsx(ERROR_COLUMNS, rows, title="errors")
        return file_response(
            f"import-{job.uid}-errors.xlsx",
            content,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return {"job": job.uid, "errors": [dict(zip(ERROR_COLUMNS, row, strict=True)) for row in rows]}
