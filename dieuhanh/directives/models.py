"""Tasks that the Government and the Prime Minister assign (Decision 42/2014/QĐ-TTg, amended
by 23/2018/QĐ-TTg): the documents they come from, the tasks with their lead and
co-ordinating agencies and deadlines, the lead agency's progress reports, requests to
extend a deadline, and each task's timeline.

Facts are stored (the deadlines one after another, when a task was completed, cancelled or
adjusted); judgements are derived: a task's status against today (overdue, due soon, done
late, ...) is computed by ``directives.status``, never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.models import Sensitivity, TimeStampedModel
from dieuhanh.core.querysets import RestrictedQuerySet
from dieuhanh.orgunits.models import OrgUnit


class DocumentType(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")
    DECISION = "decision", _("Decision")
    DIRECTIVE = "directive", _("Directive")
    TELEGRAM = "telegram", _("Official telegram")
    DISPATCH = "dispatch", _("Official dispatch")
    CONCLUSION = "conclusion", _("Conclusion notice")
    INSTRUCTION = "instruction", _("Instruction letter")
    PROGRAMME = "programme", _("Work programme")
    OTHER = "other", _("Other document")


class Document(TimeStampedModel):
    """A document that assigns tasks: its number and symbol (``42/NQ-CP``), type, date,
    signer, issuing body and excerpt. Classified documents need the clearance."""

    sensitivity_field = "sensitivity"

    number = models.CharField(_("number and symbol"), max_length=100, db_index=True)
    doc_type = models.CharField(_("document type"), max_length=16, choices=DocumentType)
    issued_on = models.DateField(_("date issued"), db_index=True)
    signer = models.CharField(_("signer"), max_length=200, blank=True)
    issuer = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuing body"),
    )
    issuer_name = models.CharField(
        _("issuing body (as written)"),
        max_length=255,
        blank=True,
        help_text=_("The issuing body as the document names it, when it is not a unit here."),
    )
    excerpt = models.TextField(_("excerpt"))
    sensitivity = models.CharField(
        _("classification"), max_length=16, choices=Sensitivity, default=Sensitivity.INTERNAL
    )
    source_system = models.CharField(
        _("source system"),
        max_length=100,
        blank=True,
        help_text=_("The document-management system the document came from."),
    )
    source_id = models.CharField(_("identifier in the source system"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("directive document")
        verbose_name_plural = _("directive documents")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "issued_on"], name="directives_document_unique"
            ),
            models.UniqueConstraint(
                fields=["source_system", "source_id"],
                condition=~models.Q(source_id=""),
                name="directives_document_source_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def issuer_label(self) -> str:
        return self.issuer.name if self.issuer_id else self.issuer_name


class TaskKind(models.TextChoices):
    """The two kinds of Decision 42: a scheme, report or legal text to draft and submit, or
    another specific task."""

    SUBMISSION = "submission", _("Draft and submit a scheme, report or legal text")
    SPECIFIC = "specific", _("Another specific task")


class Recurrence(models.TextChoices):
    NONE = "", _("Once")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")
    YEARLY = "yearly", _("Every year")


class Withdrawal(models.TextChoices):
    """How a task left the list without being done: cancelled, or replaced by a later
    document's adjustment."""

    CANCELLED = "cancelled", _("Cancelled")
    ADJUSTED = "adjusted", _("Adjusted")


class TaskQuerySet(RestrictedQuerySet):
    def with_status(self, today=None):
        """Each task with its ``status`` (``TaskStatus``) on ``today``, derived in SQL."""
        from dieuhanh.directives.status import status_expression

        return self.annotate(status=status_expression(today))


