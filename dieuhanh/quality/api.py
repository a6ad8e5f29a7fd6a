"""Data quality API (``/api/v1/quality/``): completeness and timeliness of reports."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema

from dieuhanh.core.api_auth import permitted
from dieuhanh.core.api_errors import ApiError
from dieuhanh.core.exports import audit_export, csv_response
from dieuhanh.datavalues.models import Submission
from dieuhanh.quality import services

router = Router(tags=["quality"])


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
    try:
        result = services.completeness(request.auth, regime, period)
    except ValidationError as error:
        raise ApiError(422, error.code or "invalid", error.messages[0]) from error
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
