import pytest

from tests.browser.session import sign_in
from tests.reference import load_reference_orgunits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browsing_the_hierarchy_before_and_after_the_2025_reform(
    page, live_server, user, screenshot_dir
):
    load_reference_orgunits()
    sign_in(page, live_server, "nhanvien", "/orgunits/")
    page.get_by_role("heading", name="Danh mục đơn vị").wait_for()

    page.fill("#id_as_of", "30/06/2025")
    page.get_by_role("button", name="Xem").click()
    page.get_by_text("Cơ cấu tại ngày 30/06/2025").wait_for()
    page.get_by_test_id("expand-35").click()  # Hà Nam: its districts load in place
    page.get_by_role("link", name="Phủ Lý").wait_for()
    page.screenshot(path=screenshot_dir / "orgunits-2025-06-30.png", full_page=True)

    page.fill("#id_as_of", "01/07/2025")
    page.fill("#id_q", "ninh binh")
    page.select_option("#id_kind", "province")
    page.get_by_role("button", name="Xem").click()
    page.get_by_role("link", name="Tỉnh Ninh Bình").click()
    history = page.get_by_test_id("unit-history")
    history.wait_for()
    assert "trên cơ sở Ninh Bình, Hà Nam và Nam Định" in history.inner_text()
    page.screenshot(path=screenshot_dir / "orgunit-ninh-binh.png", full_page=True)

    assert page.console_errors == []
    assert page.failed_requests == []
    assert page.foreign_requests == []
