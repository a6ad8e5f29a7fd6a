import pytest
from django.test import Client

from dieuhanh.accounts.models import User
from dieuhanh.orgunits.models import OrgUnit

PASSWORD = "Mat-khau-2026!"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters and cached lookups never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def user(db):
    return User.objects.create_user(
        username="nhanvien",
        password=PASSWORD,
        full_name="Phạm Thị Lan",
        job_title="Chuyên viên",
        organisation_name="Văn phòng Chính phủ",
    )


@pytest.fixture
def staff_user(db):
    return User.objects.create_user(
        username="quantrivien",
        password=PASSWORD,
        full_name="Đỗ Văn Minh",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(scope="module")
def reference(django_db_setup, django_db_blocker):
    """The real reference structure, loaded once per module and committed."""
    from tests.reference import load_reference_orgunits

    with django_db_blocker.unblock():
        load_reference_orgunits()
    yield
    with django_db_blocker.unblock():
        remove_all_orgunits()


def remove_all_orgunits():
    """Delete committed org-unit data in bulk (no per-row cascade collection)."""
    from dieuhanh.core.models import AuditRecord
    from dieuhanh.orgunits.models import (
        OrgUnitClosure,
        OrgUnitGroup,
        OrgUnitGroupSet,
        OrgUnitParent,
        Succession,
    )

    for model in (
        OrgUnitGroup.members.through,
        OrgUnitGroup,
        OrgUnitGroupSet,
        Succession,
        OrgUnitClosure,
        OrgUnitParent,
        OrgUnit,
        AuditRecord,
    ):
        queryset = model.objects.all()
        queryset._raw_delete(queryset.db)


VACUUM_EVERY_TESTS = 100


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """On PostgreSQL, vacuum after each test module (and every hundred tests): every test
    rolls back its rows and the module fixtures delete what they committed, and a server
    run with autovacuum off (the CI machine's is) keeps all of it as dead rows that every
    later scan reads through: the suite slowed down as it went, from 13 to 25 minutes."""
    yield
    counter = item.config.stash.setdefault(_tests_since_vacuum, [0])
    counter[0] += 1
    module_ends = nextitem is None or nextitem.module is not item.module
    if module_ends or counter[0] >= VACUUM_EVERY_TESTS:
        counter[0] = 0
        vacuum_test_database(item.config)


_tests_since_vacuum = pytest.StashKey[list]()


def vacuum_test_database(config) -> None:
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    if not connection.settings_dict["NAME"].startswith("test_"):
        return  # no test has used the database yet: it is not set up
    with config.stash[blocking_manager_key].unblock(), connection.cursor() as cursor:
        cursor.execute("VACUUM")


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return [
        f"dieuhanh: database {database['ENGINE'].rsplit('.', 1)[-1]} "
        f"({database.get('HOST') or database['NAME']}), celery broker {broker}"
    ]
