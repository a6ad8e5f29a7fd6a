"""Organisation units: an effective-dated hierarchy.

A unit is identified by its ``uid``, never by its administrative code (codes were reused in
2025). Units, parent edges and successions each carry their own validity; dates are
inclusive (``valid_to`` is the last valid day) and a missing date is an open end. The
closure table holds, for every unit, each ancestor with the interval in which it is an
ancestor, so that "descendants of X on day D" is one indexed query.
"""

from __future__ import annotations

import datetime
import secrets
import string

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.models import TimeStampedModel
from dieuhanh.core.querysets import RestrictedQuerySet

# Open interval ends in the closure table (non-null so that range lookups use the index).
DATE_MIN = datetime.date(1, 1, 1)
DATE_MAX = datetime.date(9999, 12, 31)

UID_ALPHABET = string.ascii_letters + string.digits


def generate_uid() -> str:
    """An 11-character identifier that starts with a letter, as DHIS2's are."""
    return secrets.choice(string.ascii_letters) + "".join(
        secrets.choice(UID_ALPHABET) for _ in range(10)
    )


# The fields of a unit that people and loaders set (the rest is derived or automatic).
UNIT_EDITABLE_FIELDS = (
    "code",
    "name",
    "short_name",
    "name_en",
    "kind",
    "division_type",
    "valid_from",
    "valid_to",
    "notes",
)


class OrgUnitKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    MINISTRY = "ministry", _("Ministry")
    MINISTRY_LEVEL = "ministry_level", _("Ministry-level agency")
    GOVERNMENT_AGENCY = "government_agency", _("Government agency")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    STATE_GROUP = "state_group", _("State-owned group")
    FACILITY = "facility", _("Facility")


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")
    RENAME = "rename", _("Rename")
    UPGRADE = "upgrade", _("Upgrade")
    TRANSFER = "transfer", _("Transfer")


def valid_on_q(day: datetime.date, prefix: str = "") -> Q:
    """Rows whose (nullable) validity interval contains ``day``."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class OrgUnitQuerySet(RestrictedQuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(valid_on_q(day))


class OrgUnit(TimeStampedModel):
    public_read = True  # the administrative structure is public information

    uid = models.CharField(_("uid"), max_length=11, unique=True, default=generate_uid)
    code = models.CharField(_("code"), max_length=50, db_index=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrgUnitKind.choices)
    division_type = models.CharField(
        _("division type"),
        max_length=64,
        blank=True,
        help_text=_("As written in the legal text: tỉnh, thành phố trung ương, phường, xã..."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    source = models.CharField(_("source"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["kind", "code", "valid_from"]
        indexes = [
            models.Index(fields=["kind", "valid_from", "valid_to"]),
            models.Index(fields=["code", "valid_from"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class OrgUnitParent(models.Model):
    """``child`` sits under ``parent`` from ``valid_from`` to ``valid_to`` (inclusive)."""

    public_read = True

    child = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="parent_edges")
    parent = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="child_edges")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("parent link")
        verbose_name_plural = _("parent links")
        indexes = [
            models.Index(fields=["parent", "valid_from", "valid_to"]),
            models.Index(fields=["child", "valid_from", "valid_to"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(child=models.F("parent")), name="orgunitparent_not_self"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunitparent_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} ⊂ {self.parent}"


class OrgUnitClosure(models.Model):
    """``ancestor`` is an ancestor of ``descendant`` (``depth`` levels up) from
    ``valid_from`` to ``valid_to``. Every unit is its own ancestor at depth 0. Derived from
    the parent edges by ``services.rebuild_closure``; never edited by hand."""

    ancestor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    descendant = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["ancestor", "valid_from", "valid_to", "depth"]),
            models.Index(fields=["descendant", "valid_from", "valid_to"]),
            # a unit's children on a day (the analytics' rollups, level by level)
            models.Index(
                fields=["ancestor", "depth", "valid_from", "valid_to"], name="closure_children"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ancestor_id} > {self.descendant_id} ({self.depth})"


class Succession(TimeStampedModel):
    """From ``effective_date`` on, (a share of) ``predecessor`` is part of ``successor``."""

    public_read = True

    predecessor = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="successions_out"
    )
    successor = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="successions_in")
    effective_date = models.DateField(_("effective date"))
    kind = models.CharField(_("kind"), max_length=16, choices=SuccessionKind.choices)
    share = models.DecimalField(
        _("share"),
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Share of the predecessor that went to this successor, from 0 to 1."),
    )
    approximate = models.BooleanField(
        _("approximate"), default=False, help_text=_("The share is only approximately known.")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["effective_date", "predecessor_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "effective_date"], name="succession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"


class OrgUnitGroupSet(TimeStampedModel):
    public_read = True

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    exclusive = models.BooleanField(
        _("exclusive"), default=False, help_text=_("A unit belongs to at most one group.")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group set")
        verbose_name_plural = _("group sets")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrgUnitGroup(TimeStampedModel):
    public_read = True

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    group_set = models.ForeignKey(
        OrgUnitGroupSet, null=True, blank=True, on_delete=models.PROTECT, related_name="groups"
    )
    notes = models.TextField(_("notes"), blank=True)
    members = models.ManyToManyField(OrgUnit, related_name="groups", blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["group_set__code", "code"]

    def __str__(self) -> str:
        return self.name
