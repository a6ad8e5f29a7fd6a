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
from dieuhanh.catalog.models import Indicator, RegimeIndicator, ReportingRegime, Status
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
    return read_periods(codes, lambda code: catalog_services.regime_period(regime, code))


def read_periods(codes: list[str], parse, limit: int = MAX_PERIODS) -> list[periods.Period]:
    """Period codes, repeated or comma-separated, each read by ``parse``, in time order;
    at least one, at most ``limit``."""
    parsed = [
        parse(code) for code in (part.strip() for text in codes for part in text.split(",")) if code
    ]
    if not parsed:
        raise ValidationError(_("Name at least one period."), code="missing_period")
    if len(parsed) > limit:
        raise ValidationError(
            _("At most %(n)d periods at once.") % {"n": limit}, code="too_many_periods"
        )
    return sorted(set(parsed), key=lambda p: p.start)


def completeness(
    user,
    regime_code: str,
    period_codes: list[str],
    *,
    today: datetime.date | None = None,
    units: set[int] | None = None,
) -> Completeness:
    """The expected reports of a regime for the periods asked for, within the user's view
    scope (and among ``units`` when given: one unit's record), each with its arrival,
    timeliness and completeness; and the totals.
    ``user=None`` is the scheduler (reminders): every reporter, no scope."""
    if user is not None and not permits(user, Submission, "view"):
        raise denied(Submission, "view")

    def visible(model):
        return model.objects.all() if user is None else model.objects.restrict(user, "view")

    regime = visible(ReportingRegime).filter(code=regime_code).first()
    if regime is None:
        raise ValidationError(
            _("Unknown reporting regime: %(code)s.") % {"code": regime_code},
            code="unknown_regime",
        )
    wanted = parse_periods(regime, period_codes)
    today = today or timezone.localdate()
    items = RegimeIndicator.objects.filter(
        section__regime=regime,
        indicator__in=visible(Indicator),
        indicator__formula="",
    )
    indicator_ids = set(items.values_list("indicator_id", flat=True))
    required_ids = set(items.filter(required=True).values_list("indicator_id", flat=True))
    in_scope = None if user is None else scope_unit_ids(user, "view")
    expected: list[tuple[periods.Period, list[OrgUnit]]] = []
    for period in wanted:
        reporting = catalog_services.reporters(regime, period)
        if in_scope is not None:
            reporting = reporting.filter(pk__in=in_scope)
        if units is not None:
            reporting = reporting.filter(pk__in=units)
        expected.append((period, list(reporting)))
    unit_ids = {unit.pk for _period, found in expected for unit in found}
    codes = [period.code for period in wanted]
    arrived = {
        (row["orgunit_id"], row["period"]): row
        for row in visible(DataValue)
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
        for orgunit_id, code, at in visible(Submission)
        .filter(regime=regime, period__in=codes, orgunit_id__in=unit_ids)
        .values_list("orgunit_id", "period", "submitted_at")
    }
    result = Completeness(regime, wanted)
    for period, reporting in expected:
        deadline = None
        if regime.period_type != periods.PeriodType.HOURLY:
            deadline = catalog_services.scheduled(regime, period).deadline
        totals = result.by_period.setdefault(period.code, Totals())
        for unit in reporting:
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


# --- scorecard ------------------------------------------------------------------------------
@dataclass
class PeriodMark:
    """One report of a unit in the scorecard's timeline."""

    period: str
    status: str  # on_time, late, missing, pending
    violations: int


@dataclass
class UnitScore:
    """An agency's record over the periods asked for: its reports' completeness and
    timeliness, the share of its received reports that break no rule, the share of its
    values sent to follow-up, the follow-ups still waiting for it."""

    unit: OrgUnit
    totals: Totals = field(default_factory=Totals)
    reports_with_violations: int = 0
    violations: int = 0
    values: int = 0
    followups: int = 0
    followups_open: int = 0
    timeline: list[PeriodMark] = field(default_factory=list)

    @property
    def validation_pass_rate(self) -> float | None:
        received = self.totals.received
        return Totals.rate(received - self.reports_with_violations, received)

    @property
    def outlier_rate(self) -> float | None:
        return round(100 * self.followups / self.values, 2) if self.values else None

    @property
    def score(self) -> float:
        """For the ranking: on time first, then complete, then clean."""
        return (
            (self.totals.on_time_rate or 0) * 0.5
            + (self.totals.complete_rate or 0) * 0.3
            + (self.validation_pass_rate or 0) * 0.2
        )


