"""The demo's dashboards (``make run``): the center's alert thresholds, a budget dashboard
an analyst made and shared with the leaders, pinned by the demo leader. Idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from dieuhanh.accounts.models import Role
from dieuhanh.catalog.models import Indicator
from dieuhanh.core.audit import record_change, snapshot
from dieuhanh.dashboards import services
from dieuhanh.dashboards.models import AlertThreshold, Comparison, Dashboard, Measure, Severity

# indicator, each province, measure, comparison, level, severity, note
THRESHOLDS = (
    ("CPI_YOY", False, Measure.VALUE, Comparison.ABOVE, "104", Severity.HIGH,
     "Mục tiêu năm 2026: lạm phát khoảng 4,5%."),
    ("PUBLIC_INVEST_DISBURSED", True, Measure.YOY, Comparison.BELOW, "-15", Severity.HIGH,
     "Giải ngân vốn đầu tư công chậm so với cùng kỳ."),
    ("TRAFFIC_DEATHS", True, Measure.YOY, Comparison.ABOVE, "50", Severity.MEDIUM,
     "Số người chết do tai nạn giao thông tăng mạnh."),
    ("UNEMPLOYMENT_RATE", False, Measure.VALUE, Comparison.ABOVE, "2.5", Severity.MEDIUM, ""),
)  # fmt: skip
BUDGET_TITLE = "Thu, chi ngân sách và giải ngân đầu tư công"
BUDGET_ITEMS = (
    {"kind": "kpi", "indicators": ["BUDGET_REVENUE"], "width": 4, "height": "small"},
    {"kind": "kpi", "indicators": ["BUDGET_EXPENDITURE"], "width": 4, "height": "small"},
    {"kind": "kpi", "indicators": ["PUBLIC_INVEST_DISBURSED"], "width": 4, "height": "small"},
    {
        "kind": "chart",
        "title": "Thu và chi ngân sách 12 tháng gần nhất",
        "indicators": ["BUDGET_REVENUE", "BUDGET_EXPENDITURE"],
        "periods": "LAST_12_MONTHS",
        "chart_type": "bar",
        "width": 7,
        "height": "medium",
    },
    {
        "kind": "text",
        "title": "Ghi chú",
        "text": "Số liệu thu, chi ngân sách do Bộ Tài chính và các địa phương báo cáo hằng "
        "tháng.\nGiải ngân vốn đầu tư công theo Báo cáo tình hình giải ngân hằng tháng.",
        "width": 5,
        "height": "medium",
    },
    {
        "kind": "ranking",
        "title": "Giải ngân vốn đầu tư công theo tỉnh",
        "indicators": ["PUBLIC_INVEST_DISBURSED", "BUDGET_REVENUE"],
        "width": 6,
        "height": "large",
    },
    {
        "kind": "map",
        "title": "Bản đồ thu ngân sách",
        "indicators": ["BUDGET_REVENUE", "PUBLIC_INVEST_DISBURSED"],
        "width": 6,
        "height": "large",
    },
)


def load_demo() -> dict[str, int]:
    services.home_dashboard()
    made = {"thresholds": 0, "dashboards": 0}
    with transaction.atomic():
        for code, provinces, measure, comparison, level, severity, note in THRESHOLDS:
            indicator = Indicator.objects.filter(code=code).first()
            if (
                indicator is None
                or AlertThreshold.objects.filter(
                    indicator=indicator, for_provinces=provinces, measure=measure
                ).exists()
            ):
                continue
            threshold = AlertThreshold.objects.create(
                indicator=indicator,
                for_provinces=provinces,
                measure=measure,
                comparison=comparison,
                level=Decimal(level),
                severity=severity,
                note=note,
            )
            record_change("add", threshold, before=None, after=snapshot(threshold))
            made["thresholds"] += 1
    users = get_user_model().objects
    analyst = users.filter(username="chuyenvien").first()
    leader = users.filter(username="lanhdao").first()
    if analyst is None or Dashboard.objects.filter(title=BUDGET_TITLE).exists():
        return made
    budget = services.save_dashboard(
        analyst,
        None,
        title=BUDGET_TITLE,
        description="Theo dõi hằng tháng cho cuộc họp Chính phủ thường kỳ.",
        shared_roles=Role.objects.filter(code__in=["leader", "center_analyst"]),
    )
    for fields in BUDGET_ITEMS:
        services.save_item(analyst, budget, None, fields)
    if leader is not None:
        services.pin(leader, budget)
    made["dashboards"] += 1
    return made
