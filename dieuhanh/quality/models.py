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
