"""Tasks through the API: document-management systems send a directive document with its
tasks, agencies' systems report progress and ask for more time, the center reviews,
decides, completes, and reads the statistics. Writes accept an ``Idempotency-Key``."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from dieuhanh.core.api_auth import permitted
from dieuhanh.core.api_errors import ApiError
from dieuhanh.core.api_errors import refusals as api_refusals
from dieuhanh.core.api_pagination import paginate
from dieuhanh.core.idempotency import run_once
from dieuhanh.directives import services, stats
from dieuhanh.directives.filters import TaskFilter
from dieuhanh.directives.models import (
    Document,
    ExtensionRequest,
    ProgressReport,
    Task,
)
from dieuhanh.directives.status import status_of

router = Router(tags=["directives"])

NOT_FOUND = (
    Task.DoesNotExist,
    Document.DoesNotExist,
    ProgressReport.DoesNotExist,
    ExtensionRequest.DoesNotExist,
)
STATE_CODES = {
    "task_done",
    "task_withdrawn",
    "task_open",
    "already_reviewed",
    "already_decided",
    "extension_waiting",
}


def refusals():
    """A service's refusal as the API's: not found 404, a wrong state 409, bad input 422."""
    return api_refusals(*NOT_FOUND, conflicts=STATE_CODES)


# --- schemas ---------------------------------------------------------------------------------
class TaskIn(Schema):
    content: str
    lead: str = Field(description="The lead agency: uid, code of a current unit, or its name")
    kind: str = "specific"
    clause: str = ""
    coordinators: list[str] = []
    monitor: str | None = Field(None, description="Username of the monitoring officer")
    supervisor: str | None = Field(None, description="Username of the supervising leader")
    deadline: datetime.date | None = None
    recurrence: str = Field("", description="'', monthly, quarterly or yearly")
    recurrence_until: datetime.date | None = None
    is_key: bool = False
    expected_product: str = ""
    indicators: list[str] = Field([], description="Codes of the indicators it concerns")
    projects: list[str] = Field(
        [], description="Codes of the programmes and projects it concerns (/api/v1/targets)"
    )
    open_to_agencies: bool = False
    sensitivity: str = ""
    assigned_on: datetime.date | None = None


class NewTaskIn(TaskIn):
    document_id: int


class DocumentIn(Schema):
    number: str = Field(description="Number and symbol, e.g. 42/NQ-CP")
    doc_type: str
    issued_on: datetime.date
    excerpt: str
    signer: str = ""
    issuer: str | None = Field(None, description="uid or code of the issuing unit")
    issuer_name: str = ""
    sensitivity: str = "internal"
    source_system: str = ""
    source_id: str = ""
    tasks: list[TaskIn] = Field([], description="The tasks the document assigns")


class DocumentOut(Schema):
    id: int
    number: str
    doc_type: str
    doc_type_label: str
    issued_on: datetime.date
    signer: str
    issuer: str
    excerpt: str
    sensitivity: str
    source_system: str
    source_id: str
    task_ids: list[int]


class DocumentPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[DocumentOut]


class TaskOut(Schema):
    id: int
    document_id: int
    document: str
    clause: str
    content: str
    kind: str
    lead: str
    lead_code: str
    lead_name: str
    coordinators: list[str]
    monitor: str | None
    supervisor: str | None
    assigned_on: datetime.date
    deadline: datetime.date | None
    first_deadline: datetime.date | None = None
    recurrence: str
    is_key: bool
    expected_product: str
    indicators: list[str]
    projects: list[str]
    open_to_agencies: bool
    sensitivity: str
    progress: int
    completed_at: datetime.datetime | None
    product: str
    withdrawal: str
    status: str
    status_label: str
    bucket: str | None


class TaskPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[TaskOut]


class DeadlineOut(Schema):
    deadline: datetime.date | None
    reason: str
    note: str
    set_at: datetime.datetime
    set_by: str | None


class ReportOut(Schema):
    id: int
    task_id: int
    percent: int
    text: str
    completes: bool
    product: str
    occurrence: datetime.date | None
    reported_at: datetime.datetime
    reported_by: str | None
    status: str
    reviewed_at: datetime.datetime | None
    reviewed_by: str | None
    review_note: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    url: str


class ExtensionOut(Schema):
    id: int
    task_id: int
    current_deadline: datetime.date | None
    proposed_deadline: datetime.date
    reason: str
    requested_at: datetime.datetime
    requested_by: str | None
    status: str
    granted_deadline: datetime.date | None
    decided_at: datetime.datetime | None
    decided_by: str | None
    decision_note: str


class EventOut(Schema):
    kind: str
    label: str
    at: datetime.datetime
    user: str
    text: str
    detail: dict | None


class TaskDetailOut(TaskOut):
    deadlines: list[DeadlineOut]
    reports: list[ReportOut]
    extensions: list[ExtensionOut]
    timeline: list[EventOut]


class ReportIn(Schema):
    percent: int = Field(0, ge=0, le=100)
    text: str
    completes: bool = False
    product: str = ""


class ReviewIn(Schema):
    accept: bool
    note: str = ""


class ExtensionIn(Schema):
    proposed_deadline: datetime.date
    reason: str


class DecisionIn(Schema):
    grant: bool
    deadline: datetime.date | None = None
    note: str = ""


class CompleteIn(Schema):
    completed_at: datetime.datetime | None = None
    product: str = ""


class ReasonIn(Schema):
    reason: str


class WithdrawIn(Schema):
    withdrawal: str = Field(description="cancelled or adjusted")
    reason: str


class TaskParams(Schema):
    q: str = ""
    document: int | None = None
    document_number: str = ""
    project: str = Field("", description="Code of a programme or project the tasks concern")
    lead: str = ""
    unit: str = Field("", description="uid: tasks this unit leads or co-ordinates")
    status: list[str] = Field([], description="in_progress, due_soon, overdue, done_on_time, ...")
    bucket: str = Field("", description="done_on_time, done_late, in_progress or overdue")
    key: bool | None = None
    kind: str = ""
    supervisor: int | None = None
    monitor: int | None = None
    assigned_from: datetime.date | None = None
    assigned_to: datetime.date | None = None
    deadline_from: datetime.date | None = None
    deadline_to: datetime.date | None = None
    order: str = "deadline"
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)

    def filter(self) -> TaskFilter:
        return TaskFilter(**self.dict(exclude={"limit", "offset"}))


class StatisticsParams(TaskParams):
    by: str = Field("lead", description="lead, document, period, supervisor or kind")
    period_type: str = Field("year", description="year, quarter or month (by=period)")


class StatisticsRow(Schema):
    key: str | None
    label: str
    detail: str
    total: int
    done_on_time: int
    done_late: int
    in_progress: int
    overdue: int
    key_total: int
    key_overdue: int
    completion_rate: float | None
    on_time_rate: float | None
    overdue_share: float | None
    rag: str
    tasks: dict


class StatisticsOut(Schema):
    by: str
    today: datetime.date
    total: StatisticsRow
    rows: list[StatisticsRow]


# --- serializers -----------------------------------------------------------------------------
def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def document_out(document: Document) -> dict:
    return {
        "id": document.pk,
        "number": document.number,
        "doc_type": document.doc_type,
        "doc_type_label": document.get_doc_type_display(),
        "issued_on": document.issued_on,
        "signer": document.signer,
        "issuer": document.issuer_label,
        "excerpt": document.excerpt,
        "sensitivity": document.sensitivity,
        "source_system": document.source_system,
        "source_id": document.source_id,
        "task_ids": sorted(task.pk for task in document.tasks.all()),
    }


def task_out(task: Task) -> dict:
    status = status_of(task)
    return {
        "id": task.pk,
        "document_id": task.document_id,
        "document": task.document.number,
        "clause": task.clause,
        "content": task.content,
        "kind": task.kind,
        "lead": task.lead.uid,
        "lead_code": task.lead.code,
        "lead_name": task.lead.name,
        "coordinators": [unit.uid for unit in task.coordinators.all()],
        "monitor": _name(task.monitor),
        "supervisor": _name(task.supervisor),
        "assigned_on": task.assigned_on,
        "deadline": task.deadline,
        "recurrence": task.recurrence,
        "is_key": task.is_key,
        "expected_product": task.expected_product,
        "indicators": [indicator.code for indicator in task.indicators.all()],
        "projects": [project.code for project in task.projects.all()],
        "open_to_agencies": task.open_to_agencies,
        "sensitivity": task.sensitivity,
        "progress": task.progress,
        "completed_at": task.completed_at,
        "product": task.product,
        "withdrawal": task.withdrawal,
        "status": status.value,
        "status_label": str(status.label),
        "bucket": status.bucket,
    }


def report_out(report: ProgressReport) -> dict:
    return {
        "id": report.pk,
        "task_id": report.task_id,
        "percent": report.percent,
        "text": report.text,
        "completes": report.completes,
        "product": report.product,
        "occurrence": report.occurrence,
        "reported_at": report.reported_at,
        "reported_by": _name(report.reported_by),
        "status": report.status,
        "reviewed_at": report.reviewed_at,
        "reviewed_by": _name(report.reviewed_by),
        "review_note": report.review_note,
    }


def extension_out(item: ExtensionRequest) -> dict:
    return {
        "id": item.pk,
        "task_id": item.task_id,
        "current_deadline": item.current_deadline,
        "proposed_deadline": item.proposed_deadline,
        "reason": item.reason,
        "requested_at": item.requested_at,
        "requested_by": _name(item.requested_by),
        "status": item.status,
        "granted_deadline": item.granted_deadline,
        "decided_at": item.decided_at,
        "decided_by": _name(item.decided_by),
        "decision_note": item.decision_note,
    }


def task_detail_out(user, task: Task) -> dict:
    history = list(services.deadlines(user, task))
    return {
        **task_out(task),
        "first_deadline": history[0].deadline if history else task.deadline,
        "deadlines": [
            {
                "deadline": entry.deadline,
                "reason": entry.reason,
                "note": entry.note,
                "set_at": entry.set_at,
                "set_by": _name(entry.set_by),
            }
            for entry in history
        ],
        "reports": [report_out(report) for report in services.reports(user, task)],
        "extensions": [extension_out(item) for item in services.extensions(user, task)],
        "timeline": [
            {
                "kind": event.kind,
                "label": event.get_kind_display(),
                "at": event.at,
                "user": event.user_name,
                "text": event.text,
                "detail": event.detail,
            }
            for event in services.timeline(user, task)
        ],
    }


def _listed(queryset):
    return queryset.prefetch_related("coordinators", "indicators", "projects")


def _task_input(body: TaskIn) -> services.TaskInput:
    return services.TaskInput(**body.dict(exclude={"document_id"}))


def _once(request, handler):
    """Run a write once per Idempotency-Key; the answer as JSON either way."""
    return run_once(request, request.auth, request.body, handler)


# --- documents -------------------------------------------------------------------------------
@router.get(
    "/documents",
    response=DocumentPage,
    auth=permitted(Document, "view"),
    operation_id="directives_documents",
)
def document_list(
    request,
    q: str = "",
    doc_type: str = "",
    issued_from: datetime.date | None = None,
    issued_to: datetime.date | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
):
    """Directive documents the caller may see, newest first."""
    queryset = services.documents(request.auth)
    if q:
        queryset = queryset.filter(number__icontains=q) | queryset.filter(excerpt__icontains=q)
    if doc_type:
        queryset = queryset.filter(doc_type=doc_type)
    if issued_from:
        queryset = queryset.filter(issued_on__gte=issued_from)
    if issued_to:
        queryset = queryset.filter(issued_on__lte=issued_to)
    return paginate(request, queryset.prefetch_related("tasks"), limit, offset, document_out)


@router.post(
    "/documents",
    response={200: DocumentOut, 201: DocumentOut},
    auth=permitted(Document, "add"),
    operation_id="directives_document_create",
)
def document_create(request, body: DocumentIn):
    """A document with the tasks it assigns, in one transaction. Sent again (same number
    and date, or same source system and identifier), it changes nothing and answers 200
    with what was recorded; tasks already recorded are not repeated."""
    user = request.auth

    def handler():
        from django.db import transaction

        with refusals(), transaction.atomic():
            data = body.dict(exclude={"tasks"})
            document, created = services.create_document(user, services.DocumentInput(**data))
            for task in body.tasks:
                task_input = _task_input(task)
                services.create_task(
                    user,
                    document,
                    task_input,
                    key=services.import_key(document, task_input),
                )
        document = services.documents(user).prefetch_related("tasks").get(pk=document.pk)
        return (201 if created else 200), document_out(document)

    return _once(request, handler)


@router.get(
    "/documents/{document_id}",
    response=DocumentOut,
    auth=permitted(Document, "view"),
    operation_id="directives_document",
)
def document_detail(request, document_id: int):
    with refusals():
        return document_out(services.get_document(request.auth, document_id))


# --- tasks -----------------------------------------------------------------------------------
@router.get(
    "/tasks", response=TaskPage, auth=permitted(Task, "view"), operation_id="directives_tasks"
)
def task_list(request, params: Query[TaskParams]):
    """Tasks the caller may see (an agency: those it leads or co-ordinates, and those open
    to every agency), filtered; each with its status today."""
    queryset = params.filter().apply(services.tasks(request.auth))
    return paginate(request, _listed(queryset), params.limit, params.offset, task_out)


@router.post(
    "/tasks",
    response={201: TaskDetailOut},
    auth=permitted(Task, "add"),
    operation_id="directives_task_create",
)
def task_create(request, body: NewTaskIn):
    user = request.auth

    def handler():
        with refusals():
            document = services.get_document(user, body.document_id)
            task = services.create_task(user, document, _task_input(body))
        return 201, task_detail_out(user, services.get_task(user, task.pk))

    return _once(request, handler)


@router.get(
    "/tasks/{task_id}",
    response=TaskDetailOut,
    auth=permitted(Task, "view"),
    operation_id="directives_task",
)
def task_detail(request, task_id: int):
    """A task with its deadlines, reports, extension requests and timeline."""
    with refusals():
        return task_detail_out(request.auth, services.get_task(request.auth, task_id))


@router.put(
    "/tasks/{task_id}",
    response=TaskDetailOut,
    auth=permitted(Task, "change"),
    operation_id="directives_task_update",
)
def task_update(request, task_id: int, body: TaskIn, note: str = ""):
    """The center corrects a task; a changed deadline joins its history with ``note``."""
    with refusals():
        task = services.get_task(request.auth, task_id, "change")
        services.update_task(request.auth, task, _task_input(body), note=note)
        return task_detail_out(request.auth, services.get_task(request.auth, task_id))


def _on_task(request, task_id: int, step, answer, *, action: str = "view", status: int = 200):
    """A write on one task, once per Idempotency-Key: ``step(task)`` and its ``answer``."""
    user = request.auth

    def handler():
        with refusals():
            done = step(services.get_task(user, task_id, action))
        return status, answer(done)

    return _once(request, handler)


def _task_step(request, task_id: int, action: str, step):
    """One of the center's steps; the answer is the task as it is now."""

    def answer(_done):
        return task_detail_out(request.auth, services.get_task(request.auth, task_id))

    return _on_task(request, task_id, step, answer, action=action)


