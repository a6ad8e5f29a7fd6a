"""The demo's register (``make run``): the three national target programmes of 2021-2025
and key national projects of transport, under the agencies in charge after the 2025
restructuring. Names and approving documents are public; no figure is invented (the
investment is left empty). And the plan's national targets for 2026, whose progress the
demo figures then show. Written through the services (audited); idempotent."""

from __future__ import annotations

from django.db import transaction

from dieuhanh.core.audit import audit_channel
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.targets import services
from dieuhanh.targets.models import ProjectKind

# code, name, short name, kind, agency in charge, from, to, approved by, provinces (codes)
PROJECTS = (
    (
        "CTMTQG-NTM",
        "Chương trình mục tiêu quốc gia xây dựng nông thôn mới giai đoạn 2021 - 2025",
        "Nông thôn mới",
        ProjectKind.TARGET_PROGRAMME, "BNNMT", 2021, 2025,
        "Quyết định số 263/QĐ-TTg ngày 22/02/2022 của Thủ tướng Chính phủ", (),
    ),
    (
        "CTMTQG-GNBV",
        "Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021 - 2025",
        "Giảm nghèo bền vững",
        ProjectKind.TARGET_PROGRAMME, "BNNMT", 2021, 2025,
        "Quyết định số 90/QĐ-TTg ngày 18/01/2022 của Thủ tướng Chính phủ", (),
    ),
    (
        "CTMTQG-DTTS",
        "Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc "
        "thiểu số và miền núi giai đoạn 2021 - 2030",
        "Vùng đồng bào dân tộc thiểu số và miền núi",
        ProjectKind.TARGET_PROGRAMME, "BDTTG", 2021, 2030,
        "Quyết định số 1719/QĐ-TTg ngày 14/10/2021 của Thủ tướng Chính phủ", (),
    ),
    (
        "DAQG-LONG-THANH",
        "Dự án Cảng hàng không quốc tế Long Thành",
        "Cảng hàng không quốc tế Long Thành",
        ProjectKind.NATIONAL_PROJECT, "BXD", 2015, None,
        "Nghị quyết số 94/2015/QH13 của Quốc hội", ("75",),
    ),
    (
        "DAQG-CAO-TOC-BN-DONG",
        "Dự án xây dựng công trình đường bộ cao tốc Bắc - Nam phía Đông giai đoạn 2021 - 2025",
        "Cao tốc Bắc - Nam phía Đông 2021 - 2025",
        ProjectKind.NATIONAL_PROJECT, "BXD", 2021, 2025,
        "Nghị quyết số 44/2022/QH15 của Quốc hội", (),
    ),
    (
        "DAQG-DSTDC-BN",
        "Dự án đầu tư xây dựng đường sắt tốc độ cao trên trục Bắc - Nam",
        "Đường sắt tốc độ cao Bắc - Nam",
        ProjectKind.NATIONAL_PROJECT, "BXD", 2025, 2035,
        "Nghị quyết số 172/2024/QH15 của Quốc hội", (),
    ),
)  # fmt: skip


def load_demo() -> int:
    """The demo programmes and projects not yet in the register; how many were added."""
    from django.utils import timezone

    current = OrgUnit.objects.valid_on(timezone.localdate())
    added = 0
    with transaction.atomic(), audit_channel("system"):
        for code, name, short, kind, owner, start, end, basis, places in PROJECTS:
            owner_unit = current.filter(code=owner).exclude(kind="commune").first()
            locations = list(current.filter(code__in=places, kind="province"))
            _project, created = services.create_project(
                None,
                services.ProjectInput(
                    code=code,
                    name=name,
                    short_name=short,
                    kind=kind,
                    owner=owner_unit,
                    start_year=start,
                    end_year=end,
                    legal_basis=basis,
                    locations=locations,
                ),
            )
            added += created
    return added


# The country's targets for 2026 as the plan words them (check against the resolutions'
# text before relying on them: the demo writes them from memory of the public texts; an
# analyst corrects them on the targets page).
PLAN_BASIS = "Nghị quyết của Quốc hội và Nghị quyết số 01/NQ-CP năm 2026 của Chính phủ"
# indicator, comparison, value, upper, wording, agency that follows it
TARGETS_2026 = (
    ("GDP_GROWTH", "at_least", "10", None,
     "Tốc độ tăng tổng sản phẩm trong nước (GDP) đạt 10% trở lên", "BTC"),
    ("CPI_AVG_YTD", "about", "104.5", None,
     "Tốc độ tăng chỉ số giá tiêu dùng (CPI) bình quân khoảng 4,5%", "BTC"),
    ("HEALTH_INSURANCE_COVERAGE", "at_least", "95", None,
     "Tỷ lệ tham gia bảo hiểm y tế đạt trên 95% dân số", "BYT"),
    ("FOREST_COVER", "about", "42", None, "Tỷ lệ che phủ rừng ổn định ở mức 42%", "BNNMT"),
    ("PUBLIC_INVEST_DISBURSEMENT_RATE", "at_least", "95", None,
     "Tỷ lệ giải ngân vốn đầu tư công đạt trên 95% kế hoạch", "BTC"),
    ("BUDGET_REVENUE_EXECUTION", "at_least", "100", None,
     "Thu ngân sách nhà nước vượt dự toán được giao", "BTC"),
)  # fmt: skip


def load_demo_targets(year: int = 2026) -> int:
    """The demo plan's national targets of ``year`` not yet in the plan; how many added."""
    from django.utils import timezone

    from dieuhanh.orgunits.services import root_unit

    country = root_unit(timezone.localdate())
    current = OrgUnit.objects.valid_on(timezone.localdate())
    added = 0
    with transaction.atomic(), audit_channel("system"):
        for code, comparison, value, upper, wording, owner in TARGETS_2026:
            _target, created = services.create_plan_target(
                None,
                services.PlanTargetInput(
                    year=year,
                    indicator=code,
                    orgunit=country,
                    comparison=comparison,
                    value=value,
                    upper=upper,
                    wording=wording,
                    legal_basis=PLAN_BASIS,
                    owner=current.filter(code=owner).exclude(kind="commune").first(),
                ),
            )
            added += created
    return added
