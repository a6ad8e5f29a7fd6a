"""Pages of web data entry: choose a report (regime, unit, period), then fill in its grid
and narrative sections, which save themselves as the user types, and submit it. Thin: the
form, the rules and the writes live in ``entry``."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.scopes import scope_unit_ids
from dieuhanh.catalog import services as catalog_services
from dieuhanh.catalog.models import (
    DEFAULT_COMBINATION_UID,
    ReportingRegime,
    Status,
    ValueType,
)
from dieuhanh.core import periods
from dieuhanh.core.querysets import permits
from dieuhanh.core.templatetags.dieuhanh import vn_number
from dieuhanh.datavalues import entry as entry_service
from dieuhanh.datavalues.models import DataValue, SubmissionStatus
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind

NUMERIC_TYPES = {ValueType.NUMBER, ValueType.INTEGER, ValueType.PERCENT, ValueType.INDEX}
MAX_CELLS = 5000  # one request of the grid; a whole regime is a few hundred cells
# A change from last period this large (in percent) is worth a second look.
LARGE_CHANGE = 50


# --- choosing a report -----------------------------------------------------------------------
def _recent_reports(user) -> list[dict]:
    return [
        {
            **report,
            "status": status_badge(report["submission"], report["locked"], report["approved"]),
            "url": reverse(
                "datavalues:entry",
                args=[
                    report["submission"].regime.code,
                    report["submission"].orgunit.uid,
                    report["period"].code,
                ],
            ),
        }
        for report in entry_service.recent_reports(user)
    ]


def _unit_groups(units):
    """Units grouped by kind for the select's option groups, in the kinds' order."""
    order = {kind: index for index, kind in enumerate(OrgUnitKind.values)}
    groups: dict[str, list] = {}
    for unit in sorted(units, key=lambda u: (order.get(u.kind, 99), u.code, u.name)):
        groups.setdefault(unit.kind, []).append(unit)
    return [(OrgUnitKind(kind).label, members) for kind, members in groups.items()]


@login_required
def choose_report(request):
    user = request.user
    can_view = permits(user, DataValue, "view")
    can_add = permits(user, DataValue, "add")
    action = "add" if can_add else "view"
    regimes = []
    if can_view:
        for regime in (
            ReportingRegime.objects.restrict(user, "view")
            .filter(status=Status.ACTIVE)
            .order_by("period_type", "code")
        ):
            regimes.append((regime, entry_service.reporting_units(user, regime, action)))
    # The regime asked for, else the first one the user reports under.
    wanted = request.GET.get("regime", "")
    chosen = next((item for item in regimes if item[0].code == wanted), None)
    chosen = chosen or next((item for item in regimes if item[1]), None)
    chosen = chosen or (regimes[0] if regimes else None)
    regime, units = chosen if chosen else (None, [])
    period_choices = entry_service.period_choices(regime) if regime else []
    unit_uid = request.GET.get("unit", "")
    if not any(unit.uid == unit_uid for unit in units):
        unit_uid = units[0].uid if len(units) == 1 else ""
    period_code = request.GET.get("period", "")
    if not any(choice["code"] == period_code for choice in period_choices):
        period_code = period_choices[0]["code"] if period_choices else ""
    if request.GET.get("open") and regime and unit_uid and period_code:
        return redirect("datavalues:entry", regime=regime.code, unit=unit_uid, period=period_code)
    error = ""
    if request.GET.get("open"):
        error = _("Choose a reporting regime, a unit and a period.")
    return render(
        request,
        "datavalues/choose.html",
        {
            "can_view": can_view,
            "can_add": can_add,
            "regimes": regimes,
            "regime": regime,
            "unit_groups": _unit_groups(units),
            "unit_count": len(units),
            "unit_uid": unit_uid,
            "period_choices": period_choices,
            "period_code": period_code,
            "error": error,
            "recent": _recent_reports(user) if can_view else [],
        },
    )


# --- the entry page --------------------------------------------------------------------------
# The colour of each approval status' badge.
STATUS_CSS = {
    SubmissionStatus.SUBMITTED: "text-bg-primary",
    SubmissionStatus.APPROVED: "text-bg-info",
    SubmissionStatus.ACCEPTED: "text-bg-success",
    SubmissionStatus.RETURNED: "text-bg-warning",
}


def status_badge(submission, locked: bool = False, approved: bool = False) -> dict:
    """The report's status badge: locked, its approval status (unlocked for a time when the
    center opened it again), approved values without a report, or draft."""
    if locked:
        return {"code": "locked", "label": _("Locked"), "css": "text-bg-dark"}
    if submission is not None:
        if submission.unlocked():
            return {"code": "unlocked", "label": _("Unlocked"), "css": "text-bg-warning"}
        status = SubmissionStatus(submission.status)
        return {"code": status.value, "label": status.label, "css": STATUS_CSS[status]}
    if approved:
        return {"code": "approved", "label": _("Approved"), "css": "text-bg-info"}
    return {"code": "draft", "label": _("Draft"), "css": "text-bg-secondary"}


def _shown(value, value_type: str) -> str:
    """A stored value the way the grid shows it: numbers the Vietnamese way."""
    if value is None or value == "":
        return ""
    if value_type in NUMERIC_TYPES:
        return vn_number(value)
    if value_type == ValueType.BOOLEAN:
        try:
            yes = Decimal(value) != 0
        except InvalidOperation:
            return value
        return _("yes") if yes else _("no")
    return value


def _change_shown(change: float | None) -> str:
    if change is None:
        return ""
    sign = "+" if change > 0 else ""
    return f"{sign}{vn_number(round(change, 1), 1)}%"


def _decorate(form) -> None:
    """What the template shows beside the form's own data: display texts of each cell and
    whether a block is the single "value" column of the default disaggregation."""
    for section in form.sections:
        for block in section.blocks:
            first = block.rows[0].cells if block.rows else []
            block.is_default = len(first) == 1 and first[0].combination_uid == (
                DEFAULT_COMBINATION_UID
            )
            for row in block.rows:
                numeric = row.value_type in NUMERIC_TYPES
                row.input_mode = (
                    "numeric"
                    if row.value_type == ValueType.INTEGER
                    else ("decimal" if numeric else "text")
                )
                for cell in row.cells:
                    cell.shown = _shown(cell.value, row.value_type)
                    cell.previous_shown = _shown(cell.previous, row.value_type)
                    change = cell.change if numeric else None
                    cell.change_shown = _change_shown(change)
                    cell.change_large = change is not None and abs(change) >= LARGE_CHANGE
                    cell.dom_id = f"c-{row.code}-{cell.combination_uid}"


def _js_messages() -> dict:
    """The texts the grid's script shows, in the user's language."""
    return {
        "saving": _("Saving…"),
        "saved": _("Saved"),
        "allSaved": _("All changes saved"),
        "unsaved": _("Unsaved changes"),
        "notNumber": _("Not a number."),
        "notWhole": _("Not a whole number."),
        "notYesNo": _("Type yes or no (có/không, 1/0)."),
        "yes": _("yes"),
        "no": _("no"),
        "offline": _("Could not reach the server; retrying…"),
        "expired": _("Your session has ended: reload the page and sign in again."),
        "refused": _("Not saved: %(reason)s"),
        "readOnly": _("The report can no longer be changed; reload the page."),
        "errors": _("Cells to fix: %(count)s"),
        "invalidBeforeSubmit": _("Fix the cells marked in red before submitting."),
        "last": _("Last period"),
        "savedAt": _("Saved at %(time)s"),
    }


def _report_or_404(request, regime, unit, period):
    """(regime, unit, period), or the page that says why the report cannot be opened."""
    try:
        return entry_service.find_report(request.user, regime, unit, period), None
    except ValidationError as error:
        page = render(
            request,
            "datavalues/not_found.html",
            {"message": " ".join(error.messages)},
            status=404,
        )
        return None, page


@login_required
def entry(request, regime, unit, period):
    if not permits(request.user, DataValue, "view"):
        raise PermissionDenied(_("You may not view report data."))
    report, page = _report_or_404(request, regime, unit, period)
    if page is not None:
        return page
    regime, unit, period = report
    form = entry_service.entry_form(request.user, regime, unit, period)
    _decorate(form)
    schedule = None
    if regime.period_type != periods.PeriodType.HOURLY:
        schedule = catalog_services.scheduled(regime, period)
    today = timezone.localdate()
    upcoming = period.next()
    args = [regime.code, unit.uid]
    total = form.total
    filled = form.filled
    warnings = _rule_warnings(request.user, report)
    flagged = {code for warning in warnings for code in warning["indicators"]}
    for section in form.sections:
        for block in section.blocks:
            for row in block.rows:
                row.warnings = [w for w in warnings if row.code.upper() in w["indicators"]]
    return render(
        request,
        "datavalues/entry.html",
        {
            "form": form,
            "warnings": warnings,
            "flagged": flagged,
            "regime": regime,
            "unit": unit,
            "period": period,
            "period_label": period.label(),
            "schedule": schedule,
            "overdue": bool(
                schedule
                and form.submission is None
                and not form.locked
                and today > schedule.deadline
            ),
            "status": status_badge(form.submission, form.locked, form.approved),
            "filled": filled,
            "total": total,
            "percent": round(100 * filled / total) if total else 0,
            "previous_url": reverse("datavalues:entry", args=[*args, form.previous_period.code]),
            "previous_label": form.previous_period.label(),
            "next_url": (
                reverse("datavalues:entry", args=[*args, upcoming.code])
                if upcoming.start <= today
                else ""
            ),
            "next_label": upcoming.label(),
            "can_submit": form.can_submit,
            "template_url": reverse("api-v1:datavalues_template")
            + "?"
            + urlencode({"regime": regime.code, "orgunit": unit.uid, "period": period.code}),
            "js_messages": _js_messages(),
        },
    )


# --- writes: cells, narratives, submission ---------------------------------------------------
def _refusal(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"ok": False, "errors": [{"index": None, "message": message}], "saved": 0}, status=status
    )


def _writable_report(request, regime, unit, period):
    """(regime, unit, period, None) for a write, or (..., the JSON refusal): 403 without the
    permission or outside the capture scope, 404 for an unknown report, 409 when the report
    is read-only (locked or approved)."""
    user = request.user
    if not permits(user, DataValue, "add"):
        return None, _refusal(403, _("You may not enter data."))
    try:
        report = entry_service.find_report(user, regime, unit, period)
    except ValidationError as error:
        if error.code == "unknown_unit" and OrgUnit.objects.filter(uid=unit).exists():
            return None, _refusal(403, _("You may not enter data for this unit."))
        return None, _refusal(404, " ".join(error.messages))
    allowed = scope_unit_ids(user, "add")
    if allowed is not None and report[1].pk not in allowed:
        return None, _refusal(403, _("You may not enter data for this unit."))
    return report, None


def _read_only_refusal(form) -> JsonResponse | None:
    if form.editable:
        return None
    if form.locked or form.approved:
        return _refusal(409, form.reason)
    return _refusal(403, form.reason)


def _cell_inputs(body) -> list[entry_service.CellInput] | None:
    """The cells of a save request, or None when the body is not what the grid sends."""
    if not isinstance(body, dict) or not isinstance(body.get("cells"), list):
        return None
    if len(body["cells"]) > MAX_CELLS:
        return None
    cells = []
    for item in body["cells"]:
        if not isinstance(item, dict) or not isinstance(item.get("indicator"), str):
            return None
        combination, value, comment = (
            item.get("combination"),
            item.get("value"),
            item.get("comment"),
        )
        if combination is not None and not isinstance(combination, str):
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
            return None
        if comment is not None and not isinstance(comment, str):
            return None
        cells.append(
            entry_service.CellInput(
                item["indicator"],
                combination or None,
                None if value is None else str(value),
                comment,
            )
        )
    return cells


def _json_body(request):
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


@login_required
def save(request, regime, unit, period):
    report, refusal = _writable_report(request, regime, unit, period)
    if refusal is not None:
        return refusal
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    cells = _cell_inputs(_json_body(request))
    if cells is None:
        return _refusal(400, _("The request is not a list of cells."))
    form = entry_service.entry_form(request.user, *report)
    refusal = _read_only_refusal(form)
    if refusal is not None:
        return refusal
    try:
        result = entry_service.save_cells(request.user, *report, cells)
    except PermissionDenied as error:
        return _refusal(403, str(error) or _("You may not enter data."))
    except ValidationError as error:
        return _refusal(400, " ".join(error.messages))
    errors = [{"index": c.index, "message": c.message} for c in result.conflicts]
    if result.error:
        errors.append({"index": None, "message": result.error})
    refused = {c.index for c in result.conflicts}
    return JsonResponse(
        {
            "ok": not errors,
            "errors": errors,
            "saved": 0 if result.error else len(cells) - len(refused),
            "warnings": _rule_warnings(request.user, report),
        }
    )


def _rule_warnings(user, report) -> list[dict]:
    """The validation rules the report's stored values break, to show beside its rows."""
    from dieuhanh.quality import rules

    return [rules.warning_of(finding) for finding in rules.report_findings(user, *report)]