@router.post(
    "/tasks/{task_id}/complete",
    response=TaskDetailOut,
    auth=permitted(Task, "change"),
    operation_id="directives_task_complete",
)
def task_complete(request, task_id: int, body: CompleteIn):
    """Record the task done (now, or at ``completed_at``): on time or late follows from the
    deadline in force."""
    return _task_step(
        request,
        task_id,
        "change",
        lambda task: services.complete_task(
            request.auth, task, completed_at=body.completed_at, product=body.product
        ),
    )


@router.post(
    "/tasks/{task_id}/reopen",
    response=TaskDetailOut,
    auth=permitted(Task, "change"),
    operation_id="directives_task_reopen",
)
def task_reopen(request, task_id: int, body: ReasonIn):
    return _task_step(
        request,
        task_id,
        "change",
        lambda task: services.reopen_task(request.auth, task, body.reason),
    )


@router.post(
    "/tasks/{task_id}/withdraw",
    response=TaskDetailOut,
    auth=permitted(Task, "change"),
    operation_id="directives_task_withdraw",
)
def task_withdraw(request, task_id: int, body: WithdrawIn):
    """Cancel the task, or mark it adjusted by a later document."""
    return _task_step(
        request,
        task_id,
        "change",
        lambda task: services.withdraw_task(request.auth, task, body.withdrawal, body.reason),
    )


