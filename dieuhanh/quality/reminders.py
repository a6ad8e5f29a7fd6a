"""Reminders and notices to the agencies, in their inbox and by email: before a report's
deadline (three days, one day, on the day), after it while the report is missing (the day
after, then every week), when a report is returned, when a value is sent to follow-up.
The scheduled run is idempotent: each notice has a key, so a second run the same day writes
nothing."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.scopes import officers_of as scope_officers
from dieuhanh.catalog.models import ReportingRegime, Status
from dieuhanh.core import periods
from dieuhanh.core.notifications import notify

REMIND_DAYS_BEFORE = (3, 1, 0)
OVERDUE_EVERY_DAYS = 7
PERIODS_CHASED = 3  # the current period and those before it, for overdue notices


def officers_of(unit_ids) -> dict[int, list]:
    """The users who enter data for each unit (see ``accounts.scopes.officers_of``)."""
    return scope_officers(unit_ids, "datavalues.add_datavalue")


def send_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """Reminders before the deadline and notices while overdue, for every active regime;
    returns how many of each were written."""
    from dieuhanh.quality.services import completeness

    today = today or timezone.localdate()
    sent = {"due": 0, "overdue": 0}
    for regime in ReportingRegime.objects.filter(status=Status.ACTIVE).exclude(
        period_type=periods.PeriodType.HOURLY
    ):
        current = periods.for_date(regime.period_type, today, hour=0)
        codes = [current.shift(-n).code for n in range(PERIODS_CHASED - 1, -1, -1)]
        waiting = [
            report
            for report in completeness(None, regime.code, codes, today=today).reports
            if not report.received and report.deadline is not None
        ]
        officers = officers_of({report.unit.pk for report in waiting})
        for report in waiting:
            days = (report.deadline - today).days
            if days in REMIND_DAYS_BEFORE:
                kind, title = "report_due", _("Report due on %(date)s: %(regime)s, %(period)s")
            elif days < 0 and (-days - 1) % OVERDUE_EVERY_DAYS == 0:
                kind, title = (
                    "report_overdue",
                    _("Report overdue since %(date)s: %(regime)s, %(period)s"),
                )
            else:
                continue
            values = {
                "date": report.deadline.strftime("%d/%m/%Y"),
                "regime": regime.name,
                "period": report.period.label(),
            }
            written = notify(
                officers.get(report.unit.pk, []),
                kind,
                title % values,
                _("%(unit)s has not sent this report yet.") % {"unit": report.unit.name},
                reverse(
                    "datavalues:entry", args=[regime.code, report.unit.uid, report.period.code]
                ),
                key=f"{kind}:{regime.code}:{report.unit.uid}:{report.period.code}:{days}",
            )
            sent["due" if kind == "report_due" else "overdue"] += written
    return sent


def report_returned(submission) -> int:
    """Tell the unit's officers that their report came back, and why."""
    return notify(
        officers_of({submission.orgunit_id}).get(submission.orgunit_id, []),
        "report_returned",
        _("Report returned: %(regime)s, %(unit)s, %(period)s")
        % {
            "regime": submission.regime.name,
            "unit": submission.orgunit.name,
            "period": submission.period,
        },
        submission.return_reason,
        reverse(
            "datavalues:entry",
            args=[submission.regime.code, submission.orgunit.uid, submission.period],
        ),
    )


def followup_opened(followup) -> int:
    """Ask the unit's officers to explain or correct a value."""
    value = followup.value
    return notify(
        officers_of({value.orgunit_id}).get(value.orgunit_id, []),
        "followup_opened",
        _("Value to explain: %(indicator)s, %(unit)s, %(period)s")
        % {"indicator": value.indicator.name, "unit": value.orgunit.name, "period": value.period},
        followup.reason or _("The value is far from its history."),
        reverse("quality:followups"),
    )