def scorecard(user, regime_code: str, period_codes: list[str]) -> tuple[Completeness, list]:
    """The completeness of the regime's reports and, per reporter, its scorecard, best
    first. Three queries beyond the completeness: violations, values and follow-ups, each
    grouped by unit and period."""
    from dieuhanh.quality.models import FollowUp, FollowUpStatus, RuleViolation

    result = completeness(user, regime_code, period_codes)
    codes = [period.code for period in result.periods]
    unit_ids = {report.unit.pk for report in result.reports}
    indicator_ids = RegimeIndicator.objects.filter(
        section__regime=result.regime, indicator__formula=""
    ).values("indicator_id")
    broken = {
        (row["orgunit_id"], row["period"]): row["n"]
        for row in RuleViolation.objects.restrict(user, "view")
        .filter(
            orgunit_id__in=unit_ids, period__in=codes, rule__period_type=result.regime.period_type
        )
        .values("orgunit_id", "period")
        .annotate(n=Count("id"))
        .order_by()
    }
    values = dict(
        DataValue.objects.restrict(user, "view")
        .filter(
            orgunit_id__in=unit_ids, period__in=codes, indicator_id__in=indicator_ids, deleted=False
        )
        .values("orgunit_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("orgunit_id", "n")
    )
    flagged: dict[int, list[int]] = {}
    for row in (
        FollowUp.objects.restrict(user, "view")
        .filter(
            value__orgunit_id__in=unit_ids,
            value__period__in=codes,
            value__indicator_id__in=indicator_ids,
        )
        .values("value__orgunit_id")
        .annotate(
            n=Count("id"),
            waiting=Count("id", filter=Q(status=FollowUpStatus.OPEN)),
        )
        .order_by()
    ):
        flagged[row["value__orgunit_id"]] = [row["n"], row["waiting"]]
    scores: dict[int, UnitScore] = {}
    for report in result.reports:
        score = scores.setdefault(report.unit.pk, UnitScore(report.unit))
        score.totals.add(report)
        count = broken.get((report.unit.pk, report.period.code), 0)
        score.violations += count
        score.reports_with_violations += bool(count and report.received)
        score.timeline.append(PeriodMark(report.period.code, report.status, count))
    for unit_id, score in scores.items():
        score.values = values.get(unit_id, 0)
        score.followups, score.followups_open = flagged.get(unit_id, [0, 0])
    ranked = sorted(scores.values(), key=lambda s: (-s.score, s.unit.name))
    return result, ranked


# --- an agency's tasks ------------------------------------------------------------------------
TASKS_SHOWN = 10


@dataclass
class DueReport:
    regime: ReportingRegime
    report: ReportState


@dataclass
class Tasks:
    """What waits for the user: reports to approve or accept, reports returned to their
    units or unlocked for corrections, values to explain, reports due or overdue."""

    to_approve: list = field(default_factory=list)
    to_accept: list = field(default_factory=list)
    returned: list = field(default_factory=list)
    unlocked: list = field(default_factory=list)
    followups: list = field(default_factory=list)
    due: list[DueReport] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def tasks_for(user, *, today: datetime.date | None = None) -> Tasks:
    """The user's quality tasks, each list cut at ``TASKS_SHOWN`` with its full count."""
    from dieuhanh.datavalues.models import SubmissionStatus
    from dieuhanh.quality import approval
    from dieuhanh.quality.models import FollowUp, FollowUpStatus

    today = today or timezone.localdate()
    tasks = Tasks()

    def keep(name: str, queryset) -> list:
        tasks.counts[name] = queryset.count()
        return list(queryset[:TASKS_SHOWN])

    for action, status, name in (
        ("approve", SubmissionStatus.SUBMITTED, "to_approve"),
        ("accept", SubmissionStatus.APPROVED, "to_accept"),
    ):
        if permits(user, Submission, action):
            waiting = approval.reports(user, status=status, actionable=True)
            setattr(tasks, name, keep(name, waiting))
    if permits(user, DataValue, "add") and permits(user, Submission, "view"):
        mine = scope_unit_ids(user, "add")
        own = Submission.objects.restrict(user, "view").select_related("regime", "orgunit")
        if mine is not None:
            own = own.filter(orgunit_id__in=mine)
        tasks.returned = keep("returned", own.filter(status=SubmissionStatus.RETURNED))
        tasks.unlocked = keep("unlocked", own.filter(unlocked_until__gt=timezone.now()))
        if mine is not None:  # an agency: its reports due now (the center sees the scorecard)
            tasks.due = _due_reports(user, mine, today)
            tasks.counts["due"] = len(tasks.due)
    if permits(user, FollowUp, "change"):
        tasks.followups = keep(
            "followups",
            FollowUp.objects.restrict(user, "change")
            .filter(status=FollowUpStatus.OPEN)
            .select_related("value__indicator", "value__orgunit"),
        )
    return tasks


def watched_regimes(user):
    """The active regimes the user may see whose reports are watched for timeliness (every
    period type but the hourly)."""
    return (
        ReportingRegime.objects.restrict(user, "view")
        .filter(status=Status.ACTIVE)
        .exclude(period_type=periods.PeriodType.HOURLY)
    )


def _due_reports(user, units: set[int], today: datetime.date) -> list[DueReport]:
    """Reports of the user's units not received yet for the latest periods whose data
    window has opened: due (deadline ahead) or overdue."""
    found = []
    for regime in watched_regimes(user):
        current = periods.for_date(regime.period_type, today, hour=0)
        recent = [current.shift(-1).code, current.code]
        try:
            result = completeness(user, regime.code, recent, today=today)
        except ValidationError:
            continue
        soon = today + datetime.timedelta(days=15)
        found.extend(
            DueReport(regime, report)
            for report in result.reports
            if report.unit.pk in units
            and not report.received
            and report.deadline
            and report.deadline <= soon
        )
    found.sort(key=lambda item: item.report.deadline)
    return found[:TASKS_SHOWN]
