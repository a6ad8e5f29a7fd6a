"""The store of data values and the jobs that bring them in.

One ``DataValue`` per (indicator, disaggregation option combination, attribute option
combination, organisation unit, period): DHIS2's data value, with numbers stored as numbers
and text only for text indicators. Every change of a value appends a ``DataValueAudit``
row; imports are ``ImportJob`` rows whose refused rows are ``ImportIssue`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.catalog.models import Indicator, OptionCombination, ReportingRegime
from dieuhanh.core.querysets import RestrictedQuerySet
from dieuhanh.orgunits.models import OrgUnit, generate_uid

# 20 digits before the decimal point, 10 after: totals in đồng and small rates alike.
MAX_DIGITS, DECIMAL_PLACES = 30, 10


class ValueStatus(models.TextChoices):
    """Where a value is in its life: entered, sent to the center, approved by the agency,
    accepted by the center. Approved and accepted values are read-only."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    ACCEPTED = "accepted", _("Accepted")

    @classmethod
    def read_only(cls) -> tuple[str, ...]:
        return (cls.APPROVED, cls.ACCEPTED)


class Channel(models.TextChoices):
    """How a value came in."""

    WEB = "web", _("Web form")
    API = "api", _("API")
    DHIS2 = "dhis2", _("DHIS2-compatible API")
    FILE = "file", _("File upload")
    DEMO = "demo", _("Demo data")
    SYSTEM = "system", _("System")

    @classmethod
    def current(cls) -> str:
        """The channel of the work in progress (``core.audit.audit_channel``), or system."""
        from dieuhanh.core.audit import current_channel

        channel = current_channel.get()
        return channel if channel in cls.values else cls.SYSTEM


