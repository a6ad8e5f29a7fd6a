import re

import pytest
from openapi_spec_validator import validate

from dieuhanh.api import PUBLIC_OPERATIONS, api

pytestmark = pytest.mark.django_db


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/system/me" in spec["paths"]


def test_docs_are_served_without_any_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in ref for ref in references)
    for reference in references:
        assert reference.startswith("/static/"), reference
        assert client.get(reference).status_code == 200, reference


def test_every_operation_states_who_may_call_it():
    """An endpoint without an access rule fails the suite."""
    spec = api.get_openapi_schema()
    open_operations = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not operation.get("security") and operation["operationId"] not in PUBLIC_OPERATIONS:
                open_operations.append(f"{method.upper()} {path}")
    assert open_operations == []


def test_me_refuses_anonymous_callers_with_a_machine_readable_code(client):
    response = client.get("/api/v1/system/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_me_describes_the_calling_user(logged_in_client):
    response = logged_in_client.get("/api/v1/system/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "nhanvien"
    assert body["full_name"] == "Phạm Thị Lan"
    assert body["is_staff"] is False
    assert body["language"] == "vi"
    assert body["time_zone"] == "Asia/Ho_Chi_Minh"
