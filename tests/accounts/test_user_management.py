"""Agency administrators manage the users of their own subtree, and nothing more."""

import pytest
from django.test import Client

from dieuhanh.accounts.models import Role, User
from dieuhanh.core.models import AuditRecord
from tests.accounts.conftest import client_for

pytestmark = pytest.mark.django_db


def new_user_form(org, **overrides):
    return {
        "username": "moi",
        "full_name": "Cán bộ Mới",
        "job_title": "",
        "email": "",
        "orgunit": org["alpha_commune"].uid,
        "roles": [Role.objects.get(code="agency_data_officer").pk],
        **overrides,
    }


def test_an_agency_admin_creates_a_user_who_must_change_the_password(org):
    response = client_for(org["alpha_admin"]).post("/accounts/users/new/", new_user_form(org))
    html = response.content.decode()
    assert 'data-testid="temporary-password"' in html
    password = html.split('data-testid="temporary-password">')[1].split("<")[0]
    created = User.objects.get(username="moi")
    assert created.orgunit == org["alpha_commune"] and created.must_change_password
    assert AuditRecord.objects.filter(
        action="create", object_id=str(created.pk), user=org["alpha_admin"]
    ).exists()

    client = Client()
    client.post("/accounts/login/", {"username": "moi", "password": password})
    assert client.get("/orgunits/")["Location"] == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Mot-Mat-Khau-Rieng-2026",
            "new_password2": "Mot-Mat-Khau-Rieng-2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/orgunits/").status_code == 200
    assert AuditRecord.objects.filter(action="password_changed", user=created).exists()


def test_users_cannot_be_created_outside_the_subtree(org):
    response = client_for(org["alpha_admin"]).post(
        "/accounts/users/new/", new_user_form(org, orgunit=org["beta"].uid)
    )
    assert "nằm ngoài" in response.content.decode()
    assert not User.objects.filter(username="moi").exists()


def test_nobody_grants_a_role_beyond_their_own_rights(org):
    admin_role = Role.objects.get(code="center_admin")
    response = client_for(org["alpha_admin"]).post(
        "/accounts/users/new/", new_user_form(org, roles=[admin_role.pk])
    )
    assert "Quản trị Trung tâm" in response.content.decode()
    assert not User.objects.filter(username="moi").exists()
    response = client_for(org["alpha_admin"]).post(
        f"/accounts/users/{org['alpha_officer'].username}/",
        {
            "full_name": "X",
            "orgunit": org["alpha"].uid,
            "roles": [admin_role.pk],
            "is_active": "on",
        },
    )
    assert not org["alpha_officer"].roles.filter(code="center_admin").exists()


def test_a_role_change_is_audited_with_before_and_after(org):
    approver = Role.objects.get(code="agency_approver")
    officer = Role.objects.get(code="agency_data_officer")
    response = client_for(org["alpha_admin"]).post(
        "/accounts/users/commune_officer/",
        {
            "full_name": "Commune_Officer",
            "orgunit": org["alpha_commune"].uid,
            "roles": [officer.pk, approver.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    record = AuditRecord.objects.filter(
        action="update", content_type__model="user", object_id=str(org["commune_officer"].pk)
    ).get()
    assert record.changes["roles"] == (
        ["agency_data_officer"],
        ["agency_approver", "agency_data_officer"],
    )


def test_a_password_reset_unlocks_and_is_audited(org):
    locked = Client()
    for attempt in range(10):
        locked.post("/accounts/login/", {"username": "commune_officer", "password": f"x{attempt}"})
    html = (
        client_for(org["alpha_admin"])
        .post("/accounts/users/commune_officer/reset-password/")
        .content.decode()
    )
    password = html.split('data-testid="temporary-password">')[1].split("<")[0]
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "commune_officer", "password": password}
    )
    assert response.status_code == 302
    assert AuditRecord.objects.filter(action="password_reset", user=org["alpha_admin"]).exists()


def test_other_provinces_users_are_not_even_visible(org):
    client = client_for(org["alpha_admin"])
    assert client.get("/accounts/users/beta_officer/").status_code == 404
    assert client.post("/accounts/users/beta_officer/reset-password/").status_code == 404
    html = client.get("/accounts/users/").content.decode()
    assert "commune_officer" in html and "beta_officer" not in html


def test_data_officers_do_not_manage_users(org):
    client = client_for(org["alpha_officer"])
    assert client.get("/accounts/users/").status_code == 403
    assert client.post("/accounts/users/new/", new_user_form(org)).status_code == 403
