"""The pivot table page: pick indicators, units and periods, see the table, switch rows
and columns, download it as Excel."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.analytics import pivot, services
from dieuhanh.catalog.models import Category, Indicator, Status
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues.models import DataValue

UNIT_CHOICES = (
    ("", gettext_lazy("The whole country")),
    ("KIND-province", gettext_lazy("Provinces and cities")),
    ("KIND-ministry", gettext_lazy("Ministries")),
    ("USER_ORGUNIT", gettext_lazy("My unit")),
)
PERIOD_CHOICES = (
    ("LAST_12_MONTHS", gettext_lazy("Last 12 months")),
    ("MONTHS_THIS_YEAR", gettext_lazy("Months of this year")),
    ("LAST_4_QUARTERS", gettext_lazy("Last 4 quarters")),
    ("THIS_YEAR", gettext_lazy("This year")),
    ("LAST_YEAR", gettext_lazy("Last year")),
    ("LAST_5_YEARS", gettext_lazy("Last 5 years")),
    ("LAST_10_YEARS", gettext_lazy("Last 10 years")),
)
PERIOD_TYPE_CHOICES = (
    ("", gettext_lazy("As chosen")),
    ("monthly", gettext_lazy("Months")),
    ("quarterly", gettext_lazy("Quarters")),
    ("yearly", gettext_lazy("Years")),
)
DIMENSION_LABELS = {
    "indicator": gettext_lazy("Indicator"),
    "orgunit": gettext_lazy("Unit"),
    "period": gettext_lazy("Period"),
    "option": gettext_lazy("Disaggregation"),
}


@login_required
def pivot_table(request):
    user = request.user
    if not permits(user, DataValue, "view"):
        raise denied(DataValue, "view")
    params = request.GET
    chosen_indicators = params.getlist("indicators")
    orgunits = params.get("orgunits_custom") or params.get("orgunits", "")
    period_text = params.get("periods_custom") or params.get("periods", "LAST_12_MONTHS")
    structure = params.get("structure") or "today"
    if structure == "date":
        structure = params.get("structure_date") or "today"
    ask = services.AnalyticsRequest.from_text(
        indicators=chosen_indicators,
        orgunits=orgunits,
        periods=period_text,
        period_type=params.get("period_type"),
        structure=structure,
        disaggregation=params.get("disaggregation"),
        accepted_only=params.get("accepted_only") == "on",
        filters=params.get("filters"),
        aggregate_periods=params.get("aggregate_periods") == "on",
    )
    rows = [d for d in params.getlist("rows") if d]
    columns = [d for d in params.getlist("columns") if d] or ["period"]
    table = answer = None
    error = ""
    if chosen_indicators:
        try:
            answer = services.query(user, ask)
        except services.AnalyticsError as refusal:
            error = refusal.message
        except PermissionDenied as refusal:
            error = str(refusal)
        else:
            if not rows:
                rows = ["indicator", "orgunit"]
            table = pivot.build(answer, rows, columns)
    query = {key: params.getlist(key) for key in params if params.getlist(key)}
    swapped = dict(query)
    if table is not None:
        swapped["rows"] = table.column_dimensions
        swapped["columns"] = table.row_dimensions
    download = {
        "indicators": ";".join(ask.indicators),
        "orgunits": ";".join(ask.orgunits),
        "periods": ";".join(ask.periods),
        "period_type": ask.period_type or "",
        "structure": ask.structure or "",
        "disaggregation": ask.disaggregation or "",
        "accepted_only": "true" if ask.accepted_only else "false",
        "filters": ";".join(ask.filters),
        "aggregate_periods": "true" if ask.aggregate_periods else "false",
    }
    api = reverse("api-v1:analytics_query")
    context = {
        "indicators": Indicator.objects.restrict(user, "view")
        .filter(status=Status.ACTIVE)
        .order_by("code"),
        "categories": Category.objects.order_by("code"),
        "chosen": set(chosen_indicators),
        "params": params,
        "unit_choices": UNIT_CHOICES,
        "period_choices": PERIOD_CHOICES,
        "period_type_choices": PERIOD_TYPE_CHOICES,
        "dimension_labels": DIMENSION_LABELS,
        "table": table,
        "answer": answer,
        "error": error,
        "swap_url": "?" + urlencode(swapped, doseq=True),
        "xlsx_url": f"{api}?{urlencode({**download, 'format': 'xlsx'})}",
        "csv_url": f"{api}?{urlencode({**download, 'format': 'csv'})}",
        "structure_label": _structure_label(answer),
    }
    return render(request, "analytics/pivot.html", context)


def _structure_label(answer) -> str:
    if answer is None:
        return ""
    if answer.structure == services.AS_REPORTED:
        return _("units as they reported")
    day = datetime.date.fromisoformat(answer.structure)
    return _("units of %(day)s") % {"day": day.strftime("%d/%m/%Y")}
