import pytest

from dieuhanh.catalog.loader import load_reference_catalog
from dieuhanh.catalog.models import Indicator
from tests.browser.session import sign_in
from tests.catalog.conftest import user_with_role
from tests.reference import load_reference_orgunits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_finds_an_indicator_reads_a_schedule_and_fixes_a_formula(
    page, live_server, screenshot_dir
):
    load_reference_orgunits()
    load_reference_catalog()
    user_with_role("center_analyst", "chuyenvien")
    sign_in(page, live_server, "chuyenvien", "/catalog/")
    page.get_by_role("heading", name="Danh mục chỉ tiêu").wait_for()
    page.screenshot(path=screenshot_dir / "catalog-browse.png", full_page=True)

    page.get_by_role("searchbox").fill("can can thuong mai")
    page.get_by_role("button", name="Lọc").click()
    assert "1 chỉ tiêu" in page.get_by_test_id("result-count").inner_text()
    page.get_by_role("link", name="Cán cân thương mại hàng hóa").click()
    formula = page.get_by_test_id("formula")
    formula.wait_for()
    readable = "[Kim ngạch xuất khẩu hàng hóa] \N{MINUS SIGN} [Kim ngạch nhập khẩu hàng hóa]"
    assert readable in formula.inner_text()
    page.screenshot(path=screenshot_dir / "catalog-indicator.png", full_page=True)

    page.get_by_role("link", name="Kim ngạch xuất khẩu hàng hóa").first.click()
    page.get_by_role(
        "link", name="Báo cáo tình hình kinh tế - xã hội hằng tháng của tỉnh, thành phố"
    ).click()
    page.get_by_role("link", name="2025", exact=True).click()
    schedule = page.get_by_test_id("schedule-table")
    schedule.wait_for()
    assert schedule.locator("tbody tr").count() == 12
    assert "15/08/2025" in schedule.inner_text() and "20/09/2025" in schedule.inner_text()
    page.screenshot(path=screenshot_dir / "catalog-regime.png", full_page=True)
    page.get_by_role("link", name="Sửa biểu mẫu số liệu và đề cương").click()
    sections = page.locator("#id_sections")
    sections.wait_for()
    assert sections.input_value().startswith("[A] A. Kinh tế\nRETAIL_SALES")
    page.screenshot(path=screenshot_dir / "catalog-regime-content.png", full_page=True)

    page.goto(live_server.url + "/catalog/indicators/TRADE_BALANCE/edit/")
    page.fill("#id_formula", "#{EXPORTS} - #{IMPORT}")
    page.get_by_role("button", name="Lưu").click()
    error = page.get_by_test_id("form-error")
    error.wait_for()
    assert "IMPORT" in error.inner_text() and "vị trí 14" in error.inner_text()
    page.screenshot(path=screenshot_dir / "catalog-formula-error.png", full_page=True)
    page.fill("#id_formula", "#{EXPORTS} - #{IMPORTS}")
    page.fill("#id_notes", "Xuất khẩu trừ nhập khẩu")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_test_id("formula").wait_for()
    assert Indicator.objects.get(code="TRADE_BALANCE").notes == "Xuất khẩu trừ nhập khẩu"

    assert page.console_errors == []
    assert page.failed_requests == []
    assert page.foreign_requests == []
