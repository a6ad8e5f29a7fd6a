"""A leader's question "which agencies are late?" answered on the statistics page, down to
one task; the lead agency's officer reports on it and the center accepts, in Chromium."""

import pytest

from dieuhanh.directives.models import ProgressReport
from dieuhanh.targets import services as targets
from tests.browser.session import sign_in
from tests.directives.conftest import days, gov, make_task  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_home(page, live_server, username):
    sign_in(page, live_server, username)
    page.wait_for_load_state("networkidle")  # the home page's items load before we leave


def test_from_the_league_table_to_a_task_and_its_report(
    page,
    browser,
    live_server,
    gov,  # noqa: F811 - the fixture
    screenshot_dir,
):
    targets.create_project(
        None,
        targets.ProjectInput(
            code="CTMTQG-NTM",
            name="Chương trình mục tiêu quốc gia xây dựng nông thôn mới giai đoạn 2021 - 2025",
            short_name="Nông thôn mới",
            kind="target_programme",
            owner=gov["btc"],
            start_year=2021,
            end_year=2025,
        ),
    )
    late = make_task(
        gov,
        lead="btc",
        deadline=days(-12),
        is_key=True,
        content="Trình Nghị định về quản lý nợ công",
        projects=["CTMTQG-NTM"],
    )
    make_task(gov, lead="btc", deadline=days(40), content="Báo cáo tình hình giải ngân")
    make_task(gov, lead="p1", deadline=days(20), content="Rà soát dự án tồn đọng")

    sign_in_home(page, live_server, "analyst")
    page.goto(live_server.url + "/tasks/")
    league = page.get_by_test_id("league")
    league.get_by_role("row", name="Bộ Tài chính").wait_for()
    assert page.locator('[data-count="overdue"]').inner_text() == "1"
    page.screenshot(path=screenshot_dir / "tasks-statistics.png", full_page=True)
    league.locator('tr[data-row="Bộ Tài chính"] a[data-overdue="1"]').click()
    page.get_by_test_id("tasks").wait_for()
    rows = page.get_by_test_id("tasks").locator("tbody tr")
    assert rows.count() == 1 and "quản lý nợ công" in rows.first.inner_text()
    rows.first.get_by_role("link").click()
    page.get_by_test_id("timeline").wait_for()
    assert page.get_by_test_id("lead").inner_text() == "Bộ Tài chính"
    assert "Quá hạn" in page.locator("[data-status]").first.inner_text()

    officer_context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    officer = officer_context.new_page()
    officer_errors = []
    officer.on("console", lambda m: m.type == "error" and officer_errors.append(m.text))
    sign_in_home(officer, live_server, "btc_officer")
    officer.goto(f"{live_server.url}/tasks/{late.pk}/")
    officer.get_by_label("Kết quả đã thực hiện").fill("Đã trình Chính phủ dự thảo Nghị định")
    officer.get_by_label("Sản phẩm (khi hoàn thành)").fill("Tờ trình số 15/TTr-BTC")
    officer.get_by_label("Nhiệm vụ đã hoàn thành (chuyên viên theo dõi xác nhận)").check()
    officer.get_by_role("button", name="Gửi báo cáo").click()
    officer.get_by_text("Báo cáo của bạn đã được gửi").wait_for()
    officer.screenshot(path=screenshot_dir / "task-report-phone.png", full_page=True)
    officer_context.close()
    assert ProgressReport.objects.filter(task=late, completes=True).exists()

    page.reload()
    page.get_by_role("button", name="Tiếp nhận").click()
    page.get_by_text("Báo cáo đã được tiếp nhận").wait_for()
    assert "Hoàn thành quá hạn" in page.locator("[data-status]").first.inner_text()
    page.screenshot(path=screenshot_dir / "task-done-late.png", full_page=True)

    # The programme the task concerns, with its tasks counted as the reader sees them.
    page.get_by_test_id("task-projects").get_by_role("link", name="Nông thôn mới").click()
    page.get_by_test_id("project-tasks").wait_for()
    assert "1 nhiệm vụ" in page.get_by_test_id("project-counts").inner_text()
    assert "Hoàn thành quá hạn" in page.get_by_test_id("project-tasks").inner_text()
    page.screenshot(path=screenshot_dir / "project.png", full_page=True)
    page.get_by_role("link", name="Chương trình, dự án").first.click()
    page.get_by_test_id("projects").get_by_role("link", name="CTMTQG-NTM").wait_for()
    page.screenshot(path=screenshot_dir / "projects.png", full_page=True)
    assert page.console_errors == [] and officer_errors == []
    assert page.failed_requests == [] and page.foreign_requests == []
