import datetime

import pytest

from dieuhanh.core import periods
from tests.analytics.conftest import client_for, country, province, store  # noqa: F401
from tests.catalog.conftest import user_with_role
from tests.datavalues.conftest import catalog  # noqa: F401 - the package's reference data


def months_ago(n: int, today: datetime.date | None = None) -> periods.Period:
    return periods.for_date("monthly", today or datetime.date.today(), hour=0).shift(-n)


@pytest.fixture
def leader(catalog, db):  # noqa: F811 - the package fixture
    return user_with_role("leader", "lanh_dao")


@pytest.fixture
def analyst(catalog, db):  # noqa: F811
    return user_with_role("center_analyst", "chuyen_vien")


def provincial_sales(period: periods.Period, values: dict[str, str]) -> None:
    """RETAIL_SALES of today's provinces (by code) and the country's sum, for ``period``."""
    rows = [("RETAIL_SALES", province(code), period.code, value) for code, value in values.items()]
    store(rows)
