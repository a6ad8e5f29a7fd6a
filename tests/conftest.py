import pytest
from django.test import Client

from dieuhanh.accounts.models import User

PASSWORD = "Mat-khau-2026!"


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


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return [
        f"dieuhanh: database {database['ENGINE'].rsplit('.', 1)[-1]} "
        f"({database.get('HOST') or database['NAME']}), celery broker {broker}"
    ]