@router.post(
    "/tasks/{task_id}/reports",
    response={201: ReportOut},
    auth=permitted(ProgressReport, "add"),
    operation_id="directives_report_create",
)
def report_create(request, task_id: int, body: ReportIn):
    """The lead agency reports progress (or the task done, with its product)."""
    return _on_task(
        request,
        task_id,
        lambda task: services.report_progress(
            request.auth,
            task,
            percent=body.percent,
            text=body.text,
            completes=body.completes,
            product=body.product,
        ),
        report_out,
        status=201,
    )


@router.post(
    "/reports/{report_id}/files",
    response={201: list[AttachmentOut]},
    auth=permitted(ProgressReport, "add"),
    operation_id="directives_report_files",
)
def report_files(request, report_id: int, files: File[list[UploadedFile]]):
    """Files of a report still waiting for review (multipart, field ``files``), sent by the
    lead agency: PDF, Word, Excel, OpenDocument, ZIP or images, 20 MB each."""
    with refusals():
        report = services.get_report(request.auth, report_id)
        saved = services.attach_to_report(request.auth, report, files)
    return Status(
        201,
        [
            {
                "id": item.pk,
                "name": item.name,
                "size": item.size,
                "url": reverse("directives:attachment", args=[item.pk]),
            }
            for item in saved
        ],
    )


