"""Data quality records: the bounds a value is expected to stay within, and the follow-ups
of suspect values (flagged by the center, explained or corrected by the agency, closed by
the center)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.catalog.models import Indicator, OptionCombination
from dieuhanh.core.querysets import RestrictedQuerySet
from dieuhanh.datavalues.models import DECIMAL_PLACES, MAX_DIGITS, DataValue
from dieuhanh.orgunits.models import OrgUnit


class OutlierMethod(models.TextChoices):
    """How a value is judged far from its history."""

    ZSCORE = "zscore", _("Z-score")
    MODIFIED_ZSCORE = "modified_zscore", _("Modified z-score (median absolute deviation)")
    SEASONAL = "seasonal", _("Same period in previous years")
    MINMAX = "minmax", _("Min-max bounds")
    MANUAL = "manual", _("Flagged by hand")


class ValueBound(models.Model):
    """The range a unit's values of an indicator (one disaggregation cell, or all of them)
    are expected to stay within: generated from history or set by hand. A value outside
    is an outlier of method ``minmax``."""

    scope_field = "orgunit"
    sensitivity_field = "indicator__sensitivity"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    combination = models.ForeignKey(
        OptionCombination,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("disaggregation"),
    )
    lower = models.DecimalField(
        _("minimum"), max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )
    upper = models.DecimalField(
        _("maximum"), max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )
    generated = models.BooleanField(_("generated from history"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("value bound")
        verbose_name_plural = _("value bounds")
        ordering = ["indicator_id", "orgunit_id", "combination_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "orgunit", "combination"], name="valuebound_unique"
            ),
            models.UniqueConstraint(
                fields=["indicator", "orgunit"],
                condition=models.Q(combination__isnull=True),
                name="valuebound_unique_all_cells",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.orgunit_id}: {self.lower}..{self.upper}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the agency")
    EXPLAINED = "explained", _("Explained by the agency")
    CORRECTED = "corrected", _("Corrected by the agency")
    CLOSED = "closed", _("Closed")

    @classmethod
    def answered(cls) -> tuple[str, ...]:
        return (cls.EXPLAINED, cls.CORRECTED)


class FollowUp(models.Model):
    """A suspect value sent to its agency: why (method, score, the expected value and
    range), the value when it was flagged, the agency's explanation or correction, the
    center's closing note. One open follow-up per value."""

    scope_field = "value__orgunit"
    sensitivity_field = "value__indicator__sensitivity"

    value = models.ForeignKey(DataValue, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(_("method"), max_length=16, choices=OutlierMethod)
    score = models.FloatField(_("score"), null=True, blank=True)
    expected = models.DecimalField(
        _("expected"), max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )
    lower = models.DecimalField(
        _("minimum"), max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )
    upper = models.DecimalField(
        _("maximum"), max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )
    flagged_value = models.TextField(_("value when flagged"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus, default=FollowUpStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("answer of the agency"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-created_at", "-id"]
        permissions = [("close_followup", _("May close follow-ups of suspect values"))]
        constraints = [
            models.UniqueConstraint(
                fields=["value"],
                condition=~models.Q(status="closed"),
                name="followup_one_open_per_value",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="followup_status")]

    def __str__(self) -> str:
        return f"{self.value_id} {self.status}"


class RuleOperator(models.TextChoices):
    EQUAL = "==", _("equal to")
    NOT_EQUAL = "!=", _("not equal to")
    LESS = "<", _("less than")
    LESS_OR_EQUAL = "<=", _("less than or equal to")
    GREATER = ">", _("greater than")
    GREATER_OR_EQUAL = ">=", _("greater than or equal to")
    COMPULSORY_PAIR = "compulsory_pair", _("compulsory pair (both or neither)")
    EXCLUSIVE_PAIR = "exclusive_pair", _("exclusive pair (not both)")


class MissingValues(models.TextChoices):
    """What a side of a rule does when values it names are missing."""

    SKIP_IF_ANY = "skip_if_any_missing", _("Skip the rule if any value is missing")
    SKIP_IF_ALL = "skip_if_all_missing", _("Skip the rule if all values are missing")
    NEVER_SKIP = "never_skip", _("Never skip: missing values count as zero")


class Importance(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ValidationRuleGroup(models.Model):
    """Rules checked together (a regime's rules, the rules of a domain)."""

    public_read = True

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("validation rule group")
        verbose_name_plural = _("validation rule groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ValidationRule(models.Model):
    """left <operator> right, each side a formula over indicators (the catalog's formula
    language, in one unit and period), with what to do when its values are missing; checked
    for the units of the kinds listed (all when none) in periods of ``period_type``.
    ``instruction`` is the sentence shown beside a violating cell or row."""

    public_read = True

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    instruction = models.TextField(_("instruction"), blank=True)
    importance = models.CharField(
        _("importance"), max_length=8, choices=Importance, default=Importance.MEDIUM
    )
    period_type = models.CharField(_("period type"), max_length=12)
    left = models.TextField(_("left side"))
    left_missing = models.CharField(
        _("left side: missing values"),
        max_length=20,
        choices=MissingValues,
        default=MissingValues.SKIP_IF_ANY,
    )
    operator = models.CharField(_("operator"), max_length=16, choices=RuleOperator)
    right = models.TextField(_("right side"))
    right_missing = models.CharField(
        _("right side: missing values"),
        max_length=20,
        choices=MissingValues,
        default=MissingValues.SKIP_IF_ANY,
    )
    unit_kinds = models.JSONField(_("unit kinds"), default=list, blank=True)
    groups = models.ManyToManyField(
        ValidationRuleGroup, blank=True, related_name="rules", verbose_name=_("groups")
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.left} {self.operator} {self.right}"


class RuleViolation(models.Model):
    """A rule that did not hold for one unit and period when it was last checked: both
    sides and the values they used. Replaced by each check of the same rules, units and
    periods; gone when the data is fixed."""

    scope_field = "orgunit"

    rule = models.ForeignKey(ValidationRule, on_delete=models.CASCADE, related_name="violations")
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    period = models.CharField(_("period"), max_length=20)
    period_start = models.DateField(_("period start"))
    left_value = models.FloatField(_("left side"), null=True, blank=True)
    right_value = models.FloatField(_("right side"), null=True, blank=True)
    values = models.JSONField(_("values used"), default=dict)
    found_at = models.DateTimeField(_("found at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule violation")
        verbose_name_plural = _("rule violations")
        ordering = ["-period_start", "orgunit_id", "rule_id"]
        default_permissions = ("view",)
        permissions = [("run_ruleviolation", _("May check data against the validation rules"))]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "orgunit", "period"], name="ruleviolation_unique"
            )
        ]
        indexes = [
            models.Index(fields=["orgunit", "period_start"], name="ruleviolation_unit_period")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.orgunit_id}/{self.period}"
