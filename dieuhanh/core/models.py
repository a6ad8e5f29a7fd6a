from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.querysets import RestrictedQuerySet


class Sensitivity(models.TextChoices):
    """How widely a piece of data may be shown; a user's clearance is the highest level
    they may see. Ordered from least to most sensitive."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")

    @classmethod
    def up_to(cls, clearance: str) -> list[str]:
        values = [choice.value for choice in cls]
        return values[: values.index(clearance) + 1]


class TimeStampedModel(models.Model):
    """Base for every model of the product: when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the scheduled heartbeat task.

    Written only by the heartbeat task: it is the evidence that beat schedules and a worker
    runs, shown on /healthz and in the admin. Operational telemetry, not audited data.
    """

    hostname = models.CharField(_("worker"), max_length=255, unique=True)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), db_index=True)
    beats = models.PositiveBigIntegerField(_("heartbeats"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return self.hostname


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    LOCKED_OUT = "locked_out", _("Account locked")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    TWO_FACTOR_ON = "two_factor_on", _("Two-factor authentication set up")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Wrong two-factor code")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    TOKEN_USED = "token_used", _("API token used")
    PERMISSION_DENIED = "permission_denied", _("Access refused")
    EXPORT = "export", _("Data exported")


class AuditRecord(models.Model):
    """The audit log: one row per write (before and after) and per security event.

    Append-only: the product offers no way to change or delete a row (the admin is
    read-only and the API has no write endpoint). ``related`` points at the object whose
    history this row belongs to (a parent link belongs to the history of its child unit).
    Scoped by the acting user's organisation unit.
    """

    scope_field = "user__orgunit"

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=20)
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    related_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    detail = models.JSONField(_("detail"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-time", "-id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["related_content_type", "related_object_id"]),
            models.Index(fields=["request_id"]),
            models.Index(fields=["action", "time"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

    @property
    def changes(self) -> dict[str, tuple]:
        from dieuhanh.core.audit import diff

        return diff(self.before, self.after)


class IdempotentRequest(models.Model):
    """A write sent with an ``Idempotency-Key`` header: the first answer is kept and a
    retry with the same key and body gets it again instead of writing twice. A row is
    inserted before the write starts, so a concurrent retry is told to wait."""

    scope_field = "user__orgunit"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=128)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotentrequest_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class Notification(models.Model):
    """A message in a user's inbox, and by email when they have an address: a reminder
    before a deadline, an overdue notice, a report returned, a value to explain. ``key``
    makes a scheduled notice idempotent: at most one per user and key."""

    owner_field = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notification_once"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"
