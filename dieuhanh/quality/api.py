"""Data quality API (``/api/v1/quality/``): completeness and timeliness of reports, and
their approval (submit, approve, accept, return, unlock) with each report's timeline."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Query, Router, Schema

from dieuhanh.core.api_auth import permitted, public_api_auth
from dieuhanh.core.api_errors import refusals as api_refusals
from dieuhanh.core.api_pagination import paginate
from dieuhanh.core.exports import audit_export, csv_response
from dieuhanh.datavalues.models import (
    DataValue,
    Submission,
    SubmissionAction,
    SubmissionEvent,
    SubmissionStatus,
    format_number,
)
from dieuhanh.quality import approval, consistency, followups, outliers, rules, services
from dieuhanh.quality.models import (
    FollowUp,
    FollowUpStatus,
    RuleViolation,
    ValidationRule,
    ValueBound,
)

router = Router(tags=["quality"])

# Refusals that describe the request rather than the state of what it names: 422; the
# others (a step from the wrong status, a repeat, a report already final) are 409.
INPUT_CODES = {
    "reason_required",
    "reason_too_long",
    "invalid_until",
    "invalid_period",
    "text_required",
    "text_too_long",
    "E7619",
}


def refusals(input_codes=INPUT_CODES):
    """A service's refusal as the API's: not found 404, bad input 422, wrong state 409
    (``input_codes`` None: every refusal is bad input)."""
    return api_refusals(approval.NotFound, FollowUp.DoesNotExist, inputs=input_codes)


class ReportOut(Schema):
    orgunit: str
    orgunit_code: str
    orgunit_name: str
    period: str
    deadline: datetime.date | None
    expected: bool
    received: bool
    received_at: datetime.datetime | None
    submitted: bool
    on_time: bool
    late: bool
    missing: bool
    pending: bool
    complete: bool
    required_filled: int
    required_total: int
    status: str


class TotalsOut(Schema):
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    pending: int
    complete: int
    received_rate: float | None
    on_time_rate: float | None
    complete_rate: float | None


class CompletenessOut(Schema):
    regime: str
    periods: list[str]
    totals: TotalsOut
    by_period: dict[str, TotalsOut]
    reporters: list[ReportOut]


def _report_out(report: services.ReportState) -> dict:
    return {
        "orgunit": report.unit.uid,
        "orgunit_code": report.unit.code,
        "orgunit_name": report.unit.name,
        "period": report.period.code,
        "deadline": report.deadline,
        "expected": True,
        "received": report.received,
        "received_at": report.received_at,
        "submitted": report.submitted,
        "on_time": report.on_time,
        "late": report.late,
        "missing": report.missing,
        "pending": report.pending,
        "complete": report.complete,
        "required_filled": report.required_filled,
        "required_total": report.required_total,
        "status": report.status,
    }


def _totals_out(totals: services.Totals) -> dict:
    return {
        name: getattr(totals, name)
        for name in TotalsOut.model_fields  # counts and rates alike
    }


@router.get(
    "/completeness",
    response=CompletenessOut,
    auth=permitted(Submission, "view"),
    operation_id="quality_completeness",
    url_name="quality_completeness",
)
def completeness(request, regime: str, period: Query[list[str]], format: str = "json"):
    """For each reporter expected under ``regime`` in each ``period`` (repeat it, or
    separate codes with commas), within the caller's view scope: whether its report arrived,
    when, whether on time by the regime's deadline, complete, late or missing; with the
    totals overall and per period. ``format=csv`` downloads the rows."""
    with refusals(None):
        result = services.completeness(request.auth, regime, period)
    rows = [_report_out(report) for report in result.reports]
    if format == "csv":
        audit_export(request.auth, "completeness", {"regime": regime, "periods": period})
        header = list(ReportOut.model_fields)
        return csv_response(
            f"completeness-{regime}.csv", header, ([row[name] for name in header] for row in rows)
        )
    return {
        "regime": result.regime.code,
        "periods": [p.code for p in result.periods],
        "totals": _totals_out(result.totals),
        "by_period": {code: _totals_out(t) for code, t in result.by_period.items()},
        "reporters": rows,
    }


# --- approval -------------------------------------------------------------------------------
class ReportRef(Schema):
    """Which report: the regime's code, the unit's uid and the period's code."""

    regime: str
    orgunit: str
    period: str


class ReasonIn(ReportRef):
    reason: str