class DataValue(models.Model):
    """Written only by the ingest engine, which resolves every reference itself from the
    catalog and the structure before a row is staged. The references carry no database
    constraint (a million-row import would otherwise run ten foreign-key checks per row at
    commit); deleting an indicator, option or unit that has values is still refused by
    ``on_delete=PROTECT``, which Django enforces, and ``tests/datavalues`` checks both."""

    scope_field = "orgunit"
    sensitivity_field = "indicator__sensitivity"

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    combination = models.ForeignKey(
        OptionCombination,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("disaggregation"),
    )
    attribute = models.ForeignKey(
        OptionCombination,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("attribute"),
    )
    orgunit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("unit"),
    )
    period = models.CharField(_("period"), max_length=20)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    number = models.DecimalField(
        _("value"), max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )
    text = models.TextField(_("text value"), null=True, blank=True)  # noqa: DJ001 (NULL: no value, unlike "")
    comment = models.TextField(_("comment"), blank=True, default="")
    followup = models.BooleanField(_("follow up"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ValueStatus, default=ValueStatus.SUBMITTED
    )
    deleted = models.BooleanField(_("deleted"), default=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    job = models.ForeignKey(
        "ImportJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("import job"),
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        ordering = ["indicator_id", "period_start", "orgunit_id", "combination_id"]
        permissions = [
            ("dhis2_basic_auth", _("May use the DHIS2-compatible API with a password")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "orgunit", "combination", "attribute"],
                name="datavalue_cell_unique",
            ),
        ]
        indexes = [models.Index(fields=["orgunit", "period_start"], name="datavalue_unit_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.orgunit_id}/{self.period}/{self.combination_id}"

    @property
    def value(self) -> str | None:
        """The value as text, the way the API and the audit trail show it."""
        return value_text(self.number, self.text)


class ChangedCell(models.Model):
    """A cell (indicator, unit, period) whose values changed since the stores derived from
    them (the analytics rollups) were brought up to date. Written in the same transaction as
    the change by every writer of values (the ingest, a report's status, the demo loader),
    claimed and deleted by ``analytics.maintenance``: a change committed is a change the
    next analytics query sees."""

    indicator_id = models.BigIntegerField()
    orgunit_id = models.BigIntegerField()
    period = models.CharField(max_length=20)
    period_end = models.DateField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("changed cell")
        verbose_name_plural = _("changed cells")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.orgunit_id}/{self.period}"


def mark_changed(queryset) -> int:
    """Record the cells of the values in ``queryset`` as changed, in one statement."""
    cells = queryset.order_by().values("indicator_id", "orgunit_id", "period", "period_end")
    sql, params = cells.distinct().query.sql_with_params()
    table = ChangedCell._meta.db_table
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (indicator_id, orgunit_id, period, period_end) {sql}",
            params,
        )
        return cursor.rowcount


def value_text(number, text) -> str | None:
    """A stored value as text: the text of a text indicator, else the number."""
    return text if text is not None else format_number(number)


def format_number(number) -> str | None:
    """A stored number as plain text without trailing zeros: 12.50000 -> "12.5"."""
    if number is None:
        return None
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


class AuditKind(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    RESTORE = "restore", _("Restored")


class DataValueAudit(models.Model):
    """One change of one value: old and new value and comment, who, when, channel, job and
    request. Append-only."""

    scope_field = "value__orgunit"
    sensitivity_field = "value__indicator__sensitivity"

    value = models.ForeignKey(
        DataValue, on_delete=models.CASCADE, related_name="audits", db_constraint=False
    )
    kind = models.CharField(_("change"), max_length=10, choices=AuditKind)
    old_value = models.TextField(_("old value"), null=True, blank=True)  # noqa: DJ001 (NULL: no value, unlike "")
    new_value = models.TextField(_("new value"), null=True, blank=True)  # noqa: DJ001 (NULL: no value, unlike "")
    old_comment = models.TextField(_("old comment"), null=True, blank=True)  # noqa: DJ001 (NULL: no value, unlike "")
    new_comment = models.TextField(_("new comment"), null=True, blank=True)  # noqa: DJ001 (NULL: no value, unlike "")
    time = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    user_name = models.CharField(_("user"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    job = models.ForeignKey(
        "ImportJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audits",
        db_constraint=False,
    )
    request_id = models.CharField(_("request id"), max_length=128, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("data value change")
        verbose_name_plural = _("data value changes")
        ordering = ["-time", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value_id}: {self.old_value} → {self.new_value}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")

    @classmethod
    def finished(cls) -> tuple[str, ...]:
        return (cls.DONE, cls.FAILED)


class ImportFormat(models.TextChoices):
    DHIS2_JSON = "dhis2_json", _("DHIS2 JSON")
    DHIS2_CSV = "dhis2_csv", _("DHIS2 CSV")
    JSON = "json", _("JSON list")
    CSV = "csv", _("CSV (long format)")
    XLSX = "xlsx", _("Excel (long format)")
    TEMPLATE = "template", _("Excel form template")


class ImportJob(models.Model):
    """One import: who sent what through which channel, with which options, and what came
    of it. Counts are written with each committed chunk, so a job that failed half-way says
    exactly what was committed."""

    scope_field = "user__orgunit"

    uid = models.CharField(_("uid"), max_length=11, unique=True, default=generate_uid)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    format = models.CharField(_("format"), max_length=12, choices=ImportFormat)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus, default=JobStatus.QUEUED
    )
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    total = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    chunks = models.PositiveIntegerField(_("chunks committed"), default=0)
    message = models.TextField(_("message"), blank=True)
    stored_file = models.CharField(max_length=500, blank=True, editable=False)
    # The units and periods the import wrote to, as the validation rules checked them
    # afterwards, and the violations found there: {"units", "periods", "violations"}.
    checked = models.JSONField(_("rules checked"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.uid} ({self.get_format_display()})"

    @property
    def ignored(self) -> int:
        return self.unchanged + self.refused


class ImportIssue(models.Model):
    """A refused row of an import: its index in the payload (0-based), the line of the
    file when it came from one, the DHIS2 error code, the property and object at fault."""

    scope_field = "job__user__orgunit"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    index = models.PositiveIntegerField(_("index"))
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    code = models.CharField(_("error code"), max_length=10)
    property = models.CharField(_("field"), max_length=40, blank=True)
    object = models.CharField(_("object"), max_length=255, blank=True)
    message = models.TextField(_("message"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("refused row")
        verbose_name_plural = _("refused rows")
        ordering = ["job", "index", "id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.job_id}#{self.index} {self.code}"


class PeriodLock(models.Model):
    """A period closed for data entry: for one reporting regime's indicators (or all), in
    one unit's subtree (or everywhere). Values of a locked period are refused on every
    channel until the lock is lifted."""

    regime = models.ForeignKey(
        ReportingRegime,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reporting regime"),
    )
    orgunit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("unit"),
    )
    period = models.CharField(_("period"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(_("locked at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("period lock")
        verbose_name_plural = _("period locks")
        ordering = ["-locked_at"]

    def __str__(self) -> str:
        return f"{self.period} {self.regime or '*'} {self.orgunit or '*'}"


class LockReason(models.TextChoices):
    """Why a report cannot be changed: its period is closed, or the report itself was
    approved by its agency or accepted by the center."""

    PERIOD = "period", _("Period locked")
    APPROVED = "approved", _("Approved")
    ACCEPTED = "accepted", _("Accepted")


@dataclass(frozen=True)
class LockScope:
    """What one lock covers: a regime's indicators (None: all) in a set of units (a period
    lock's unit and its whole subtree, or the one unit of an approved report; None:
    everywhere)."""

    regime_id: int | None
    unit_ids: frozenset[int] | None
    reason: str = LockReason.PERIOD

    def covers(self, regime_ids, unit_id: int) -> bool:
        """Whether a value of a unit, for an indicator reported under ``regime_ids``, is
        locked by this lock."""
        return (self.regime_id is None or self.regime_id in regime_ids) and (
            self.unit_ids is None or unit_id in self.unit_ids
        )


def lock_message(lock: LockScope, period: str, unit_name: str) -> str:
    """Why a value of ``unit_name`` for ``period`` is refused under ``lock``, in the user's
    language."""
    if lock.reason == LockReason.ACCEPTED:
        return _(
            "The report of %(unit)s for period %(period)s has been accepted by the center and "
            "can no longer be changed; ask the center to unlock it."
        ) % {"unit": unit_name, "period": period}
    if lock.reason == LockReason.APPROVED:
        return _(
            "The report of %(unit)s for period %(period)s has been approved and can no longer "
            "be changed; ask the approver to return it."
        ) % {"unit": unit_name, "period": period}
    return _("Period %(period)s is locked for %(unit)s.") % {"period": period, "unit": unit_name}


def lock_scopes(period_codes, now=None) -> dict[str, list[LockScope]]:
    """What cannot be written in the periods listed, by period code: the period locks and
    the reports approved or accepted; the one rule that every channel and the entry form
    apply."""
    scopes = period_lock_scopes(period_codes)
    for period, locks in report_lock_scopes(period_codes, now).items():
        scopes.setdefault(period, []).extend(locks)
    return scopes


def period_lock_scopes(period_codes=None) -> dict[str, list[LockScope]]:
    """The period locks, by period code (all periods, or only those listed), each with the
    units it covers."""
    from dieuhanh.orgunits.models import OrgUnitClosure

    locks = PeriodLock.objects.all()
    if period_codes is not None:
        locks = locks.filter(period__in=list(period_codes))
    rows = list(locks.values_list("regime_id", "orgunit_id", "period"))
    subtrees: dict[int, set[int]] = {}
    roots = {orgunit_id for _regime, orgunit_id, _period in rows if orgunit_id is not None}
    for ancestor, descendant in OrgUnitClosure.objects.filter(ancestor_id__in=roots).values_list(
        "ancestor_id", "descendant_id"
    ):
        subtrees.setdefault(ancestor, set()).add(descendant)
    scopes: dict[str, list[LockScope]] = {}
    for regime_id, orgunit_id, period in rows:
        units = None
        if orgunit_id is not None:
            units = frozenset(subtrees.get(orgunit_id, set()) | {orgunit_id})
        scopes.setdefault(period, []).append(LockScope(regime_id, units))
    return scopes


def report_lock_scopes(period_codes, now=None) -> dict[str, list[LockScope]]:
    """The reports approved or accepted in the periods listed (less those the center
    unlocked until a time still to come), by period code: each locks its regime's
    indicators in its unit."""
    from django.utils import timezone

    final = Submission.objects.filter(
        status__in=SubmissionStatus.final(), period__in=list(period_codes or ())
    ).exclude(unlocked_until__gt=now or timezone.now())
    scopes: dict[str, list[LockScope]] = {}
    for regime_id, orgunit_id, period, status in final.values_list(
        "regime_id", "orgunit_id", "period", "status"
    ):
        scopes.setdefault(period, []).append(LockScope(regime_id, frozenset({orgunit_id}), status))
    return scopes


class SubmissionStatus(models.TextChoices):
    """Where a report is in its approval: sent by the agency, approved by the agency's
    approver, accepted by the center, or returned to the agency with a reason."""

    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")

    @classmethod
    def final(cls) -> tuple[str, ...]:
        """Statuses whose data is locked."""
        return (cls.APPROVED, cls.ACCEPTED)


class Submission(models.Model):
    """A report (one regime, one unit, one period) sent to the center: when and by whom,
    and where it is in its approval (``quality.approval`` moves it and keeps the timeline).
    DHIS2's complete registration; timeliness is judged from ``submitted_at``, the first
    submission. While ``unlocked_until`` is ahead, an approved or accepted report can be
    edited again."""

    scope_field = "orgunit"

    regime = models.ForeignKey(
        ReportingRegime, on_delete=models.PROTECT, related_name="+", verbose_name=_("regime")
    )
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    period = models.CharField(_("period"), max_length=20)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus, default=SubmissionStatus.SUBMITTED
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    unlocked_until = models.DateTimeField(_("unlocked until"), null=True, blank=True)
    unlock_reason = models.TextField(_("reason for unlock"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("submitted report")
        verbose_name_plural = _("submitted reports")
        ordering = ["-submitted_at"]
        permissions = [
            ("approve_submission", _("May approve or return the reports of their units")),
            ("accept_submission", _("May accept or return approved reports for the center")),
            ("unlock_submission", _("May unlock approved or accepted reports for a time")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "orgunit", "period"], name="submission_unique"
            )
        ]
        # The locks of a period: its approved and accepted reports.
        indexes = [models.Index(fields=["period", "status"], name="submission_period_status")]

    def __str__(self) -> str:
        return f"{self.regime_id}/{self.orgunit_id}/{self.period}"

    def unlocked(self, now=None) -> bool:
        """Whether the center's unlock of this report still runs."""
        from django.utils import timezone

        return self.unlocked_until is not None and self.unlocked_until > (now or timezone.now())

    def locked(self, now=None) -> bool:
        """Whether the report's data is read-only: approved or accepted, and not unlocked."""
        return self.status in SubmissionStatus.final() and not self.unlocked(now)


class SubmissionAction(models.TextChoices):
    """A step in a report's approval."""

    SUBMIT = "submit", _("Submitted")
    RESUBMIT = "resubmit", _("Submitted again")
    APPROVE = "approve", _("Approved")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Returned")
    UNLOCK = "unlock", _("Unlocked")
    RELOCK = "relock", _("Locked again")


class SubmissionEvent(models.Model):
    """One step of a report's approval, for its timeline: what was done, by whom, when,
    from which status to which, and why (returns and unlocks need a reason). Append-only;
    the audit log holds the same change as a before/after record."""

    scope_field = "submission__orgunit"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=SubmissionAction)
    status_before = models.CharField(
        _("status before"), max_length=10, choices=SubmissionStatus, blank=True
    )
    status_after = models.CharField(_("status after"), max_length=10, choices=SubmissionStatus)
    reason = models.TextField(_("reason"), blank=True)
    expires_at = models.DateTimeField(_("until"), null=True, blank=True)
    at = models.DateTimeField(_("time"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(_("user"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["at", "id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.submission_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Narrative(models.Model):
    """The text of one narrative section of a report (assessment, difficulties,
    proposals): one per regime section, unit and period."""

    scope_field = "orgunit"

    section = models.ForeignKey(
        "catalog.NarrativeSection", on_delete=models.PROTECT, related_name="+"
    )
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    period = models.CharField(_("period"), max_length=20)
    text = models.TextField(_("text"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "orgunit", "period"], name="narrative_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.section_id}/{self.orgunit_id}/{self.period}"
