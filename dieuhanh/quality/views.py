"""Pages of data quality: an agency's tasks and the country's scorecard, the approval of
reports with each report's timeline, follow-ups of suspect values, outliers of an indicator
and rule violations. Thin: the work is in ``services``, ``approval``, ``followups``,
``outliers`` and ``rules``."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from dieuhanh.catalog.models import Indicator, ReportingRegime, Status
from dieuhanh.core import periods
from dieuhanh.core.paging import page_of
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues.models import DataValue, Submission, SubmissionStatus
from dieuhanh.datavalues.views import status_badge
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.quality import approval, consistency, followups, outliers, rules, services
from dieuhanh.quality.models import FollowUp, FollowUpStatus, Importance, RuleViolation

SCORECARD_PERIODS = 6
FOLLOWUP_CSS = {
    FollowUpStatus.OPEN: "text-bg-warning",
    FollowUpStatus.EXPLAINED: "text-bg-info",
    FollowUpStatus.CORRECTED: "text-bg-primary",
    FollowUpStatus.CLOSED: "text-bg-secondary",
}


def _entry_url(submission: Submission) -> str:
    return reverse(
        "datavalues:entry",
        args=[submission.regime.code, submission.orgunit.uid, submission.period],
    )


def _back(request, default: str) -> str:
    """Where a step returns to: the page it came from, when it is one of ours."""
    back = request.POST.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return default


def _default_until() -> str:
    """The unlock form's proposal: a week from now, as a datetime-local input wants it."""
    return (timezone.localtime() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")


def _report_rows(user, submissions) -> list[dict]:
    return [
        {
            "submission": s,
            "status": status_badge(s),
            "actions": approval.actions_for(user, s),
            "entry_url": _entry_url(s),
            "url": reverse("quality:report", args=[s.regime.code, s.orgunit.uid, s.period]),
        }
        for s in submissions
    ]


# --- home: tasks and scorecard ----------------------------------------------------------------
@login_required
def home(request):
    user = request.user
    if not permits(user, Submission, "view"):
        raise denied(Submission, "view")
    tasks = services.tasks_for(user)
    regimes = list(
        ReportingRegime.objects.restrict(user, "view")
        .filter(status=Status.ACTIVE)
        .exclude(period_type=periods.PeriodType.HOURLY)
        .annotate(cells=Count("sections__items"))
        .order_by("period_type", "code")
    )
    # The one asked for, else the main monthly report (the one with the most indicators).
    regime = next((r for r in regimes if r.code == request.GET.get("regime")), None)
    monthly = [r for r in regimes if r.period_type == periods.PeriodType.MONTHLY]
    regime = regime or max(monthly, key=lambda r: r.cells, default=None)
    regime = regime or (regimes[0] if regimes else None)
    scorecard, ranked, chart = None, [], None
    if regime is not None:
        current = periods.for_date(regime.period_type, timezone.localdate(), hour=0)
        codes = [current.shift(-n).code for n in range(SCORECARD_PERIODS, 0, -1)]
        scorecard, ranked = services.scorecard(user, regime.code, codes)
        chart = {
            "periods": [p.label() for p in scorecard.periods],
            "series": {
                name: [scorecard.by_period[p.code].__dict__[name] for p in scorecard.periods]
                for name in ("on_time", "late", "missing", "pending")
            },
            "labels": {
                "on_time": _("On time"),
                "late": _("Late"),
                "missing": _("Missing"),
                "pending": _("Not due yet"),
            },
        }
    return render(
        request,
        "quality/home.html",
        {
            "tasks": tasks,
            "to_approve": _report_rows(user, tasks.to_approve),
            "to_accept": _report_rows(user, tasks.to_accept),
            "returned": _report_rows(user, tasks.returned),
            "unlocked": _report_rows(user, tasks.unlocked),
            "regimes": regimes,
            "regime": regime,
            "scorecard": scorecard,
            "ranked": ranked,
            "chart": chart,
            "default_until": _default_until(),
        },
    )


# --- approval ---------------------------------------------------------------------------------
@login_required
def reports(request):
    user = request.user
    if not permits(user, Submission, "view"):
        raise denied(Submission, "view")
    status = request.GET.get("status") or None
    if status not in SubmissionStatus.values:
        status = None
    actionable = request.GET.get("actionable") == "on"
    queryset = approval.reports(
        user,
        regime=request.GET.get("regime") or None,
        period=request.GET.get("period") or None,
        status=status,
        actionable=actionable,
    )
    page, query = page_of(request, queryset, 30)
    return render(
        request,
        "quality/reports.html",
        {
            "page": page,
            "query": query,
            "rows": _report_rows(user, page),
            "statuses": SubmissionStatus.choices,
            "status": status or "",
            "actionable": actionable,
            "regimes": ReportingRegime.objects.restrict(user, "view").order_by("code"),
            "regime": request.GET.get("regime", ""),
            "period": request.GET.get("period", ""),
            "default_until": _default_until(),
        },
    )


@login_required
def report(request, regime, unit, period):
    user = request.user
    if not permits(user, Submission, "view"):
        raise denied(Submission, "view")
    try:
        submission = approval.find_report(user, regime, unit, period)
    except (approval.NotFound, ValidationError) as error:
        raise Http404(str(error)) from error
    steps = submission.events.restrict(user, "view").select_related("user")
    return render(
        request,
        "quality/report.html",
        {
            "row": _report_rows(user, [submission])[0],
            "submission": submission,
            "steps": steps,
            "default_until": _default_until(),
        },
    )


@login_required
def report_step(request, regime, unit, period):
    """One approval step from a page: approve, accept, return (reason), unlock (reason,
    until); back to where it came from with what happened."""
    user = request.user
    if not permits(user, Submission, "view"):
        raise denied(Submission, "view")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    reason = request.POST.get("reason", "")

    def approve(submission):
        approval.approve(user, submission, channel="web")
        return _("The report is approved.")

    def accept(submission):
        approval.accept(user, submission, channel="web")
        return _("The report is accepted.")

    def give_back(submission):
        approval.return_report(user, submission, reason, channel="web")
        return _("The report is returned to the agency.")

    def unlock(submission):
        until = parse_datetime(request.POST.get("until", ""))
        if until is not None and timezone.is_naive(until):
            until = timezone.make_aware(until)
        approval.unlock(user, submission, reason, until, channel="web")
        return _("The report is unlocked until %(time)s.") % {
            "time": timezone.localtime(until).strftime("%d/%m/%Y %H:%M")
        }

    _take(
        request,
        lambda: approval.find_report(user, regime, unit, period),
        {"approve": approve, "accept": accept, "return": give_back, "unlock": unlock},
    )
    return redirect(_back(request, reverse("quality:report", args=[regime, unit, period])))


def _take(request, find, steps: dict) -> None:
    """One step from a page's form (``action`` picks it from ``steps``): its success
    message, or the refusal's; a target the user cannot see is a 404."""
    try:
        target = find()
        step = steps.get(request.POST.get("action", ""))
        if step is None:
            raise ValidationError(_("Unknown step."), code="unknown_step")
        done = step(target)
    except (approval.NotFound, FollowUp.DoesNotExist) as error:
        raise Http404(str(error)) from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)


