"""API tokens, data scopes and the audit records they leave."""

import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from dieuhanh.accounts.models import ApiToken
from dieuhanh.accounts.services import create_token, revoke_token
from dieuhanh.core.models import AuditRecord
from tests.accounts.conftest import client_for

pytestmark = pytest.mark.django_db


def new_token(user, scopes="*:read,*:write", expires=90) -> str:
    out = io.StringIO()
    call_command(
        "token",
        "create",
        "--user",
        user.username,
        "--scopes",
        scopes,
        "--expires",
        str(expires),
        stdout=out,
    )
    return out.getvalue().strip()


def bearer(token: str, scheme: str = "Bearer") -> dict:
    return {"HTTP_AUTHORIZATION": f"{scheme} {token}"}


def test_the_command_prints_a_token_that_is_stored_only_hashed(org):
    secret = new_token(org["alpha_officer"])
    assert secret.startswith("dh_") and len(secret) > 40
    token = ApiToken.objects.get(user=org["alpha_officer"])
    assert secret not in (token.key_hash, token.prefix) and token.prefix == secret[:11]
    assert AuditRecord.objects.filter(action="token_created", object_id=str(token.pk)).exists()
    with pytest.raises(CommandError, match="payroll:read không hợp lệ"):
        new_token(org["alpha_officer"], scopes="payroll:read")
    with pytest.raises(CommandError, match="no user"):
        call_command("token", "create", "--user", "nobody")


@pytest.mark.parametrize("scheme", ["Bearer", "ApiToken"])
def test_a_token_reads_within_its_users_scope(org, client, scheme):
    secret = new_token(org["alpha_admin"])
    response = client.get("/api/v1/accounts/users/", **bearer(secret, scheme))
    assert response.status_code == 200, response.content
    names = {u["username"] for u in response.json()["results"]}
    assert names == {"alpha_officer", "alpha_admin", "commune_officer"}
    token = ApiToken.objects.get(user=org["alpha_admin"])
    assert token.last_used_at is not None


