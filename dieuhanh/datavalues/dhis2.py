"""The DHIS2-compatible API: ``/api/dataValueSets`` (JSON and CSV, read and write) and the
task endpoints of asynchronous imports, answering as DHIS2 does so that existing DHIS2
tools and integrations push to it unchanged.

Authentication as DHIS2 clients send it: ``Authorization: ApiToken <token>`` (or Bearer),
HTTP Basic for accounts given the "DHIS2 API with a password" permission, or the browser
session for reads.
"""

from __future__ import annotations

import base64
import csv
import io

from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError, AuthorizationError

from dieuhanh.core.api_auth import TokenAuth
from dieuhanh.core.audit import audit_channel, record_event
from dieuhanh.datavalues import queries, services, sources
from dieuhanh.datavalues.ingest import ImportOptions, ImportResult, Scheme, Strategy
from dieuhanh.datavalues.models import Channel, ImportFormat, ImportJob

MODULE = "datavalues"
JOB_TYPE = "DATAVALUE_IMPORT"


def _error(status: int, message: str, code: str | None = None) -> JsonResponse:
    names = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        413: "Payload Too Large",
    }
    body = {
        "httpStatus": names.get(status, "Error"),
        "httpStatusCode": status,
        "status": "ERROR",
        "message": message,
    }
    if code:
        body["errorCode"] = code
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="DHIS2"'
    return response


