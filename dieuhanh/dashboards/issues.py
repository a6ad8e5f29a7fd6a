"""The hot-issues feed: what a leader should look at first, each entry linking to its detail.

Every installed app may bring its own sources: an ``AppConfig`` attribute ``hot_issues``,
a tuple of dotted paths to functions ``(user, today) -> list[HotIssue]``. This app brings
figures beyond the center's alert thresholds, figures out of line with the other
provinces' and values under follow-up, and reports late or missing; the task tracking and
emergency apps add overdue key tasks and active emergencies the same way.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dieuhanh.analytics.services import AnalyticsError
from dieuhanh.catalog.models import Indicator
from dieuhanh.core import periods
from dieuhanh.core.querysets import permits
from dieuhanh.core.templatetags.dieuhanh import vn_number
from dieuhanh.dashboards import figures
from dieuhanh.dashboards.models import AlertThreshold, Comparison, Measure, Severity
from dieuhanh.datavalues.models import DataValue, Submission

logger = logging.getLogger(__name__)
SHOWN_PER_SOURCE = 5
EVENT_DRIVEN = (periods.PeriodType.DAILY, periods.PeriodType.WEEKLY)
SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, "low": 2}


@dataclass
class HotIssue:
    kind: str  # threshold, outlier, report, task, emergency
    severity: str
    title: str
    detail: str
    url: str
    icon: str
    when: datetime.date | None = None


def hot_issues(user, today: datetime.date | None = None) -> list[HotIssue]:
    """Every source's issues, the most severe and most recent first. A source that fails
    is logged and skipped: the feed never fails as a whole."""
    today = today or timezone.localdate()
    found: list[HotIssue] = []
    for config in apps.get_app_configs():
        for path in getattr(config, "hot_issues", ()):
            try:
                found.extend(import_string(path)(user, today))
            except (PermissionDenied, AnalyticsError):
                continue
            except Exception:
                logger.exception("hot-issue source %s failed", path)
    found.sort(key=order)
    return found


def order(issue: HotIssue) -> tuple:
    """The most severe first; within a severity, the most recent."""
    return (SEVERITY_ORDER.get(issue.severity, 2), -(issue.when or datetime.date.min).toordinal())


def _indicator_url(indicator: Indicator, **params) -> str:
    url = reverse("dashboards:indicator", args=[indicator.code])
    return url + figures.View().query(**params)


def _figure(indicator: Indicator, number: float | None, measure: str = Measure.VALUE) -> str:
    if number is None:
        return ""
    if measure == Measure.YOY:
        unit = figures.change_unit(indicator)
        sign = "+" if number > 0 else ""
        return (
            f"{sign}{vn_number(number, 1)}{unit}"
            if unit == "%"
            else f"{sign}{vn_number(number, 1)} {unit}"
        )
    return f"{vn_number(number, indicator.decimals)} {figures.unit_label(indicator)}"


def threshold_issues(user, today: datetime.date) -> list[HotIssue]:
    """Latest figures beyond the center's alert thresholds (national, or each province's)."""
    if not permits(user, DataValue, "view"):
        return []
    visible = Indicator.objects.restrict(user, "view")
    found = []
    thresholds = list(
        AlertThreshold.objects.filter(active=True, indicator__in=visible)
        .select_related("indicator__unit")
        .order_by("indicator__code", "pk")
    )
    provincial = list(dict.fromkeys(t.indicator.code for t in thresholds if t.for_provinces))
    by_province = (
        figures.many_unit_figures(user, provincial, figures.View(), today=today, lookback=2)
        if provincial
        else {}
    )
    for threshold in thresholds:
        indicator = threshold.indicator
        comparison = threshold.get_comparison_display()
        level = _figure(indicator, float(threshold.level), threshold.measure)
        if threshold.for_provinces:
            result = by_province[indicator.code]
            if result.period is None:
                continue
            beyond = [
                row
                for row in result.rows
                if threshold.crossed(row.change if threshold.measure == Measure.YOY else row.value)
            ]
            if len(beyond) == 1:
                row = beyond[0]
                number = row.change if threshold.measure == Measure.YOY else row.value
                found.append(
                    HotIssue(
                        "threshold",
                        threshold.severity,
                        f"{row.unit.short_name}: {indicator.short_name or indicator.name}",
                        _("%(period)s: %(figure)s, %(comparison)s the alert level %(level)s.")
                        % {
                            "period": result.period.label(),
                            "figure": _figure(indicator, number, threshold.measure),
                            "comparison": comparison,
                            "level": level,
                        }
                        + (f" {threshold.note}" if threshold.note else ""),
                        reverse("dashboards:unit", args=[row.unit.uid]),
                        "exclamation-octagon",
                        result.period.end,
                    )
                )
            elif beyond:
                worst = sorted(
                    beyond,
                    key=lambda r: r.change if threshold.measure == Measure.YOY else r.value,
                    reverse=threshold.comparison == Comparison.ABOVE,
                )
                listed = ", ".join(
                    f"{row.unit.short_name} "
                    + _figure(
                        indicator,
                        row.change if threshold.measure == Measure.YOY else row.value,
                        threshold.measure,
                    )
                    for row in worst[:SHOWN_PER_SOURCE]
                )
                more = len(worst) - SHOWN_PER_SOURCE
                found.append(
                    HotIssue(
                        "threshold",
                        threshold.severity,
                        _("%(indicator)s: %(n)s provinces")
                        % {"indicator": indicator.short_name or indicator.name, "n": len(worst)},
                        _("%(period)s, %(comparison)s the alert level %(level)s: %(units)s")
                        % {
                            "period": result.period.label(),
                            "comparison": comparison,
                            "level": level,
                            "units": listed,
                        }
                        + (_(" and %(n)s more.") % {"n": more} if more > 0 else ".")
                        + (f" {threshold.note}" if threshold.note else ""),
                        _indicator_url(indicator),
                        "exclamation-octagon",
                        result.period.end,
                    )
                )
            continue
        tile = figures.key_figure(user, indicator.code, figures.View(), orgunits=[], today=today)
        number = tile.change if threshold.measure == Measure.YOY else tile.value
        if tile.period is None or not threshold.crossed(number):
            continue
        found.append(
            HotIssue(
                "threshold",
                threshold.severity,
                indicator.short_name or indicator.name,
                _("%(period)s: %(figure)s, %(comparison)s the alert level %(level)s.")
                % {
                    "period": tile.period.label(),
                    "figure": _figure(indicator, number, threshold.measure),
                    "comparison": comparison,
                    "level": level,
                }
                + (f" {threshold.note}" if threshold.note else ""),
                _indicator_url(indicator),
                "exclamation-octagon",
                tile.period.end,
            )
        )
    return found


def outlier_issues(user, today: datetime.date) -> list[HotIssue]:
    """Provinces whose change on last year stands far from the other provinces' (the
    indicators of the home page), and values the center has flagged for follow-up."""
    from dieuhanh.dashboards.services import home_dashboard
    from dieuhanh.quality.models import FollowUp, FollowUpStatus

    if not permits(user, DataValue, "view"):
        return []
    found = []
    codes = []
    for item in home_dashboard().items.all():
        codes.extend(item.indicators)
    visible = {
        i.code: i
        for i in Indicator.objects.restrict(user, "view").filter(code__in=codes)
        if "province" in (i.levels or [])
    }
    wanted = [
        code for code in dict.fromkeys(codes) if code in visible and not visible[code].formula
    ]
    # The current period and the one before: the latest with figures is one of them.
    every = (
        figures.many_unit_figures(user, wanted, figures.View(), today=today, lookback=2)
        if wanted
        else {}
    )
    for code, result in every.items():
        indicator = visible[code]
        changes = {row.unit.pk: row.change for row in result.rows if row.change is not None}
        if result.period is None or not changes:
            continue
        # Only changes that matter in size: a province going from 1 to 4 is +300 %.
        amounts = {
            row.unit.pk: abs(row.value - row.value / (1 + row.change / 100))
            for row in result.rows
            if row.change is not None and row.value is not None and row.change != -100
        }
        material = sorted(amounts.values())[len(amounts) * 3 // 4] if amounts else 0
        typical = sorted(changes.values())[len(changes) // 2]
        rows = {row.unit.pk: row for row in result.rows}
        strongest = sorted(figures.robust_outliers(changes).items(), key=lambda item: -abs(item[1]))
        strongest = [
            (unit_id, score)
            for unit_id, score in strongest
            if indicator.value_type in figures.POINT_TYPES or amounts.get(unit_id, 0) >= material
        ]
        for unit_id, _score in strongest[:2]:
            row = rows[unit_id]
            found.append(
                HotIssue(
                    "outlier",
                    Severity.MEDIUM,
                    f"{row.unit.short_name}: {indicator.short_name or indicator.name}",
                    _(
                        "%(period)s: %(change)s on the same period last year, far from the "
                        "other provinces (median %(typical)s)."
                    )
                    % {
                        "period": result.period.label(),
                        "change": _figure(indicator, row.change, Measure.YOY),
                        "typical": _figure(indicator, typical, Measure.YOY),
                    },
                    reverse("dashboards:unit", args=[row.unit.uid])
                    + figures.View().query(indicator=code),
                    "graph-up-arrow",
                    result.period.end,
                )
            )
    if permits(user, FollowUp, "view"):
        flagged = (
            FollowUp.objects.restrict(user, "view")
            .filter(status__in=[FollowUpStatus.OPEN, *FollowUpStatus.answered()])
            .select_related("value__indicator__unit", "value__orgunit")
            .order_by("-created_at")[:SHOWN_PER_SOURCE]
        )
        for followup in flagged:
            value = followup.value
            name = value.indicator.short_name or value.indicator.name
            found.append(
                HotIssue(
                    "outlier",
                    Severity.MEDIUM,
                    f"{value.orgunit.short_name}: {name}",
                    _("%(period)s: %(figure)s is being checked with the reporting agency.")
                    % {
                        "period": periods.parse(value.period).label(),
                        "figure": _figure(value.indicator, float(value.number or 0)),
                    },
                    reverse("quality:followups"),
                    "search",
                    followup.created_at.date(),
                )
            )
    return found


def _latest_due(regime, today: datetime.date) -> str | None:
    """The latest of the last three periods whose deadline has passed."""
    from dieuhanh.catalog.services import scheduled

    current = periods.for_date(regime.period_type, today, hour=0)
    for back in (1, 2, 3):
        period = current.shift(-back)
        deadline = scheduled(regime, period).deadline
        if deadline is not None and deadline < today:
            return period.code
    return None


def report_issues(user, today: datetime.date) -> list[HotIssue]:
    """For each reporting regime, the latest period whose deadline has passed: how many
    reports are missing and how many came late."""
    from dieuhanh.quality import services as quality

    if not permits(user, Submission, "view"):
        return []
    found = []
    for regime in quality.watched_regimes(user):
        period = _latest_due(regime, today)
        if period is None:
            continue
        try:
            result = quality.completeness(user, regime.code, [period], today=today)
        except ValidationError:
            continue
        totals = result.by_period[period]
        if not totals.missing and not totals.late:
            continue
        if not totals.received and regime.period_type in EVENT_DRIVEN:
            continue  # a daily or weekly report nobody sent: no event (no storm, no outbreak)
        missing_units = [
            r.unit.short_name for r in result.reports if r.period.code == period and r.missing
        ]
        detail = _("%(missing)s missing, %(late)s late of %(expected)s expected.") % {
            "missing": totals.missing,
            "late": totals.late,
            "expected": totals.expected,
        }
        if missing_units:
            shown = ", ".join(missing_units[:SHOWN_PER_SOURCE])
            more = len(missing_units) - SHOWN_PER_SOURCE
            detail += " " + _("Not received: %(units)s") % {"units": shown}
            detail += _(" and %(n)s more.") % {"n": more} if more > 0 else "."
        found.append(
            HotIssue(
                "report",
                Severity.HIGH if totals.missing else Severity.MEDIUM,
                _("%(regime)s, %(period)s")
                % {
                    "regime": regime.name,
                    "period": periods.parse(period).label(),
                },
                detail,
                reverse("quality:home") + f"?regime={regime.code}",
                "clock-history",
                max(r.deadline for r in result.reports if r.period.code == period and r.deadline),
            )
        )
    return found
