"""A report's data-entry form: the regime's sections and indicators, each with its
disaggregation's cells, the stored values, last period's values, the narrative sections,
and whether the report may still be edited. The web grid and the Excel template are both
drawn from it, and both write through ``save_cells`` and ``submit_report``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.catalog.models import (
    NarrativeSection,
    OptionCombination,
    RegimeIndicator,
    ReportingRegime,
)
from dieuhanh.core import periods
from dieuhanh.core.audit import record_change, snapshot
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues.ingest import (
    Conflict,
    ImportOptions,
    ImportResult,
    RawValue,
    Scheme,
    ingest,
)
from dieuhanh.datavalues.models import (
    Channel,
    DataValue,
    LockReason,
    LockScope,
    Narrative,
    Submission,
    SubmissionAction,
    SubmissionEvent,
    SubmissionStatus,
    ValueStatus,
    lock_message,
    lock_scopes,
    mark_changed,
    value_text,
)
from dieuhanh.orgunits.models import OrgUnit


@dataclass
class Cell:
    combination_uid: str
    combination_name: str
    value: str | None = None
    comment: str = ""
    status: str = ""
    previous: str | None = None
    value_type: str = "number"

    @property
    def change(self) -> float | None:
        """Relative change from last period, in percent, when both are numbers."""
        if self.value_type in ("boolean", "text"):
            return None
        try:
            now, before = float(self.value), float(self.previous)
        except (TypeError, ValueError):
            return None
        if before == 0:
            return None
        return (now - before) / abs(before) * 100


@dataclass
class Row:
    code: str
    name: str
    unit: str
    value_type: str
    decimals: int
    required: bool
    cells: list[Cell]
    warnings: list[dict] = field(default_factory=list)  # validation rules it breaks


@dataclass
class Block:
    """Rows of one section that share a disaggregation (one header of columns)."""

    columns: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class Section:
    code: str
    name: str
    blocks: list[Block]


@dataclass
class NarrativeBox:
    id: int
    number: str
    title: str
    guidance: str
    text: str


@dataclass
class EntryForm:
    regime: ReportingRegime
    unit: OrgUnit
    period: periods.Period
    sections: list[Section]
    narratives: list[NarrativeBox]
    submission: Submission | None
    locked: bool
    approved: bool
    editable: bool
    reason: str  # why it is read-only, when it is
    previous_period: periods.Period

    @property
    def can_submit(self) -> bool:
        """Whether the report may be sent (again): never sent, returned, or unlocked."""
        return self.editable and (
            self.submission is None
            or self.submission.status == SubmissionStatus.RETURNED
            or self.submission.unlocked()
        )

    @property
    def filled(self) -> int:
        return sum(
            1
            for s in self.sections
            for b in s.blocks
            for r in b.rows
            for c in r.cells
            if c.value not in (None, "")
        )

    @property
    def total(self) -> int:
        return sum(len(r.cells) for s in self.sections for b in s.blocks for r in b.rows)


def find_report(user, regime_code: str, unit_uid: str, period_code: str):
    """The regime, the unit (within the user's view scope) and the period a form names."""
    regime = ReportingRegime.objects.restrict(user, "view").filter(code=regime_code).first()
    if regime is None:
        raise ValidationError(_("Unknown reporting regime."), code="unknown_regime")
    from dieuhanh.accounts.scopes import scope_unit_ids

    unit = OrgUnit.objects.filter(uid=unit_uid).first()
    visible = scope_unit_ids(user, "view")
    if unit is None or (visible is not None and unit.pk not in visible):
        raise ValidationError(_("Unknown unit, or outside your scope."), code="unknown_unit")
    if (
        unit.kind not in (regime.reporter_kinds or ())
        and not regime.reporter_units.filter(pk=unit.pk).exists()
    ):
        raise ValidationError(
            _("%(unit)s does not report under this regime.") % {"unit": unit.name},
            code="not_a_reporter",
        )
    from dieuhanh.catalog.services import regime_period

    return regime, unit, regime_period(regime, period_code)


def entry_form(user, regime: ReportingRegime, unit: OrgUnit, period: periods.Period) -> EntryForm:
    from dieuhanh.catalog.models import Indicator

    items = list(
        RegimeIndicator.objects.filter(
            section__regime=regime, indicator__in=Indicator.objects.restrict(user, "view")
        )
        .select_related("section", "indicator", "indicator__unit", "disaggregation")
        .order_by("section__sort_order", "section__id", "sort_order", "id")
    )
    disaggregation_ids = {item.disaggregation_id for item in items}
    combinations: dict[int, list[OptionCombination]] = {}
    for combo in OptionCombination.objects.filter(
        disaggregation_id__in=disaggregation_ids
    ).order_by("sort_order", "id"):
        combinations.setdefault(combo.disaggregation_id, []).append(combo)
    indicator_ids = [item.indicator_id for item in items]
    previous = period.previous()
    stored = {}
    before = {}
    for row in (
        DataValue.objects.restrict(user, "view")
        .filter(
            indicator_id__in=indicator_ids,
            orgunit=unit,
            period__in=[period.code, previous.code],
            deleted=False,
        )
        .values_list(
            "indicator_id", "combination_id", "period", "number", "text", "comment", "status"
        )
    ):
        indicator_id, combo_id, code, number, text, comment, status = row
        if code == period.code:
            stored[(indicator_id, combo_id)] = (value_text(number, text), comment, status)
        else:
            before[(indicator_id, combo_id)] = value_text(number, text)
    sections: list[Section] = []
    for item in items:
        if item.indicator.formula:
            continue  # computed, never entered
        if not sections or sections[-1].code != item.section.code:
            sections.append(Section(item.section.code, item.section.name, []))
        section = sections[-1]
        combos = combinations.get(item.disaggregation_id, [])
        columns = [c.name for c in combos]
        if not section.blocks or section.blocks[-1].columns != columns:
            section.blocks.append(Block(columns))
        cells = []
        for combo in combos:
            value, comment, status = stored.get((item.indicator_id, combo.pk), (None, "", ""))
            cells.append(
                Cell(
                    combo.uid,
                    combo.name,
                    value,
                    comment or "",
                    status,
                    before.get((item.indicator_id, combo.pk)),
                    item.indicator.value_type,
                )
            )
        indicator = item.indicator
        section.blocks[-1].rows.append(
            Row(
                indicator.code,
                indicator.name,
                indicator.unit.symbol or indicator.unit.name,
                indicator.value_type,
                indicator.decimals,
                item.required,
                cells,
            )
        )
    narratives = _narratives(user, regime, unit, period)
    submission = (
        Submission.objects.restrict(user, "view")
        .filter(regime=regime, orgunit=unit, period=period.code)
        .first()
    )
    lock = report_lock(regime, unit, period)
    locked = lock is not None and lock.reason == LockReason.PERIOD
    approved = (lock is not None and not locked) or any(
        cell.status in ValueStatus.read_only()
        for s in sections
        for b in s.blocks
        for r in b.rows
        for cell in r.cells
    )
    may_write = permits(user, DataValue, "add") and in_capture_scope(user, unit)
    reason = ""
    if locked:
        reason = _("The period is locked.")
    elif lock is not None:
        reason = lock_message(lock, period.code, unit.name)
    elif approved:
        reason = _("The report is approved.")
    elif not may_write:
        reason = _("You may read this report but not enter data for this unit.")
    return EntryForm(
        regime=regime,
        unit=unit,
        period=period,
        sections=sections,
        narratives=narratives,
        submission=submission,
        locked=locked,
        approved=approved,
        editable=not reason,
        reason=reason,
        previous_period=previous,
    )


def in_capture_scope(user, unit: OrgUnit) -> bool:
    from dieuhanh.accounts.scopes import scope_unit_ids

    allowed = scope_unit_ids(user, "add")
    return allowed is None or unit.pk in allowed


def _narratives(user, regime, unit, period) -> list[NarrativeBox]:
    texts = dict(
        Narrative.objects.restrict(user, "view")
        .filter(section__regime=regime, orgunit=unit, period=period.code)
        .values_list("section_id", "text")
    )
    return [
        NarrativeBox(s.pk, s.number, s.title, s.guidance, texts.get(s.pk, ""))
        for s in NarrativeSection.objects.filter(regime=regime).order_by("sort_order", "id")
    ]


def report_lock(regime, unit: OrgUnit, period: periods.Period) -> LockScope | None:
    """The lock that covers this regime's report of ``unit`` for ``period``, if any: a
    period lock first, else the report's own approval."""
    locks = [
        lock
        for lock in lock_scopes([period.code]).get(period.code, [])
        if lock.covers({regime.pk}, unit.pk)
    ]
    locks.sort(key=lambda lock: lock.reason != LockReason.PERIOD)
    return locks[0] if locks else None


@dataclass
class CellInput:
    indicator: str
    combination: str | None
    value: str | None
    comment: str | None = None


def save_cells(
    user,
    regime: ReportingRegime,
    unit: OrgUnit,
    period: periods.Period,
    cells: list[CellInput],
    *,
    channel: str = Channel.WEB,
    job=None,
) -> ImportResult:
    """Write cells of one report as drafts (an empty value deletes the cell), through the
    same engine and rules as every other channel."""
    if not permits(user, DataValue, "add"):
        raise denied(DataValue, "add")
    allowed = set(
        RegimeIndicator.objects.filter(section__regime=regime).values_list(
            "indicator__code", flat=True
        )
    )
    rows = []
    deletions = []
    refused = []
    for index, cell in enumerate(cells):
        if cell.indicator not in allowed:
            refused.append(
                Conflict(
                    index,
                    None,
                    "E7610",
                    "dataElement",
                    cell.indicator,
                    _("Indicator “%(code)s” is not in this report.") % {"code": cell.indicator},
                )
            )
            continue
        empty = cell.value is None or str(cell.value).strip() == ""
        raw = RawValue(
            index,
            None,
            cell.indicator,
            period.code,
            unit.uid,
            cell.combination or None,
            None,
            None if empty else str(cell.value).strip(),
            cell.comment,
            None,
            (empty and not (cell.comment or "").strip()) or None,
        )
        (deletions if raw.deleted else rows).append(raw)
    submitted = Submission.objects.filter(regime=regime, orgunit=unit, period=period.code)
    options = {
        "indicator_scheme": Scheme.CODE,
        "orgunit_scheme": Scheme.UID,
        "combination_scheme": Scheme.UID,
        # A report already sent stays sent: a correction goes to the center as it is made.
        # A returned one is a draft again until it is sent back.
        "status": (
            ValueStatus.SUBMITTED
            if submitted.exclude(status=SubmissionStatus.RETURNED).exists()
            else ValueStatus.DRAFT
        ),
    }
    from dieuhanh.core.audit import audit_channel

    result = ImportResult()
    with audit_channel(channel):
        if rows:
            result = ingest(rows, user, ImportOptions(**options), job=job)
        if deletions:
            if not permits(user, DataValue, "change"):
                raise denied(DataValue, "change")
            removed = ingest(deletions, user, ImportOptions(**options), job=job)
            result.add(removed)
            result.total += removed.total
            result.conflicts.extend(removed.conflicts)
    result.conflicts = refused + result.conflicts
    return result


def save_narrative(
    user,
    regime: ReportingRegime,
    unit: OrgUnit,
    period: periods.Period,
    section_id: int | None,
    text: str,
):
    """Keep the text of one narrative section of a report (audited); refused outside the
    capture scope, for a section of another regime, and once the report is locked or
    approved."""
    from dieuhanh.accounts.scopes import scope_unit_ids

    if not permits(user, DataValue, "add"):
        raise denied(DataValue, "add")
    allowed = scope_unit_ids(user, "add")
    if allowed is not None and unit.pk not in allowed:
        raise denied(DataValue, "add", unit)
    section = NarrativeSection.objects.filter(regime=regime, pk=section_id).first()
    if section is None or not isinstance(text, str):
        raise ValidationError(
            _("The request does not name a narrative section of this report."),
            code="unknown_section",
        )
    form = entry_form(user, regime, unit, period)
    if not form.editable:
        raise ValidationError(form.reason, code="read_only")
    with transaction.atomic():
        narrative = (
            Narrative.objects.select_for_update()
            .filter(section=section, orgunit=unit, period=period.code)
            .first()
        )
        before = snapshot(narrative) if narrative else None
        if narrative is None:
            narrative = Narrative(section=section, orgunit=unit, period=period.code)
        if before is not None and narrative.text == text:
            return narrative
        narrative.text = text[:50_000]
        narrative.updated_by = user
        narrative.save()
        record_change(
            "update" if before else "create",
            narrative,
            before=before,
            after=snapshot(narrative),
            actor=user,
        )
    return narrative


def submit_report(
    user, regime: ReportingRegime, unit: OrgUnit, period: periods.Period, *, channel=Channel.WEB
) -> Submission:
    """Send the report to the center: its draft values become submitted and the time of
    submission is kept (the first one counts for timeliness; later ones are recorded in
    the audit log and the report's timeline). A returned or unlocked report is sent again
    this way and waits for approval anew."""
    form = entry_form(user, regime, unit, period)
    if not form.editable:
        raise ValidationError(form.reason, code="read_only")
    missing = [
        row.name
        for s in form.sections
        for b in s.blocks
        for row in b.rows
        if row.required and all(cell.value in (None, "") for cell in row.cells)
    ]
    if missing:
        raise ValidationError(
            _("Fill in the required indicators first: %(names)s.")
            % {"names": "; ".join(missing[:5]) + ("…" if len(missing) > 5 else "")},
            code="incomplete",
        )
    indicator_codes = [row.code for s in form.sections for b in s.blocks for row in b.rows]
    cells = [
        CellInput(row.code, cell.combination_uid, cell.value, None)
        for s in form.sections
        for b in s.blocks
        for row in b.rows
        for cell in row.cells
        if cell.value not in (None, "") and cell.status == ValueStatus.DRAFT
    ]
    options = ImportOptions(
        indicator_scheme=Scheme.CODE,
        orgunit_scheme=Scheme.UID,
        combination_scheme=Scheme.UID,
        status=ValueStatus.SUBMITTED,
    )
    from dieuhanh.core.audit import audit_channel

    with audit_channel(channel), transaction.atomic():
        if cells:
            ingest(
                [
                    RawValue(
                        i, None, c.indicator, period.code, unit.uid, c.combination, None, c.value
                    )
                    for i, c in enumerate(cells)
                ],
                user,
                options,
            )
        submission, created = Submission.objects.select_for_update().get_or_create(
            regime=regime,
            orgunit=unit,
            period=period.code,
            defaults={"submitted_at": timezone.now(), "submitted_by": user, "channel": channel},
        )
        before = snapshot(submission)
        status_before = "" if created else submission.status
        if not created and form.can_submit:
            # Sent again after a return or during an unlock: approval starts over.
            submission.status = SubmissionStatus.SUBMITTED
            submission.return_reason = ""
            submission.unlocked_until = None
            submission.unlock_reason = ""
            submission.status_changed_at = timezone.now()
            submission.status_changed_by = user
            submission.save()
            set_report_status(submission, ValueStatus.SUBMITTED)
        record_change(
            "create" if created else "update",
            submission,
            before=None if created else before,
            after={
                **snapshot(submission),
                "indicators": indicator_codes,
                "at": str(timezone.now()),
            },
            actor=user,
        )
        record_step(
            submission,
            SubmissionAction.SUBMIT if created else SubmissionAction.RESUBMIT,
            status_before,
            user,
            channel=channel,
        )
    return submission


def record_step(
    submission: Submission,
    action: str,
    status_before: str,
    user,
    *,
    reason: str = "",
    expires_at=None,
    channel: str | None = None,
) -> SubmissionEvent:
    """One step of the report's timeline, after ``submission`` took its new status."""
    return SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        status_before=status_before,
        status_after=submission.status,
        reason=reason,
        expires_at=expires_at,
        at=timezone.now(),
        user=user if getattr(user, "pk", None) else None,
        user_name=getattr(user, "username", "") or "",
        channel=channel or Channel.current(),
    )


