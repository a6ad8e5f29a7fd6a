import pytest
from django.test import Client

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.roles import ensure_roles
from tests.conftest import remove_all_orgunits


@pytest.fixture(scope="package")
def catalog(django_db_setup, django_db_blocker):
    """The real organisation units and the reference catalog, loaded once for the catalog
    tests and committed; each test's own writes are rolled back."""
    from dieuhanh.catalog.loader import load_reference_catalog
    from tests.reference import load_reference_orgunits

    with django_db_blocker.unblock():
        load_reference_orgunits()
        load_reference_catalog()
    yield
    with django_db_blocker.unblock():
        remove_catalog()
        remove_all_orgunits()


def remove_catalog():
    from dieuhanh.catalog import models

    for model in (
        models.RegimeIndicator,
        models.RegimeSection,
        models.NarrativeSection,
        models.ReportingRegime.reporter_units.through,
        models.ReportingRegime,
        models.IndicatorVersion,
        models.Indicator.groups.through,
        models.Indicator,
        models.IndicatorGroup,
        models.IndicatorGroupSet,
        models.OptionCombination.options.through,
        models.OptionCombination,
        models.DisaggregationCategory,
        models.Disaggregation,
        models.CategoryOption,
        models.Category,
        models.MeasurementUnit,
    ):
        queryset = model.objects.all()
        queryset._raw_delete(queryset.db)


def user_with_role(role: str, username: str | None = None, **extra) -> User:
    ensure_roles()
    user = User.objects.create_user(
        username=username or role, password="Mat-khau-2026!", full_name=role.title(), **extra
    )
    user.roles.add(Role.objects.get(code=role))
    return user


@pytest.fixture
def analyst(catalog, db):
    return user_with_role("center_analyst", "analyst")


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def officer_client(catalog, db) -> Client:
    client = Client()
    client.force_login(user_with_role("agency_data_officer", "officer"))
    return client
