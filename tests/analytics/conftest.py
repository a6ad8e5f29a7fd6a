import datetime

import pytest
from django.test import Client

from dieuhanh.accounts.models import User
from dieuhanh.catalog.models import Indicator
from dieuhanh.datavalues.ingest import ImportOptions, RawValue, Scheme, ingest
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.services import descendants
from tests.catalog.conftest import user_with_role
from tests.datavalues.conftest import catalog  # noqa: F401 - the package's reference data


def admin() -> User:
    return User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "quan_tri", password="Mat-khau-2026!"
    )


DELETE = object()
MAY_2024 = datetime.date(2024, 5, 31)


def store(values, user=None, **options) -> None:
    """(indicator, unit, period, value[, combination uid]) through the ingest engine; the
    value ``DELETE`` deletes."""
    rows = [
        RawValue(
            i,
            None,
            row[0],
            row[2],
            row[1].uid,
            row[4] if len(row) > 4 else None,
            None,
            None if row[3] is DELETE else row[3],
            deleted=True if row[3] is DELETE else None,
        )
        for i, row in enumerate(values)
    ]
    settings = {"indicator_scheme": Scheme.CODE, "orgunit_scheme": Scheme.UID, "trusted": True}
    result = ingest(rows, user or admin(), ImportOptions(**(settings | options)))
    assert result.conflicts == [], result.conflicts


def reported_by_communes(*codes: str) -> None:
    """Let communes report ``codes`` too (the reference catalog stops at provinces)."""
    for indicator in Indicator.objects.filter(code__in=codes):
        indicator.levels = [*indicator.levels, "commune"]
        indicator.save(update_fields=["levels"])


def province(code: str, day: datetime.date | None = None) -> OrgUnit:
    units = OrgUnit.objects.filter(code=code, kind="province")
    if day is None:
        return units.get(valid_to__isnull=True)
    return next(u for u in units if u.is_valid_on(day))


def country() -> OrgUnit:
    return OrgUnit.objects.get(kind="government")


def communes(unit: OrgUnit, day: datetime.date, n: int = 2) -> list[OrgUnit]:
    return list(descendants(unit, day, kind="commune").order_by("code")[:n])


@pytest.fixture
def analyst(catalog, db):  # noqa: F811 - the package fixture
    return user_with_role("center_analyst", "chuyen_vien")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
