"""Analytics API: ``GET /api/v1/analytics``, the numbers of every page, report and client.

One call answers with the headers, the rows and the metadata (names, units, labels) a client
needs to show them; ``format=csv`` or ``format=xlsx`` streams the same table as a file.
"""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from dieuhanh.analytics import exports, services
from dieuhanh.core.api_auth import permitted
from dieuhanh.core.api_errors import ApiError
from dieuhanh.core.exports import audit_export
from dieuhanh.datavalues.models import DataValue

router = Router(tags=["analytics"])
FORMATS = ("json", "csv", "xlsx")


class HeaderOut(Schema):
    name: str
    column: str
    type: str


class AnalyticsOut(Schema):
    headers: list[HeaderOut]
    rows: list[list[Any]]
    metadata: dict[str, Any]
    structure: str
    accepted_only: bool


@router.get(
    "",
    response=AnalyticsOut,
    auth=permitted(DataValue, "view"),
    operation_id="analytics_query",
    url_name="analytics_query",
)
def analytics(
    request,
    indicators: str,
    orgunits: str | None = None,
    periods: str | None = None,
    period_type: str | None = None,
    structure: str | None = None,
    disaggregation: str | None = None,
    accepted_only: bool = False,
    measures: str | None = None,
    skip_rounding: bool = False,
    filters: str | None = None,
    aggregate_periods: bool = False,
    format: str = "json",
):
    """Aggregated values of ``indicators`` (codes, separated by ``;`` or ``,``) for
    ``orgunits`` (uids or codes, ``KIND-province``, ``LEVEL-2``, ``CHILDREN-<unit>``,
    ``GROUP-<code>``, ``USER_ORGUNIT``; the Government by default) and ``periods`` (codes,
    ranges ``202401..202412``, relative ``LAST_12_MONTHS``, ``THIS_YEAR``,
    ``LAST_5_YEARS``...; ``period_type`` to aggregate them to a coarser type).
    ``structure``: ``as_reported`` or a day (default today: values of former units are
    mapped onto the units of that day, flagged ``approximate`` where a split's share is
    only estimated). ``disaggregation``: a category code or ``combination``.
    ``accepted_only``: only values the center accepted. ``measures``: ``yoy``,
    ``previous``, ``ytd``, ``share``, ``rank``, ``per_capita``. Values are rounded to the
    indicator's decimals unless ``skip_rounding``. ``filters``: ``CATEGORY:OPTION``
    entries (``AREA:URBAN``): only the values of those options, the dimension not shown
    (indicators without the category have none). ``aggregate_periods``: the periods listed
    (of one type, following each other) as one, coded ``first..last``."""
    if format not in FORMATS:
        raise ApiError(422, "invalid_format", exports.format_message(FORMATS))
    ask = services.AnalyticsRequest.from_text(
        indicators=indicators,
        orgunits=orgunits,
        periods=periods,
        period_type=period_type,
        structure=structure,
        disaggregation=disaggregation,
        accepted_only=accepted_only,
        measures=measures,
        skip_rounding=skip_rounding,
        filters=filters,
        aggregate_periods=aggregate_periods,
    )
    try:
        answer = services.query(request.auth, ask)
    except services.AnalyticsError as error:
        raise ApiError(422, error.code, error.message) from error
    if format != "json":
        audit_export(request.auth, "analytics", {**ask.as_dict(), "format": format})
        return exports.download(answer, format)
    return {
        "headers": [vars(h) for h in answer.headers],
        "rows": answer.rows,
        "metadata": answer.metadata,
        "structure": answer.structure,
        "accepted_only": answer.accepted_only,
    }
