"""Every write on documents and tasks, with its rules: who may do it, from which state, and
what it leaves behind (the task's timeline, an audit record, notices to the people
concerned). Views, the API and the import call these and nothing else.

Who does what:
- the center (``directives.add_task`` / ``change_task``) records documents and tasks,
  changes them, completes, reopens or withdraws a task, accepts or returns reports
  (``review_progressreport``) and decides extension requests
  (``decide_extensionrequest``);
- the lead agency (``add_progressreport``, ``add_extensionrequest``, for tasks it leads:
  the lead within the user's capture scope) reports progress and asks for more time;
- co-ordinating agencies read the task.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dieuhanh.accounts.scopes import officers_of, scope_unit_ids
from dieuhanh.catalog.models import Indicator
from dieuhanh.core.audit import record_change, snapshot
from dieuhanh.core.inputs import clean_choice, clean_text, parse_date
from dieuhanh.core.models import Sensitivity
from dieuhanh.core.notifications import notify
from dieuhanh.core.querysets import denied, permits
from dieuhanh.directives.models import (
    Attachment,
    Document,
    DocumentType,
    ExtensionRequest,
    ProgressReport,
    Recurrence,
    ReviewStatus,
    Task,
    TaskDeadline,
    TaskEvent,
    TaskEventKind,
    TaskKind,
    Withdrawal,
)
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.services import AGENCY_KINDS, find_unit, unit_choices
from dieuhanh.targets.services import find_projects

MAX_FILE_BYTES = 20 * 1024 * 1024
ALLOWED_FILE_TYPES = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".odt",
    ".ods",
    ".zip",
    ".png",
    ".jpg",
)
REPORTER_PERMISSION = "directives.add_progressreport"


# ---------------------------------------------------------------------------- reading


def _rows(model, user, action: str = "view"):
    """``model``'s rows within ``restrict(user, action)``; ``user`` None is the system (a
    scheduled job, a command, the demo loader), which acts on every row."""
    if user is None:
        return model.objects.all()
    return model.objects.restrict(user, action)


def documents(user):
    return _rows(Document, user).select_related("issuer")


def tasks(user, action: str = "view"):
    return _rows(Task, user, action).select_related("document", "lead", "monitor", "supervisor")


def get_task(user, task_id: int, action: str = "view") -> Task:
    found = tasks(user, action).filter(pk=task_id).first()
    if found is None:
        if action != "view" and tasks(user).filter(pk=task_id).exists():
            raise denied(Task, action, tasks(user).get(pk=task_id))
        raise Task.DoesNotExist(_("No task %(id)s that you may see.") % {"id": task_id})
    return found


def get_document(user, document_id: int) -> Document:
    found = documents(user).filter(pk=document_id).first()
    if found is None:
        raise Document.DoesNotExist(_("No document %(id)s that you may see.") % {"id": document_id})
    return found


def get_report(user, report_id: int) -> ProgressReport:
    found = _rows(ProgressReport, user).filter(pk=report_id).first()
    if found is None:
        raise ProgressReport.DoesNotExist(
            _("No progress report %(id)s that you may see.") % {"id": report_id}
        )
    return found


def get_extension(user, extension_id: int) -> ExtensionRequest:
    found = _rows(ExtensionRequest, user).filter(pk=extension_id).first()
    if found is None:
        raise ExtensionRequest.DoesNotExist(
            _("No extension request %(id)s that you may see.") % {"id": extension_id}
        )
    return found


def timeline(user, task: Task):
    return _rows(TaskEvent, user).filter(task=task).select_related("user")


def reports(user, task: Task):
    return (
        _rows(ProgressReport, user)
        .filter(task=task)
        .select_related("reported_by", "reviewed_by")
        .prefetch_related("attachments")
    )


def extensions(user, task: Task):
    return (
        _rows(ExtensionRequest, user).filter(task=task).select_related("requested_by", "decided_by")
    )


def deadlines(user, task: Task):
    return _rows(TaskDeadline, user).filter(task=task).select_related("set_by")


def waiting_reports(user):
    """Reports waiting for the user's review, oldest first (the monitoring officer's list)."""
    if not permits(user, ProgressReport, "review"):
        return ProgressReport.objects.none()
    return (
        ProgressReport.objects.restrict(user, "review")
        .filter(status=ReviewStatus.WAITING)
        .select_related("task__document", "task__lead", "reported_by")
        .order_by("reported_at", "id")
    )


def waiting_extensions(user):
    if not permits(user, ExtensionRequest, "decide"):
        return ExtensionRequest.objects.none()
    return (
        ExtensionRequest.objects.restrict(user, "decide")
        .filter(status=ReviewStatus.WAITING)
        .select_related("task__document", "task__lead", "requested_by")
        .order_by("requested_at", "id")
    )


# ---------------------------------------------------------------------------- checks


def _must(user, model, action: str) -> None:
    if user is not None and not permits(user, model, action):
        raise denied(model, action)


def _leads_for(user, task: Task, model, action: str = "add") -> None:
    """The user acts for the task's lead agency: permission, and the lead within their
    capture scope (the center's country-wide staff may act for any agency)."""
    _must(user, model, action)
    unit_ids = None if user is None else scope_unit_ids(user, action)
    if unit_ids is not None and task.lead_id not in unit_ids:
        raise ValidationError(
            _("Only the lead agency (%(unit)s) reports on this task.") % {"unit": task.lead.name},
            code="not_lead_agency",
        )


def _open(task: Task) -> None:
    if task.withdrawal:
        raise ValidationError(
            _("The task was %(how)s; nothing more can be done on it.")
            % {"how": task.get_withdrawal_display().lower()},
            code="task_withdrawn",
        )
    if task.completed_at is not None:
        raise ValidationError(_("The task is already done."), code="task_done")


def _user(value, name: str):
    from dieuhanh.accounts.models import User

    if value in (None, ""):
        return None
    if isinstance(value, User):
        return value
    found = User.objects.filter(username=value, is_active=True).first()
    if found is None and str(value).isdigit():
        found = User.objects.filter(pk=int(value), is_active=True).first()
    if found is None:
        raise ValidationError(
            _("%(field)s: no active user %(value)s.") % {"field": name, "value": value},
            code="unknown_user",
            params={"field": name},
        )
    return found


def _percent(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= 100:
        raise ValidationError(_("Progress: a whole number from 0 to 100."), code="invalid_percent")
    return number


def _indicators(codes) -> list[Indicator]:
    codes = [code for code in (codes or []) if code]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError(
            _("Indicators: no indicator %(codes)s.") % {"codes": ", ".join(missing)},
            code="unknown_indicator",
        )
    return list(found.values())


# ---------------------------------------------------------------------------- timeline


def _event(task: Task, kind: str, user=None, text: str = "", **detail) -> TaskEvent:
    authenticated = getattr(user, "is_authenticated", False)
    return TaskEvent.objects.create(
        task=task,
        kind=kind,
        user=user if authenticated else None,
        user_name=user.get_username() if authenticated else "",
        text=text,
        detail={key: _plain(value) for key, value in detail.items()} or None,
    )


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _set_deadline(task: Task, deadline, reason: str, user=None, note: str = "") -> None:
    TaskDeadline.objects.create(
        task=task,
        deadline=deadline,
        reason=reason,
        note=note,
        set_by=user if getattr(user, "is_authenticated", False) else None,
    )


def task_url(task: Task) -> str:
    return reverse("directives:task", args=[task.pk])


def _lead_officers(task: Task) -> list:
    return officers_of({task.lead_id}, REPORTER_PERMISSION).get(task.lead_id, [])


# ---------------------------------------------------------------------------- documents


@dataclass
class DocumentInput:
    number: str
    doc_type: str
    issued_on: datetime.date | str | None
    excerpt: str
    signer: str = ""
    issuer: str | OrgUnit | None = None
    issuer_name: str = ""
    sensitivity: str = Sensitivity.INTERNAL
    source_system: str = ""
    source_id: str = ""


def _document_fields(data: DocumentInput) -> dict:
    return {
        "number": clean_text(data.number, _("Number and symbol"), limit=100),
        "doc_type": clean_choice(data.doc_type, DocumentType, _("Document type")),
        "issued_on": parse_date(data.issued_on, _("Date issued"), required=True),
        "excerpt": clean_text(data.excerpt, _("Excerpt")),
        "signer": clean_text(data.signer, _("Signer"), required=False, limit=200),
        "issuer": find_unit(data.issuer, _("Issuing body"), required=False),
        "issuer_name": clean_text(data.issuer_name, _("Issuing body"), required=False, limit=255),
        "sensitivity": clean_choice(
            data.sensitivity, Sensitivity, _("Classification"), Sensitivity.INTERNAL
        ),
        "source_system": clean_text(
            data.source_system, _("Source system"), required=False, limit=100
        ),
        "source_id": clean_text(data.source_id, _("Source identifier"), required=False, limit=200),
    }


def _within_clearance(user, sensitivity: str) -> None:
    if user is None or getattr(user, "is_superuser", False):
        return
    clearance = getattr(user, "clearance", None) or Sensitivity.PUBLIC
    if sensitivity not in Sensitivity.up_to(clearance):
        raise ValidationError(_("Classification: above your clearance."), code="above_clearance")


@transaction.atomic
def create_document(user, data: DocumentInput, files=()) -> tuple[Document, bool]:
    """A document, or the one already recorded with the same number and date (or the same
    source system identifier): ``(document, created)``. Sending it twice records it once."""
    _must(user, Document, "add")
    fields = _document_fields(data)
    _within_clearance(user, fields["sensitivity"])
    same = Document.objects.filter(number=fields["number"], issued_on=fields["issued_on"])
    if fields["source_id"]:
        same = (
            Document.objects.filter(
                source_system=fields["source_system"], source_id=fields["source_id"]
            )
            | same
        )
    existing = same.first()
    if existing is not None:
        if not documents(user).filter(pk=existing.pk).exists():
            raise denied(Document, "view", existing)
        return existing, False
    document = Document.objects.create(**fields, created_by=_actor(user))
    record_change("create", document, before=None, after=snapshot(document), actor=user)
    attach(user, files, document=document)
    return document, True


@transaction.atomic
def update_document(user, document: Document, data: DocumentInput, files=()) -> Document:
    _must(user, Document, "change")
    document = Document.objects.select_for_update().get(pk=document.pk)
    before = snapshot(document)
    for name, value in _document_fields(data).items():
        setattr(document, name, value)
    _within_clearance(user, document.sensitivity)
    document.save()
    record_change("update", document, before=before, after=snapshot(document), actor=user)
    attach(user, files, document=document)
    return document


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


# ---------------------------------------------------------------------------- tasks


@dataclass
class TaskInput:
    content: str
    lead: str | OrgUnit | None
    kind: str = TaskKind.SPECIFIC
    clause: str = ""
    coordinators: list = field(default_factory=list)
    monitor: object = None
    supervisor: object = None
    deadline: datetime.date | str | None = None
    recurrence: str = Recurrence.NONE
    recurrence_until: datetime.date | str | None = None
    is_key: bool = False
    expected_product: str = ""
    indicators: list = field(default_factory=list)
    projects: list = field(default_factory=list)  # codes in the register of programmes
    open_to_agencies: bool = False
    sensitivity: str = ""
    assigned_on: datetime.date | str | None = None


def _task_fields(data: TaskInput, document: Document) -> tuple[dict, dict]:
    """The task's own fields, and the rows it links to (name of the many-to-many: rows)."""
    lead = find_unit(data.lead, _("Lead agency"))
    coordinators = []
    for value in data.coordinators or []:
        unit = find_unit(value, _("Co-ordinating agencies"))
        if unit.pk != lead.pk and unit not in coordinators:
            coordinators.append(unit)
    recurrence = clean_choice(data.recurrence or "", Recurrence, _("Recurrence"))
    deadline = parse_date(data.deadline, pgettext("task", "Deadline"))
    assigned_on = parse_date(data.assigned_on, _("Assigned on")) or document.issued_on
    if recurrence and deadline is None:
        raise ValidationError(
            _("Deadline: a recurring task needs the due date of its first occurrence."),
            code="recurring_without_deadline",
        )
    if deadline is not None and deadline < assigned_on:
        raise ValidationError(
            _("Deadline: %(deadline)s is before the task was assigned (%(assigned)s).")
            % {
                "deadline": deadline.strftime("%d/%m/%Y"),
                "assigned": assigned_on.strftime("%d/%m/%Y"),
            },
            code="deadline_before_assignment",
        )
    sensitivity = clean_choice(
        data.sensitivity or document.sensitivity, Sensitivity, _("Classification")
    )
    levels = list(Sensitivity.values)
    if levels.index(sensitivity) < levels.index(document.sensitivity):
        sensitivity = document.sensitivity  # a task is at least as classified as its document
    fields = {
        "content": clean_text(data.content, _("Task")),
        "kind": clean_choice(data.kind, TaskKind, _("Kind of task"), TaskKind.SPECIFIC),
        "clause": clean_text(data.clause, _("Clause"), required=False, limit=50),
        "lead": lead,
        "monitor": _user(data.monitor, _("Monitoring officer")),
        "supervisor": _user(data.supervisor, _("Supervising leader")),
        "assigned_on": assigned_on,
        "deadline": deadline,
        "recurrence": recurrence,
        "recurrence_until": parse_date(data.recurrence_until, _("Recurring until"))
        if recurrence
        else None,
        "is_key": bool(data.is_key),
        "expected_product": clean_text(
            data.expected_product, _("Expected product"), required=False, limit=500
        ),
        "open_to_agencies": bool(data.open_to_agencies),
        "sensitivity": sensitivity,
    }
    links = {
        "coordinators": coordinators,
        "indicators": _indicators(data.indicators),
        "projects": find_projects(data.projects),
    }
    return fields, links


def _link(task: Task, links: dict) -> None:
    for name, rows in links.items():
        getattr(task, name).set(rows)


def import_key(document: Document, data: TaskInput) -> str:
    """What makes a task the same task when a list is imported again: its document, clause,
    lead and text."""
    lead = find_unit(data.lead, _("Lead agency")).pk  # the same unit however it is written
    text = " ".join((data.content or "").split()).lower()
    raw = f"{document.pk}|{data.clause}|{lead}|{text}"
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_task(user, document: Document, data: TaskInput, *, key: str = "") -> Task:
    """A task of ``document``; its first deadline starts the deadline history. The lead
    agency's officers are told. With ``key`` (the import's), a task already recorded
    under it is returned unchanged."""
    _must(user, Task, "add")
    if not documents(user).filter(pk=document.pk).exists():
        raise denied(Document, "view", document)
    fields, links = _task_fields(data, document)
    _within_clearance(user, fields["sensitivity"])
    if key:
        existing = Task.objects.filter(document=document, import_key=key).first()
        if existing is not None:
            return existing
    task = Task.objects.create(document=document, **fields, import_key=key, created_by=_actor(user))
    _link(task, links)
    _set_deadline(task, task.deadline, TaskDeadline.Reason.SET, user)
    _event(task, TaskEventKind.CREATED, user, deadline=task.deadline)
    record_change("create", task, before=None, after=_task_snapshot(task), actor=user)
    notify(
        _lead_officers(task),
        "task_assigned",
        _("New task from %(document)s") % {"document": document.number},
        task.content[:1000],
        task_url(task),
        key=f"task_assigned:{task.pk}",
    )
    return task


def _task_snapshot(task: Task) -> dict:
    data = snapshot(task, exclude=("import_key",))
    data["coordinators"] = sorted(task.coordinators.values_list("pk", flat=True))
    data["indicators"] = sorted(task.indicators.values_list("code", flat=True))
    data["projects"] = sorted(task.projects.values_list("code", flat=True))
    return data


@transaction.atomic
def update_task(user, task: Task, data: TaskInput, *, note: str = "") -> Task:
    """The center corrects a task; a new deadline joins the history with ``note``."""
    task = _locked(user, task, "change")
    before = _task_snapshot(task)
    fields, links = _task_fields(data, task.document)
    _within_clearance(user, fields["sensitivity"])
    old_deadline = task.deadline
    for name, value in fields.items():
        setattr(task, name, value)
    task.save()
    _link(task, links)
    if task.deadline != old_deadline:
        note = clean_text(note, _("Reason"), required=False, limit=2000)
        _set_deadline(task, task.deadline, TaskDeadline.Reason.CHANGED, user, note)
        _event(
            task,
            TaskEventKind.DEADLINE_CHANGED,
            user,
            note,
            before=old_deadline,
            after=task.deadline,
        )
    after = _task_snapshot(task)
    changed = sorted(key for key in after if after[key] != before.get(key))
    if changed:
        _event(task, TaskEventKind.CHANGED, user, fields=changed)
        record_change("update", task, before=before, after=after, actor=user)
    return task


def _locked(user, task: Task, action: str) -> Task:
    _must(user, Task, action)
    locked = _rows(Task, user, action).select_for_update().filter(pk=task.pk).first()
    if locked is None:
        raise denied(Task, action, task)
    return locked


@transaction.atomic
def complete_task(
    user, task: Task, *, completed_at: datetime.datetime | None = None, product: str = ""
) -> Task:
    """The center records the task done (now, or when it was done): done on time or late
    follows from the deadline in force then, and stays so."""
    task = _locked(user, task, "change")
    _open(task)
    now = timezone.now()
    completed_at = completed_at or now
    if completed_at > now + datetime.timedelta(minutes=5):
        raise ValidationError(_("Completed at: in the future."), code="completed_in_future")
    if timezone.localtime(completed_at).date() < task.assigned_on:
        raise ValidationError(
            _("Completed at: before the task was assigned."), code="completed_before_assignment"
        )
    before = _task_snapshot(task)
    _finish(task, completed_at, clean_text(product, _("Product"), required=False, limit=500))
    _event(task, TaskEventKind.COMPLETED, user, product=task.product, completed_at=completed_at)
    record_change("update", task, before=before, after=_task_snapshot(task), actor=user)
    return task


def _finish(task: Task, completed_at, product: str) -> None:
    task.completed_at = completed_at
    task.progress = 100
    if product:
        task.product = product
    task.save(update_fields=["completed_at", "completed_on", "progress", "product", "updated_at"])


@transaction.atomic
def reopen_task(user, task: Task, reason: str) -> Task:
    """Undo a completion or a withdrawal recorded by mistake; the reason is kept."""
    task = _locked(user, task, "change")
    if task.completed_at is None and not task.withdrawal:
        raise ValidationError(_("The task is open already."), code="task_open")
    reason = clean_text(reason, _("Reason"), limit=2000)
    before = _task_snapshot(task)
    task.completed_at = None
    task.withdrawal, task.withdrawn_at, task.withdrawal_reason = "", None, ""
    task.save()
    _event(task, TaskEventKind.REOPENED, user, reason)
    record_change("update", task, before=before, after=_task_snapshot(task), actor=user)
    return task


@transaction.atomic
def withdraw_task(user, task: Task, withdrawal: str, reason: str) -> Task:
    """Cancel a task, or mark it adjusted by a later document; it leaves the four counts."""
    task = _locked(user, task, "change")
    _open(task)
    withdrawal = clean_choice(withdrawal, Withdrawal, _("Withdrawn"))
    reason = clean_text(reason, _("Reason"), limit=2000)
    before = _task_snapshot(task)
    task.withdrawal, task.withdrawn_at, task.withdrawal_reason = withdrawal, timezone.now(), reason
    task.save()
    _event(task, TaskEventKind.WITHDRAWN, user, reason, withdrawal=withdrawal)
    record_change("update", task, before=before, after=_task_snapshot(task), actor=user)
    return task


# ---------------------------------------------------------------------------- reports


def _check_file(upload) -> None:
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(ALLOWED_FILE_TYPES):
        raise ValidationError(
            _("%(name)s: files of this type are not accepted (%(types)s).")
            % {"name": name, "types": ", ".join(ALLOWED_FILE_TYPES)},
            code="file_type",
        )
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("%(name)s: larger than %(mb)d MB.") % {"name": name, "mb": MAX_FILE_BYTES // 2**20},
            code="file_too_large",
        )


@transaction.atomic
def attach(user, files, **owner) -> list[Attachment]:
    """Keep uploaded files with their owner (a document, a task or a report); each one is
    checked first (type, size), so a bad file keeps none of them, and each is audited."""
    files = list(files or [])
    for upload in files:
        _check_file(upload)
    (related,) = owner.values()
    saved = []
    for upload in files:
        item = Attachment.objects.create(
            **owner,
            file=upload,
            name=upload.name[:255],
            size=upload.size,
            content_type=(getattr(upload, "content_type", "") or "")[:100],
            uploaded_by=_actor(user),
        )
        record_change(
            "create", item, before=None, after=snapshot(item), actor=user, related=related
        )
        saved.append(item)
    return saved


@transaction.atomic
def report_progress(
    user,
    task: Task,
    *,
    percent,
    text: str,
    completes: bool = False,
    product: str = "",
    files=(),
) -> ProgressReport:
    """The lead agency's report; it waits for the monitoring officer. Reporting the task
    done needs its product (a text or a file)."""
    _leads_for(user, task, ProgressReport)
    task = Task.objects.select_for_update().get(pk=task.pk)
    _open(task)
    percent = 100 if completes else _percent(percent)
    product = clean_text(product, _("Product"), required=False, limit=500)
    if completes and not product and not files:
        raise ValidationError(
            _("Product: a task reported done names its product or attaches it."),
            code="product_required",
        )
    report = ProgressReport.objects.create(
        task=task,
        percent=percent,
        text=clean_text(text, _("Report")),
        completes=bool(completes),
        product=product,
        occurrence=task.deadline if task.recurrence else None,
        reported_at=timezone.now(),
        reported_by=_actor(user),
    )
    attach(user, files, report=report)
    _event(
        task,
        TaskEventKind.REPORTED,
        user,
        report.text,
        report=report.pk,
        percent=percent,
        completes=report.completes,
    )
    record_change("create", report, before=None, after=snapshot(report), actor=user, related=task)
    if task.monitor_id:
        notify(
            [task.monitor],
            "task_reported",
            _("Progress reported: %(task)s") % {"task": str(task)[:200]},
            report.text[:1000],
            task_url(task),
        )
    return report


@transaction.atomic
def review_report(user, report: ProgressReport, *, accept: bool, note: str = "") -> ProgressReport:
    """Accept or return a report. An accepted report sets the task's progress; an accepted
    completion completes the task on the day it was reported; for a recurring task, it
    closes the occurrence and opens the next one."""
    _must(user, ProgressReport, "review")
    report = (
        _rows(ProgressReport, user, "review").select_for_update().filter(pk=report.pk).first()
    ) or _refuse(ProgressReport, "review", report)
    if report.status != ReviewStatus.WAITING:
        raise ValidationError(
            _("This report was %(status)s already.")
            % {"status": report.get_status_display().lower()},
            code="already_reviewed",
        )
    note = clean_text(note, _("Note"), required=not accept, limit=5000)
    task = Task.objects.select_for_update().get(pk=report.task_id)
    before = snapshot(report)
    task_before = _task_snapshot(task)
    report.status = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
    report.reviewed_at, report.reviewed_by, report.review_note = timezone.now(), _actor(user), note
    report.save()
    _event(
        task,
        TaskEventKind.ACCEPTED if accept else TaskEventKind.RETURNED,
        user,
        note,
        report=report.pk,
    )
    if accept:
        _apply_accepted(user, task, report)
    record_change("update", report, before=before, after=snapshot(report), actor=user, related=task)
    task_after = _task_snapshot(task)
    if task_after != task_before:
        record_change("update", task, before=task_before, after=task_after, actor=user)
    recipients = [report.reported_by] if report.reported_by_id else _lead_officers(task)
    notify(
        recipients,
        "task_report_accepted" if accept else "task_report_returned",
        (_("Report accepted: %(task)s") if accept else _("Report returned: %(task)s"))
        % {"task": str(task)[:200]},
        note,
        task_url(task),
    )
    return report


def _apply_accepted(user, task: Task, report: ProgressReport) -> None:
    if task.withdrawal or task.completed_at is not None:
        return  # the task was closed meanwhile: the report is kept, the task stays as it is
    if task.recurrence and report.occurrence and report.occurrence == task.deadline:
        following = next_occurrence(task.deadline, task.recurrence)
        if (task.recurrence_until and following > task.recurrence_until) or report.completes:
            _finish(task, report.reported_at, report.product)
            _event(task, TaskEventKind.COMPLETED, user, product=task.product)
            return
        task.deadline = following
        task.save(update_fields=["deadline", "updated_at"])
        _set_deadline(task, following, TaskDeadline.Reason.NEXT, user)
        _event(task, TaskEventKind.NEXT_OCCURRENCE, user, deadline=following)
        return
    if report.completes:
        _finish(task, report.reported_at, report.product)
        _event(task, TaskEventKind.COMPLETED, user, product=task.product)
        return
    task.progress = report.percent
    task.save(update_fields=["progress", "updated_at"])


def next_occurrence(day: datetime.date, recurrence: str) -> datetime.date:
    """The same day of the next month, quarter or year (the month's last day when it is
    shorter)."""
    import calendar

    months = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}[recurrence]
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


@transaction.atomic
def attach_to_report(user, report: ProgressReport, files) -> list[Attachment]:
    """Files added to a report still waiting for review, by its lead agency (an agency's
    system sends the report as JSON, then its files)."""
    task = Task.objects.select_related("lead").get(pk=report.task_id)
    _leads_for(user, task, ProgressReport)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReviewStatus.WAITING:
        raise ValidationError(
            _("This report was %(status)s already.")
            % {"status": report.get_status_display().lower()},
            code="already_reviewed",
        )
    if not files:
        raise ValidationError(_("Files: send at least one."), code="required")
    return attach(user, files, report=report)


def _refuse(model, action, instance):
    raise denied(model, action, instance)


# ---------------------------------------------------------------------------- extensions


@transaction.atomic
def request_extension(user, task: Task, *, proposed_deadline, reason: str) -> ExtensionRequest:
    """The lead agency asks for a later deadline; one request waits at a time."""
    _leads_for(user, task, ExtensionRequest)
    task = Task.objects.select_for_update().get(pk=task.pk)
    _open(task)
    proposed = parse_date(proposed_deadline, _("Deadline asked for"), required=True)
    if task.deadline is not None and proposed <= task.deadline:
        raise ValidationError(
            _("Deadline asked for: it must be after the deadline in force (%(date)s).")
            % {"date": task.deadline.strftime("%d/%m/%Y")},
            code="not_later",
        )
    if task.extensions.filter(status=ReviewStatus.WAITING).exists():
        raise ValidationError(
            _("A request to extend this task's deadline is waiting for a decision already."),
            code="extension_waiting",
        )
    request = ExtensionRequest.objects.create(
        task=task,
        current_deadline=task.deadline,
        proposed_deadline=proposed,
        reason=clean_text(reason, _("Reason"), limit=5000),
        requested_at=timezone.now(),
        requested_by=_actor(user),
    )
    _event(
        task,
        TaskEventKind.EXTENSION_ASKED,
        user,
        request.reason,
        request=request.pk,
        proposed=proposed,
    )
    record_change("create", request, before=None, after=snapshot(request), actor=user, related=task)
    if task.monitor_id:
        notify(
            [task.monitor],
            "task_extension_asked",
            _("Extension asked: %(task)s") % {"task": str(task)[:200]},
            request.reason[:1000],
            task_url(task),
        )
    return request


@transaction.atomic
def decide_extension(
    user, request: ExtensionRequest, *, grant: bool, deadline=None, note: str = ""
) -> ExtensionRequest:
    """Grant (the date asked for, or another later one) or refuse, with a note; a grant
    becomes the task's deadline in force and joins its history."""
    _must(user, ExtensionRequest, "decide")
    request = (
        _rows(ExtensionRequest, user, "decide").select_for_update().filter(pk=request.pk).first()
    ) or _refuse(ExtensionRequest, "decide", request)
    if request.status != ReviewStatus.WAITING:
        raise ValidationError(_("This request was decided already."), code="already_decided")
    task = Task.objects.select_for_update().get(pk=request.task_id)
    _open(task)
    note = clean_text(note, _("Note"), required=not grant, limit=5000)
    before = snapshot(request)
    if grant:
        granted = parse_date(deadline, _("Deadline granted")) or request.proposed_deadline
        if task.deadline is not None and granted <= task.deadline:
            raise ValidationError(
                _("Deadline granted: it must be after the deadline in force (%(date)s).")
                % {"date": task.deadline.strftime("%d/%m/%Y")},
                code="not_later",
            )
        request.granted_deadline = granted
    request.status = ReviewStatus.ACCEPTED if grant else ReviewStatus.RETURNED
    request.decided_at, request.decided_by, request.decision_note = (
        timezone.now(),
        _actor(user),
        note,
    )
    request.save()
    if grant:
        task_before = _task_snapshot(task)
        old = task.deadline
        task.deadline = request.granted_deadline
        task.save(update_fields=["deadline", "updated_at"])
        _set_deadline(task, task.deadline, TaskDeadline.Reason.EXTENDED, user, note)
        _event(
            task,
            TaskEventKind.EXTENSION_GRANTED,
            user,
            note,
            request=request.pk,
            before=old,
            after=task.deadline,
        )
        record_change("update", task, before=task_before, after=_task_snapshot(task), actor=user)
    else:
        _event(task, TaskEventKind.EXTENSION_REFUSED, user, note, request=request.pk)
    record_change(
        "update", request, before=before, after=snapshot(request), actor=user, related=task
    )
    recipients = [request.requested_by] if request.requested_by_id else _lead_officers(task)
    notify(
        recipients,
        "task_extension_decided",
        (_("Extension granted: %(task)s") if grant else _("Extension refused: %(task)s"))
        % {"task": str(task)[:200]},
        note,
        task_url(task),
    )
    return request


# ---------------------------------------------------------------------------- choices


def agency_choices(user) -> list[tuple[str, str]]:
    """The units a task may be assigned to today: ministries, agencies, provinces, groups."""
    return unit_choices(user, AGENCY_KINDS)


def people_choices(*, permission: str = "", role: str = "") -> list[tuple[str, str]]:
    """Names of the active people holding a permission or a role through their roles: the
    monitoring officers (who review reports) and the supervising leaders a task names.
    Only names and titles are shown: choosing a person is not reading their account."""
    from dieuhanh.accounts.models import User

    people = User.objects.filter(is_active=True, is_integration=False)
    if permission:
        app_label, codename = permission.split(".", 1)
        people = people.filter(
            roles__permissions__codename=codename,
            roles__permissions__content_type__app_label=app_label,
        )
    if role:
        people = people.filter(roles__code=role)
    people = people.distinct().order_by("full_name", "username")
    return [
        (
            person.username,
            f"{person.get_full_name()} ({person.job_title})"
            if person.job_title
            else person.get_full_name(),
        )
        for person in people
    ]
