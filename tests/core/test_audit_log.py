"""The audit log page, its export and its API: search, scope, and exports audited."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission

from dieuhanh.core.audit import record_event
from dieuhanh.core.models import AuditRecord
from tests.accounts.conftest import client_for, org  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(org):  # noqa: F811
    record_event("login", org["alpha_officer"])
    record_event("login_failed", org["beta_officer"], detail={"reason": "bad credentials"})
    record_event("permission_denied", org["commune_officer"], detail={"path": "/x"})
    return org


def test_the_center_searches_by_user_action_unit_and_time(client, staff_user, events):
    client.force_login(staff_user)
    html = client.get("/audit/", {"user": "beta"}).content.decode()
    assert "beta_officer" in html and "alpha_officer" not in html
    html = client.get("/audit/", {"action": "permission_denied"}).content.decode()
    assert "commune_officer" in html and "Từ chối truy cập" in html
    html = client.get("/audit/", {"unit": events["alpha"].uid}).content.decode()
    assert "alpha_officer" in html and "commune_officer" in html and "beta_officer" not in html
    html = client.get("/audit/", {"since": "01/01/2099"}).content.decode()
    assert "Không có bản ghi nào phù hợp." in html


def test_the_export_is_a_csv_and_is_itself_audited(client, staff_user, events):
    client.force_login(staff_user)
    response = client.get("/audit/", {"action": "login_failed", "format": "csv"})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [row["user_name"] for row in rows] == ["beta_officer"]
    export = AuditRecord.objects.get(action="export", user=staff_user)
    assert export.detail["what"] == "audit log"


def test_without_the_permission_the_log_is_refused(events):
    response = client_for(events["alpha_admin"]).get("/audit/")
    assert response.status_code == 403


def test_an_agency_administrator_with_the_permission_sees_their_subtree(events):
    admin = events["alpha_admin"]
    admin.user_permissions.add(Permission.objects.get(codename="view_auditrecord"))
    body = client_for(admin).get("/api/v1/system/audit/", {"limit": 100}).json()
    users = {row["user"] for row in body["results"]}
    assert "commune_officer" in users and "beta_officer" not in users
