"""National target programmes and key national projects: the register the Government follows
(the 2024 plan asks for "the progress of national target programmes and key national
projects" among the indicator groups), and that assigned tasks point at.

A programme or project is public reference data inside the system, like the indicator
catalog: every signed-in user reads the register; the center keeps it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.models import TimeStampedModel
from dieuhanh.core.querysets import RestrictedQuerySet
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind


class ProjectKind(models.TextChoices):
    TARGET_PROGRAMME = "target_programme", _("National target programme")
    NATIONAL_PROJECT = "national_project", _("Key national project")
    KEY_PROJECT = "key_project", _("Key project of a sector")
    OTHER = "other", _("Other programme or project")


class Project(TimeStampedModel):
    """A programme or project: its code, name, kind, the agency in charge, the years it
    covers, the decision that approved it, the investment approved and where it is."""

    public_read = True

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProjectKind)
    owner = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency in charge"),
    )
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    legal_basis = models.CharField(
        _("approved by"),
        max_length=300,
        blank=True,
        help_text=_("The resolution or decision that approved it (number and date)."),
    )
    investment = models.DecimalField(
        _("total investment (billion VND)"),
        max_digits=14,
        decimal_places=1,
        null=True,
        blank=True,
    )
    locations = models.ManyToManyField(
        OrgUnit, blank=True, related_name="+", verbose_name=_("provinces where it is")
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme or project")
        verbose_name_plural = _("programmes and projects")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="targets_project_years",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.short_name or self.name}"

    @property
    def period(self) -> str:
        if self.end_year is None:
            return gettext("from %(year)d") % {"year": self.start_year}
        if self.end_year == self.start_year:
            return str(self.start_year)
        return f"{self.start_year} - {self.end_year}"


def place_name(kind: str, name: str) -> str:
    """Whom a target is for, as a reader says it: the whole country, or the unit's name."""
    return gettext("The whole country") if kind == OrgUnitKind.GOVERNMENT else name


class Comparison(models.TextChoices):
    """How a figure meets a target, as the resolutions word it."""

    AT_LEAST = "at_least", _("At least")
    AT_MOST = "at_most", _("At most")
    ABOUT = "about", _("About")
    BETWEEN = "between", _("Between")


class PlanTarget(TimeStampedModel):
    """A target of the year's plan for one indicator and one unit: the country's targets of
    the Government's Resolutions 01/NQ-CP and 02/NQ-CP, or a province's. Whether it is met
    follows from the figures (``targets.progress``); nothing about it is stored.

    Reference data like the catalog: everyone signed in reads the targets of the indicators
    their clearance reaches; writes stay inside the writer's scope (a province keeps its
    own targets when given the permission)."""

    public_read = True
    scope_field = "orgunit"
    sensitivity_field = "indicator__sensitivity"

    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(
        "catalog.Indicator",
        on_delete=models.PROTECT,
        related_name="plan_targets",
        verbose_name=_("indicator"),
    )
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("for")
    )
    comparison = models.CharField(_("comparison"), max_length=10, choices=Comparison)
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    upper = models.DecimalField(_("up to"), max_digits=20, decimal_places=4, null=True, blank=True)
    wording = models.CharField(
        _("wording"),
        max_length=300,
        blank=True,
        help_text=_("The target as the resolution words it."),
    )
    legal_basis = models.CharField(
        _("set by"),
        max_length=300,
        blank=True,
        help_text=_("The resolution or decision that set it (number and date)."),
    )
    owner = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency that follows it"),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        ordering = ["-year", "indicator__code", "orgunit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "indicator", "orgunit"], name="targets_plantarget_once"
            ),
            models.CheckConstraint(
                condition=models.Q(upper__isnull=True) | models.Q(upper__gte=models.F("value")),
                name="targets_plantarget_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator.code} {self.orgunit.code}"

    SIGNS = {"at_least": "≥", "at_most": "≤", "about": "≈", "between": ""}

    @property
    def place(self) -> str:
        return place_name(self.orgunit.kind, self.orgunit.name)

    @property
    def sign(self) -> str:
        return self.SIGNS[self.comparison]

    @property
    def bounds(self) -> tuple:
        """The target, and the upper bound of a range, without trailing zeros."""
        return tuple(
            None if number is None else type(number)(f"{number.normalize():f}")
            for number in (self.value, self.upper)
        )
