"""The task pages: statistics that drill down to the tasks, the task list, a task with its
timeline and the steps the user may take, documents, the Excel import, the review queue and
the monthly summary. Thin: the rules are in ``services``, the numbers in ``stats``."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dieuhanh.analytics.exports import XLSX, xlsx_file
from dieuhanh.catalog.models import Indicator
from dieuhanh.core.exports import audit_export
from dieuhanh.core.navigation import local_target
from dieuhanh.core.paging import page_of
from dieuhanh.core.querysets import denied, permits
from dieuhanh.directives import imports, services, stats, summary
from dieuhanh.directives.filters import TaskFilter
from dieuhanh.directives.forms import DocumentForm, ImportForm, TaskFilterForm, TaskForm
from dieuhanh.directives.models import (
    Attachment,
    Document,
    ExtensionRequest,
    ProgressReport,
    Task,
    Withdrawal,
)
from dieuhanh.directives.status import Bucket, status_of
from dieuhanh.targets import services as target_services

PER_PAGE = 50
ROWS_PER_PAGE = 100  # of the statistics table (a year has hundreds of documents)


def _require(user, model, action: str = "view") -> None:
    if not permits(user, model, action):
        raise denied(model, action)


def _filter_form(request) -> tuple[TaskFilterForm, TaskFilter]:
    form = TaskFilterForm(request.GET or None, agencies=services.agency_choices(request.user))
    values = form.filter_values() if request.GET else {}
    return form, TaskFilter(**values)


def _list_url(**params) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "", [])}
    return reverse("directives:tasks") + ("?" + urlencode(query, doseq=True) if query else "")


# --- statistics ------------------------------------------------------------------------------
@login_required
def home(request):
    """The statistics page: the four counts, key tasks, the rates, and the table per lead
    agency (or document, period, leader, kind) with its red-amber-green status; every
    number opens its tasks."""
    user = request.user
    _require(user, Task)
    form, filters = _filter_form(request)
    by = request.GET.get("by") if request.GET.get("by") in stats.GROUPINGS else "lead"
    period_type = request.GET.get("period_type", "year")
    if period_type not in stats.PERIOD_TYPES:
        period_type = "year"
    found = stats.statistics(user, by=by, filters=filters, period_type=period_type)
    base = {
        key: value
        for key, value in request.GET.lists()
        if key not in ("by", "period_type", "page", "format")
    }
    base = {key: value if len(value) > 1 else value[0] for key, value in base.items()}
    if request.GET.get("format") == "xlsx":
        return _statistics_xlsx(user, found)
    page, page_query = page_of(request, found.rows, ROWS_PER_PAGE)
    rows = [(row, _row_links(base, row)) for row in page.object_list]
    context = {
        "page": page,
        "page_query": page_query,
        "form": form,
        "found": found,
        "rows": rows,
        "total_links": _row_links(base, found.total),
        "groupings": stats.GROUPINGS.items(),
        "period_types": (("year", _("Year")), ("quarter", _("Quarter")), ("month", _("Month"))),
        "by": by,
        "period_type": period_type,
        "query": urlencode({k: v for k, v in request.GET.items() if k not in ("by", "format")}),
        "waiting": services.waiting_reports(user).count()
        + services.waiting_extensions(user).count(),
        "may_add": permits(user, Task, "add"),
        "buckets": _bucket_cards(base, found.total),
    }
    return render(request, "directives/home.html", context)


def _row_links(base: dict, row: stats.Row) -> dict:
    params = {**base, **row.params}
    params.pop("page", None)
    params.pop("format", None)
    links = {"total": _list_url(**params)}
    for bucket in Bucket:
        links[bucket.value] = _list_url(**{**params, "bucket": bucket.value})
    links["key_overdue"] = _list_url(**{**params, "key": "1", "status": "overdue"})
    return links


def _bucket_cards(base: dict, total: stats.Row) -> list[dict]:
    colours = {
        Bucket.DONE_ON_TIME: "success",
        Bucket.DONE_LATE: "secondary",
        Bucket.IN_PROGRESS: "primary",
        Bucket.OVERDUE: "danger",
    }
    return [
        {
            "bucket": bucket.value,
            "label": bucket.label,
            "count": getattr(total, bucket.value),
            "share": getattr(total, bucket.value) / total.total if total.total else None,
            "colour": colours[bucket],
            "url": _list_url(**{**base, "bucket": bucket.value}),
        }
        for bucket in Bucket
    ]


def _statistics_xlsx(user, found: stats.Statistics):
    columns = [
        found.grouping_label,
        _("Tasks"),
        _("Done on time"),
        _("Done late"),
        _("In progress within the deadline"),
        _("Overdue"),
        _("Key tasks"),
        _("Key tasks overdue"),
        _("Completion rate (%)"),
        _("On-time rate (%)"),
        _("Status"),
    ]

    def percent(rate):
        return None if rate is None else round(rate * 100, 1)

    rows = [
        [
            row.label,
            row.total,
            row.done_on_time,
            row.done_late,
            row.in_progress,
            row.overdue,
            row.key_total,
            row.key_overdue,
            percent(row.completion_rate),
            percent(row.on_time_rate),
            row.rag_label,
        ]
        for row in [*found.rows, found.total]
    ]
    audit_export(user, "directives.statistics", {"by": found.by})
    name = f"thong-ke-nhiem-vu-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(
        xlsx_file(columns, rows), as_attachment=True, filename=name, content_type=XLSX
    )


# --- the task list ---------------------------------------------------------------------------
@login_required
def task_list(request):
    user = request.user
    _require(user, Task)
    form, filters = _filter_form(request)
    today = timezone.localdate()
    queryset = filters.apply(services.tasks(user), today)
    if request.GET.get("format") == "xlsx":
        return _tasks_xlsx(user, queryset, today)
    page, query = page_of(request, queryset, PER_PAGE)
    items = [(task, status_of(task, today)) for task in page.object_list]
    return render(
        request,
        "directives/tasks.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "items": items,
            "today": today,
            "may_add": permits(user, Task, "add"),
            "xlsx_url": "?" + urlencode({**request.GET.dict(), "format": "xlsx"}),
            "narrowed": _narrowed(request, filters),
        },
    )


def _narrowed(request, filters: TaskFilter) -> list[tuple[str, str, str]]:
    """The hidden filters the list came with (from a document's or a programme's page):
    (what, which, the list without it), so the reader knows the list is narrowed."""
    user, found = request.user, []
    if filters.document:
        document = services.documents(user).filter(pk=filters.document).first()
        if document is not None:
            found.append((_("Document"), document.number, "document"))
    if filters.project:
        project = target_services.projects(user).filter(code=filters.project).first()
        if project is not None:
            found.append((_("Programme or project"), str(project), "project"))
    return [
        (
            what,
            which,
            "?"
            + urlencode(
                [
                    (key, value)
                    for key, values in request.GET.lists()
                    if key != name
                    for value in values
                ]
            ),
        )
        for what, which, name in found
    ]


def _tasks_xlsx(user, queryset, today):
    columns = [
        _("Number"),
        _("Document"),
        _("Date issued"),
        _("Clause"),
        _("Task"),
        _("Lead agency"),
        _("Assigned on"),
        pgettext("task", "Deadline"),
        _("Key task"),
        _("Progress (%)"),
        _("Completed at"),
        _("Status"),
    ]
    rows = (
        [
            task.pk,
            task.document.number,
            task.document.issued_on,
            task.clause,
            task.content,
            task.lead.name,
            task.assigned_on,
            task.deadline,
            _("Yes") if task.is_key else "",
            task.progress,
            timezone.localtime(task.completed_at).replace(tzinfo=None)
            if task.completed_at
            else None,
            str(status_of(task, today).label),
        ]
        for task in queryset.iterator(chunk_size=2000)
    )
    audit_export(user, "directives.tasks", {"count": queryset.count()})
    name = f"nhiem-vu-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(
        xlsx_file(columns, rows), as_attachment=True, filename=name, content_type=XLSX
    )


# --- one task ------------------------------------------------------------------------------
def _found(find):
    try:
        return find()
    except (Task.DoesNotExist, Document.DoesNotExist) as error:
        raise Http404(str(error)) from error


@login_required
def task_detail(request, pk: int):
    user = request.user
    _require(user, Task)
    task = _found(lambda: services.get_task(user, pk))
    status = status_of(task)
    unit_ids = None
    leads = False
    if permits(user, ProgressReport, "add"):
        from dieuhanh.accounts.scopes import scope_unit_ids

        unit_ids = scope_unit_ids(user, "add")
        leads = unit_ids is None or task.lead_id in unit_ids
    history = list(services.deadlines(user, task))
    context = {
        "task": task,
        "status": status,
        "today": timezone.localdate(),
        "first_deadline": history[0].deadline if history else task.deadline,
        "deadlines": history,
        "reports": services.reports(user, task),
        "extensions": services.extensions(user, task),
        "events": services.timeline(user, task),
        "attachments": task.attachments.all(),
        "coordinators": task.coordinators.all(),
        "indicators": Indicator.objects.restrict(user, "view").filter(
            pk__in=task.indicators.values("pk")
        ),
        "projects": target_services.projects(user).filter(pk__in=task.projects.values("pk")),
        "may_report": task.open and leads,
        "may_extend": task.open and leads and permits(user, ExtensionRequest, "add"),
        "may_change": permits(user, Task, "change"),
        "may_review": permits(user, ProgressReport, "review"),
        "may_decide": permits(user, ExtensionRequest, "decide"),
        "withdrawals": Withdrawal.choices,
    }
    return render(request, "directives/task.html", context)


@login_required
def task_step(request, pk: int):
    """One step from the task page (``action``): report, extension, review, decide,
    complete, reopen, withdraw."""
    user = request.user
    _require(user, Task)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    task = _found(lambda: services.get_task(user, pk))
    post = request.POST

    def report():
        services.report_progress(
            user,
            task,
            percent=post.get("percent") or 0,
            text=post.get("text", ""),
            completes=post.get("completes") == "1",
            product=post.get("product", ""),
            files=request.FILES.getlist("files"),
        )
        return _("Your report is sent to the monitoring officer.")

    def extension():
        services.request_extension(
            user,
            task,
            proposed_deadline=post.get("proposed_deadline"),
            reason=post.get("reason", ""),
        )
        return _("Your request is sent.")

    def review():
        item = services.reports(user, task).filter(pk=post.get("report") or 0).first()
        if item is None:
            raise Http404(_("No such report."))
        accept = post.get("decision") == "accept"
        services.review_report(user, item, accept=accept, note=post.get("note", ""))
        return _("The report is accepted.") if accept else _("The report is returned.")

    def decide():
        item = services.extensions(user, task).filter(pk=post.get("request") or 0).first()
        if item is None:
            raise Http404(_("No such request."))
        grant = post.get("decision") == "grant"
        services.decide_extension(
            user,
            item,
            grant=grant,
            deadline=post.get("deadline") or None,
            note=post.get("note", ""),
        )
        return _("The extension is granted.") if grant else _("The extension is refused.")

    def complete():
        services.complete_task(user, task, product=post.get("product", ""))
        return _("The task is recorded as done.")

    def reopen():
        services.reopen_task(user, task, post.get("reason", ""))
        return _("The task is open again.")

    def withdraw():
        services.withdraw_task(user, task, post.get("withdrawal", ""), post.get("reason", ""))
        return _("The task is withdrawn.")

    steps = {
        "report": report,
        "extension": extension,
        "review": review,
        "decide": decide,
        "complete": complete,
        "reopen": reopen,
        "withdraw": withdraw,
    }
    step = steps.get(post.get("action", ""))
    try:
        if step is None:
            raise ValidationError(_("Unknown step."), code="unknown_step")
        messages.success(request, step())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect(
        local_target(request, post.get("next")) or reverse("directives:task", args=[pk])
    )


def _task_form(request, data=None, initial=None, editing=False):
    return TaskForm(
        data,
        initial=initial,
        agencies=services.agency_choices(request.user),
        monitors=services.people_choices(permission="directives.review_progressreport"),
        leaders=services.people_choices(role="leader"),
        projects=[(p.code, str(p)) for p in target_services.projects(request.user)],
        editing=editing,
    )


def _task_input(data: dict) -> services.TaskInput:
    return services.TaskInput(
        content=data["content"],
        lead=data["lead"],
        kind=data["kind"],
        clause=data.get("clause", ""),
        coordinators=data.get("coordinators") or [],
        monitor=data.get("monitor") or None,
        supervisor=data.get("supervisor") or None,
        deadline=data.get("deadline"),
        recurrence=data.get("recurrence") or "",
        recurrence_until=data.get("recurrence_until"),
        is_key=data.get("is_key", False),
        expected_product=data.get("expected_product", ""),
        indicators=[
            code.strip() for code in (data.get("indicators") or "").split(",") if code.strip()
        ],
        projects=data.get("projects") or [],
        open_to_agencies=data.get("open_to_agencies", False),
        sensitivity=data.get("sensitivity") or "",
    )


def _form_errors(form, error: ValidationError) -> None:
    form.add_error(None, error)


@login_required
def task_new(request, pk: int):
    user = request.user
    _require(user, Task, "add")
    found = _found(lambda: services.get_document(user, pk))
    form = _task_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.create_task(user, found, _task_input(form.cleaned_data))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The task is recorded."))
            if request.POST.get("another"):
                return redirect("directives:task_new", pk=found.pk)
            return redirect("directives:task", pk=task.pk)
    return render(
        request, "directives/task_form.html", {"form": form, "document": found, "task": None}
    )


@login_required
def task_edit(request, pk: int):
    user = request.user
    _require(user, Task, "change")
    task = _found(lambda: services.get_task(user, pk, "change"))
    initial = {
        "clause": task.clause,
        "content": task.content,
        "kind": task.kind,
        "lead": task.lead.uid,
        "coordinators": [unit.uid for unit in task.coordinators.all()],
        "deadline": task.deadline,
        "recurrence": task.recurrence,
        "recurrence_until": task.recurrence_until,
        "monitor": task.monitor.username if task.monitor_id else "",
        "supervisor": task.supervisor.username if task.supervisor_id else "",
        "expected_product": task.expected_product,
        "indicators": ", ".join(task.indicators.values_list("code", flat=True)),
        "projects": list(task.projects.values_list("code", flat=True)),
        "sensitivity": task.sensitivity,
        "is_key": task.is_key,
        "open_to_agencies": task.open_to_agencies,
    }
    form = _task_form(request, request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            data = _task_input(form.cleaned_data)
            data.assigned_on = task.assigned_on
            services.update_task(user, task, data, note=form.cleaned_data.get("note", ""))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("directives:task", pk=task.pk)
    return render(
        request,
        "directives/task_form.html",
        {"form": form, "document": task.document, "task": task},
    )


# --- documents -----------------------------------------------------------------------------
@login_required
def document_list(request):
    user = request.user
    _require(user, Document)
    queryset = services.documents(user)
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(number__icontains=q) | queryset.filter(excerpt__icontains=q)
    page, query = page_of(request, queryset, PER_PAGE)
    return render(
        request,
        "directives/documents.html",
        {"page": page, "query": query, "q": q, "may_add": permits(user, Document, "add")},
    )


@login_required
def document_detail(request, pk: int):
    user = request.user
    _require(user, Document)
    document = _found(lambda: services.get_document(user, pk))
    today = timezone.localdate()
    tasks = services.tasks(user).filter(document=document).order_by("clause", "id")
    found = stats.statistics(user, by="kind", filters=TaskFilter(document=document.pk))
    return render(
        request,
        "directives/document.html",
        {
            "document": document,
            "items": [(task, status_of(task, today)) for task in tasks],
            "total": found.total,
            "attachments": document.attachments.all(),
            "may_add": permits(user, Task, "add"),
            "may_change": permits(user, Document, "change"),
        },
    )


def _document_input(data: dict) -> services.DocumentInput:
    return services.DocumentInput(
        number=data["number"],
        doc_type=data["doc_type"],
        issued_on=data["issued_on"],
        excerpt=data["excerpt"],
        signer=data.get("signer", ""),
        issuer=data.get("issuer") or None,
        issuer_name=data.get("issuer_name", ""),
        sensitivity=data.get("sensitivity") or "internal",
    )


@login_required
def document_new(request):
    user = request.user
    _require(user, Document, "add")
    form = DocumentForm(
        request.POST or None, request.FILES or None, agencies=services.agency_choices(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            document, created = services.create_document(
                user, _document_input(form.cleaned_data), request.FILES.getlist("files")
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if created:
                messages.success(request, _("The document is recorded; add its tasks."))
                return redirect("directives:task_new", pk=document.pk)
            messages.info(request, _("This document was recorded already."))
            return redirect("directives:document", pk=document.pk)
    return render(request, "directives/document_form.html", {"form": form, "document": None})


@login_required
def document_edit(request, pk: int):
    user = request.user
    _require(user, Document, "change")
    document = _found(lambda: services.get_document(user, pk))
    initial = {
        "number": document.number,
        "doc_type": document.doc_type,
        "issued_on": document.issued_on,
        "signer": document.signer,
        "issuer": document.issuer.uid if document.issuer_id else "",
        "issuer_name": document.issuer_name,
        "sensitivity": document.sensitivity,
        "excerpt": document.excerpt,
    }
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        agencies=services.agency_choices(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_document(
                user, document, _document_input(form.cleaned_data), request.FILES.getlist("files")
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The document is saved."))
            return redirect("directives:document", pk=document.pk)
    return render(request, "directives/document_form.html", {"form": form, "document": document})


@login_required
def attachment(request, pk: int):
    """A file, to whoever may read what it is attached to."""
    user = request.user
    item = Attachment.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    if item.document_id:
        visible = services.documents(user).filter(pk=item.document_id).exists()
    elif item.task_id:
        visible = services.tasks(user).filter(pk=item.task_id).exists()
    else:
        visible = ProgressReport.objects.restrict(user, "view").filter(pk=item.report_id).exists()
    if not visible:
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


# --- review queue, import, summary ---------------------------------------------------------
@login_required
def review_queue(request):
    user = request.user
    if not (permits(user, ProgressReport, "review") or permits(user, ExtensionRequest, "decide")):
        raise denied(ProgressReport, "review")
    return render(
        request,
        "directives/review.html",
        {
            "reports": services.waiting_reports(user)[:200],
            "extensions": services.waiting_extensions(user)[:200],
        },
    )


@login_required
def import_tasks(request):
    user = request.user
    _require(user, Task, "add")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.import_tasks(
            user, form.cleaned_data["file"], commit=form.cleaned_data["commit"]
        )
        if result.committed:
            messages.success(
                request,
                _("%(created)d tasks recorded, %(skipped)d already there.")
                % {"created": result.created, "skipped": result.skipped},
            )
    return render(request, "directives/import.html", {"form": form, "result": result})


@login_required
def import_template(request):
    _require(request.user, Task, "add")
    return FileResponse(
        imports.template(), as_attachment=True, filename="mau-nhap-nhiem-vu.xlsx", content_type=XLSX
    )


@login_required
def monthly_summary(request):
    """The monthly summary for the Government meeting, as .docx or .xlsx."""
    user = request.user
    _require(user, Task)
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        first = datetime.date(year, month, 1)
    except ValueError:
        first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if request.GET.get("format") in ("docx", "xlsx"):
        content = summary.build(user, first)
        audit_export(user, "directives.summary", {"month": first.isoformat()})
        fmt = request.GET["format"]
        handle = summary.as_docx(content) if fmt == "docx" else summary.as_xlsx(content)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"bao-cao-nhiem-vu-{first:%Y-%m}.{fmt}",
            content_type=summary.CONTENT_TYPES[fmt],
        )
    months = [summary.months_before(today.replace(day=1), n) for n in range(13)]
    return render(
        request,
        "directives/summary.html",
        {"content": summary.build(user, first), "month": first, "months": months},
    )
