import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_civil_servant_logs_in_switches_language_and_logs_out(
    page, live_server, user, screenshot_dir
):
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", name="Đăng nhập").is_visible()
    assert "HỆ THỐNG THÔNG TIN CHỈ ĐẠO, ĐIỀU HÀNH" in page.locator("header").inner_text().upper()
    page.screenshot(path=screenshot_dir / "login.png", full_page=True)

    page.get_by_label("Tên đăng nhập").fill("nhanvien")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert "không đúng" in page.get_by_test_id("login-error").inner_text()

    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", name="Tổng quan").is_visible()
    user_menu = page.get_by_test_id("user-menu")
    assert "Phạm Thị Lan" in user_menu.inner_text()
    assert "Văn phòng Chính phủ" in user_menu.inner_text()
    page.screenshot(path=screenshot_dir / "overview-vi.png", full_page=True)

    # The language switch submits by itself (JavaScript, no inline script).
    page.select_option("#dh-language-select", "en")
    page.wait_for_load_state("load")
    page.get_by_role("heading", name="Overview").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=screenshot_dir / "overview-en.png", full_page=True)
    page.select_option("#dh-language-select", "vi")
    page.get_by_role("heading", name="Tổng quan").wait_for()

    user_menu.click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/accounts/login/")
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url

    assert page.console_errors == []
    assert page.failed_requests == []
    assert page.foreign_requests == []


def test_the_layout_holds_on_a_phone_and_a_wall_screen(browser, live_server, user, screenshot_dir):
    for name, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("wall", {"width": 3840, "height": 2160}),
    ):
        context = browser.new_context(locale="vi-VN", viewport=viewport)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill("nhanvien")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(live_server.url + "/")
        # Nothing wider than the screen: no horizontal scrolling.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name}: page is {overflow}px wider than the screen"
        if name == "phone":
            menu = page.get_by_role("button", name="Bật/tắt điều hướng")
            assert menu.is_visible()
            menu.click()
            page.get_by_role("link", name="Tổng quan").wait_for()
        page.screenshot(path=screenshot_dir / f"overview-{name}.png", full_page=True)
        context.close()