def test_another_provinces_user_is_invisible_and_cannot_be_changed(org, client):
    secret = new_token(org["alpha_admin"])
    response = client.get("/api/v1/accounts/users/beta_officer/", **bearer(secret))
    assert response.status_code == 404
    response = client.patch(
        "/api/v1/accounts/users/beta_officer/",
        {"full_name": "Đổi tên"},
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 404
    assert org["beta_officer"].__class__.objects.get(pk=org["beta_officer"].pk).full_name != (
        "Đổi tên"
    )


def test_a_write_without_the_permission_is_refused_with_a_clear_message_and_audited(org, client):
    secret = new_token(org["alpha_officer"])  # a data officer may not manage users
    response = client.patch(
        "/api/v1/accounts/users/beta_officer/",
        {"full_name": "X"},
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert body["detail"] == "Bạn không có quyền thay đổi người dùng."
    denied = AuditRecord.objects.filter(action="permission_denied", user=org["alpha_officer"])
    assert denied.exists()
    assert denied.first().detail["path"] == "/api/v1/accounts/users/beta_officer/"


def test_an_agency_admin_changes_users_of_their_subtree_only(org):
    client = client_for(org["alpha_admin"])
    response = client.patch(
        "/api/v1/accounts/users/commune_officer/",
        {"job_title": "Công chức"},
        content_type="application/json",
    )
    assert response.status_code == 200
    record = AuditRecord.objects.filter(
        action="update", content_type__model="user", object_id=str(org["commune_officer"].pk)
    )
    assert record.get().changes["job_title"] == ("", "Công chức")
    assert client.get("/api/v1/accounts/users/beta_admin/").status_code == 404


def test_country_wide_roles_see_every_province(org):
    # An analyst holds no user permission: the list is empty, not an error.
    assert client_for(org["analyst"]).get("/api/v1/accounts/users/").json()["count"] == 0
    org["analyst"].user_permissions.add(Permission.objects.get(codename="view_user"))
    response = client_for(org["analyst"]).get("/api/v1/accounts/users/")
    assert response.json()["count"] == 6


def test_an_explicit_view_scope_replaces_the_own_unit(org):
    org["beta_admin"].view_scope.add(org["alpha"])
    names = {
        u["username"]
        for u in client_for(org["beta_admin"]).get("/api/v1/accounts/users/").json()["results"]
    }
    assert "alpha_officer" in names and "beta_officer" not in names


def test_token_scopes_limit_modules_and_writes(org, client):
    secret = new_token(org["alpha_admin"], scopes="orgunits:read")
    assert client.get("/api/v1/orgunits/", **bearer(secret)).status_code == 200
    response = client.get("/api/v1/accounts/users/", **bearer(secret))
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Token này không được đọc accounts")
    response = client.post(
        "/api/v1/orgunits/",
        {"code": "Z", "name": "Z", "kind": "facility"},
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 403
    assert AuditRecord.objects.filter(action="permission_denied", detail__reason="token scope")


def test_expired_revoked_and_unknown_tokens_are_refused(org, client):
    token, secret = create_token(None, org["alpha_admin"], "t", ["*:read"])
    assert client.get("/api/v1/accounts/users/", **bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    response = client.get("/api/v1/accounts/users/", **bearer(secret))
    assert response.status_code == 401
    # A bad token is refused even where anonymous reading is allowed.
    assert client.get("/api/v1/orgunits/", **bearer(secret)).status_code == 401
    token2, secret2 = create_token(None, org["alpha_admin"], "t2", ["*:read"])
    revoke_token(org["alpha_admin"], token2)
    assert client.get("/api/v1/accounts/users/", **bearer(secret2)).status_code == 401
    assert client.get("/api/v1/accounts/users/", **bearer("dh_nonsense")).status_code == 401
    assert AuditRecord.objects.filter(action="token_revoked").count() == 1
    assert (
        AuditRecord.objects.filter(action="login_failed", detail__reason="invalid token").count()
        == 4
    )


def test_tokens_through_the_api_are_shown_once_and_revocable(org):
    client = client_for(org["alpha_officer"])
    response = client.post(
        "/api/v1/accounts/tokens/",
        {"name": "Excel add-in", "scopes": "orgunits:read"},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert created["token"].startswith("dh_") and created["scopes"] == ["orgunits:read"]
    listed = client.get("/api/v1/accounts/tokens/").json()
    assert "token" not in listed[0] and listed[0]["prefix"] == created["prefix"]
    # A token cannot mint more tokens.
    response = Client().post(
        "/api/v1/accounts/tokens/",
        {"name": "x", "scopes": "accounts:write"},
        content_type="application/json",
        **bearer(new_token(org["alpha_officer"])),
    )
    assert response.status_code == 403
    response = client.post(f"/api/v1/accounts/tokens/{created['prefix']}/revoke")
    assert response.json()["active"] is False
    assert client.post("/api/v1/accounts/tokens/dh_unknown00/revoke").status_code == 404


def test_integration_accounts_cannot_sign_in_with_a_password(org, client):
    org["alpha_officer"].is_integration = True
    org["alpha_officer"].save()
    response = client.post(
        "/accounts/login/", {"username": "alpha_officer", "password": "Mat-khau-2026!"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_nobody_sees_or_revokes_another_users_token(org):
    token, _secret = create_token(None, org["beta_officer"], "beta", ["*:read"])
    client = client_for(org["alpha_admin"])
    assert token.prefix not in str(client.get("/api/v1/accounts/tokens/").json())
    assert client.post(f"/api/v1/accounts/tokens/{token.prefix}/revoke").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_clearance_hides_rows_above_it(org, monkeypatch):
    """The mechanism the catalog's indicators will use (sensitivity_field): shown here on
    group rows whose code stands in for a sensitivity level."""
    from dieuhanh.orgunits.models import OrgUnitGroup

    for level in ("public", "internal", "confidential"):
        OrgUnitGroup.objects.create(code=level, name=level)
    monkeypatch.setattr(OrgUnitGroup, "sensitivity_field", "code", raising=False)
    monkeypatch.setattr(OrgUnitGroup, "public_read", False)
    officer = org["alpha_officer"]
    officer.user_permissions.add(Permission.objects.get(codename="view_orgunitgroup"))
    for clearance, visible in (
        ("public", {"public"}),
        ("internal", {"public", "internal"}),
        ("confidential", {"public", "internal", "confidential"}),
    ):
        officer.clearance = clearance
        seen = set(OrgUnitGroup.objects.restrict(officer, "view").values_list("code", flat=True))
        assert seen == visible, clearance
