"""The data quality pages in a real browser: an approver returns a report with a reason
from the task list, the agency sees it among its tasks, the center sees the scorecard and
its chart; no console error, nothing fetched from elsewhere."""

import datetime

import pytest

from dieuhanh.catalog.loader import load_reference_catalog
from dieuhanh.core import periods
from dieuhanh.datavalues.entry import CellInput, entry_form, find_report, save_cells, submit_report
from dieuhanh.datavalues.models import Submission, SubmissionStatus
from dieuhanh.orgunits.models import OrgUnit
from tests.browser.session import sign_in
from tests.catalog.conftest import user_with_role
from tests.reference import load_reference_orgunits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGIME = "KTXH_TINH_THANG"


def test_a_report_is_returned_from_the_tasks_and_the_center_reads_the_scorecard(
    page, live_server, screenshot_dir, browser
):
    load_reference_orgunits()
    load_reference_catalog()
    hanoi = OrgUnit.objects.filter(code="01", kind="province", valid_to__isnull=True).get()
    officer = user_with_role("agency_data_officer", "canbo_hanoi", orgunit=hanoi)
    user_with_role("agency_approver", "lanhdao_hanoi", orgunit=hanoi)
    user_with_role("center_analyst", "chuyenvien")
    period = periods.for_date("monthly", datetime.date.today(), hour=0).shift(-2)
    report = find_report(officer, REGIME, hanoi.uid, period.code)
    form = entry_form(officer, *report)
    cells = [
        CellInput(row.code, cell.combination_uid, "12")
        for section in form.sections
        for block in section.blocks
        for row in block.rows
        if row.required
        for cell in row.cells
    ]
    save_cells(officer, *report, cells)
    submit_report(officer, *report)

    sign_in(page, live_server, "lanhdao_hanoi", "/quality/")
    table = page.get_by_test_id("approve-table")
    table.wait_for()
    page.screenshot(path=screenshot_dir / "quality-approver-tasks.png", full_page=True)
    table.get_by_test_id("return-open").click()
    table.get_by_test_id("return-reason").fill("Số xuất khẩu chưa khớp với Cục Hải quan")
    table.get_by_test_id("return-send").click()
    page.get_by_text("Đã trả lại báo cáo cho đơn vị.").wait_for()
    assert Submission.objects.get(orgunit=hanoi).status == SubmissionStatus.RETURNED
    assert page.console_errors == [] and page.foreign_requests == []

    phone = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    agency = phone.new_page()
    sign_in(agency, live_server, "canbo_hanoi", "/quality/")
    returned = agency.get_by_test_id("tasks-returned")
    returned.wait_for()
    assert "Số xuất khẩu chưa khớp với Cục Hải quan" in returned.inner_text()
    agency.screenshot(path=screenshot_dir / "quality-agency-phone.png", full_page=True)
    phone.close()

    wide = browser.new_context(locale="vi-VN", viewport={"width": 1440, "height": 900})
    center = wide.new_page()
    errors = []
    center.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(center, live_server, "chuyenvien", f"/quality/?regime={REGIME}")
    center.get_by_test_id("scorecard-table").wait_for()
    assert center.locator('[data-testid="scorecard-table"] tbody tr').count() == 34
    center.locator('[data-testid="completeness-chart"] svg').wait_for()
    center.screenshot(path=screenshot_dir / "quality-center-scorecard.png", full_page=True)
    assert errors == []
    wide.close()