def report_indicator_ids(regime: ReportingRegime) -> list[int]:
    """The indicators whose values make up a report of ``regime`` (stored, not derived)."""
    return list(
        RegimeIndicator.objects.filter(section__regime=regime)
        .exclude(indicator__formula__gt="")
        .values_list("indicator_id", flat=True)
        .distinct()
    )


def set_report_status(submission: Submission, status: str) -> int:
    """Give every value of the report the status of its approval, in one statement: draft
    when returned, submitted, approved or accepted; the number of values changed."""
    changing = DataValue.objects.filter(
        orgunit_id=submission.orgunit_id,
        period=submission.period,
        indicator_id__in=report_indicator_ids(submission.regime),
    ).exclude(status=status)
    mark_changed(changing)  # "accepted data only" reads the status
    return changing.update(status=status)


# How many periods the period picker offers, by period type.
PICKER_LENGTH = {
    periods.PeriodType.HOURLY: 24,
    periods.PeriodType.DAILY: 31,
    periods.PeriodType.WEEKLY: 12,
    periods.PeriodType.MONTHLY: 12,
    periods.PeriodType.QUARTERLY: 8,
    periods.PeriodType.SIXMONTHLY: 6,
    periods.PeriodType.YEARLY: 5,
}


def reporting_units(user, regime: ReportingRegime, action: str) -> list[OrgUnit]:
    """The units that report under ``regime`` now and that the user may ``action`` for."""
    from dieuhanh.accounts.scopes import scope_unit_ids
    from dieuhanh.catalog import services as catalog_services

    current = periods.for_date(regime.period_type, timezone.localdate(), hour=0)
    units = catalog_services.reporters(regime, current)
    allowed = scope_unit_ids(user, action)
    if allowed is not None:
        units = units.filter(pk__in=allowed)
    return list(units)


