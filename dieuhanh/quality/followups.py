"""Follow-ups of suspect values: the center sends a value to its agency (with the reason
the outlier methods give, or its own), the agency explains it or corrects it, the center
closes it. Each step checks its permission and scope, the step's starting status, takes
the row lock, and is audited; the value carries DHIS2's ``followup`` mark while open."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.core.audit import audit_channel, record_change, snapshot
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues.ingest import ImportOptions, RawValue, Scheme, ingest
from dieuhanh.datavalues.models import Channel, DataValue, value_text
from dieuhanh.quality import outliers
from dieuhanh.quality.models import FollowUp, FollowUpStatus, OutlierMethod

MAX_TEXT = 5000


def _text(text: str | None, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(_("Write the text."), code="text_required")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("The text is longer than %(n)d characters.") % {"n": MAX_TEXT}, code="text_too_long"
        )
    return text


def followups(user, *, status=None, indicator=None, orgunit=None, value=None):
    """The follow-ups the user may see, newest first."""
    queryset = FollowUp.objects.restrict(user, "view").select_related(
        "value__indicator",
        "value__orgunit",
        "value__combination",
        "created_by",
        "answered_by",
        "closed_by",
    )
    if status:
        queryset = queryset.filter(status=status)
    if indicator:
        queryset = queryset.filter(value__indicator__code=indicator)
    if orgunit:
        queryset = queryset.filter(value__orgunit__uid=orgunit)
    if value:
        queryset = queryset.filter(value_id=value)
    return queryset


def get(user, followup_id: int, action: str = "view") -> FollowUp:
    found = followups(user).filter(pk=followup_id).first()
    if found is None:
        raise FollowUp.DoesNotExist(
            _("No follow-up %(id)s that you may see.") % {"id": followup_id}
        )
    return found


@transaction.atomic
def open_followup(user, value_id: int, reason: str = "") -> FollowUp:
    """Send a value to follow-up. The outlier methods judge it against its series once
    more: their strongest verdict is kept with it (method, score, expected value, range);
    a value they do not flag is sent by hand (``manual``) with the reason given."""
    if not permits(user, FollowUp, "add"):
        raise denied(FollowUp, "add")
    value = (
        DataValue.objects.restrict(user, "view")
        .select_related("indicator", "orgunit")
        .filter(pk=value_id, deleted=False)
        .first()
    )
    if value is None:
        raise FollowUp.DoesNotExist(_("No value %(id)s that you may see.") % {"id": value_id})
    reason = _text(reason, required=False)
    if FollowUp.objects.filter(value=value).exclude(status=FollowUpStatus.CLOSED).exists():
        raise ValidationError(_("This value already has an open follow-up."), code="already_open")
    verdict = None
    if value.number is not None:
        report = outliers.detect(
            user,
            value.indicator.code,
            orgunit_uid=value.orgunit.uid,
            start=value.period_start,
            end=value.period_start,
        )
        verdict = next((o for o in report.outliers if o.value_id == value.pk), None)
    if verdict is None and not reason:
        raise ValidationError(
            _("The methods do not flag this value: give the reason for sending it."),
            code="reason_required",
        )
    followup = FollowUp.objects.create(
        value=value,
        method=verdict.method if verdict else OutlierMethod.MANUAL,
        score=verdict.score if verdict else None,
        expected=_decimal(verdict.expected) if verdict else None,
        lower=_decimal(verdict.lower) if verdict else None,
        upper=_decimal(verdict.upper) if verdict else None,
        flagged_value=value.value or "",
        reason=reason,
        created_by=user,
    )
    DataValue.objects.filter(pk=value.pk).update(followup=True)
    record_change("create", followup, before=None, after=snapshot(followup), actor=user)
    from dieuhanh.quality.reminders import followup_opened

    transaction.on_commit(lambda: followup_opened(followup))
    return followup


def _decimal(number: float | None):
    from decimal import Decimal

    return None if number is None else Decimal(str(round(number, 6)))


def _locked(user, followup: FollowUp, action: str, allowed: tuple[str, ...]) -> FollowUp:
    if not permits(user, FollowUp, action):
        raise denied(FollowUp, action)
    locked = (
        FollowUp.objects.restrict(user, action)
        .select_for_update()
        .select_related("value__indicator", "value__orgunit", "value__combination")
        .filter(pk=followup.pk)
        .first()
    )
    if locked is None:
        raise denied(FollowUp, action, followup)
    if locked.status not in allowed:
        raise ValidationError(
            _("The follow-up is %(status)s.")
            % {"status": FollowUpStatus(locked.status).label.lower()},
            code="closed" if locked.status == FollowUpStatus.CLOSED else "invalid_transition",
        )
    return locked


def _answered(user, followup: FollowUp, status: str, answer: str) -> FollowUp:
    before = snapshot(followup)
    followup.status = status
    followup.answer = answer
    followup.answered_at = timezone.now()
    followup.answered_by = user
    followup.save()
    record_change("update", followup, before=before, after=snapshot(followup), actor=user)
    return followup


@transaction.atomic
def explain(user, followup: FollowUp, answer: str) -> FollowUp:
    """The agency explains why the value is right (until the center closes it)."""
    answer = _text(answer)
    followup = _locked(user, followup, "change", (FollowUpStatus.OPEN, *FollowUpStatus.answered()))
    return _answered(user, followup, FollowUpStatus.EXPLAINED, answer)


@transaction.atomic
def correct(
    user, followup: FollowUp, new_value: str, comment: str = "", channel: str = Channel.API
) -> FollowUp:
    """The agency corrects the value, through the same rules as any other write (a report
    already approved must be returned or unlocked first: the refusal says so)."""
    comment = _text(comment, required=False)
    followup = _locked(user, followup, "change", (FollowUpStatus.OPEN, *FollowUpStatus.answered()))
    value = followup.value
    raw = RawValue(
        0,
        None,
        value.indicator.uid,
        value.period,
        value.orgunit.uid,
        value.combination.uid,
        None,
        str(new_value).strip(),
        comment or None,
    )
    with audit_channel(channel):
        result = ingest([raw], user, ImportOptions(indicator_scheme=Scheme.UID))
    if result.conflicts:
        conflict = result.conflicts[0]
        raise ValidationError(conflict.message, code=conflict.code)
    value.refresh_from_db()
    answer = comment or _("Corrected from %(old)s to %(new)s.") % {
        "old": followup.flagged_value,
        "new": value_text(value.number, value.text),
    }
    return _answered(user, followup, FollowUpStatus.CORRECTED, answer)


@transaction.atomic
def close(user, followup: FollowUp, note: str = "") -> FollowUp:
    """The center closes the follow-up (answered or not), with a note; the value loses
    its follow-up mark."""
    note = _text(note, required=False)
    followup = _locked(user, followup, "close", (FollowUpStatus.OPEN, *FollowUpStatus.answered()))
    before = snapshot(followup)
    followup.status = FollowUpStatus.CLOSED
    followup.closing_note = note
    followup.closed_at = timezone.now()
    followup.closed_by = user
    followup.save()
    DataValue.objects.filter(pk=followup.value_id).update(followup=False)
    record_change("update", followup, before=before, after=snapshot(followup), actor=user)
    return followup