@router.post(
    "/reports/{report_id}/review",
    response=ReportOut,
    auth=permitted(ProgressReport, "review"),
    operation_id="directives_report_review",
)
def report_review(request, report_id: int, body: ReviewIn):
    """The monitoring officer accepts the report or returns it with a note."""
    with refusals():
        report = services.get_report(request.auth, report_id)
        return report_out(
            services.review_report(request.auth, report, accept=body.accept, note=body.note)
        )


@router.post(
    "/tasks/{task_id}/extensions",
    response={201: ExtensionOut},
    auth=permitted(ExtensionRequest, "add"),
    operation_id="directives_extension_create",
)
def extension_create(request, task_id: int, body: ExtensionIn):
    """The lead agency asks for a later deadline, with its reason."""
    return _on_task(
        request,
        task_id,
        lambda task: services.request_extension(
            request.auth, task, proposed_deadline=body.proposed_deadline, reason=body.reason
        ),
        extension_out,
        status=201,
    )


@router.post(
    "/extensions/{extension_id}/decide",
    response=ExtensionOut,
    auth=permitted(ExtensionRequest, "decide"),
    operation_id="directives_extension_decide",
)
def extension_decide(request, extension_id: int, body: DecisionIn):
    with refusals():
        item = services.get_extension(request.auth, extension_id)
        return extension_out(
            services.decide_extension(
                request.auth, item, grant=body.grant, deadline=body.deadline, note=body.note
            )
        )


