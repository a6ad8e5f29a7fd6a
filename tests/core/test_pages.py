import re

import pytest

pytestmark = pytest.mark.django_db

SYSTEM_NAME = "Hệ thống thông tin chỉ đạo, điều hành"


def test_home_leads_anonymous_visitors_to_the_vietnamese_login_page(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/")
    html = response.content.decode()
    assert '<html lang="vi"' in html
    assert SYSTEM_NAME.upper() in html.upper()
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html


def test_navigation_shows_administration_to_staff_only(client, user, staff_user):
    client.force_login(user)
    assert "/admin/" not in client.get("/").content.decode()
    client.force_login(staff_user)
    assert "/admin/" in client.get("/").content.decode()


def test_language_switch_turns_the_interface_to_english_and_back(logged_in_client):
    response = logged_in_client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Overview" in html
    assert "Log out" in html
    response = logged_in_client.post("/i18n/setlang/", {"language": "vi", "next": "/"}, follow=True)
    assert "Tổng quan" in response.content.decode()


def test_unknown_language_is_ignored(logged_in_client):
    logged_in_client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert '<html lang="vi"' in logged_in_client.get("/").content.decode()


def test_missing_page_answers_404_in_vietnamese(logged_in_client):
    response = logged_in_client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_pages_load_every_asset_from_this_server(client, logged_in_client):
    """No CDN: every script, stylesheet and icon comes from /static/ and is served."""
    for page_client, path in ((client, "/accounts/login/"), (logged_in_client, "/")):
        html = page_client.get(path).content.decode()
        references = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
        assert references, path
        for reference in references:
            assert reference.startswith("/static/"), f"{path} loads {reference}"
            assert page_client.get(reference).status_code == 200, reference
        assert "cdn" not in html.lower()


def test_admin_lists_worker_heartbeats_for_staff_only(client, user, staff_user):
    from dieuhanh.core.services import record_heartbeat

    record_heartbeat("worker@may-chu-1")
    client.force_login(user)
    assert client.get("/admin/core/workerheartbeat/").status_code == 302
    client.force_login(staff_user)
    index = client.get("/admin/").content.decode()
    assert "Quản trị hệ thống" in index
    response = client.get("/admin/core/workerheartbeat/")
    assert response.status_code == 200
    assert "worker@may-chu-1" in response.content.decode()
    # Heartbeats are evidence written by the worker only: nobody adds or edits them by hand.
    assert client.get("/admin/core/workerheartbeat/add/").status_code == 403
