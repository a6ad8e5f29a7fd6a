import datetime

import pytest
from django.test import Client

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.roles import ensure_roles
from dieuhanh.orgunits import services as orgunits

D = datetime.date


@pytest.fixture
def org(db):
    """Two provinces with a commune each, and users in them with standard roles."""
    ensure_roles()
    root = orgunits.create_unit(None, code="CP", name="Chính phủ", kind="government")
    alpha = orgunits.create_unit(None, code="P1", name="Tỉnh Một", kind="province", parent=root)
    beta = orgunits.create_unit(None, code="P2", name="Tỉnh Hai", kind="province", parent=root)
    alpha_commune = orgunits.create_unit(
        None, code="X1", name="Xã Một", kind="commune", parent=alpha
    )
    units = {"root": root, "alpha": alpha, "beta": beta, "alpha_commune": alpha_commune}

    def make(username, unit, role):
        user = User.objects.create_user(
            username=username,
            password="Mat-khau-2026!",
            orgunit=units[unit],
            full_name=username.title(),
        )
        user.roles.add(Role.objects.get(code=role))
        return user

    users = {
        "alpha_officer": make("alpha_officer", "alpha", "agency_data_officer"),
        "alpha_admin": make("alpha_admin", "alpha", "agency_admin"),
        "commune_officer": make("commune_officer", "alpha_commune", "agency_data_officer"),
        "beta_officer": make("beta_officer", "beta", "agency_data_officer"),
        "beta_admin": make("beta_admin", "beta", "agency_admin"),
        "analyst": make("analyst", "root", "center_analyst"),
    }
    return {**units, **users}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