class UnlockIn(ReasonIn):
    until: datetime.datetime


class StepOut(Schema):
    action: str
    action_label: str
    status_before: str
    status_after: str
    reason: str
    until: datetime.datetime | None
    at: datetime.datetime
    user: str
    channel: str


class ApprovalOut(Schema):
    regime: str
    regime_name: str
    orgunit: str
    orgunit_code: str
    orgunit_name: str
    period: str
    status: str
    status_label: str
    submitted_at: datetime.datetime
    submitted_by: str | None
    status_changed_at: datetime.datetime | None
    status_changed_by: str | None
    return_reason: str
    unlocked_until: datetime.datetime | None
    unlock_reason: str
    locked: bool
    actions: list[str]


class ApprovalDetailOut(ApprovalOut):
    timeline: list[StepOut]


class ApprovalPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ApprovalOut]


def _approval_out(user, submission: Submission) -> dict:
    return {
        "regime": submission.regime.code,
        "regime_name": submission.regime.name,
        "orgunit": submission.orgunit.uid,
        "orgunit_code": submission.orgunit.code,
        "orgunit_name": submission.orgunit.name,
        "period": submission.period,
        "status": submission.status,
        "status_label": str(SubmissionStatus(submission.status).label),
        "submitted_at": submission.submitted_at,
        "submitted_by": submission.submitted_by.username if submission.submitted_by else None,
        "status_changed_at": submission.status_changed_at,
        "status_changed_by": (
            submission.status_changed_by.username if submission.status_changed_by else None
        ),
        "return_reason": submission.return_reason,
        "unlocked_until": submission.unlocked_until if submission.unlocked() else None,
        "unlock_reason": submission.unlock_reason if submission.unlocked() else "",
        "locked": submission.locked(),
        "actions": approval.actions_for(user, submission),
    }


def _detail_out(user, submission: Submission) -> dict:
    steps = SubmissionEvent.objects.restrict(user, "view").filter(submission=submission)
    return {
        **_approval_out(user, submission),
        "timeline": [
            {
                "action": step.action,
                "action_label": str(SubmissionAction(step.action).label),
                "status_before": step.status_before,
                "status_after": step.status_after,
                "reason": step.reason,
                "until": step.expires_at,
                "at": step.at,
                "user": step.user_name,
                "channel": step.channel,
            }
            for step in steps
        ],
    }


def _step(request, body: ReportRef, take) -> dict:
    """Find the report, take the step, answer the report as it now is."""
    with refusals():
        submission = approval.find_report(request.auth, body.regime, body.orgunit, body.period)
        submission = take(submission)
    return _detail_out(request.auth, submission)


@router.get(
    "/reports",
    response=ApprovalPage,
    auth=permitted(Submission, "view"),
    operation_id="quality_reports",
    url_name="quality_reports",
)
def reports(
    request,
    regime: str | None = None,
    period: str | None = None,
    status: str | None = None,
    orgunit: str | None = None,
    actionable: bool = False,
    limit: int = 100,
    offset: int = 0,
):
    """Submitted reports the caller may see, with their approval status and the steps the
    caller may take (``actionable=true``: only those waiting for the caller)."""
    queryset = approval.reports(
        request.auth,
        regime=regime,
        period=period,
        status=status,
        orgunit=orgunit,
        actionable=actionable,
    )
    return paginate(
        request, queryset, limit, offset, lambda item: _approval_out(request.auth, item)
    )


@router.get(
    "/report",
    response=ApprovalDetailOut,
    auth=permitted(Submission, "view"),
    operation_id="quality_report",
    url_name="quality_report",
)
def report(request, regime: str, orgunit: str, period: str):
    """One report's approval status and its timeline."""
    return _step(request, ReportRef(regime=regime, orgunit=orgunit, period=period), lambda s: s)


@router.post(
    "/report/submit",
    response=ApprovalDetailOut,
    auth=permitted(DataValue, "add"),
    operation_id="quality_report_submit",
    url_name="quality_report_submit",
)
def submit(request, body: ReportRef):
    """Send the report to the center (again, after a return or an unlock); its compulsory
    indicators must be filled."""
    with refusals():
        approval.submit(request.auth, body.regime, body.orgunit, body.period)
    return _step(request, body, lambda s: s)


