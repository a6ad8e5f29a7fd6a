"""Two-factor authentication: required by role, set up with a TOTP app, asked at sign-in."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dieuhanh.accounts.models import ApiToken, Role
from dieuhanh.accounts.roles import ensure_roles
from dieuhanh.accounts.services import create_token
from dieuhanh.core.models import AuditRecord
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_factor_by_role(settings):
    settings.DIEUHANH_TWO_FACTOR = "roles"
    ensure_roles()


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def sign_in(client, username="nhanvien"):
    return client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD, "next": "/"}
    )


@pytest.fixture
def administrator(user):
    user.roles.add(Role.objects.get(code="center_admin"))
    return user


def test_a_center_administrator_must_set_up_a_second_factor(client, administrator):
    sign_in(client)
    response = client.get("/orgunits/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/?next=/orgunits/")
    page = client.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page and 'data-testid="totp-secret"' in page

    response = client.post("/accounts/2fa/setup/", {"code": "000000", "next": "/orgunits/"})
    assert "Mã không đúng" in response.content.decode()
    assert AuditRecord.objects.filter(action="two_factor_failed", user=administrator).exists()

    device = TOTPDevice.objects.get(user=administrator)
    device.throttle_reset()  # a wrong code throttles the next try for a moment
    response = client.post("/accounts/2fa/setup/", {"code": code_for(device), "next": "/orgunits/"})
    assert response.status_code == 302 and response["Location"] == "/orgunits/"
    assert client.get("/orgunits/").status_code == 200
    assert AuditRecord.objects.filter(action="two_factor_on", user=administrator).exists()


def test_the_next_sign_in_asks_for_the_code(administrator):
    device = TOTPDevice.objects.create(user=administrator, name="app", confirmed=True)
    client = Client()
    sign_in(client)
    response = client.get("/")
    assert response["Location"].startswith("/accounts/2fa/verify/")
    response = client.post("/accounts/2fa/verify/", {"code": "123456", "next": "/"})
    assert response.status_code == 200 and 'data-testid="code-error"' in response.content.decode()
    device.refresh_from_db()
    # Right after a wrong code even the right one is refused for a moment (throttling).
    response = client.post("/accounts/2fa/verify/", {"code": code_for(device), "next": "/"})
    assert response.status_code == 200
    device.throttle_reset()
    response = client.post("/accounts/2fa/verify/", {"code": code_for(device), "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_next_parameter_cannot_leave_the_site(administrator):
    device = TOTPDevice.objects.create(user=administrator, name="app", confirmed=True)
    client = Client()
    sign_in(client)
    response = client.post(
        "/accounts/2fa/verify/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_api_refuses_an_unverified_session_but_not_a_token(client, administrator):
    sign_in(client)
    response = client.get("/api/v1/system/me")
    assert response.status_code == 403 and response.json()["code"] == "two_factor_required"
    _token, secret = create_token(None, administrator, "script", ["system:read"])
    response = Client().get("/api/v1/system/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=administrator).last_used_at is not None


def test_roles_without_the_requirement_sign_in_with_a_password(client, user):
    user.roles.add(Role.objects.get(code="agency_data_officer"))
    sign_in(client)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(("policy", "required"), [("all", True), ("off", False)])
def test_the_policy_is_configurable(client, settings, user, policy, required):
    settings.DIEUHANH_TWO_FACTOR = policy
    sign_in(client)
    assert (client.get("/").status_code == 302) == required