def period_choices(regime: ReportingRegime) -> list[dict]:
    """The periods the picker offers for ``regime``, newest first, with their deadlines."""
    from dieuhanh.catalog import services as catalog_services

    choices = []
    for period in recent_periods(regime.period_type, PICKER_LENGTH.get(regime.period_type, 12)):
        deadline = None
        if regime.period_type != periods.PeriodType.HOURLY:
            deadline = catalog_services.scheduled(regime, period).deadline
        choices.append({"code": period.code, "label": period.label(), "deadline": deadline})
    return choices


def recent_reports(user, limit: int = 15) -> list[dict]:
    """The reports last submitted that the user may see, each with its period, its status
    in approval and whether a period lock covers it: two queries whatever their number."""
    submissions = []
    for submission in (
        Submission.objects.restrict(user, "view")
        .select_related("regime", "orgunit", "submitted_by")
        .order_by("-submitted_at")[:limit]
    ):
        try:
            submissions.append((submission, periods.parse(submission.period)))
        except periods.PeriodError:
            continue
    locks = lock_scopes({period.code for _submission, period in submissions})
    return [
        {
            "submission": submission,
            "period": period,
            "approved": submission.locked(),
            "locked": any(
                lock.reason == LockReason.PERIOD
                and lock.covers({submission.regime_id}, submission.orgunit_id)
                for lock in locks.get(period.code, [])
            ),
        }
        for submission, period in submissions
    ]


def recent_periods(period_type: str, count: int = 12, today: datetime.date | None = None):
    """The current period and the ones before it, newest first, for the period picker."""
    current = periods.for_date(period_type, today or timezone.localdate(), hour=0)
    return [current.shift(-n) for n in range(count)]
