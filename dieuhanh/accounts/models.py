"""Users, roles, data scopes and API tokens.

A user belongs to an organisation unit and holds roles (bundles of permissions that
administrators edit). What a user may see or change is bounded by two scopes, each a set of
organisation subtrees (empty: the user's own unit and everything under it), and by a
clearance for sensitive data. ``restrict(user, action)`` applies all of it.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.models import Sensitivity, TimeStampedModel
from dieuhanh.core.querysets import RestrictedQuerySet


class Role(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    permissions = models.ManyToManyField(Permission, blank=True, related_name="roles")
    country_wide = models.BooleanField(
        _("country-wide"),
        default=False,
        help_text=_("Without scopes of their own, holders see and act on the whole country."),
    )
    requires_two_factor = models.BooleanField(
        _("two-factor authentication required"), default=False
    )
    defaults_applied = models.JSONField(default=list, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(RestrictedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person or an integration system that signs in.

    Vietnamese names are written family name first and are not split reliably, so the full
    name is one field.
    """

    scope_field = "orgunit"

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    organisation_name = models.CharField(
        _("organisation"),
        max_length=255,
        blank=True,
        help_text=_("Shown in the header when the user has no organisation unit."),
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name=_("roles"))
    view_scope = models.ManyToManyField(
        "orgunits.OrgUnit",
        blank=True,
        related_name="+",
        verbose_name=_("view scope"),
        help_text=_("Subtrees the user may read; empty: their own unit and below."),
    )
    capture_scope = models.ManyToManyField(
        "orgunits.OrgUnit",
        blank=True,
        related_name="+",
        verbose_name=_("capture scope"),
        help_text=_("Subtrees the user may write for; empty: their own unit and below."),
    )
    clearance = models.CharField(
        _("clearance"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator gives a temporary password."),
    )
    is_integration = models.BooleanField(
        _("integration system"), default=False, help_text=_("Signs in with API tokens only.")
    )

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.get_username()

    def get_short_name(self) -> str:
        return self.get_full_name()

    @property
    def organisation_label(self) -> str:
        return self.orgunit.short_name if self.orgunit_id else self.organisation_name


TOKEN_PREFIX = "dh_"  # noqa: S105 - a marker, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(TimeStampedModel):
    """A secret for an integration or a user's scripts: shown once, stored hashed.

    ``scopes`` lists what it may do per API module: ``orgunits:read``, ``orgunits:write``,
    ``*:read``; a token never exceeds its user's own permissions and data scope.
    """

    scope_field = "user__orgunit"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def allows(self, module: str, write: bool) -> bool:
        wanted = {f"{module}:write", "*:write"}
        if not write:
            wanted |= {f"{module}:read", "*:read"}
        return bool(wanted & set(self.scopes))
