import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from dieuhanh.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from dieuhanh.accounts.models import User
from dieuhanh.core.models import AuditRecord
from dieuhanh.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_setup_data_loads_reference_and_demo_data_once(settings):
    """What `make run` does at every start: the second run changes nothing."""
    settings.DIEUHANH_DEMO = True
    call_command("setup_data", "--demo")
    units, changes = OrgUnit.objects.count(), AuditRecord.objects.count()
    assert units > 14000
    hashes = dict(User.objects.values_list("username", "password"))
    assert set(hashes) == {demo.username for demo in DEMO_USERS}

    call_command("setup_data", "--demo")
    assert OrgUnit.objects.count() == units
    assert AuditRecord.objects.count() == changes
    assert dict(User.objects.values_list("username", "password")) == hashes


@pytest.mark.usefixtures("reference")
def test_a_printed_demo_login_works(settings):
    settings.DIEUHANH_DEMO = True
    call_command("load_roles")
    call_command("load_demo_users")
    for demo in DEMO_USERS:
        if demo.role == "integration_client":
            continue  # integrations sign in with tokens only
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": demo.username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, demo.username
    admin = User.objects.get(username="quantri")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.get(username="lanhdao").is_staff


@pytest.mark.usefixtures("reference")
def test_a_changed_demo_password_is_kept_on_the_next_start(settings):
    settings.DIEUHANH_DEMO = True
    call_command("load_roles")
    call_command("load_demo_users")
    user = User.objects.get(username="chuyenvien")
    user.set_password("Mot-mat-khau-khac-2026")
    user.save()
    call_command("load_demo_users")
    response = Client().post(
        "/accounts/login/", {"username": "chuyenvien", "password": "Mot-mat-khau-khac-2026"}
    )
    assert response.status_code == 302


def test_demo_users_are_refused_outside_demo_mode(settings):
    settings.DIEUHANH_DEMO = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("load_demo_users")
    assert not User.objects.exists()