def authenticate_request(request, write: bool):
    """The user behind a DHIS2 client's request, or a JsonResponse refusing it."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, credentials = header.partition(" ")
    scheme = scheme.lower()
    if scheme in ("apitoken", "bearer"):
        try:
            user = TokenAuth().authenticate(request, credentials.strip())
        except AuthenticationError as error:
            return _error(401, str(error.message))
        except AuthorizationError as error:
            return _error(403, str(error.message))
        return user
    if scheme == "basic":
        return _basic(request, credentials.strip())
    if not write and request.user.is_authenticated:
        return request.user
    return _error(401, _("Send an API token (Authorization: ApiToken <token>) or sign in."))


def _basic(request, credentials: str):
    from dieuhanh.accounts.two_factor import two_factor_required

    try:
        username, _sep, password = base64.b64decode(credentials).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return _error(401, _("The Basic credentials cannot be read."))
    user = authenticate(request, username=username, password=password)
    if user is None:
        return _error(401, _("Wrong user name or password, or the account is locked."))
    if not user.has_perm("datavalues.dhis2_basic_auth") or two_factor_required(user):
        record_event(
            "permission_denied",
            user,
            detail={"reason": "basic auth not allowed", "path": request.path[:300]},
        )
        return _error(
            403,
            _("This account may not use a password with the API; create an API token instead."),
        )
    request.user = user
    return user


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("true", "1", "yes")


def options_from_query(query) -> ImportOptions | JsonResponse:
    strategy = query.get("importStrategy") or query.get("strategy") or Strategy.CREATE_AND_UPDATE
    strategy = strategy.strip().upper()
    if strategy == "NEW_AND_UPDATES":
        strategy = Strategy.CREATE_AND_UPDATE
    if strategy not in Strategy.ALL:
        return _error(409, _("Unknown importStrategy “%s”.") % strategy, "E7650")
    schemes = {}
    base = (query.get("idScheme") or "uid").strip().lower()
    for name, parameter in (
        ("indicator_scheme", "dataElementIdScheme"),
        ("orgunit_scheme", "orgUnitIdScheme"),
        ("combination_scheme", "categoryOptionComboIdScheme"),
    ):
        scheme = (query.get(parameter) or base).strip().lower()
        if scheme not in (Scheme.UID, Scheme.CODE):
            return _error(409, _("Unknown id scheme “%s”: use UID or CODE.") % scheme)
        schemes[name] = scheme
    return ImportOptions(
        strategy=strategy,
        dry_run=_flag(query.get("dryRun")),
        atomic=(query.get("atomicMode") or "").upper() == "ALL" or _flag(query.get("atomic")),
        regime=query.get("dataSet") or None,
        **schemes,
    )


def import_summary(result: ImportResult, options: ImportOptions) -> dict:
    """DHIS2's import summary, inside its web-message envelope (2.38+) and also at the top
    level, as older clients read it."""
    grouped: dict[tuple, dict] = {}
    for conflict in result.conflicts:
        key = (conflict.object, conflict.code, conflict.property)
        entry = grouped.get(key)
        if entry is None:
            entry = grouped[key] = {
                "object": conflict.object,
                "objects": {conflict.property or "value": conflict.object},
                "value": conflict.message,
                "errorCode": conflict.code,
                "property": conflict.property,
                "indexes": [],
            }
        entry["indexes"].append(conflict.index)
    status = result.status
    summary = {
        "responseType": "ImportSummary",
        "status": status,
        "importOptions": {
            "idSchemes": {},
            "dryRun": options.dry_run,
            "async": False,
            "importStrategy": options.strategy,
            "atomicMode": "ALL" if options.atomic else "NONE",
        },
        "description": (
            _("Import was rolled back: the import is all or nothing and rows were refused.")
            if result.rolled_back
            else _("Import process completed successfully")
        ),
        "importCount": {
            "imported": result.created,
            "updated": result.updated,
            "ignored": result.ignored if not result.rolled_back else result.total,
            "deleted": result.deleted,
        },
        "conflicts": list(grouped.values()),
        "rejectedIndexes": sorted(c.index for c in result.conflicts),
        "dataSetComplete": "false",
    }
    http_status = 409 if status == "ERROR" else 200
    message = {
        "SUCCESS": _("Import was successful."),
        "WARNING": _("One more conflicts encountered, please check import summary."),
        "ERROR": _("An error occurred, please check import summary."),
    }[status]
    return {
        "httpStatus": "OK" if http_status == 200 else "Conflict",
        "httpStatusCode": http_status,
        "message": message,
        **summary,
        "response": summary,
    }


def _read_body(request) -> bytes | JsonResponse:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > sources.MAX_UPLOAD_BYTES:
        return _error(
            413, _("The payload is larger than %d MB.") % (sources.MAX_UPLOAD_BYTES >> 20)
        )
    data = request.read(sources.MAX_UPLOAD_BYTES + 1)
    if len(data) > sources.MAX_UPLOAD_BYTES:
        return _error(
            413, _("The payload is larger than %d MB.") % (sources.MAX_UPLOAD_BYTES >> 20)
        )
    return data


def _format(request, suffix: str) -> str:
    content_type = request.content_type or ""
    if suffix == ".csv" or "csv" in content_type:
        return ImportFormat.DHIS2_CSV
    return ImportFormat.DHIS2_JSON


@csrf_exempt
@login_not_required
def data_value_sets(request, suffix: str = ""):
    if request.method == "POST":
        return _post(request, suffix)
    if request.method in ("GET", "HEAD"):
        return _get(request, suffix)
    response = _error(405, _("Use GET or POST."))
    response["Allow"] = "GET, POST"
    return response


def _post(request, suffix: str):
    user = authenticate_request(request, write=True)
    if isinstance(user, HttpResponse):
        return user
    options = options_from_query(request.GET)
    if isinstance(options, HttpResponse):
        return options
    data = _read_body(request)
    if isinstance(data, HttpResponse):
        return data
    fmt = _format(request, suffix)
    with audit_channel(Channel.DHIS2):
        try:
            if _flag(request.GET.get("async")):
                job = services.queue_import(user, data, fmt, options)
                return JsonResponse(_job_message(job))
            _job, result = services.import_data(user, data, fmt, options)
        except PermissionDenied as error:
            record_event(
                "permission_denied", user, detail={"path": request.path, "reason": str(error)}
            )
            return _error(403, str(error))
        except sources.SourceError as error:
            return _error(
                409 if error.code != "unreadable_encoding" else 400, str(error), error.code
            )
    body = import_summary(result, options)
    return JsonResponse(body, status=body["httpStatusCode"])


def _job_message(job: ImportJob) -> dict:
    return {
        "httpStatus": "OK",
        "httpStatusCode": 200,
        "status": "OK",
        "message": f"Initiated {JOB_TYPE}",
        "response": {
            "responseType": "JobConfigurationWebMessageResponse",
            "name": JOB_TYPE,
            "id": job.uid,
            "created": job.created_at.isoformat(),
            "jobType": JOB_TYPE,
            "relativeNotifierEndpoint": f"/api/system/tasks/{JOB_TYPE}/{job.uid}",
        },
    }


def _get(request, suffix: str):
    user = authenticate_request(request, write=False)
    if isinstance(user, HttpResponse):
        return user
    query = request.GET
    scheme = (query.get("idScheme") or "uid").lower()
    try:
        selection = queries.Selection.from_dhis2(query)
        rows = queries.value_rows(queries.select_values(user, selection))
    except queries.SelectionError as error:
        return _error(409, str(error), error.code)
    if suffix == ".csv" or "text/csv" in request.headers.get("Accept", ""):
        return _csv_response(rows, scheme)
    values = [_dhis2_value(row, scheme) for row in rows]
    body = {"dataValues": values}
    if len(selection.regimes) == 1:
        body = {"dataSet": selection.regimes[0], **body}
    if len(selection.periods) == 1:
        body["period"] = selection.periods[0]
    if len(selection.orgunits) == 1 and not selection.children:
        body["orgUnit"] = selection.orgunits[0]
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _dhis2_value(row: dict, scheme: str) -> dict:
    by = "code" if scheme == "code" else "uid"
    value = {
        "dataElement": row[f"indicator__{by}"],
        "period": row["period"],
        "orgUnit": row[f"orgunit__{by}"],
        "categoryOptionCombo": row[f"combination__{by}"],
        "attributeOptionCombo": row[f"attribute__{by}"],
        "value": queries.shown_value(row),
        "storedBy": row["updated_by__username"] or "",
        "created": row["created_at"].isoformat(),
        "lastUpdated": row["updated_at"].isoformat(),
        "comment": row["comment"] or None,
        "followup": row["followup"],
    }
    if row["deleted"]:
        value["deleted"] = True
    return value


CSV_HEADER = (
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
)


def _csv_response(rows, scheme: str):
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_HEADER)
        for row in rows:
            value = _dhis2_value(row, scheme)
            writer.writerow(
                [
                    value["dataElement"],
                    value["period"],
                    value["orgUnit"],
                    value["categoryOptionCombo"],
                    value["attributeOptionCombo"],
                    value["value"],
                    value["storedBy"],
                    value["lastUpdated"],
                    value["comment"] or "",
                    str(value["followup"]).lower(),
                    str(bool(value.get("deleted"))).lower(),
                ]
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dataValueSets.csv"'
    return response


@csrf_exempt
@login_not_required
def task_status(request, job_type: str, uid: str):
    """DHIS2's task notifications for an asynchronous import."""
    job = _visible_job(request, uid)
    if isinstance(job, HttpResponse):
        return job
    completed = job.status in ("done", "failed")
    notes = [
        {
            "uid": job.uid,
            "level": "ERROR" if job.status == "failed" else "INFO",
            "category": JOB_TYPE,
            "time": (job.finished_at or job.heartbeat_at or job.created_at).isoformat(),
            "message": job.message or job.get_status_display(),
            "completed": completed,
        }
    ]
    return JsonResponse(notes, safe=False)


@csrf_exempt
@login_not_required
def task_summary(request, job_type: str, uid: str):
    """The import summary of a finished asynchronous import."""
    job = _visible_job(request, uid)
    if isinstance(job, HttpResponse):
        return job
    result = queries.job_result(job)
    options = services.options_from_job(job)
    body = import_summary(result, options)
    return JsonResponse(body.get("response", body))


def _visible_job(request, uid: str):
    user = authenticate_request(request, write=False)
    if isinstance(user, HttpResponse):
        return user
    job = ImportJob.objects.restrict(user, "view").filter(uid=uid).first()
    if job is None:
        return _error(404, _("Import job not found: %s") % uid)
    return job
