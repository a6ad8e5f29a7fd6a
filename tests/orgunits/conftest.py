import datetime

import pytest

from dieuhanh.orgunits import services
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind

D = datetime.date


def province(short_name: str, day: datetime.date) -> OrgUnit:
    return services.units_on(day, OrgUnitKind.PROVINCE).get(short_name=short_name)


@pytest.fixture
def tree(db, staff_user):
    """A small synthetic structure: a root, two provinces with a commune each."""
    root = services.create_unit(
        staff_user, code="ROOT", name="Gốc", kind=OrgUnitKind.GOVERNMENT, valid_from=D(2000, 1, 1)
    )
    alpha = services.create_unit(
        staff_user,
        code="A",
        name="Tỉnh Alpha",
        short_name="Alpha",
        kind="province",
        parent=root,
        valid_from=D(2000, 1, 1),
    )
    beta = services.create_unit(
        staff_user,
        code="B",
        name="Tỉnh Beta",
        short_name="Beta",
        kind="province",
        parent=root,
        valid_from=D(2000, 1, 1),
    )
    a1 = services.create_unit(
        staff_user,
        code="A1",
        name="Xã Một",
        kind="commune",
        parent=alpha,
        valid_from=D(2000, 1, 1),
    )
    b1 = services.create_unit(
        staff_user, code="B1", name="Xã Hai", kind="commune", parent=beta, valid_from=D(2000, 1, 1)
    )
    return {"root": root, "alpha": alpha, "beta": beta, "a1": a1, "b1": b1}
