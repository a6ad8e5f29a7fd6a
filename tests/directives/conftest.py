"""A small government for the task tests: the Government, two ministries, two provinces,
and people in them with the standard roles (no reference data: these tests are fast)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.roles import ensure_roles
from dieuhanh.directives import services
from dieuhanh.orgunits import services as orgunits

PASSWORD = "Mat-khau-2026!"


@pytest.fixture
def gov(db):
    ensure_roles()
    root = orgunits.create_unit(None, code="CP", name="Chính phủ", kind="government")
    units = {
        "root": root,
        "btc": orgunits.create_unit(
            None, code="BTC", name="Bộ Tài chính", kind="ministry", parent=root
        ),
        "btp": orgunits.create_unit(
            None, code="BTP", name="Bộ Tư pháp", kind="ministry", parent=root
        ),
        "p1": orgunits.create_unit(None, code="P1", name="Tỉnh Một", kind="province", parent=root),
        "p2": orgunits.create_unit(None, code="P2", name="Tỉnh Hai", kind="province", parent=root),
    }

    def make(username, unit, role, **extra):
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            orgunit=units[unit],
            full_name=extra.pop("full_name", username.replace("_", " ").title()),
            **extra,
        )
        user.roles.add(Role.objects.get(code=role))
        return User.objects.get(pk=user.pk)

    people = {
        "analyst": make(
            "analyst", "root", "center_analyst", email="cv@vpcp.gov.vn", clearance="confidential"
        ),
        "leader": make("leader", "root", "leader", full_name="Lê Văn Hùng"),
        "btc_officer": make("btc_officer", "btc", "agency_data_officer", email="btc@mof.gov.vn"),
        "btp_officer": make("btp_officer", "btp", "agency_data_officer"),
        "p1_officer": make("p1_officer", "p1", "agency_data_officer"),
        "p2_officer": make("p2_officer", "p2", "agency_data_officer"),
        "consumer": make("consumer", "root", "data_consumer"),
    }
    return {**units, **people}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def make_task(gov, *, lead="btc", deadline=None, document=None, user=None, **fields):
    """A task recorded by the analyst (assigned a year ago unless told)."""
    user = user or gov["analyst"]
    if document is None:
        document, _created = services.create_document(
            user,
            services.DocumentInput(
                number=fields.pop("number", "01/NQ-CP"),
                doc_type="resolution",
                issued_on=fields.pop("issued_on", days(-365)),
                excerpt="Về nhiệm vụ, giải pháp chủ yếu năm 2026",
                signer="Thủ tướng Chính phủ",
            ),
        )
    return services.create_task(
        user,
        document,
        services.TaskInput(
            content=fields.pop("content", "Xây dựng Nghị định về quản lý nợ công"),
            lead=gov[lead],
            deadline=deadline,
            monitor=fields.pop("monitor", gov["analyst"]),
            **fields,
        ),
    )
