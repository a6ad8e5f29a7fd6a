import datetime

import pytest
from django.db.models import F

from dieuhanh.catalog.loader import load_reference_catalog
from dieuhanh.datavalues.entry import CellInput, entry_form, find_report, save_cells
from dieuhanh.datavalues.models import DataValue, Narrative
from dieuhanh.orgunits.models import OrgUnit
from tests.browser.session import sign_in
from tests.catalog.conftest import user_with_role
from tests.reference import load_reference_orgunits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST_MONTH = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y%m")
REGIME = "KTXH_TINH_THANG"


def cell(page, indicator, column=0):
    return page.locator(f'input.dh-input[data-indicator="{indicator}"]').nth(column)


def td(page, indicator, column=0):
    return page.locator(f'tr[data-row="{indicator}"] td.dh-cell').nth(column)


def fill_last_period(officer, hanoi):
    """Last period's report, so that every cell shows its previous value."""
    period = find_report(officer, REGIME, hanoi.uid, LAST_MONTH)[2].previous().code
    report = find_report(officer, REGIME, hanoi.uid, period)
    form = entry_form(officer, *report)
    pairs = [
        (row, c)
        for section in form.sections
        for block in section.blocks
        for row in block.rows
        for c in row.cells
    ]
    cells = []
    for number, (row, c) in enumerate(pairs):
        value = str(number + 3) if row.value_type == "integer" else f"{1150 + number * 37.5}"
        if row.value_type in ("percent", "index"):
            value = f"{95 + number * 0.7:.2f}"
        cells.append(CellInput(row.code, c.combination_uid, value))
    assert save_cells(officer, *report, cells).conflicts == []


