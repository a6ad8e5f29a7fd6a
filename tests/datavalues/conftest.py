import pytest

from tests.catalog.conftest import remove_catalog
from tests.conftest import remove_all_orgunits


def remove_datavalues():
    from dieuhanh.core.models import IdempotentRequest
    from dieuhanh.datavalues import models

    for model in (
        models.DataValueAudit,
        models.DataValue,
        models.ImportIssue,
        models.ImportJob,
        models.PeriodLock,
        IdempotentRequest,
    ):
        queryset = model.objects.all()
        queryset._raw_delete(queryset.db)


@pytest.fixture(scope="package")
def catalog(django_db_setup, django_db_blocker):
    """The real organisation units and the reference catalog, loaded once for the package
    and committed; each test's own writes are rolled back."""
    from dieuhanh.catalog.loader import load_reference_catalog
    from tests.reference import load_reference_orgunits

    with django_db_blocker.unblock():
        load_reference_orgunits()
        load_reference_catalog()
    yield
    with django_db_blocker.unblock():
        remove_datavalues()
        remove_catalog()
        remove_all_orgunits()