@router.post(
    "/report/approve",
    response=ApprovalDetailOut,
    auth=permitted(Submission, "approve"),
    operation_id="quality_report_approve",
    url_name="quality_report_approve",
)
def approve(request, body: ReportRef):
    """The agency's approver approves a submitted report: its data is locked."""
    return _step(request, body, lambda s: approval.approve(request.auth, s))


@router.post(
    "/report/accept",
    response=ApprovalDetailOut,
    auth=permitted(Submission, "accept"),
    operation_id="quality_report_accept",
    url_name="quality_report_accept",
)
def accept(request, body: ReportRef):
    """The center accepts an approved report as final."""
    return _step(request, body, lambda s: approval.accept(request.auth, s))


@router.post(
    "/report/return",
    response=ApprovalDetailOut,
    auth=permitted(Submission, "view"),
    operation_id="quality_report_return",
    url_name="quality_report_return",
)
def return_report(request, body: ReasonIn):
    """Return the report to the agency with a reason (approver: submitted or approved
    reports; center: accepted ones too)."""
    return _step(request, body, lambda s: approval.return_report(request.auth, s, body.reason))


@router.post(
    "/report/unlock",
    response=ApprovalDetailOut,
    auth=permitted(Submission, "unlock"),
    operation_id="quality_report_unlock",
    url_name="quality_report_unlock",
)
def unlock(request, body: UnlockIn):
    """The center opens an approved or accepted report for corrections until ``until``."""
    return _step(request, body, lambda s: approval.unlock(request.auth, s, body.reason, body.until))


# --- outliers and follow-ups ----------------------------------------------------------------
class OutlierOut(Schema):
    value_id: int
    orgunit: str
    orgunit_code: str
    orgunit_name: str
    combination: str
    combination_name: str
    period: str
    value: str
    method: str
    methods: list[str]
    score: float
    expected: float | None
    lower: float | None
    upper: float | None
    followup_id: int | None
    followup_status: str | None


class OutliersOut(Schema):
    indicator: str
    indicator_name: str
    methods: list[str]
    checked: int
    count: int
    results: list[OutlierOut]


@router.get(
    "/outliers",
    response=OutliersOut,
    auth=permitted(DataValue, "view"),
    operation_id="quality_outliers",
    url_name="quality_outliers",
)
def outliers_list(
    request,
    indicator: str,
    method: str | None = None,
    orgunit: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    threshold: float | None = None,
    limit: int = 500,
):
    """Values of ``indicator`` (in the caller's view scope, within ``orgunit``'s subtree,
    periods starting from ``start`` to ``end``) far from their own history, strongest first:
    ``method`` is any of zscore, modified_zscore, seasonal, minmax (comma-separated; all by
    default); ``threshold`` replaces the default of the methods named. Each row says whether
    the value is already in follow-up."""
    with refusals(None):
        methods = outliers.parse_methods(method)
        thresholds = dict.fromkeys(methods, threshold) if threshold is not None else None
        report = outliers.detect(
            request.auth,
            indicator,
            methods=methods,
            orgunit_uid=orgunit,
            start=start,
            end=end,
            thresholds=thresholds,
            limit=limit,
        )
    rows = []
    for item in report.outliers:
        unit = report.units[item.orgunit_id]
        combination = report.combinations.get(item.combination_id)
        rows.append(
            {
                "value_id": item.value_id,
                "orgunit": unit.uid,
                "orgunit_code": unit.code,
                "orgunit_name": unit.name,
                "combination": combination.uid if combination else "",
                "combination_name": combination.name if combination else "",
                "period": item.period,
                "value": format_number(item.number),
                "method": item.method,
                "methods": item.methods,
                "score": item.score,
                "expected": item.expected,
                "lower": item.lower,
                "upper": item.upper,
                "followup_id": item.followup_id,
                "followup_status": item.followup_status,
            }
        )
    return {
        "indicator": report.indicator.code,
        "indicator_name": report.indicator.name,
        "methods": report.methods,
        "checked": report.checked,
        "count": len(rows),
        "results": rows,
    }


class FollowUpIn(Schema):
    value_id: int
    reason: str = ""


class AnswerIn(Schema):
    answer: str


class CorrectionIn(Schema):
    value: str
    comment: str = ""


class CloseIn(Schema):
    note: str