class Task(TimeStampedModel):
    """A task assigned by a document to a lead agency, with co-ordinating agencies, the
    Government Office officer who monitors it and the leader who supervises it.

    ``deadline`` is the deadline in force (the last one granted; for a recurring task, the
    due date of the current occurrence); every deadline it had is in ``deadlines``.
    ``completed_at`` is when the task was done, as accepted: it is kept, so a task done
    late stays done late. Agencies see the tasks they lead or co-ordinate, and those open
    to every agency; classified tasks need the clearance.
    """

    scope_field = "lead"
    view_scope_fields = ("coordinators",)
    open_field = "open_to_agencies"
    sensitivity_field = "sensitivity"

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("document")
    )
    clause = models.CharField(
        _("clause"), max_length=50, blank=True, help_text=_("Where in the document: 3.a, II.2.")
    )
    content = models.TextField(_("task"))
    kind = models.CharField(
        _("kind of task"), max_length=12, choices=TaskKind, default=TaskKind.SPECIFIC
    )
    lead = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead agency")
    )
    coordinators = models.ManyToManyField(
        OrgUnit, blank=True, related_name="+", verbose_name=_("co-ordinating agencies")
    )
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("monitoring officer"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("supervising leader"),
    )
    assigned_on = models.DateField(_("assigned on"), db_index=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    recurrence = models.CharField(
        _("recurrence"), max_length=10, choices=Recurrence, default=Recurrence.NONE, blank=True
    )
    recurrence_until = models.DateField(_("recurring until"), null=True, blank=True)
    is_key = models.BooleanField(_("key task"), default=False, db_index=True)
    expected_product = models.CharField(_("expected product"), max_length=500, blank=True)
    indicators = models.ManyToManyField(
        "catalog.Indicator", blank=True, related_name="+", verbose_name=_("indicators concerned")
    )
    projects = models.ManyToManyField(
        "targets.Project",
        blank=True,
        related_name="tasks",
        verbose_name=_("programmes and projects concerned"),
    )
    open_to_agencies = models.BooleanField(
        _("open to every agency"),
        default=False,
        help_text=_("Every agency may read it, not only the lead and co-ordinating ones."),
    )
    sensitivity = models.CharField(
        _("classification"), max_length=16, choices=Sensitivity, default=Sensitivity.INTERNAL
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_on = models.DateField(
        _("completed on"), null=True, blank=True, editable=False
    )  # completed_at's day in the country's time zone, kept with it by save()
    product = models.CharField(_("product"), max_length=500, blank=True)
    withdrawal = models.CharField(
        _("withdrawn"), max_length=10, choices=Withdrawal, blank=True, default=""
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    import_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["-assigned_on", "-id"]
        indexes = [
            models.Index(fields=["lead", "assigned_on"], name="task_lead_assigned"),
            models.Index(fields=["deadline", "completed_on"], name="task_deadline_done"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="directives_task_progress_range"
            ),
        ]

    def save(self, *args, **kwargs):
        from dieuhanh.directives.status import completed_on

        self.completed_on = completed_on(self.completed_at) if self.completed_at else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "completed_at" in update_fields:
            kwargs["update_fields"] = {*update_fields, "completed_on"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        text = " ".join(self.content.split())
        label = text if len(text) <= 80 else text[:79] + "…"
        return f"{self.document.number}: {label}" if self.document_id else label

    @property
    def done(self) -> bool:
        return self.completed_at is not None

    @property
    def open(self) -> bool:
        return self.completed_at is None and not self.withdrawal


class OfTask:
    """A row that belongs to a task (a deadline, a report, a request, an event): who may read
    or write it is who may read or write the task."""

    scope_field = "task__lead"
    view_scope_fields = ("task__coordinators",)
    open_field = "task__open_to_agencies"
    sensitivity_field = "task__sensitivity"


class TaskDeadline(OfTask, models.Model):
    """One deadline a task had: the first one set, each extension granted and, for a
    recurring task, each new occurrence; the last is the task's deadline in force."""

    class Reason(models.TextChoices):
        SET = "set", _("Set")
        EXTENDED = "extended", _("Extended")
        CHANGED = "changed", _("Changed by the center")
        NEXT = "next", _("Next occurrence")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="deadlines")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    reason = models.CharField(_("why"), max_length=10, choices=Reason)
    note = models.TextField(_("note"), blank=True)
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task deadline")
        verbose_name_plural = _("task deadlines")
        ordering = ["set_at", "id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.task_id}: {self.deadline}"


class ReviewStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class ProgressReport(OfTask, models.Model):
    """The lead agency's report on a task: how far it is (percent), what was done, files;
    ``completes`` when it reports the task done, with its product. The monitoring officer
    accepts it or returns it with a reason; an accepted completion completes the task on
    the day it was reported."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("report"))
    completes = models.BooleanField(_("reports the task done"), default=False)
    product = models.CharField(_("product"), max_length=500, blank=True)
    occurrence = models.DateField(
        _("occurrence"), null=True, blank=True, help_text=_("For a recurring task: which due date.")
    )
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("review"), max_length=10, choices=ReviewStatus, default=ReviewStatus.WAITING
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(_("review note"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_at", "-id"]
        permissions = [("review_progressreport", "Can accept or return progress reports")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="directives_report_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.percent}% ({self.reported_at:%d/%m/%Y})"


class ExtensionRequest(OfTask, models.Model):
    """The lead agency asks for a later deadline, with its reason; the center grants it
    (possibly to another date) or refuses it, with its own note."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    current_deadline = models.DateField(_("deadline in force"), null=True, blank=True)
    proposed_deadline = models.DateField(_("deadline asked for"))
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField(_("asked at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("decision"), max_length=10, choices=ReviewStatus, default=ReviewStatus.WAITING
    )
    granted_deadline = models.DateField(_("deadline granted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at", "-id"]
        permissions = [("decide_extensionrequest", "Can grant or refuse extension requests")]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.current_deadline} -> {self.proposed_deadline}"


class Attachment(models.Model):
    """A file attached to a document, a task (its product) or a progress report; readable
    by whoever may read what it is attached to."""

    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="directives/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(document__isnull=False, task__isnull=True, report__isnull=True)
                    | models.Q(document__isnull=True, task__isnull=False, report__isnull=True)
                    | models.Q(document__isnull=True, task__isnull=True, report__isnull=False)
                ),
                name="directives_attachment_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaskEventKind(models.TextChoices):
    CREATED = "created", _("Assigned")
    CHANGED = "changed", _("Changed")
    REPORTED = "reported", _("Progress reported")
    ACCEPTED = "accepted", _("Report accepted")
    RETURNED = "returned", _("Report returned")
    EXTENSION_ASKED = "ext_asked", _("Extension asked")
    EXTENSION_GRANTED = "ext_granted", _("Extension granted")
    EXTENSION_REFUSED = "ext_refused", _("Extension refused")
    DEADLINE_CHANGED = "deadline", _("Deadline changed")
    NEXT_OCCURRENCE = "next", _("Next occurrence")
    COMPLETED = "completed", _("Completed")
    REOPENED = "reopened", _("Reopened")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REMINDED = "reminded", _("Reminder sent")
    ESCALATED = "escalated", _("Escalated to the supervising leader")


class TaskEvent(OfTask, models.Model):
    """One step in a task's timeline: what happened, when, by whom, with the text a person
    wrote (a report, a reason) and the facts that changed. Append-only; the audit log has
    the same write as a before/after record."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=TaskEventKind)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(_("user"), max_length=150, blank=True)
    text = models.TextField(_("text"), blank=True)
    detail = models.JSONField(_("detail"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["at", "id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
