"""Editing the hierarchy through the API: permissions, rules, history."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from dieuhanh.orgunits.models import OrgUnit
from tests.orgunits.conftest import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


def new_unit(**overrides):
    return {"code": "HOCHUA01", "name": "Hồ chứa Dầu Tiếng", "kind": "facility", **overrides}


def test_anonymous_callers_cannot_write(client, tree):
    response = client.post("/api/v1/orgunits/", new_unit(), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_users_without_the_permission_are_refused(logged_in_client, tree):
    response = logged_in_client.post(
        "/api/v1/orgunits/", new_unit(), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    response = logged_in_client.patch(
        f"/api/v1/orgunits/{tree['alpha'].uid}/", {"name_en": "X"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_granted_permission_allows_the_write(logged_in_client, user, tree):
    user.user_permissions.add(Permission.objects.get(codename="add_orgunit"))
    response = logged_in_client.post(
        "/api/v1/orgunits/",
        new_unit(parent=tree["alpha"].uid, valid_from="2020-01-01"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["parent_uid"] is None or response.json()["code"] == "HOCHUA01"


def test_an_administrator_creates_edits_and_reads_the_history(admin_client, tree):
    response = admin_client.post(
        "/api/v1/orgunits/",
        new_unit(parent=tree["alpha"].uid, valid_from="2020-01-01"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    uid = response.json()["uid"]
    response = admin_client.patch(
        f"/api/v1/orgunits/{uid}/",
        {"name_en": "Dau Tieng reservoir"},
        content_type="application/json",
    )
    assert response.json()["name_en"] == "Dau Tieng reservoir"
    detail = admin_client.get(f"/api/v1/orgunits/{uid}/", {"as_of": "2021-01-01"}).json()
    assert detail["parent_name"] == "Alpha" and detail["level"] == 3
    history = admin_client.get(f"/api/v1/orgunits/{uid}/history/").json()
    assert [h["action"] for h in history][:1] == ["update"]
    assert {h["action"] for h in history} == {"create", "update"}
    assert history[0]["changes"]["name_en"] == ["", "Dau Tieng reservoir"]
    assert all(h["channel"] == "api" for h in history)


def test_a_broken_rule_answers_422_with_its_code_and_the_unit(admin_client, tree):
    response = admin_client.post(
        "/api/v1/orgunits/", new_unit(code="A1"), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "duplicate_code"
    assert "A1" in body["detail"][0]


def test_bad_input_is_refused_field_by_field(admin_client):
    response = admin_client.post(
        "/api/v1/orgunits/",
        {"code": "", "name": "X", "kind": "planet"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    fields = {error["loc"][-1] for error in body["detail"]}
    assert {"code", "kind"} <= fields


def test_a_reform_through_the_api(admin_client, tree):
    payload = {
        "effective_date": "2025-07-01",
        "new_units": [
            {
                "key": "g",
                "code": "G",
                "name": "Tỉnh Gamma",
                "kind": "province",
                "parent": tree["root"].uid,
            }
        ],
        "moves": [{"unit": tree["a1"].uid, "parent": "g"}, {"unit": tree["b1"].uid, "parent": "g"}],
        "ended": [tree["alpha"].uid, tree["beta"].uid],
        "successions": [
            {"predecessor": tree["alpha"].uid, "successor": "g", "kind": "merge", "share": 1},
            {"predecessor": tree["beta"].uid, "successor": "g", "kind": "merge", "share": 1},
        ],
    }
    response = admin_client.post(
        "/api/v1/orgunits/reforms/", payload, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    gamma = response.json()["created"]["g"]
    predecessors = admin_client.get(f"/api/v1/orgunits/{gamma}/predecessors/").json()
    assert sorted(p["code"] for p in predecessors) == ["A", "B"]
    # The same reform again is refused as a whole: the provinces have already ended.
    again = admin_client.post("/api/v1/orgunits/reforms/", payload, content_type="application/json")
    assert again.status_code == 422
    assert OrgUnit.objects.filter(code="G").count() == 1


def test_moving_ending_and_linking_through_the_api(admin_client, tree):
    response = admin_client.post(
        f"/api/v1/orgunits/{tree['a1'].uid}/move",
        {"parent": tree["beta"].uid, "from_day": "2025-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 200
    detail = admin_client.get(f"/api/v1/orgunits/{tree['a1'].uid}/", {"as_of": "2025-02-01"})
    assert detail.json()["parent_name"] == "Beta"
    response = admin_client.post(
        f"/api/v1/orgunits/{tree['b1'].uid}/parents",
        {"parent": tree["alpha"].uid, "valid_from": "2020-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["code"] == "overlapping_parents"
    response = admin_client.post(
        f"/api/v1/orgunits/{tree['b1'].uid}/end",
        {"last_day": "2025-12-31"},
        content_type="application/json",
    )
    assert response.json()["valid_to"] == "2025-12-31"
    assert OrgUnit.objects.get(pk=tree["b1"].pk).valid_to == D(2025, 12, 31)


def test_unknown_units_answer_404(admin_client, client):
    assert client.get("/api/v1/orgunits/nosuchunit1/").status_code == 404
    response = admin_client.patch(
        "/api/v1/orgunits/nosuchunit1/", {"name": "X"}, content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_public_reading_can_be_switched_off(client, tree, settings):
    assert client.get("/api/v1/orgunits/").status_code == 200
    settings.DIEUHANH_PUBLIC_REFERENCE_DATA = False
    assert client.get("/api/v1/orgunits/").status_code == 401
