"""Approval of reports: a report (regime x unit x period) is submitted by the agency,
approved by the agency's approver, accepted by the center, or returned with a reason at
any step; the center may unlock an approved or accepted report for a time.

Each step checks its permission (``Submission.objects.restrict(user, "approve")`` and its
kin: the permission and the capture scope), the status it starts from, and takes the report's
row lock, so two approvers clicking together change it once and the second is told why.
The values of the report follow its status in one statement (draft when returned, approved,
accepted), so analytics can ask for accepted data only and every channel refuses edits of
approved data (``datavalues.models.lock_scopes``). Multi-level: a unit's report is approved
only once the reports its own units sent under the same regime and period are approved.
Every step is audited and kept in the report's timeline (``SubmissionEvent``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.catalog.models import ReportingRegime
from dieuhanh.core import periods
from dieuhanh.core.audit import record_change, snapshot
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues import entry
from dieuhanh.datavalues.models import (
    Channel,
    DataValue,
    Submission,
    SubmissionAction,
    SubmissionStatus,
    ValueStatus,
)
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure

# The longest unlock the center may grant.
MAX_UNLOCK = datetime.timedelta(days=30)
MAX_REASON = 2000

# The values' status for each status of the report.
VALUE_STATUS = {
    SubmissionStatus.SUBMITTED: ValueStatus.SUBMITTED,
    SubmissionStatus.APPROVED: ValueStatus.APPROVED,
    SubmissionStatus.ACCEPTED: ValueStatus.ACCEPTED,
    SubmissionStatus.RETURNED: ValueStatus.DRAFT,
}


class NotFound(Exception):
    """No report of that regime, unit and period that the user may see."""


def find_report(user, regime_code: str, unit_uid: str, period_code: str) -> Submission:
    """The submitted report the user may see, by regime code, unit uid and period code."""
    try:
        period = periods.parse(period_code)
    except periods.PeriodError as error:
        raise ValidationError(str(error), code="invalid_period") from error
    submission = (
        Submission.objects.restrict(user, "view")
        .select_related("regime", "orgunit", "submitted_by", "status_changed_by")
        .filter(
            regime__in=ReportingRegime.objects.restrict(user, "view").filter(code=regime_code),
            orgunit__uid=unit_uid,
            period=period.code,
        )
        .first()
    )
    if submission is None:
        raise NotFound(
            _("No submitted report of %(regime)s for unit %(unit)s and period %(period)s.")
            % {"regime": regime_code, "unit": unit_uid, "period": period.code}
        )
    return submission


def submit(user, regime_code: str, unit_uid: str, period_code: str, *, channel=Channel.API):
    """Send a report (again) through the same rules as the entry form's "Submit"."""
    regime = ReportingRegime.objects.restrict(user, "view").filter(code=regime_code).first()
    unit = OrgUnit.objects.restrict(user, "view").filter(uid=unit_uid).first()
    if regime is None or unit is None:
        raise NotFound(_("No reporting regime or unit by those codes."))
    try:
        period = periods.parse(period_code)
    except periods.PeriodError as error:
        raise ValidationError(str(error), code="invalid_period") from error
    if not permits(user, DataValue, "add"):
        raise denied(DataValue, "add")
    if not entry.in_capture_scope(user, unit):
        raise denied(DataValue, "add", unit)
    return entry.submit_report(user, regime, unit, period, channel=channel)


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("Give the reason."), code="reason_required")
    if len(text) > MAX_REASON:
        raise ValidationError(
            _("The reason is longer than %(n)d characters.") % {"n": MAX_REASON},
            code="reason_too_long",
        )
    return text


def _locked_report(user, submission: Submission, action: str) -> Submission:
    """The report's row, locked for the step, if ``user`` may take ``action`` on it."""
    model = Submission
    if not permits(user, model, action):
        raise denied(model, action)
    locked = (
        Submission.objects.restrict(user, action)
        .select_for_update()
        .filter(pk=submission.pk)
        .first()
    )
    if locked is None:
        raise denied(model, action, submission)
    return locked


