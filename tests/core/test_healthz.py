from datetime import timedelta

import pytest
from django.db import OperationalError, connections
from django.utils import timezone

from dieuhanh.celery import app as celery_app
from dieuhanh.core.models import WorkerHeartbeat
from dieuhanh.core.services import record_heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert "down" not in body
    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


def test_healthz_names_the_broker_when_it_is_down(client, monkeypatch):
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    assert celery_app.conf.broker_url == "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"] == "down"
    assert body["database"] == "ok"
    assert body["down"] == ["broker"]


def test_healthz_names_the_database_when_it_is_down(client, monkeypatch):
    connection = connections["default"]

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "down"
    assert body["down"] == ["database"]
    assert body["worker"] == "unknown"


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


def test_worker_status_is_unknown_before_any_heartbeat(client):
    body = client.get("/healthz").json()
    assert body["worker"] == "unknown"
    assert body["worker_last_seen"] is None


def test_worker_status_follows_the_heartbeat(client, settings):
    settings.HEARTBEAT_SECONDS = 60
    record_heartbeat("worker@a")
    body = client.get("/healthz").json()
    assert body["worker"] == "ok"
    assert body["worker_last_seen"] is not None

    WorkerHeartbeat.objects.update(last_seen=timezone.now() - timedelta(minutes=10))
    body = client.get("/healthz").json()
    assert body["worker"] == "stale"
    # A stale worker does not make the web node unhealthy.
    assert body["status"] == "ok"


def test_repeated_heartbeats_count_on_one_row():
    for _ in range(3):
        record_heartbeat("worker@b")
    heartbeat = WorkerHeartbeat.objects.get(hostname="worker@b")
    assert heartbeat.beats == 3
    assert WorkerHeartbeat.objects.count() == 1


def test_request_id_is_echoed_when_valid_and_replaced_when_not(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123-def-456")
    assert response["X-Request-ID"] == "abc-123-def-456"
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32
