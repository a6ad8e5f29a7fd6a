import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SYSTEM_NAME = "Hệ thống thông tin chỉ đạo, điều hành"


def test_login_with_the_right_password_opens_the_overview(client, user):
    response = client.post(
        "/accounts/login/", {"username": "nhanvien", "password": PASSWORD, "next": "/"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    html = response.content.decode()
    assert "Tổng quan" in html
    assert "Phạm Thị Lan" in html
    assert "Văn phòng Chính phủ" in html
    assert "Đăng xuất" in html


def test_login_with_a_wrong_password_says_why_in_vietnamese(client, user):
    response = client.post("/accounts/login/", {"username": "nhanvien", "password": "sai-mat-khau"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in html
    assert "_auth_user_id" not in client.session


def test_login_with_empty_fields_names_the_fields(client):
    response = client.post("/accounts/login/", {"username": "", "password": ""})
    assert response.status_code == 200
    assert response.content.decode().count("Trường này là bắt buộc") == 2


def test_login_refuses_a_post_without_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "nhanvien", "password": PASSWORD})
    assert response.status_code == 403


def test_login_does_not_redirect_to_another_site(client, user):
    response = client.post(
        "/accounts/login/",
        {"username": "nhanvien", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_needs_post_and_ends_the_session(logged_in_client):
    assert logged_in_client.get("/accounts/logout/").status_code == 405
    response = logged_in_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert logged_in_client.get("/").status_code == 302
