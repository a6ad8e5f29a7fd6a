"""Completeness and timeliness of reports: for a regime and its periods, which reporters
were expected (the units that report under it as of each period: units that did not exist
then are not expected), which reports arrived, when, whether on time by the regime's
deadline, whether complete (every compulsory indicator filled), and which are late or
missing.

A report has arrived when the unit submitted it (``datavalues.Submission``, the web form's
"Submit") or, for reports that systems push without a submit (the DHIS2-compatible API, files),
when its first value of the regime's indicators was stored: the earlier of the two is the
time of arrival. Set-based: one query for the reporters of each period, one for the values
and one for the submissions of all the periods, whatever the number of reporters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.scopes import scope_unit_ids
from dieuhanh.catalog import services as catalog_services
from dieuhanh.catalog.models import Indicator, RegimeIndicator, ReportingRegime
from dieuhanh.core import periods
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues.models import DataValue, Submission
from dieuhanh.orgunits.models import OrgUnit

MAX_PERIODS = 120


@dataclass
class ReportState:
    """One expected report: a reporter's report of one period."""

    unit: OrgUnit
    period: periods.Period
    deadline: datetime.date | None
    received_at: datetime.datetime | None
    submitted: bool
    required_filled: int
    required_total: int
    today: datetime.date

    @property
    def received(self) -> bool:
        return self.received_at is not None

    @property
    def on_time(self) -> bool:
        if self.received_at is None:
            return False
        return self.deadline is None or timezone.localdate(self.received_at) <= self.deadline

    @property
    def late(self) -> bool:
        return self.received and not self.on_time

    @property
    def missing(self) -> bool:
        """Not arrived and the deadline has passed."""
        return not self.received and self.deadline is not None and self.today > self.deadline

    @property
    def pending(self) -> bool:
        """Not arrived yet, and still in time."""
        return not self.received and not self.missing

    @property
    def complete(self) -> bool:
        return self.received and self.required_filled >= self.required_total

    @property
    def status(self) -> str:
        if self.missing:
            return "missing"
        if self.pending:
            return "pending"
        return "on_time" if self.on_time else "late"


@dataclass
class Totals:
    expected: int = 0
    received: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0
    complete: int = 0

    def add(self, report: ReportState) -> None:
        self.expected += 1
        self.received += report.received
        self.on_time += report.on_time
        self.late += report.late
        self.missing += report.missing
        self.pending += report.pending
        self.complete += report.complete

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def received_rate(self) -> float | None:
        return self.rate(self.received, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        return self.rate(self.on_time, self.expected)

    @property
    def complete_rate(self) -> float | None:
        return self.rate(self.complete, self.expected)


@dataclass
class Completeness:
    regime: ReportingRegime
    periods: list[periods.Period]
    reports: list[ReportState] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    by_period: dict[str, Totals] = field(default_factory=dict)


def parse_periods(regime: ReportingRegime, codes: list[str]) -> list[periods.Period]:
    """The periods asked for (codes, repeated or comma-separated), each of the regime's
    period type."""
    parsed = []
    for code in (part.strip() for text in codes for part in text.split(",")):
        if not code:
            continue
        period = catalog_services.regime_period(regime, code)
        parsed.append(period)
    if not parsed:
        raise ValidationError(_("Name at least one period."), code="missing_period")
    if len(parsed) > MAX_PERIODS:
        raise ValidationError(
            _("At most %(n)d periods at once.") % {"n": MAX_PERIODS}, code="too_many_periods"
        )
    return sorted(set(parsed), key=lambda p: p.start)


def completeness(
    user, regime_code: str, period_codes: list[str], *, today: datetime.date | None = None
) -> Completeness:
    """The expected reports of a regime for the periods asked for, within the user's view
    scope, each with its arrival, timeliness and completeness; and the totals."""
    if not permits(user, Submission, "view"):
        raise denied(Submission, "view")
    regime = ReportingRegime.objects.restrict(user, "view").filter(code=regime_code).first()
    if regime is None:
        raise ValidationError(
            _("Unknown reporting regime: %(code)s.") % {"code": regime_code},
            code="unknown_regime",
        )
    wanted = parse_periods(regime, period_codes)
    today = today or timezone.localdate()
    items = RegimeIndicator.objects.filter(
        section__regime=regime,
        indicator__in=Indicator.objects.restrict(user, "view"),
        indicator__formula="",
    )
    indicator_ids = set(items.values_list("indicator_id", flat=True))
    required_ids = set(items.filter(required=True).values_list("indicator_id", flat=True))
    visible = scope_unit_ids(user, "view")
    expected: list[tuple[periods.Period, list[OrgUnit]]] = []
    for period in wanted:
        units = catalog_services.reporters(regime, period)
        if visible is not None:
            units = units.filter(pk__in=visible)
        expected.append((period, list(units)))
    unit_ids = {unit.pk for _period, units in expected for unit in units}
    codes = [period.code for period in wanted]
    arrived = {
        (row["orgunit_id"], row["period"]): row
        for row in DataValue.objects.restrict(user, "view")
        .filter(
            orgunit_id__in=unit_ids,
            period__in=codes,
            indicator_id__in=indicator_ids,
            deleted=False,
        )
        .values("orgunit_id", "period")
        .annotate(
            first=Min("created_at"),
            required=Count("indicator_id", distinct=True, filter=Q(indicator_id__in=required_ids)),
        )
        .order_by()
    }
    submitted = {
        (orgunit_id, code): at
        for orgunit_id, code, at in Submission.objects.restrict(user, "view")
        .filter(regime=regime, period__in=codes, orgunit_id__in=unit_ids)
        .values_list("orgunit_id", "period", "submitted_at")
    }
    result = Completeness(regime, wanted)
    for period, units in expected:
        deadline = None
        if regime.period_type != periods.PeriodType.HOURLY:
            deadline = catalog_services.scheduled(regime, period).deadline
        totals = result.by_period.setdefault(period.code, Totals())
        for unit in units:
            key = (unit.pk, period.code)
            values = arrived.get(key)
            times = [t for t in (submitted.get(key), values and values["first"]) if t]
            report = ReportState(
                unit=unit,
                period=period,
                deadline=deadline,
                received_at=min(times) if times else None,
                submitted=key in submitted,
                required_filled=values["required"] if values else 0,
                required_total=len(required_ids),
                today=today,
            )
            result.reports.append(report)
            result.totals.add(report)
            totals.add(report)
    return result