# --- statistics ------------------------------------------------------------------------------
def _row_out(row: stats.Row) -> dict:
    return {
        "key": None if row.key is None else str(row.key),
        "label": row.label,
        "detail": row.detail,
        **{name: getattr(row, name) for name in stats.COUNTS},
        "completion_rate": row.completion_rate,
        "on_time_rate": row.on_time_rate,
        "overdue_share": row.overdue_share,
        "rag": row.rag,
        "tasks": row.params,
    }


@router.get(
    "/statistics",
    response=StatisticsOut,
    auth=permitted(Task, "view"),
    operation_id="directives_statistics",
)
def statistics(request, params: Query[StatisticsParams]):
    """The four counts (done on time, done late, in progress, overdue), key tasks, rates and
    a red-amber-green status, per lead agency, document, period, leader or kind; ``tasks``
    is the task-list filter of each row."""
    if params.by not in stats.GROUPINGS or params.period_type not in stats.PERIOD_TYPES:
        raise ApiError(422, "invalid_grouping", "by: lead, document, period, supervisor or kind")
    filters = TaskFilter(**params.dict(exclude={"limit", "offset", "by", "period_type"}))
    found = stats.statistics(
        request.auth,
        by=params.by,
        filters=filters,
        period_type=params.period_type,
        today=timezone.localdate(),
    )
    return {
        "by": found.by,
        "today": found.today,
        "total": _row_out(found.total),
        "rows": [_row_out(row) for row in found.rows],
    }
