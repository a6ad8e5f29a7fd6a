import datetime

import pytest

from dieuhanh.catalog.loader import load_reference_catalog
from dieuhanh.datavalues import services, tasks
from dieuhanh.datavalues.models import DataValue, ImportJob
from dieuhanh.orgunits.models import OrgUnit
from tests.browser.session import sign_in
from tests.catalog.conftest import user_with_role
from tests.reference import load_reference_orgunits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST_MONTH = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y%m")


def test_an_officer_uploads_a_sheet_checks_the_dry_run_and_imports_it(
    page, live_server, screenshot_dir, settings, tmp_path, monkeypatch
):
    settings.DIEUHANH_IMPORT_DIR = tmp_path
    queued = []  # the jobs handed to the worker; this test is the worker
    monkeypatch.setattr(tasks.run_import, "delay", queued.append)
    load_reference_orgunits()
    load_reference_catalog()
    hanoi = OrgUnit.objects.filter(code="01", kind="province", valid_to__isnull=True).get()
    user_with_role("agency_data_officer", "canbo_hanoi", orgunit=hanoi)
    sheet = tmp_path / "so_lieu_thang.csv"
    sheet.write_text(
        "Chỉ tiêu,Đơn vị,Kỳ,Phân tổ,Giá trị,Ghi chú\n"
        f"EXPORTS,01,{LAST_MONTH},,1520.5,Ước tính\n"
        f"IMPORTS,01,{LAST_MONTH},,không rõ,\n",
        encoding="utf-8-sig",
    )

    sign_in(page, live_server, "canbo_hanoi", "/data/imports/")
    page.get_by_test_id("upload-form").wait_for()
    page.get_by_label("Tệp", exact=True).set_input_files(str(sheet))
    assert page.get_by_label("Chạy thử trước: xem những gì sẽ thay đổi, chưa ghi gì").is_checked()
    page.get_by_test_id("upload-submit").click()

    page.wait_for_url("**/data/imports/*/")
    panel = page.get_by_test_id("job-panel")
    assert panel.get_attribute("data-status") == "queued"
    [job_id] = queued
    services.run_job(job_id)  # the worker runs the dry run; the page follows by itself
    page.locator('[data-testid="job-panel"][data-status="done"]').wait_for(timeout=10_000)
    assert page.locator('[data-count="created"]').inner_text() == "1"
    assert page.locator('[data-count="refused"]').inner_text() == "1"
    issues = page.get_by_test_id("job-issues").inner_text()
    assert "không rõ" in issues and "E7619" in issues
    assert not DataValue.objects.exists()
    page.screenshot(path=screenshot_dir / "import-dry-run.png", full_page=True)

    page.get_by_test_id("confirm-import").click()
    page.wait_for_url(lambda url: ImportJob.objects.get(pk=job_id).uid not in url)
    services.run_job(queued[-1])
    page.locator('[data-testid="job-panel"][data-status="done"]').wait_for(timeout=10_000)
    assert page.locator('[data-count="created"]').inner_text() == "1"
    assert DataValue.objects.get().number == 1520.5
    page.screenshot(path=screenshot_dir / "import-done.png", full_page=True)

    page.goto(live_server.url + "/data/imports/")
    rows = page.get_by_test_id("job-table").locator("tbody tr")
    assert rows.count() == 2
    assert page.console_errors == [] and page.foreign_requests == []
