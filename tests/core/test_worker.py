"""The demo task really runs: a Celery worker with beat, started as `make run` starts it,
against the test database and the broker of this test run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from dieuhanh.core.models import WorkerHeartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url_for_test_db() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


def test_beat_schedules_the_heartbeat_and_a_worker_runs_it(tmp_path, client):
    broker = settings.CELERY_BROKER_URL
    if broker.startswith("sqla+sqlite"):
        broker = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_test_db(),
        "CELERY_BROKER_URL": broker,
        "DIEUHANH_HEARTBEAT_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "dieuhanh.settings",
    }
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [
            str(celery), "-A", "dieuhanh", "worker", "--beat", "--pool=solo",
            "--loglevel=INFO", "--hostname", "test-worker@%h",
            "--schedule", str(tmp_path / "beat-schedule"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        beats = 0
        while time.monotonic() < deadline and worker.poll() is None:
            heartbeat = WorkerHeartbeat.objects.filter(hostname__startswith="test-worker@").first()
            beats = heartbeat.beats if heartbeat else 0
            if beats >= 2:
                break
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert beats >= 2, f"no repeated heartbeat from the worker; its log:\n{output[-4000:]}"

    body = client.get("/healthz").json()
    assert body["worker"] == "ok"