def _refuse_from(submission: Submission, allowed: tuple[str, ...], action: str) -> None:
    """Refuse a step that does not start from one of ``allowed``; a repeat of the step just
    taken is told so."""
    if submission.status in allowed and not submission.unlocked():
        return
    if submission.unlocked():
        message = _(
            "The report is unlocked until %(time)s for corrections; it must be submitted again "
            "first."
        ) % {"time": timezone.localtime(submission.unlocked_until).strftime("%d/%m/%Y %H:%M")}
        raise ValidationError(message, code="unlocked")
    status = SubmissionStatus(submission.status)
    done = {
        SubmissionAction.APPROVE: SubmissionStatus.APPROVED,
        SubmissionAction.ACCEPT: SubmissionStatus.ACCEPTED,
        SubmissionAction.RETURN: SubmissionStatus.RETURNED,
    }
    if done.get(action) == submission.status:
        raise ValidationError(
            _("The report is already %(status)s.") % {"status": status.label.lower()},
            code="already_done",
        )
    raise ValidationError(
        _("The report is %(status)s: it cannot be %(action)s now.")
        % {
            "status": status.label.lower(),
            "action": SubmissionAction(action).label.lower(),
        },
        code="invalid_transition",
    )


def _move(
    user,
    submission: Submission,
    action: str,
    status: str,
    *,
    reason: str = "",
    expires_at=None,
    channel: str | None = None,
) -> Submission:
    """Take one step: the report's new status, its values' status, the audit record and
    the timeline's entry."""
    before = snapshot(submission)
    status_before = submission.status
    now = timezone.now()
    submission.status = status
    submission.status_changed_at = now
    submission.status_changed_by = user
    if action == SubmissionAction.RETURN:
        submission.return_reason = reason
    if action in (SubmissionAction.RETURN, SubmissionAction.RELOCK):
        submission.unlocked_until = None
        submission.unlock_reason = ""
    if action == SubmissionAction.UNLOCK:
        submission.unlocked_until = expires_at
        submission.unlock_reason = reason
    submission.save()
    values_status = (
        ValueStatus.SUBMITTED if action == SubmissionAction.UNLOCK else VALUE_STATUS[status]
    )
    entry.set_report_status(submission, values_status)
    record_change("update", submission, before=before, after=snapshot(submission), actor=user)
    entry.record_step(
        submission,
        action,
        status_before,
        user,
        reason=reason,
        expires_at=expires_at,
        channel=channel,
    )
    return submission


def pending_below(submission: Submission) -> list[Submission]:
    """Reports of the same regime and period, sent by units under this one, that still wait
    for approval: they are approved first."""
    below = OrgUnitClosure.objects.filter(ancestor_id=submission.orgunit_id).exclude(
        descendant_id=submission.orgunit_id
    )
    return list(
        Submission.objects.filter(
            regime_id=submission.regime_id,
            period=submission.period,
            orgunit_id__in=below.values("descendant_id"),
            status=SubmissionStatus.SUBMITTED,
        )
        .select_related("orgunit")
        .order_by("orgunit__name")
    )


@transaction.atomic
def approve(user, submission: Submission, *, channel: str | None = None) -> Submission:
    """The agency's approver approves a submitted report; its data is locked from now."""
    submission = _locked_report(user, submission, "approve")
    _refuse_from(submission, (SubmissionStatus.SUBMITTED,), SubmissionAction.APPROVE)
    waiting = pending_below(submission)
    if waiting:
        names = "; ".join(s.orgunit.name for s in waiting[:5]) + ("…" if len(waiting) > 5 else "")
        raise ValidationError(
            _("Approve the reports of its units first (%(count)d waiting): %(names)s.")
            % {"count": len(waiting), "names": names},
            code="units_pending",
        )
    return _move(
        user, submission, SubmissionAction.APPROVE, SubmissionStatus.APPROVED, channel=channel
    )


@transaction.atomic
def accept(user, submission: Submission, *, channel: str | None = None) -> Submission:
    """The center accepts an approved report as final."""
    submission = _locked_report(user, submission, "accept")
    _refuse_from(submission, (SubmissionStatus.APPROVED,), SubmissionAction.ACCEPT)
    return _move(
        user, submission, SubmissionAction.ACCEPT, SubmissionStatus.ACCEPTED, channel=channel
    )


@transaction.atomic
def return_report(
    user, submission: Submission, reason: str, *, channel: str | None = None
) -> Submission:
    """Send the report back to the agency with a reason: from submitted or approved (the
    agency's approver or the center), from accepted (the center only). Its values become
    drafts again until the agency sends it anew."""
    reason = _reason(reason)
    action = "accept" if _scope_check(user, submission)("accept") else "approve"
    submission = _locked_report(user, submission, action)
    allowed = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)
    if action == "accept":
        allowed += (SubmissionStatus.ACCEPTED,)
    _refuse_from(submission, allowed, SubmissionAction.RETURN)
    from dieuhanh.quality.reminders import report_returned

    transaction.on_commit(lambda: report_returned(submission))
    return _move(
        user,
        submission,
        SubmissionAction.RETURN,
        SubmissionStatus.RETURNED,
        reason=reason,
        channel=channel,
    )


