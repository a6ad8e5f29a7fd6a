import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.roles import ensure_roles
from dieuhanh.orgunits import services as orgunits
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_sets_up_two_factors_manages_users_and_reads_the_audit_log(
    page, live_server, user, settings, screenshot_dir
):
    settings.DIEUHANH_TWO_FACTOR = "roles"
    ensure_roles()
    root = orgunits.create_unit(None, code="CP", name="Chính phủ", kind="government")
    user.orgunit = root
    user.save()
    user.roles.add(Role.objects.get(code="center_admin"))

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("nhanvien")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Thiết lập xác thực hai lớp").wait_for()
    assert page.get_by_test_id("qr-code").evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=screenshot_dir / "two-factor-setup.png", full_page=True)
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Mã 6 chữ số").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bật").click()
    page.get_by_role("heading", name="Tổng quan").wait_for()

    page.get_by_role("link", name="Người dùng").click()
    page.get_by_role("link", name="Thêm người dùng").click()
    page.get_by_label("Tên đăng nhập").fill("canbo.moi")
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    page.get_by_label("Đơn vị (uid)").fill(root.uid)
    page.get_by_label("Cán bộ nhập liệu").check()
    page.get_by_role("button", name="Lưu").click()
    assert len(page.get_by_test_id("temporary-password").inner_text()) >= 10
    page.screenshot(path=screenshot_dir / "user-temporary-password.png", full_page=True)

    page.get_by_role("link", name="Nhật ký hệ thống").click()
    assert "bản ghi" in page.get_by_test_id("audit-count").inner_text()
    assert "Bật xác thực hai lớp" in page.content()
    assert "Nguyễn Thị Hoa" in page.content() or "canbo.moi" in page.content()
    page.screenshot(path=screenshot_dir / "audit-log.png", full_page=True)

    assert page.console_errors == []  # CSP violations would be reported here
    assert page.failed_requests == []
    assert page.foreign_requests == []


def test_the_api_documentation_runs_under_the_content_security_policy(page, live_server):
    page.goto(live_server.url + "/api/v1/docs")
    page.get_by_text("Điều hành API").first.wait_for()
    page.get_by_text("/api/v1/orgunits/").first.wait_for()
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
