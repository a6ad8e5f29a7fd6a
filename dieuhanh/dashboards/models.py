"""The operations center's dashboards: what a screen shows, who may see it, the map's
boundaries and the thresholds that raise hot issues.

A dashboard is a list of items in reading order on a twelve-column grid (each item says
how many columns it spans on a wide screen; on a phone every item takes the whole width,
key figures first). An item is defined by an analytics query (indicators, units, periods)
and its presentation; it is rendered on its own request, so a slow item never holds up the
page. The home page is the dashboard marked ``is_home``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dieuhanh.catalog.models import Indicator
from dieuhanh.core.models import TimeStampedModel
from dieuhanh.core.querysets import RestrictedQuerySet, permits
from dieuhanh.orgunits.models import generate_uid


class ItemKind(models.TextChoices):
    KPI = "kpi", _("Key figure")
    CHART = "chart", _("Chart")
    MAP = "map", _("Map")
    RANKING = "ranking", _("Ranking")
    TABLE = "table", _("Table")
    TEXT = "text", _("Text")
    HOT_ISSUES = "hot_issues", _("Hot issues")
    TASKS = "tasks", _("Assigned tasks")


class ChartType(models.TextChoices):
    LINE = "line", _("Line")
    BAR = "bar", _("Bar")
    STACKED = "stacked", _("Stacked bar")
    COMBINED = "combined", _("Bar and line")


class Height(models.TextChoices):
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class DashboardQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view"):
        """The dashboards a user may open: their own, those shared with them or one of
        their roles, and those shared with everyone; to change one, it must be their own
        (the home page and other shared center dashboards: anyone who may change
        dashboards)."""
        queryset = super().restrict(user, action)
        if getattr(user, "is_superuser", False):
            return queryset
        if action == "view":
            return queryset.filter(
                Q(owner=user)
                | Q(shared_with_all=True)
                | Q(shared_users=user)
                | Q(shared_roles__in=user.roles.all())
            ).distinct()
        return queryset.filter(Q(owner=user) | Q(owner__isnull=True))


class Dashboard(TimeStampedModel):
    uid = models.CharField(_("uid"), max_length=11, unique=True, default=generate_uid)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dashboards",
        verbose_name=_("owner"),
        help_text=_("Empty: a dashboard of the center, kept by every analyst."),
    )
    is_home = models.BooleanField(_("home page"), default=False)
    shared_with_all = models.BooleanField(_("shared with every user"), default=False)
    shared_roles = models.ManyToManyField(
        "accounts.Role", blank=True, related_name="+", verbose_name=_("shared with roles")
    )
    shared_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("shared with users")
    )
    refresh_seconds = models.PositiveIntegerField(
        _("refresh every (seconds)"),
        default=300,
        help_text=_("How often a wall screen reloads the items' figures."),
    )

    objects = DashboardQuerySet.as_manager()

    class Meta:
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")
        ordering = ["-is_home", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_home"], condition=Q(is_home=True), name="one_home_dashboard"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def editable_by(self, user) -> bool:
        if not permits(user, Dashboard, "change"):
            return False
        return user.is_superuser or self.owner_id in (None, user.pk)


class DashboardItem(models.Model):
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind)
    title = models.CharField(_("title"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    width = models.PositiveSmallIntegerField(
        _("width (columns of 12)"), default=4, help_text=_("On a wide screen; 1 to 12.")
    )
    height = models.CharField(_("height"), max_length=8, choices=Height, default=Height.MEDIUM)
    indicators = models.JSONField(
        _("indicators"), default=list, blank=True, help_text=_("Codes, in order.")
    )
    orgunits = models.CharField(
        _("units"),
        max_length=500,
        blank=True,
        help_text=_(
            "As in the analytics API: codes or uids, KIND-province, CHILDREN-<code>, "
            "USER_ORGUNIT; empty: the country (or the user's own unit)."
        ),
    )
    periods = models.CharField(
        _("periods"),
        max_length=200,
        blank=True,
        help_text=_("As in the analytics API (LAST_12_MONTHS, 2025, 2024..2026); empty: latest."),
    )
    period_type = models.CharField(_("shown as"), max_length=12, blank=True)
    chart_type = models.CharField(
        _("chart type"), max_length=10, choices=ChartType, default=ChartType.LINE
    )
    target = models.DecimalField(
        _("target"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    target_label = models.CharField(_("target label"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dashboard item")
        verbose_name_plural = _("dashboard items")
        ordering = ["dashboard", "position", "pk"]

    def __str__(self) -> str:
        if self.title:
            return self.title
        codes = ", ".join(self.indicators[:2]) if self.indicators else ""
        return f"{self.get_kind_display()} · {codes}" if codes else str(self.get_kind_display())


class Favourite(models.Model):
    """A dashboard a user pinned: first in their list and in their wall rotation."""

    owner_field = "user"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="+")
    pinned_at = models.DateTimeField(_("pinned at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("favourite dashboard")
        verbose_name_plural = _("favourite dashboards")
        ordering = ["pinned_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dashboard"], name="one_pin_per_dashboard")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.dashboard}"


class BoundaryMap(TimeStampedModel):
    """An official boundary file an administrator loaded (GeoJSON, one feature per province,
    keyed by province code). The product ships none: without one, maps are tile grids.
    Every signed-in user's map draws it."""

    public_read = True

    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    geojson = models.TextField(_("GeoJSON"))
    provinces = models.JSONField(_("province codes"), default=list)
    active = models.BooleanField(_("in use"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("boundary map")
        verbose_name_plural = _("boundary maps")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Comparison(models.TextChoices):
    ABOVE = "above", _("above")
    BELOW = "below", _("below")


class Measure(models.TextChoices):
    VALUE = "value", _("the value")
    YOY = "yoy", _("the change on the same period last year")


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")


class AlertThreshold(TimeStampedModel):
    """A level that, crossed by the latest figure of an indicator (the country's, or any
    province's), brings the figure to the hot-issues feed."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    for_provinces = models.BooleanField(
        _("each province"), default=False, help_text=_("Otherwise the national figure.")
    )
    measure = models.CharField(_("measure"), max_length=8, choices=Measure, default=Measure.VALUE)
    comparison = models.CharField(_("when"), max_length=8, choices=Comparison)
    level = models.DecimalField(_("level"), max_digits=20, decimal_places=4)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity, default=Severity.MEDIUM
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert threshold")
        verbose_name_plural = _("alert thresholds")
        ordering = ["indicator__code", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.comparison} {self.level}"

    def crossed(self, number: float | None) -> bool:
        if number is None:
            return False
        level = float(self.level)
        return number > level if self.comparison == Comparison.ABOVE else number < level
