"""The pivot table in a real browser: an analyst picks indicators, the provinces and the
quarters, sees the table, switches rows and columns and downloads it as Excel; no console
error, nothing fetched from elsewhere."""

import pytest

from dieuhanh.catalog.loader import load_reference_catalog
from dieuhanh.orgunits.models import OrgUnit
from tests.analytics.conftest import store
from tests.browser.session import sign_in
from tests.catalog.conftest import user_with_role
from tests.reference import load_reference_orgunits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_builds_a_pivot_table_and_downloads_it(page, live_server, screenshot_dir):
    load_reference_orgunits()
    load_reference_catalog()
    hanoi = OrgUnit.objects.get(code="01", kind="province", valid_to__isnull=True)
    country = OrgUnit.objects.get(kind="government")
    store(
        [("EXPORTS", hanoi, f"2024{m:02d}", str(1000 + m)) for m in range(1, 7)]
        + [("EXPORTS", country, f"2024{m:02d}", str(30000 + m)) for m in range(1, 7)]
        + [("IMPORTS", country, f"2024{m:02d}", str(28000 + m)) for m in range(1, 7)]
    )
    user_with_role("center_analyst", "chuyenvien")
    sign_in(page, live_server, "chuyenvien", "/analytics/")
    form = page.get_by_test_id("pivot-form")
    form.wait_for()
    page.get_by_label("Chỉ tiêu", exact=True).select_option(["EXPORTS", "TRADE_BALANCE"])
    page.get_by_label("Kỳ khác").fill("202401..202406")
    page.get_by_label("Hiển thị theo").select_option("quarterly")
    page.get_by_label("Đơn vị", exact=True).select_option("")
    page.get_by_test_id("pivot-show").click()
    table = page.get_by_test_id("pivot-table")
    table.wait_for()
    text = table.inner_text()
    assert "Quý I/2024" in text and "Quý II/2024" in text
    assert "Cán cân thương mại hàng hóa" in text
    assert "90.006" in text  # 30001 + 30002 + 30003, the Vietnamese way
    assert "6.000,0" in text  # the trade balance of the first quarter: 90006 - 84006
    page.screenshot(path=screenshot_dir / "analytics-pivot.png", full_page=True)

    page.get_by_test_id("swap").click()
    page.get_by_test_id("pivot-table").wait_for()
    header = page.get_by_test_id("pivot-table").locator("thead").inner_text()
    assert "Quý I/2024" not in header and "Cán cân thương mại hàng hóa" in header
    with page.expect_download() as download:
        page.get_by_test_id("download-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert page.console_errors == [] and page.foreign_requests == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_dir / "analytics-pivot-phone.png", full_page=True)