class FollowUpOut(Schema):
    id: int
    value_id: int
    indicator: str
    indicator_name: str
    orgunit: str
    orgunit_code: str
    orgunit_name: str
    combination: str
    period: str
    flagged_value: str
    current_value: str | None
    method: str
    score: float | None
    expected: float | None
    lower: float | None
    upper: float | None
    reason: str
    status: str
    status_label: str
    created_at: datetime.datetime
    created_by: str | None
    answer: str
    answered_at: datetime.datetime | None
    answered_by: str | None
    closing_note: str
    closed_at: datetime.datetime | None
    closed_by: str | None


class FollowUpPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[FollowUpOut]


def _username(user) -> str | None:
    return user.username if user else None


def _float(number) -> float | None:
    return None if number is None else float(number)


def _followup_out(item: FollowUp) -> dict:
    value = item.value
    return {
        "id": item.pk,
        "value_id": value.pk,
        "indicator": value.indicator.code,
        "indicator_name": value.indicator.name,
        "orgunit": value.orgunit.uid,
        "orgunit_code": value.orgunit.code,
        "orgunit_name": value.orgunit.name,
        "combination": value.combination.uid,
        "period": value.period,
        "flagged_value": item.flagged_value,
        "current_value": None if value.deleted else value.value,
        "method": item.method,
        "score": item.score,
        "expected": _float(item.expected),
        "lower": _float(item.lower),
        "upper": _float(item.upper),
        "reason": item.reason,
        "status": item.status,
        "status_label": str(FollowUpStatus(item.status).label),
        "created_at": item.created_at,
        "created_by": _username(item.created_by),
        "answer": item.answer,
        "answered_at": item.answered_at,
        "answered_by": _username(item.answered_by),
        "closing_note": item.closing_note,
        "closed_at": item.closed_at,
        "closed_by": _username(item.closed_by),
    }


def _followup_step(request, followup_id: int, take) -> dict:
    with refusals():
        take(followups.get(request.auth, followup_id))
        return _followup_out(followups.get(request.auth, followup_id))


