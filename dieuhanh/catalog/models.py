"""The indicator catalog and the reporting regimes: the metadata every other module reads.

- ``Indicator``: what is measured (Decision 1498/QĐ-TTg's catalog, the 2024 action plan's
  indicator groups), with its unit, period type, aggregation rules and, for derived
  indicators, a formula (``catalog.formulas``). Definitional changes are kept as
  ``IndicatorVersion`` rows: a change of method is recorded, never overwritten.
- ``Category`` / ``CategoryOption`` / ``Disaggregation`` / ``OptionCombination``: the
  breakdowns a value is stored under (DHIS2's categories, category combos and category
  option combos), with the default disaggregation holding the single combination "total".
- ``ReportingRegime`` (a data set, Decree 09/2019/NĐ-CP): who reports which indicators, for
  which periods, with which cut-off and deadline, in which sections and narrative outline.

Every row is identified by its ``code`` in the API and in metadata exchange; the ``uid`` is
the DHIS2-compatible identifier.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.models import Sensitivity, TimeStampedModel
from dieuhanh.core.periods import CutoffRule, PeriodType
from dieuhanh.core.querysets import RestrictedQuerySet
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind, generate_uid

# DHIS2's identifiers of its default category objects, kept so that DHIS2 clients that send
# them unchanged (``categoryOptionCombo=HllvX50cXC0``) address the total.
DEFAULT_CATEGORY_UID = "GLevLNI9wkl"
DEFAULT_OPTION_UID = "xYerKDKCefk"
DEFAULT_DISAGGREGATION_UID = "bjDvmb4bfuf"
DEFAULT_COMBINATION_UID = "HllvX50cXC0"
DEFAULT_CODE = "default"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class ValueType(models.TextChoices):
    NUMBER = "number", _("Number")
    INTEGER = "integer", _("Integer")
    PERCENT = "percent", _("Percentage")
    INDEX = "index", _("Index")
    BOOLEAN = "boolean", _("Yes/no")
    TEXT = "text", _("Text")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "up", _("Higher is better")
    LOWER_IS_BETTER = "down", _("Lower is better")
    NEUTRAL = "neutral", _("Neutral")


class OrgAggregation(models.TextChoices):
    """How values of units add up to their parent (kept apart from aggregation over time)."""

    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    WEIGHTED_AVERAGE = "weighted_average", _("Weighted average")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")
    NONE = "none", _("Not aggregated")


class TimeAggregation(models.TextChoices):
    """How the values of short periods make a longer one."""

    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    LAST = "last", _("Last value")
    NONE = "none", _("Not aggregated")


class ReportingLevel(models.TextChoices):
    """Where an indicator is reported; each level is a kind of organisation unit."""

    NATIONAL = "national", _("National")
    MINISTRY = "ministry", _("Ministry")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")
    STATE_GROUP = "state_group", _("State-owned group")
    FACILITY = "facility", _("Facility")


LEVEL_UNIT_KINDS = {
    ReportingLevel.NATIONAL: (OrgUnitKind.GOVERNMENT,),
    ReportingLevel.MINISTRY: (
        OrgUnitKind.MINISTRY,
        OrgUnitKind.MINISTRY_LEVEL,
        OrgUnitKind.GOVERNMENT_AGENCY,
    ),
    ReportingLevel.PROVINCE: (OrgUnitKind.PROVINCE,),
    ReportingLevel.COMMUNE: (OrgUnitKind.COMMUNE,),
    ReportingLevel.STATE_GROUP: (OrgUnitKind.STATE_GROUP,),
    ReportingLevel.FACILITY: (OrgUnitKind.FACILITY,),
}


class MeasurementUnit(TimeStampedModel):
    """A unit of measure with its scale: "tỷ đồng" is 10^9 of the base unit "đồng"."""

    public_read = True

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    symbol = models.CharField(_("symbol"), max_length=30, blank=True)
    base = models.CharField(
        _("base unit"), max_length=50, blank=True, help_text=_("For example VND, USD, tonne.")
    )
    scale = models.DecimalField(
        _("scale"), max_digits=30, decimal_places=6, default=1, help_text=_("Multiple of the base.")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Category(TimeStampedModel):
    """A dimension of breakdown: area (urban/rural), sex, crop season, type of FDI..."""

    public_read = True

    uid = models.CharField(_("uid"), max_length=11, unique=True, default=generate_uid)
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CategoryOption(TimeStampedModel):
    public_read = True

    uid = models.CharField(_("uid"), max_length=11, unique=True, default=generate_uid)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("category option")
        verbose_name_plural = _("category options")
        ordering = ["category__code", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="categoryoption_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Disaggregation(TimeStampedModel):
    """An ordered set of categories; its combinations are the cells a value is stored in."""

    public_read = True

    uid = models.CharField(_("uid"), max_length=11, unique=True, default=generate_uid)
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    categories = models.ManyToManyField(
        Category, through="DisaggregationCategory", related_name="disaggregations"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("disaggregation")
        verbose_name_plural = _("disaggregations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_default(self) -> bool:
        return self.code == DEFAULT_CODE


class DisaggregationCategory(models.Model):
    disaggregation = models.ForeignKey(Disaggregation, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["disaggregation", "category"], name="disaggregationcategory_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.disaggregation} / {self.category}"


class OptionCombination(TimeStampedModel):
    """One cell of a disaggregation: one option of each of its categories."""

    public_read = True

    uid = models.CharField(_("uid"), max_length=11, unique=True, default=generate_uid)
    disaggregation = models.ForeignKey(
        Disaggregation, on_delete=models.CASCADE, related_name="combinations"
    )
    code = models.CharField(_("code"), max_length=120)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    options = models.ManyToManyField(CategoryOption, related_name="combinations")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("option combination")
        verbose_name_plural = _("option combinations")
        ordering = ["disaggregation__code", "sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["disaggregation", "code"], name="optioncombination_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorGroupSet(TimeStampedModel):
    """A classification: the 7 groups of Decision 1498, the 4 groups of the action plan."""

    public_read = True

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator group set")
        verbose_name_plural = _("indicator group sets")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class IndicatorGroup(TimeStampedModel):
    public_read = True

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    group_set = models.ForeignKey(
        IndicatorGroupSet, on_delete=models.PROTECT, related_name="groups"
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator group")
        verbose_name_plural = _("indicator groups")
        ordering = ["group_set__code", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class IndicatorQuerySet(RestrictedQuerySet):
    def active(self):
        return self.filter(status=Status.ACTIVE)


class Indicator(TimeStampedModel):
    """A socio-economic indicator. Public metadata except for its sensitive rows: users see
    the indicators at or below their clearance; anonymous callers the public ones."""

    public_read = True
    sensitivity_field = "sensitivity"

    uid = models.CharField(_("uid"), max_length=11, unique=True, default=generate_uid)
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    method = models.TextField(_("concept and method"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    source_system = models.CharField(_("source system"), max_length=255, blank=True)
    owner = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_indicators",
        verbose_name=_("responsible agency"),
    )
    unit = models.ForeignKey(
        MeasurementUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    value_type = models.CharField(
        _("value type"), max_length=10, choices=ValueType, default=ValueType.NUMBER
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction, default=Direction.NEUTRAL
    )
    period_type = models.CharField(_("period type"), max_length=12, choices=PeriodType)
    aggregation = models.CharField(
        _("aggregation over units"), max_length=20, choices=OrgAggregation
    )
    weight = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("weight indicator"),
        help_text=_("For a weighted average: the indicator whose values are the weights."),
    )
    time_aggregation = models.CharField(
        _("aggregation over time"), max_length=10, choices=TimeAggregation
    )
    levels = models.JSONField(_("reporting levels"), default=list, blank=True)
    disaggregation = models.ForeignKey(
        Disaggregation,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("disaggregation"),
    )
    sensitivity = models.CharField(
        _("sensitivity"), max_length=12, choices=Sensitivity, default=Sensitivity.PUBLIC
    )
    groups = models.ManyToManyField(
        IndicatorGroup, related_name="indicators", blank=True, verbose_name=_("groups")
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    formula = models.TextField(
        _("formula"),
        blank=True,
        help_text=_("For derived indicators, e.g. #{EXPORTS} - #{IMPORTS}."),
    )
    formula_after_aggregation = models.BooleanField(
        _("evaluate after aggregation"),
        default=True,
        help_text=_(
            "Aggregate the components first, then apply the formula (a ratio of sums, never a "
            "sum of ratios)."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    search_text = models.TextField(editable=False, default="")

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "period_type"])]

    def __str__(self) -> str:
        return self.name

    @property
    def unit_label(self) -> str:
        """The measurement unit as a figure is labelled: its symbol, else its name."""
        return (self.unit.symbol or self.unit.name) if self.unit_id else ""

    @property
    def is_derived(self) -> bool:
        return bool(self.formula)


class IndicatorVersion(models.Model):
    """The definition of an indicator from ``valid_from`` on: its method, unit, formula and
    rules as they were. A new version is recorded whenever one of them changes."""

    public_read = True

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, help_text=_("Empty: since the indicator exists.")
    )
    definition = models.JSONField(_("definition"))
    reason = models.TextField(_("reason for the change"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator version")
        verbose_name_plural = _("indicator versions")
        ordering = ["indicator", "number"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "number"], name="indicatorversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} v{self.number}"


class DeadlineRule(models.TextChoices):
    DAY_OF_LAST_MONTH = "day_of_last_month", _("Day N of the last month of the period")
    DAY_OF_NEXT_MONTH = "day_of_next_month", _("Day N of the month after the period")
    DAYS_AFTER_END = "days_after_end", _("N days after the end of the cut-off window")


class Frequency(models.TextChoices):
    REGULAR = "regular", _("Regular")
    ON_DEMAND = "on_demand", _("On demand (emergencies)")


class ReportingRegime(TimeStampedModel):
    """A reporting regime (data set): the report, who sends it to whom, for which periods,
    by when, with which numbers and which narrative outline."""

    public_read = True  # reporting regimes are published legal requirements

    uid = models.CharField(_("uid"), max_length=11, unique=True, default=generate_uid)
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    legal_basis_date = models.DateField(_("date of the legal basis"), null=True, blank=True)
    issuer = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuing body"),
    )
    receiver = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving body"),
    )
    reporter_kinds = models.JSONField(
        _("reporting unit kinds"),
        default=list,
        blank=True,
        help_text=_("Every unit of these kinds that exists in the period reports."),
    )
    reporter_units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="reporting_regimes", verbose_name=_("reporting units")
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency, default=Frequency.REGULAR
    )
    period_type = models.CharField(_("period type"), max_length=12, choices=PeriodType)
    cutoff_rule = models.CharField(
        _("cut-off rule"), max_length=10, choices=CutoffRule, default=CutoffRule.CALENDAR
    )
    deadline_rule = models.CharField(_("deadline rule"), max_length=20, choices=DeadlineRule)
    deadline_value = models.PositiveSmallIntegerField(
        _("deadline (N)"), help_text=_("The day of the month, or the number of days.")
    )
    signature_required = models.BooleanField(_("digital signature required"), default=False)
    open_future_periods = models.PositiveSmallIntegerField(
        _("open future periods"),
        default=0,
        blank=True,
        help_text=_("How many periods after the current one accept data (0: none)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting regime")
        verbose_name_plural = _("reporting regimes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RegimeSection(models.Model):
    """A numbered part of a regime's data form, listing indicators in order."""

    public_read = True

    regime = models.ForeignKey(ReportingRegime, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=255)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("form section")
        verbose_name_plural = _("form sections")
        ordering = ["regime", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "code"], name="regimesection_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class RegimeIndicator(models.Model):
    """An indicator in a section of a regime, with the disaggregation asked for there
    (its own disaggregation unless the regime asks for less)."""

    public_read = True

    section = models.ForeignKey(RegimeSection, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="regime_items")
    disaggregation = models.ForeignKey(Disaggregation, on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(_("required"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("regime indicator")
        verbose_name_plural = _("regime indicators")
        ordering = ["section", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["section", "indicator"], name="regimeindicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.section} / {self.indicator.code}"


class NarrativeSection(models.Model):
    """A heading of the outline that a report's text follows (Decree 09's "đề cương")."""

    public_read = True

    regime = models.ForeignKey(
        ReportingRegime, on_delete=models.CASCADE, related_name="narrative_sections"
    )
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=255)
    guidance = models.TextField(_("guidance"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("narrative section")
        verbose_name_plural = _("narrative sections")
        ordering = ["regime", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "number"], name="narrativesection_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