@transaction.atomic
def unlock(
    user,
    submission: Submission,
    reason: str,
    until: datetime.datetime,
    *,
    channel: str | None = None,
    now: datetime.datetime | None = None,
) -> Submission:
    """The center opens an approved or accepted report for corrections until ``until``
    (at most ``MAX_UNLOCK`` ahead). The agency corrects it and submits it again; if it does
    not, the report locks again by itself at that time, in the status it had."""
    reason = _reason(reason)
    now = now or timezone.now()
    if until is None or timezone.is_naive(until):
        raise ValidationError(
            _("Give the end of the unlock with its time zone."), code="invalid_until"
        )
    if until <= now or until > now + MAX_UNLOCK:
        raise ValidationError(
            _("The unlock must end in the future and within %(days)d days.")
            % {"days": MAX_UNLOCK.days},
            code="invalid_until",
        )
    submission = _locked_report(user, submission, "unlock")
    if submission.unlocked(now):
        raise ValidationError(_("The report is already unlocked."), code="already_done")
    if submission.status not in SubmissionStatus.final():
        raise ValidationError(
            _("Only an approved or accepted report can be unlocked; this one is %(status)s.")
            % {"status": SubmissionStatus(submission.status).label.lower()},
            code="invalid_transition",
        )
    return _move(
        user,
        submission,
        SubmissionAction.UNLOCK,
        submission.status,
        reason=reason,
        expires_at=until,
        channel=channel,
    )


def relock_expired(now: datetime.datetime | None = None) -> int:
    """Lock again the reports whose unlock ran out without a new submission, in the status
    they had; run by the scheduler. Edits are already refused from the moment the unlock
    ends (``lock_scopes``); this puts the values' status back and writes the timeline."""
    now = now or timezone.now()
    count = 0
    for pk in Submission.objects.filter(unlocked_until__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            submission = (
                Submission.objects.select_for_update()
                .select_related("regime")
                .filter(pk=pk, unlocked_until__lte=now)
                .first()
            )
            if submission is None:
                continue  # submitted again meanwhile
            _move(
                None, submission, SubmissionAction.RELOCK, submission.status, channel=Channel.SYSTEM
            )
            count += 1
    return count


def reports(
    user,
    *,
    regime: str | None = None,
    period: str | None = None,
    status: str | None = None,
    orgunit: str | None = None,
    actionable: bool = False,
):
    """The submitted reports ``user`` may see, newest first; ``actionable``: only those
    waiting for the user's step (submitted ones for an approver, approved ones for the
    center)."""
    queryset = Submission.objects.restrict(user, "view").select_related(
        "regime", "orgunit", "submitted_by", "status_changed_by"
    )
    if regime:
        queryset = queryset.filter(regime__code=regime)
    if period:
        queryset = queryset.filter(period=period)
    if status:
        queryset = queryset.filter(status=status)
    if orgunit:
        queryset = queryset.filter(orgunit__uid=orgunit)
    if actionable:
        waiting = Q(pk__in=[])
        for action, awaited in (
            ("approve", SubmissionStatus.SUBMITTED),
            ("accept", SubmissionStatus.APPROVED),
        ):
            if permits(user, Submission, action):
                mine = Submission.objects.restrict(user, action).filter(status=awaited)
                waiting |= Q(pk__in=mine.values("pk"))
        queryset = queryset.filter(waiting).exclude(unlocked_until__gt=timezone.now())
    return queryset.order_by("-submitted_at", "-id")


def actions_for(user, submission: Submission) -> list[str]:
    """The steps ``user`` may take on the report now (for pages and the API)."""
    if submission.unlocked():
        return []
    status = submission.status
    scope = _scope_check(user, submission)
    found = []
    if status == SubmissionStatus.SUBMITTED and scope("approve"):
        found.append(SubmissionAction.APPROVE.value)
    if status == SubmissionStatus.APPROVED and scope("accept"):
        found.append(SubmissionAction.ACCEPT.value)
    if status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED) and (
        scope("approve") or scope("accept")
    ):
        found.append(SubmissionAction.RETURN.value)
    if status == SubmissionStatus.ACCEPTED and scope("accept"):
        found.append(SubmissionAction.RETURN.value)
    if status in SubmissionStatus.final() and scope("unlock"):
        found.append(SubmissionAction.UNLOCK.value)
    return found


def _scope_check(user, submission: Submission):
    from dieuhanh.accounts.scopes import scope_unit_ids

    def check(action: str) -> bool:
        if not permits(user, Submission, action):
            return False
        allowed = scope_unit_ids(user, action)
        return allowed is None or submission.orgunit_id in allowed

    return check