def test_an_officer_fills_in_the_monthly_report_on_screen(page, live_server, screenshot_dir):
    load_reference_orgunits()
    load_reference_catalog()
    hanoi = (
        OrgUnit.objects.filter(code="01", kind="province")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )
    officer = user_with_role("agency_data_officer", "canbo_hanoi", orgunit=hanoi)
    fill_last_period(officer, hanoi)

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "canbo_hanoi", "/data/")
    page.get_by_test_id("choose-form").wait_for()
    page.get_by_test_id("regime-select").select_option(REGIME)  # reloads the form
    page.wait_for_url(f"**regime={REGIME}**")
    assert page.get_by_test_id("unit-select").input_value() == hanoi.uid
    page.get_by_test_id("period-select").select_option(LAST_MONTH)
    page.screenshot(path=screenshot_dir / "entry-choose.png", full_page=True)
    page.get_by_test_id("open-report").click()
    page.wait_for_url(f"**/data/entry/{REGIME}/{hanoi.uid}/{LAST_MONTH}/")
    page.get_by_test_id("entry").wait_for()
    assert "Thành phố Hà Nội" in page.get_by_test_id("entry-unit").inner_text()
    assert "1.150" in td(page, "RETAIL_SALES").inner_text()  # last period's value

    # Type a figure the Vietnamese way; Enter moves down to the same column.
    cell(page, "RETAIL_SALES").click()
    page.keyboard.type("1.234,5")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.dataset.indicator") == "IIP_YOY"
    page.keyboard.type("10x")
    page.wait_for_function(
        "document.querySelector('input[data-indicator=\"IIP_YOY\"]').classList.contains('is-invalid')"
    )
    assert td(page, "IIP_YOY").locator("[data-cell-error]").is_visible()
    page.keyboard.press("Escape")  # back to the saved (empty) value
    assert cell(page, "IIP_YOY").input_value() == ""
    assert "is-invalid" not in cell(page, "IIP_YOY").get_attribute("class")
    page.keyboard.type("103.5")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.indicator") == "CPI_YOY"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.dataset.indicator") == "RETAIL_SALES"

    # A comment beside a figure, and a disaggregated row.
    td(page, "EXPORTS").locator(".dh-comment-toggle").click()
    td(page, "EXPORTS").locator("textarea").fill("Số ước tính của Cục Thống kê")
    cell(page, "EXPORTS").click()
    page.keyboard.type("1630")
    cell(page, "FISHERY_OUTPUT", 1).click()
    page.keyboard.type("12,75")
    page.keyboard.press("Tab")

    # An invalid cell stays red and is not sent.
    cell(page, "NEW_ENTERPRISES").click()
    page.keyboard.type("2,5")
    page.keyboard.press("Enter")
    assert "is-invalid" in cell(page, "NEW_ENTERPRISES").get_attribute("class")

    narrative = page.locator("textarea.dh-narrative-input").first
    narrative.fill("Kinh tế tiếp tục phục hồi; bán lẻ tăng khá.")
    for indicator, column in (
        ("RETAIL_SALES", 0),
        ("IIP_YOY", 0),
        ("EXPORTS", 0),
        ("FISHERY_OUTPUT", 1),
    ):
        td(page, indicator, column).and_(page.locator('[data-state="saved"]')).wait_for()
    page.locator("[data-narrative-state][data-kind=ok]").first.wait_for()
    assert cell(page, "RETAIL_SALES").input_value() == "1.234,5"
    assert "(+7,3%)" in td(page, "RETAIL_SALES").inner_text()
    assert page.get_by_test_id("progress").inner_text().startswith("4/28")
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / "entry-desktop.png", full_page=True)
    page.screenshot(path=screenshot_dir / "entry-desktop-top.png")

    stored = DataValue.objects.get(indicator__code="RETAIL_SALES", period=LAST_MONTH)
    assert (str(stored.number.normalize()), stored.status, stored.channel) == (
        "1234.5",
        "draft",
        "web",
    )
    assert DataValue.objects.get(indicator__code="EXPORTS", period=LAST_MONTH).comment == (
        "Số ước tính của Cục Thống kê"
    )
    assert not DataValue.objects.filter(indicator__code="NEW_ENTERPRISES", period=LAST_MONTH)
    assert Narrative.objects.get(period=LAST_MONTH).text.startswith("Kinh tế tiếp tục")

    page.reload()
    page.get_by_test_id("entry").wait_for()
    assert cell(page, "RETAIL_SALES").input_value() == "1.234,5"
    assert cell(page, "IIP_YOY").input_value() == "103,5"
    assert cell(page, "FISHERY_OUTPUT", 1).input_value() == "12,75"
    assert cell(page, "NEW_ENTERPRISES").input_value() == ""
    assert "has-comment" in td(page, "EXPORTS").locator(".dh-comment-toggle").get_attribute("class")
    assert narrative.input_value() == "Kinh tế tiếp tục phục hồi; bán lẻ tăng khá."
    assert page.get_by_test_id("progress").inner_text().startswith("4/28")

    # Submitting asks first, then refuses while required indicators are empty.
    page.get_by_test_id("submit-open").click()
    page.get_by_test_id("submit-confirm").click()
    alert = page.locator(".dh-messages .alert-danger")
    alert.wait_for()
    assert "Chỉ số giá tiêu dùng so với cùng kỳ năm trước" in alert.inner_text()

    # A tablet: the grid scrolls sideways inside its card, the page itself does not.
    page.set_viewport_size({"width": 820, "height": 1180})
    page.get_by_test_id("entry").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    assert cell(page, "RETAIL_SALES").bounding_box()["height"] >= 44
    assert td(page, "RETAIL_SALES").locator(".dh-comment-toggle").bounding_box()["height"] >= 44
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / "entry-tablet.png", full_page=True)
    # Further down the sticky bar keeps the progress and the submit button in sight.
    cell(page, "COMPLAINTS_RESOLVED").scroll_into_view_if_needed()
    assert page.get_by_test_id("entry-bar").bounding_box()["y"] == 0
    page.screenshot(path=screenshot_dir / "entry-tablet-scrolled.png")

    assert page.console_errors == []
    assert page.failed_requests == []
    assert page.foreign_requests == []


def test_a_center_analyst_finds_a_province_and_reads_its_report(page, live_server, screenshot_dir):
    load_reference_orgunits()
    load_reference_catalog()
    user_with_role("center_analyst", "chuyenvien")
    sign_in(page, live_server, "chuyenvien", f"/data/?regime={REGIME}")
    page.get_by_test_id("read-only-notice").wait_for()
    page.get_by_test_id("unit-search").fill("da nang")
    unit = page.get_by_test_id("unit-select")
    assert unit.locator("option:not([hidden])").all_inner_texts() == ["Thành phố Đà Nẵng"]
    assert unit.locator("option:checked").inner_text() == "Thành phố Đà Nẵng"
    page.screenshot(path=screenshot_dir / "entry-choose-country.png", full_page=True)
    page.get_by_test_id("open-report").click()
    page.get_by_test_id("read-only").wait_for()
    assert "Thành phố Đà Nẵng" in page.get_by_test_id("entry-unit").inner_text()
    assert cell(page, "RETAIL_SALES").is_disabled()
    assert page.get_by_test_id("submit-open").count() == 0
    assert page.console_errors == []
    assert page.failed_requests == []
    assert page.foreign_requests == []