@router.get(
    "/followups",
    response=FollowUpPage,
    auth=permitted(FollowUp, "view"),
    operation_id="quality_followups",
    url_name="quality_followups",
)
def followup_list(
    request,
    status: str | None = None,
    indicator: str | None = None,
    orgunit: str | None = None,
    value: int | None = None,
    id: int | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """Follow-ups of suspect values the caller may see (an agency: its own units'),
    newest first."""
    queryset = followups.followups(
        request.auth, status=status, indicator=indicator, orgunit=orgunit, value=value
    )
    if id is not None:
        queryset = queryset.filter(pk=id)
    return paginate(request, queryset, limit, offset, _followup_out)


@router.post(
    "/followups",
    response=FollowUpOut,
    auth=permitted(FollowUp, "add"),
    operation_id="quality_followup_open",
    url_name="quality_followup_open",
)
def followup_open(request, body: FollowUpIn):
    """Send a value to follow-up: its agency is asked to explain or correct it."""
    with refusals():
        item = followups.open_followup(request.auth, body.value_id, body.reason)
    return _followup_out(followups.get(request.auth, item.pk))


@router.post(
    "/followups/{followup_id}/explain",
    response=FollowUpOut,
    auth=permitted(FollowUp, "change"),
    operation_id="quality_followup_explain",
    url_name="quality_followup_explain",
)
def followup_explain(request, followup_id: int, body: AnswerIn):
    """The agency explains why the value is right."""
    return _followup_step(
        request, followup_id, lambda item: followups.explain(request.auth, item, body.answer)
    )


@router.post(
    "/followups/{followup_id}/correct",
    response=FollowUpOut,
    auth=permitted(FollowUp, "change"),
    operation_id="quality_followup_correct",
    url_name="quality_followup_correct",
)
def followup_correct(request, followup_id: int, body: CorrectionIn):
    """The agency corrects the value (the usual rules of a write apply)."""
    return _followup_step(
        request,
        followup_id,
        lambda item: followups.correct(request.auth, item, body.value, body.comment),
    )


@router.post(
    "/followups/{followup_id}/close",
    response=FollowUpOut,
    auth=permitted(FollowUp, "close"),
    operation_id="quality_followup_close",
    url_name="quality_followup_close",
)
def followup_close(request, followup_id: int, body: CloseIn):
    """The center closes the follow-up with a note."""
    return _followup_step(
        request, followup_id, lambda item: followups.close(request.auth, item, body.note)
    )


# --- bounds ---------------------------------------------------------------------------------
class BoundIn(Schema):
    indicator: str
    orgunit: str
    combination: str | None = None
    lower: Decimal | None = None
    upper: Decimal | None = None


class GenerateIn(Schema):
    indicator: str
    factor: float = 4.0
    orgunit: str | None = None


class BoundOut(Schema):
    indicator: str
    orgunit: str
    orgunit_code: str
    orgunit_name: str
    combination: str | None
    lower: float | None
    upper: float | None
    generated: bool
    updated_at: datetime.datetime


class BoundPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[BoundOut]


class GeneratedOut(Schema):
    indicator: str
    factor: float
    generated: int
    replaced: int
    kept_manual: int


def _bound_out(bound: ValueBound) -> dict:
    return {
        "indicator": bound.indicator.code,
        "orgunit": bound.orgunit.uid,
        "orgunit_code": bound.orgunit.code,
        "orgunit_name": bound.orgunit.name,
        "combination": bound.combination.uid if bound.combination_id else None,
        "lower": _float(bound.lower),
        "upper": _float(bound.upper),
        "generated": bound.generated,
        "updated_at": bound.updated_at,
    }


@router.get(
    "/bounds",
    response=BoundPage,
    auth=permitted(ValueBound, "view"),
    operation_id="quality_bounds",
    url_name="quality_bounds",
)
def bounds_list(
    request,
    indicator: str | None = None,
    orgunit: str | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """Min-max bounds of values, generated or set by hand."""
    queryset = ValueBound.objects.restrict(request.auth, "view").select_related(
        "indicator", "orgunit", "combination"
    )
    if indicator:
        queryset = queryset.filter(indicator__code=indicator)
    if orgunit:
        queryset = queryset.filter(orgunit__uid=orgunit)
    return paginate(request, queryset, limit, offset, _bound_out)


@router.post(
    "/bounds",
    response=BoundOut,
    auth=permitted(ValueBound, "change"),
    operation_id="quality_bound_set",
    url_name="quality_bound_set",
)
def bound_set(request, body: BoundIn):
    """Set a unit's bounds for an indicator by hand (kept when bounds are generated)."""
    with refusals(None):
        bound = outliers.set_bound(
            request.auth, body.indicator, body.orgunit, body.combination, body.lower, body.upper
        )
    return _bound_out(bound)


@router.post(
    "/bounds/generate",
    response=GeneratedOut,
    auth=permitted(ValueBound, "add"),
    operation_id="quality_bounds_generate",
    url_name="quality_bounds_generate",
)
def bounds_generate(request, body: GenerateIn):
    """Generate the bounds of every unit's series from its history: median +- factor x
    scaled median absolute deviation."""
    with refusals(None):
        return outliers.generate_bounds(
            request.auth, body.indicator, factor=body.factor, orgunit_uid=body.orgunit
        )


# --- validation rules -------------------------------------------------------------------------
class RuleIn(Schema):
    code: str
    name: str | None = None
    name_en: str | None = None
    instruction: str | None = None
    importance: str | None = None
    period_type: str | None = None
    left: str | None = None
    left_missing: str | None = None
    operator: str | None = None
    right: str | None = None
    right_missing: str | None = None
    unit_kinds: list[str] | None = None
    active: bool | None = None
    groups: list[str] | None = None


class RuleOut(Schema):
    code: str
    name: str
    name_en: str
    instruction: str
    importance: str
    period_type: str
    left: str
    left_missing: str
    operator: str
    right: str
    right_missing: str
    unit_kinds: list[str]
    groups: list[str]
    active: bool


class RulePage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[RuleOut]


class RunIn(Schema):
    group: str | None = None
    rules: list[str] | None = None
    orgunit: str | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    periods: list[str] | None = None


class RunOut(Schema):
    queued: bool = False
    rules: int = 0
    values: int = 0
    reports: int = 0
    checks: int = 0
    violations: int = 0
    seconds: float = 0.0
    by_rule: dict[str, int] = {}


class ViolationOut(Schema):
    id: int
    rule: str
    rule_name: str
    instruction: str
    importance: str
    orgunit: str
    orgunit_code: str
    orgunit_name: str
    period: str
    left: str
    operator: str
    right: str
    left_value: float | None
    right_value: float | None
    values: dict
    found_at: datetime.datetime


class ViolationPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ViolationOut]


def _rule_out(rule: ValidationRule) -> dict:
    return {
        **{name: getattr(rule, name) for name in rules.RULE_FIELDS},
        "code": rule.code,
        "groups": sorted(group.code for group in rule.groups.all()),
    }


@router.get(
    "/rules",
    response=RulePage,
    auth=public_api_auth,
    operation_id="quality_rules",
    url_name="quality_rules",
)
def rule_list(
    request,
    group: str | None = None,
    period_type: str | None = None,
    active: bool | None = None,
    limit: int = 200,
    offset: int = 0,
):
    """The validation rules (reference metadata, readable like the catalog)."""
    queryset = ValidationRule.objects.restrict(request.auth, "view").prefetch_related("groups")
    if group:
        queryset = queryset.filter(groups__code=group)
    if period_type:
        queryset = queryset.filter(period_type=period_type)
    if active is not None:
        queryset = queryset.filter(active=active)
    return paginate(request, queryset, limit, offset, _rule_out)


@router.post(
    "/rules",
    response=RuleOut,
    auth=permitted(ValidationRule, "add"),
    operation_id="quality_rule_save",
    url_name="quality_rule_save",
)
def rule_save(request, body: RuleIn):
    """Create a rule, or change the one with this code (only the fields sent)."""
    fields = body.dict(exclude_unset=True)
    code, groups = fields.pop("code"), fields.pop("groups", None)
    with refusals(None):
        rule = rules.save_rule(request.auth, code, groups=groups, **fields)
    return _rule_out(rule)


@router.post(
    "/rules/run",
    response=RunOut,
    auth=permitted(RuleViolation, "run"),
    operation_id="quality_rules_run",
    url_name="quality_rules_run",
)
def rules_run(request, body: RunIn):
    """Check data against the rules (all active ones, a group's, or those listed) within
    the caller's view scope, a unit's subtree and a window of periods; the violations found
    replace those stored for the same rules, units and periods. Without a unit or periods the
    whole store is checked by the worker (``queued``)."""
    with refusals(None):
        chosen, unit_ids = rules.selection(
            request.auth, group=body.group, codes=body.rules, orgunit_uid=body.orgunit
        )
        if unit_ids is None and not (body.start or body.end or body.periods):
            rules.queue_run(request.auth, [rule.pk for rule in chosen])
            return {"queued": True}
        result = rules.run(
            request.auth,
            rules=chosen,
            unit_ids=unit_ids,
            start=body.start,
            end=body.end,
            period_codes=body.periods,
        )
    return {"queued": False, **result.__dict__}


@router.get(
    "/violations",
    response=ViolationPage,
    auth=permitted(RuleViolation, "view"),
    operation_id="quality_violations",
    url_name="quality_violations",
)
def violation_list(
    request,
    rule: str | None = None,
    group: str | None = None,
    orgunit: str | None = None,
    period: str | None = None,
    importance: str | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """Rule violations found at the last check, within the caller's view scope (an agency:
    its own units; ``orgunit``: that unit's subtree), newest periods first."""
    with refusals(None):
        queryset = rules.violations(
            request.auth,
            rule=rule,
            group=group,
            orgunit_uid=orgunit,
            period=period,
            importance=importance,
        )
    return paginate(
        request,
        queryset,
        limit,
        offset,
        lambda item: {
            "id": item.pk,
            "rule": item.rule.code,
            "rule_name": item.rule.name,
            "instruction": item.rule.instruction,
            "importance": item.rule.importance,
            "orgunit": item.orgunit.uid,
            "orgunit_code": item.orgunit.code,
            "orgunit_name": item.orgunit.name,
            "period": item.period,
            "left": item.rule.left,
            "operator": item.rule.operator,
            "right": item.rule.right,
            "left_value": item.left_value,
            "right_value": item.right_value,
            "values": item.values,
            "found_at": item.found_at,
        },
    )


# --- scorecard --------------------------------------------------------------------------------
class MarkOut(Schema):
    period: str
    status: str
    violations: int


class ScoreOut(Schema):
    rank: int
    orgunit: str
    orgunit_code: str
    orgunit_name: str
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    complete: int
    completeness_rate: float | None
    on_time_rate: float | None
    complete_rate: float | None
    validation_pass_rate: float | None
    violations: int
    values: int
    followups: int
    followups_open: int
    outlier_rate: float | None
    timeline: list[MarkOut]


class ScorecardOut(Schema):
    regime: str
    periods: list[str]
    totals: TotalsOut
    by_period: dict[str, TotalsOut]
    agencies: list[ScoreOut]


def score_out(rank: int, score: services.UnitScore) -> dict:
    totals = score.totals
    return {
        "rank": rank,
        "orgunit": score.unit.uid,
        "orgunit_code": score.unit.code,
        "orgunit_name": score.unit.name,
        "expected": totals.expected,
        "received": totals.received,
        "on_time": totals.on_time,
        "late": totals.late,
        "missing": totals.missing,
        "complete": totals.complete,
        "completeness_rate": totals.received_rate,
        "on_time_rate": totals.on_time_rate,
        "complete_rate": totals.complete_rate,
        "validation_pass_rate": score.validation_pass_rate,
        "violations": score.violations,
        "values": score.values,
        "followups": score.followups,
        "followups_open": score.followups_open,
        "outlier_rate": score.outlier_rate,
        "timeline": [mark.__dict__ for mark in score.timeline],
    }


@router.get(
    "/scorecard",
    response=ScorecardOut,
    auth=permitted(Submission, "view"),
    operation_id="quality_scorecard",
    url_name="quality_scorecard",
)
def scorecard(request, regime: str, period: Query[list[str]], format: str = "json"):
    """The quality scorecard of every reporter of ``regime`` over the periods asked for,
    best first: completeness, timeliness, completeness of compulsory cells, validation pass
    rate (received reports that break no rule), outlier rate (values sent to follow-up per
    100 values), open follow-ups, and each period's status. ``format=csv`` downloads it."""
    with refusals(None):
        result, ranked = services.scorecard(request.auth, regime, period)
    rows = [score_out(rank, score) for rank, score in enumerate(ranked, start=1)]
    if format == "csv":
        audit_export(request.auth, "scorecard", {"regime": regime, "periods": period})
        header = [name for name in ScoreOut.model_fields if name != "timeline"]
        return csv_response(
            f"scorecard-{regime}.csv", header, ([row[name] for name in header] for row in rows)
        )
    return {
        "regime": result.regime.code,
        "periods": [p.code for p in result.periods],
        "totals": _totals_out(result.totals),
        "by_period": {code: _totals_out(t) for code, t in result.by_period.items()},
        "agencies": rows,
    }


# --- cross-source consistency -----------------------------------------------------------------
class ComparisonOut(Schema):
    indicator: str
    indicator_name: str
    period: str
    reference_unit: str | None
    reference_unit_name: str | None
    reference: float | None
    total: float | None
    reporting: int
    expected: int
    difference: float | None
    relative: float | None
    status: str


class ConsistencyOut(Schema):
    level: str
    reference: str
    tolerance: float
    count: int
    different: int
    results: list[ComparisonOut]


@router.get(
    "/consistency",
    response=ConsistencyOut,
    auth=permitted(DataValue, "view"),
    operation_id="quality_consistency",
    url_name="quality_consistency",
)
def consistency_list(
    request,
    period: Query[list[str]],
    indicator: Query[list[str]] = None,
    reference: str = consistency.NATIONAL,
    level: str = "province",
    tolerance: float = 1.0,
    differences_only: bool = False,
):
    """The same quantity from two sources: for each additive indicator (those named, or all
    reported at ``level``) and period, the reference figure (``national``: the country's;
    ``owner``: the responsible ministry's; or a unit's uid) against the sum of ``level``'s
    units, with the difference and its share of the reference; ``status`` is consistent
    within ``tolerance`` percent, different beyond it, incomplete when a side is missing."""
    with refusals(None):
        found = consistency.compare(
            request.auth,
            period,
            indicator_codes=[c for text in indicator or [] for c in text.split(",") if c],
            reference=reference,
            level=level,
            tolerance=tolerance,
        )
    rows = [
        {
            "indicator": item.indicator.code,
            "indicator_name": item.indicator.name,
            "period": item.period.code,
            "reference_unit": item.reference_unit.uid if item.reference_unit else None,
            "reference_unit_name": item.reference_unit.name if item.reference_unit else None,
            "reference": item.reference,
            "total": item.total,
            "reporting": item.reporting,
            "expected": item.expected,
            "difference": item.difference,
            "relative": item.relative,
            "status": item.status,
        }
        for item in found
    ]
    different = sum(row["status"] == "different" for row in rows)
    if differences_only:
        rows = [row for row in rows if row["status"] == "different"]
    return {
        "level": level,
        "reference": reference,
        "tolerance": tolerance,
        "count": len(rows),
        "different": different,
        "results": rows,
    }
