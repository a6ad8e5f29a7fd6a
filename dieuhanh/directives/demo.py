"""The demo's directive documents and tasks (``make run``): a year of assignments to
ministries and provinces, dated from today so that the statistics page always shows every
count (done on time, done late, in progress, overdue), key tasks overdue for the hot
issues, reports and a request for more time waiting for the demo analyst. Written through
the services (audited, with timelines); idempotent."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dieuhanh.core.audit import audit_channel
from dieuhanh.directives import services, status
from dieuhanh.directives.models import Document, Recurrence, Task, TaskKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.targets.models import Project

SOURCE = "demo"
MINISTRIES = ("BTC", "BXD", "BCT", "BYT", "BGDDT", "BNNMT", "BKHCN", "BNV", "NHNN", "BTP", "BCA")
PROVINCES = ("01", "79", "37", "31", "48", "46", "92", "56")  # Hà Nội, Hồ Chí Minh, Ninh Bình, ...

# number, type, days before today, signer, excerpt, tasks (text, kind, key)
DOCUMENTS = (
    (
        "01/NQ-CP", "resolution", 320, "Thủ tướng Chính phủ",
        "Về nhiệm vụ, giải pháp chủ yếu thực hiện Kế hoạch phát triển kinh tế - xã hội và Dự toán "
        "ngân sách nhà nước năm 2026",
        (
            ("Xây dựng, trình Chính phủ Nghị định sửa đổi, bổ sung quy định về quản lý nợ công",
             TaskKind.SUBMISSION, True),
            ("Đẩy mạnh giải ngân vốn đầu tư công, phấn đấu giải ngân trên 95% kế hoạch",
             TaskKind.SPECIFIC, True),
            ("Báo cáo tình hình thực hiện các chương trình mục tiêu quốc gia",
             TaskKind.SUBMISSION, False),
            ("Rà soát, tháo gỡ vướng mắc cho các dự án tồn đọng, kéo dài", TaskKind.SPECIFIC,
             False),
            ("Kiểm soát lạm phát, ổn định kinh tế vĩ mô", TaskKind.SPECIFIC, False),
        ),
    ),
    (
        "02/NQ-CP", "resolution", 300, "Thủ tướng Chính phủ",
        "Về những nhiệm vụ, giải pháp chủ yếu cải thiện môi trường kinh doanh, nâng cao năng lực "
        "cạnh tranh quốc gia năm 2026",
        (
            ("Cắt giảm, đơn giản hóa thủ tục hành chính, điều kiện kinh doanh", TaskKind.SPECIFIC,
             True),
            ("Xây dựng, trình Đề án phát triển doanh nghiệp nhỏ và vừa", TaskKind.SUBMISSION,
             False),
            ("Cung cấp dịch vụ công trực tuyến toàn trình", TaskKind.SPECIFIC, False),
        ),
    ),
    (
        "15/CT-TTg", "directive", 250, "Thủ tướng Chính phủ",
        "Về tăng cường công tác phòng, chống thiên tai mùa mưa bão năm 2026",
        (
            ("Rà soát phương án ứng phó thiên tai theo cấp độ rủi ro", TaskKind.SPECIFIC, True),
            ("Kiểm tra an toàn hồ chứa, đê điều trước mùa mưa bão", TaskKind.SPECIFIC, True),
            ("Báo cáo kết quả chuẩn bị phòng, chống thiên tai", TaskKind.SUBMISSION, False),
        ),
    ),
    (
        "120/TB-VPCP", "conclusion", 200, "Phó Thủ tướng Chính phủ",
        "Kết luận của Phó Thủ tướng Chính phủ tại cuộc họp về tình hình giải ngân vốn đầu tư công",
        (
            ("Hoàn thành giải phóng mặt bằng các dự án giao thông trọng điểm", TaskKind.SPECIFIC,
             True),
            ("Báo cáo Thủ tướng Chính phủ kết quả giải ngân hằng tháng", TaskKind.SUBMISSION,
             False),
        ),
    ),
    (
        "35/CĐ-TTg", "telegram", 150, "Thủ tướng Chính phủ",
        "Về tập trung khắc phục hậu quả mưa lũ tại các tỉnh miền Trung",
        (
            ("Hỗ trợ người dân bị ảnh hưởng ổn định đời sống", TaskKind.SPECIFIC, True),
            ("Khôi phục hạ tầng giao thông, trường học, cơ sở y tế bị hư hỏng",
             TaskKind.SPECIFIC, False),
        ),
    ),
    (
        "450/TTg-KTTH", "dispatch", 90, "Phó Thủ tướng Chính phủ",
        "Về điều hành giá các mặt hàng thiết yếu cuối năm",
        (
            ("Theo dõi sát diễn biến giá, bảo đảm cung cầu hàng hóa dịp Tết", TaskKind.SPECIFIC,
             False),
            ("Báo cáo công tác điều hành giá quý IV", TaskKind.SUBMISSION, False),
        ),
    ),
    (
        "200/TB-VPCP", "conclusion", 40, "Thủ tướng Chính phủ",
        "Kết luận của Thủ tướng Chính phủ tại phiên họp Chính phủ thường kỳ",
        (
            ("Xây dựng, trình Chính phủ Nghị quyết về chuyển đổi số quốc gia", TaskKind.SUBMISSION,
             True),
            ("Tổng kết, đánh giá việc vận hành chính quyền địa phương hai cấp", TaskKind.SUBMISSION,
             True),
            ("Đẩy mạnh xuất khẩu sang các thị trường mới", TaskKind.SPECIFIC, False),
        ),
    ),
)  # fmt: skip


# Tasks that concern programmes and projects of the register (the targets demo).
PROJECTS_OF = {
    "Báo cáo tình hình thực hiện các chương trình mục tiêu quốc gia": (
        "CTMTQG-NTM",
        "CTMTQG-GNBV",
        "CTMTQG-DTTS",
    ),
    "Đẩy mạnh giải ngân vốn đầu tư công, phấn đấu giải ngân trên 95% kế hoạch": (
        "DAQG-CAO-TOC-BN-DONG",
        "DAQG-LONG-THANH",
    ),
    "Hoàn thành giải phóng mặt bằng các dự án giao thông trọng điểm": (
        "DAQG-CAO-TOC-BN-DONG",
        "DAQG-LONG-THANH",
        "DAQG-DSTDC-BN",
    ),
}


def _units() -> tuple[list[OrgUnit], list[OrgUnit]]:
    current = OrgUnit.objects.valid_on(timezone.localdate())
    ministries = [
        unit
        for code in MINISTRIES
        if (unit := current.filter(code=code, kind__in=services.AGENCY_KINDS).first())
    ]
    provinces = [
        unit for code in PROVINCES if (unit := current.filter(code=code, kind="province").first())
    ]
    return ministries, provinces


def load_demo(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    if Document.objects.filter(source_system=SOURCE).exists():
        return {"documents": 0, "tasks": 0}
    users = get_user_model().objects
    center = users.filter(username="chuyenvien").first() or users.filter(is_superuser=True).first()
    leader = users.filter(username="lanhdao").first()
    reporter = users.filter(username="botaichinh").first()
    if center is None:
        return {"documents": 0, "tasks": 0}
    ministries, provinces = _units()
    agencies = ministries + provinces
    if not agencies:
        return {"documents": 0, "tasks": 0}
    rng = random.Random(2026)  # noqa: S311 - demo data, not a secret
    made = {"documents": 0, "tasks": 0}
    with transaction.atomic(), audit_channel("system"):
        for index, (number, doc_type, days, signer, excerpt, tasks) in enumerate(DOCUMENTS):
            issued = today - datetime.timedelta(days=days)
            document, _created = services.create_document(
                center,
                services.DocumentInput(
                    number=number,
                    doc_type=doc_type,
                    issued_on=issued,
                    excerpt=excerpt,
                    signer=signer,
                    issuer="CP",
                    source_system=SOURCE,
                    source_id=number,
                ),
            )
            made["documents"] += 1
            for text, kind, key in tasks:
                for repeat in range(rng.randint(2, 4)):
                    lead = agencies[(index * 7 + repeat * 3 + len(text)) % len(agencies)]
                    task = _task(
                        center, leader, document, issued, (text, kind, key), lead, ministries, rng
                    )
                    _history(center, reporter, task, today, rng)
                    made["tasks"] += 1
        _recurring(center, leader, ministries, today)
        made["documents"] += 1
        made["tasks"] += 1
        _waiting(center, reporter, today)
    return made


def _task(center, leader, document, issued, what, lead, ministries, rng):
    text, kind, key = what
    deadline = (
        None if rng.random() < 0.08 else issued + datetime.timedelta(days=rng.randint(30, 240))
    )
    picked = rng.sample(ministries, k=min(2, len(ministries)))
    coordinators = [unit for unit in picked if unit.pk != lead.pk]
    return services.create_task(
        center,
        document,
        services.TaskInput(
            content=text,
            lead=lead,
            kind=kind,
            coordinators=coordinators,
            monitor=center,
            supervisor=leader,
            deadline=deadline,
            is_key=key and rng.random() < 0.7,
            expected_product="Nghị định" if kind == TaskKind.SUBMISSION else "",
            projects=list(
                Project.objects.filter(code__in=PROJECTS_OF.get(text, ())).values_list(
                    "code", flat=True
                )
            ),
        ),
    )


def _history(center, reporter, task, today, rng) -> None:
    """What happened to the task since: done on time or late, progress reported, withdrawn,
    or nothing yet."""
    roll = rng.random()
    if task.deadline is None:
        if roll < 0.3:
            _done(
                center, task, task.assigned_on + datetime.timedelta(days=rng.randint(20, 90)), today
            )
        return
    if task.deadline < today:
        if roll < 0.62:
            _done(center, task, task.deadline - datetime.timedelta(days=rng.randint(0, 25)), today)
        elif roll < 0.8:
            _done(center, task, task.deadline + datetime.timedelta(days=rng.randint(3, 60)), today)
        elif roll < 0.83:
            services.withdraw_task(
                center, task, "adjusted", "Điều chỉnh theo văn bản chỉ đạo mới của Thủ tướng."
            )
        # else: still open, overdue
        return
    if roll < 0.25:
        _done(center, task, task.assigned_on + datetime.timedelta(days=rng.randint(5, 25)), today)
    elif roll < 0.5 and reporter is not None:
        _report(center, reporter, task, rng)


def _done(center, task, day: datetime.date, today: datetime.date) -> None:
    day = max(task.assigned_on, min(day, today))
    moment = status.moment_on(day, datetime.time(16, 30))
    services.complete_task(center, task, completed_at=moment, product=task.expected_product)


def _report(center, reporter, task, rng) -> None:
    """Progress reported by the lead agency (the demo's ministry officer writes the
    Ministry of Finance's; others are written by the center on their behalf)."""
    author = reporter if reporter.orgunit_id == task.lead_id else center
    report = services.report_progress(
        author,
        task,
        percent=rng.choice((30, 50, 70)),
        text="Đã xây dựng dự thảo, đang lấy ý kiến các bộ, ngành liên quan.",
    )
    if rng.random() < 0.5:
        services.review_report(center, report, accept=True)


def _waiting(center, reporter, today) -> None:
    """What waits for the analyst: two progress reports (the Ministry of Finance's by its
    own officer when it leads an open task) and a request for more time on an overdue
    task."""
    demo_tasks = Task.objects.filter(
        document__source_system=SOURCE, completed_at__isnull=True, withdrawal=""
    )
    upcoming = list(demo_tasks.filter(deadline__gte=today, recurrence="").order_by("deadline"))
    own = [t for t in upcoming if reporter is not None and t.lead_id == reporter.orgunit_id]
    chosen = own[:1] or upcoming[:1]
    chosen += [task for task in upcoming if task not in chosen][:1]
    for task in chosen:
        author = (
            reporter if reporter is not None and task.lead_id == reporter.orgunit_id else center
        )
        if not task.reports.filter(status="waiting").exists():
            services.report_progress(
                author,
                task,
                percent=80,
                text="Đã hoàn thiện dự thảo, chuẩn bị trình cấp có thẩm quyền.",
            )
    overdue = demo_tasks.filter(deadline__lt=today).order_by("deadline").first()
    if overdue is not None:
        services.request_extension(
            center,
            overdue,
            proposed_deadline=today + datetime.timedelta(days=30),
            reason="Chờ ý kiến thẩm định của Bộ Tư pháp.",
        )


def _recurring(center, leader, ministries, today) -> None:
    document, _created = services.create_document(
        center,
        services.DocumentInput(
            number="09/2019/NĐ-CP",
            doc_type="decision",
            issued_on=datetime.date(2019, 1, 24),
            excerpt="Quy định về chế độ báo cáo của cơ quan hành chính nhà nước",
            signer="Thủ tướng Chính phủ",
            issuer="CP",
            source_system=SOURCE,
            source_id="09/2019/NĐ-CP",
        ),
    )
    lead = next((unit for unit in ministries if unit.code == "BTC"), ministries[0])
    first = today.replace(day=1) + datetime.timedelta(days=40)
    services.create_task(
        center,
        document,
        services.TaskInput(
            content="Báo cáo tình hình thu, chi ngân sách nhà nước hằng tháng",
            lead=lead,
            kind=TaskKind.SUBMISSION,
            monitor=center,
            supervisor=leader,
            deadline=first.replace(day=20),
            recurrence=Recurrence.MONTHLY,
            assigned_on=today - datetime.timedelta(days=30),
        ),
    )
