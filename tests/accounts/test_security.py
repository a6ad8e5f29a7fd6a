"""Sign-in security, headers, rate limits, roles and the append-only audit log."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.roles import ensure_roles
from dieuhanh.core.models import AuditRecord
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/", follow=True)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_ten_wrong_passwords_lock_the_account_and_the_lock_is_audited(client, user):
    for attempt in range(1, 11):
        response = sign_in(client, "nhanvien", f"sai-{attempt}")
    assert 'data-testid="locked-out"' in response.content.decode()
    assert "Tài khoản đã bị khóa" in response.content.decode()
    # Even the right password is refused while locked.
    response = sign_in(client, "nhanvien", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="login_failed", user_name="nhanvien").count() >= 9
    assert AuditRecord.objects.filter(action="locked_out", user=user).count() >= 1


def test_sign_in_and_out_are_audited_with_the_address(client, user):
    sign_in(client, "nhanvien", PASSWORD)
    client.post("/accounts/logout/")
    login = AuditRecord.objects.get(action="login", user=user)
    assert login.ip == "127.0.0.1" and login.channel == "web" and login.request_id
    assert AuditRecord.objects.filter(action="logout", user=user).exists()


def test_sign_in_is_rate_limited_per_address(client, settings, user):
    cache.clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_ip": (3, 60)}
    codes = [sign_in(client, "nhanvien", "sai").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_api_is_rate_limited_per_address(client, settings):
    cache.clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_ip": (2, 60)}
    codes = [client.get("/api/v1/orgunits/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/orgunits/").json()["code"] == "rate_limited"
    cache.clear()


def test_the_audit_log_is_append_only(client, staff_user):
    record = AuditRecord.objects.create(channel="system", action="login", user_name="x")
    record.user_name = "changed"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    client.force_login(staff_user)
    assert client.get(f"/admin/core/auditrecord/{record.pk}/change/").status_code == 200
    response = client.post(f"/admin/core/auditrecord/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditRecord.objects.filter(pk=record.pk, user_name="x").exists()


def test_roles_are_loaded_once_and_an_administrators_removal_stays(user):
    ensure_roles()
    officer = Role.objects.get(code="agency_data_officer")
    view_unit = Permission.objects.get(codename="view_orgunit")
    assert view_unit in officer.permissions.all()
    officer.permissions.remove(view_unit)
    report = ensure_roles()
    assert report == {"created": 0, "permissions_added": 0}
    assert view_unit not in officer.permissions.all()
    assert Role.objects.count() == 8


def test_a_roles_permissions_become_the_users(user):
    ensure_roles()
    assert not user.has_perm("accounts.change_user")
    user.roles.add(Role.objects.get(code="agency_admin"))
    user = type(user).objects.get(pk=user.pk)  # permission caches are per object
    assert user.has_perm("accounts.change_user")
    assert not user.has_perm("accounts.delete_user")


def test_editing_a_role_in_the_admin_is_audited(client, staff_user):
    ensure_roles()
    role = Role.objects.get(code="leader")
    client.force_login(staff_user)
    view_user = Permission.objects.get(codename="view_user")
    response = client.post(
        f"/admin/accounts/role/{role.pk}/change/",
        {
            "name": "Lãnh đạo (đã sửa)",
            "name_en": role.name_en,
            "description": "",
            "permissions": [p.pk for p in role.permissions.all()] + [view_user.pk],
        },
    )
    assert response.status_code == 302
    record = AuditRecord.objects.get(
        action="update", content_type__model="role", object_id=str(role.pk), user=staff_user
    )
    assert record.changes["name"] == ("Lãnh đạo", "Lãnh đạo (đã sửa)")
    added = set(record.after["permissions"]) - set(record.before["permissions"])
    assert added == {str(view_user)}