# --- follow-ups -------------------------------------------------------------------------------
@login_required
def followup_list(request):
    user = request.user
    if not permits(user, FollowUp, "view"):
        raise denied(FollowUp, "view")
    status = request.GET.get("status", FollowUpStatus.OPEN)
    if status not in FollowUpStatus.values and status != "all":
        status = FollowUpStatus.OPEN
    queryset = followups.followups(user, status=None if status == "all" else status)
    page, query = page_of(request, queryset, 25)
    urls = _entry_urls([item.value for item in page])
    return render(
        request,
        "quality/followups.html",
        {
            "page": page,
            "query": query,
            "items": [
                {
                    "followup": item,
                    "css": FOLLOWUP_CSS[item.status],
                    "label": FollowUpStatus(item.status).label,
                    "open": item.status != FollowUpStatus.CLOSED,
                    "entry_url": urls.get(item.value_id),
                }
                for item in page
            ],
            "statuses": FollowUpStatus.choices,
            "status": status,
            "may_answer": permits(user, FollowUp, "change"),
            "may_close": permits(user, FollowUp, "close"),
        },
    )


def _entry_urls(values) -> dict[int, str]:
    """The entry form of each value (by value id): the first regime, by code, that holds
    its indicator; one query for a page of values."""
    regime_of: dict[int, str] = {}
    for indicator_id, code in (
        ReportingRegime.objects.filter(
            sections__items__indicator_id__in={value.indicator_id for value in values}
        )
        .order_by("code")
        .values_list("sections__items__indicator_id", "code")
    ):
        regime_of.setdefault(indicator_id, code)
    return {
        value.pk: reverse(
            "datavalues:entry",
            args=[regime_of[value.indicator_id], value.orgunit.uid, value.period],
        )
        for value in values
        if value.indicator_id in regime_of
    }


@login_required
def followup_step(request, pk: int):
    user = request.user
    if not permits(user, FollowUp, "view"):
        raise denied(FollowUp, "view")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    text = request.POST.get("text", "")

    def explain(item):
        followups.explain(user, item, text)
        return _("Your explanation is sent to the center.")

    def correct(item):
        followups.correct(user, item, request.POST.get("value", ""), text, "web")
        return _("The value is corrected.")

    def close(item):
        followups.close(user, item, text)
        return _("The follow-up is closed.")

    _take(
        request,
        lambda: followups.get(user, pk),
        {"explain": explain, "correct": correct, "close": close},
    )
    return redirect(_back(request, reverse("quality:followups")))