def _wants_json(request) -> bool:
    return request.content_type == "application/json"


@login_required
def save_narrative(request, regime, unit, period):
    report, refusal = _writable_report(request, regime, unit, period)
    if refusal is not None:
        return refusal
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    as_json = _wants_json(request)
    body = _json_body(request) if as_json else request.POST
    section_id = body.get("section") if hasattr(body, "get") else None
    text = body.get("text") if hasattr(body, "get") else None
    try:
        section_id = int(section_id)
    except (TypeError, ValueError):
        section_id = None
    regime, unit, period = report
    refused: tuple[int, str] | None = None  # (HTTP status, why)
    try:
        narrative = entry_service.save_narrative(
            request.user,
            regime,
            unit,
            period,
            section_id,
            text.replace("\r\n", "\n") if isinstance(text, str) else text,
        )
    except PermissionDenied as error:
        refused = (403, str(error))
    except ValidationError as error:
        refused = (400 if error.code == "unknown_section" else 409, " ".join(error.messages))
    if as_json:
        if refused is not None:
            return _refusal(*refused)
        saved_at = timezone.localtime(narrative.updated_at)
        return JsonResponse(
            {"ok": True, "saved_at": formats.time_format(saved_at, "H:i"), "errors": []}
        )
    if refused is not None:
        messages.error(request, refused[1])
    else:
        messages.success(request, _("The narrative is saved."))
    return redirect("datavalues:entry", regime=regime.code, unit=unit.uid, period=period.code)


@login_required
def submit(request, regime, unit, period):
    if not permits(request.user, DataValue, "add"):
        raise PermissionDenied(_("You may not enter data."))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    report, page = _report_or_404(request, regime, unit, period)
    if page is not None:
        return page
    regime, unit, period = report
    try:
        submission = entry_service.submit_report(request.user, regime, unit, period)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The report is submitted to the center (%(time)s).")
            % {
                "time": formats.date_format(
                    timezone.localtime(submission.submitted_at), "d/m/Y H:i"
                )
            },
        )
    return redirect("datavalues:entry", regime=regime.code, unit=unit.uid, period=period.code)