# --- outliers ---------------------------------------------------------------------------------
@login_required
def outlier_list(request):
    user = request.user
    if not permits(user, DataValue, "view"):
        raise denied(DataValue, "view")
    indicators = (
        Indicator.objects.restrict(user, "view")
        .filter(value_type__in=["number", "integer", "percent", "index"], formula="")
        .order_by("code")
    )
    code = request.GET.get("indicator") or ""
    report, error = None, ""
    if code:
        try:
            report = outliers.detect(user, code, limit=200)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    rows = []
    if report is not None:
        for item in report.outliers:
            rows.append(
                {
                    "item": item,
                    "unit": report.units[item.orgunit_id],
                    "combination": report.combinations.get(item.combination_id),
                    "methods": [outliers.OutlierMethod(m).label for m in item.methods],
                }
            )
    if request.method == "POST":
        try:
            opened = followups.open_followup(
                user, int(request.POST.get("value", "0")), request.POST.get("reason", "")
            )
        except (ValueError, FollowUp.DoesNotExist) as refusal:
            messages.error(request, str(refusal))
        except (ValidationError, PermissionDenied) as refusal:
            messages.error(request, " ".join(getattr(refusal, "messages", [str(refusal)])))
        else:
            messages.success(
                request, _("Sent to follow-up: the agency is asked to explain or correct it.")
            )
            return redirect(
                f"{reverse('quality:outliers')}?indicator={opened.value.indicator.code}"
            )
        return redirect(f"{reverse('quality:outliers')}?indicator={code}")
    return render(
        request,
        "quality/outliers.html",
        {
            "indicators": indicators,
            "code": code,
            "report": report,
            "rows": rows,
            "error": error,
            "may_send": permits(user, FollowUp, "add"),
        },
    )


# --- violations -------------------------------------------------------------------------------
@login_required
def violation_list(request):
    user = request.user
    if not permits(user, RuleViolation, "view"):
        raise denied(RuleViolation, "view")
    importance = request.GET.get("importance") or None
    if importance not in Importance.values:
        importance = None
    period = request.GET.get("period") or None
    if request.method == "POST":
        if not permits(user, RuleViolation, "run"):
            raise denied(RuleViolation, "run")
        start = timezone.localdate().replace(day=1) - datetime.timedelta(days=366)
        result = rules.run(user, start=start)
        messages.success(
            request,
            _("Checked %(values)s values of %(reports)s reports: %(violations)s violations.")
            % {
                "values": f"{result.values:,}".replace(",", "."),
                "reports": f"{result.reports:,}".replace(",", "."),
                "violations": f"{result.violations:,}".replace(",", "."),
            },
        )
        return redirect("quality:violations")
    visible = rules.violations(user)
    units = OrgUnit.objects.filter(
        pk__in=visible.order_by().values("orgunit_id").distinct()
    ).order_by("kind", "name")[:500]
    unit = request.GET.get("orgunit") or None
    try:
        queryset = rules.violations(user, importance=importance, period=period, orgunit_uid=unit)
    except ValidationError:
        queryset, unit = visible.none(), None
    page, query = page_of(request, queryset, 50)
    return render(
        request,
        "quality/violations.html",
        {
            "page": page,
            "query": query,
            "importance": importance or "",
            "importances": Importance.choices,
            "period": period or "",
            "units": units,
            "unit": unit or "",
            "may_run": permits(user, RuleViolation, "run"),
        },
    )


# --- cross-source consistency -----------------------------------------------------------------
@login_required
def consistency_list(request):
    user = request.user
    if not permits(user, DataValue, "view"):
        raise denied(DataValue, "view")
    today = timezone.localdate()
    month = periods.for_date(periods.PeriodType.MONTHLY, today, hour=0)
    quarter = periods.for_date(periods.PeriodType.QUARTERLY, today, hour=0)
    choices = [month.shift(-n).code for n in range(1, 13)] + [
        quarter.shift(-n).code for n in range(1, 5)
    ]
    chosen = request.GET.get("period") or choices[0]
    try:
        tolerance = float(request.GET.get("tolerance") or 1)
    except ValueError:
        tolerance = 1.0
    rows, error = [], ""
    try:
        rows = consistency.compare(user, [chosen], tolerance=tolerance)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    rows.sort(key=lambda row: (row.status != "different", -abs(row.relative or 0)))
    return render(
        request,
        "quality/consistency.html",
        {
            "rows": rows,
            "error": error,
            "choices": choices,
            "period": chosen,
            "tolerance": tolerance,
            "different": sum(row.status == "different" for row in rows),
        },
    )
