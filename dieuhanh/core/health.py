"""Health checks for /healthz and the overview page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "down"


def check_database(alias: str = "default") -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health: database %s is down", alias)
        return DOWN
    return OK


def check_broker() -> str:
    """A round trip to the Celery broker: Redis answers PING, the SQL broker ``SELECT 1``."""
    from dieuhanh.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(
                max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT
            )
            _round_trip(connection.default_channel)
    except Exception:
        logger.exception("health: broker is down")
        return DOWN
    return OK


def _round_trip(channel) -> None:
    client = getattr(channel, "client", None)
    if client is not None and hasattr(client, "ping"):  # redis
        client.ping()
        return
    if hasattr(channel, "session"):  # kombu's SQLAlchemy transport (the embedded broker)
        from sqlalchemy import text

        channel.session.execute(text("SELECT 1"))
        channel.session.close()
        return
    # Other transports (AMQP) have proved the connection in ensure_connection().


@dataclass(frozen=True)
class WorkerStatus:
    status: str  # "ok", "stale" or "unknown"
    last_seen: datetime | None
    hostname: str | None


def worker_status(now: datetime | None = None) -> WorkerStatus:
    """Derived from the last heartbeat: fresh within three heartbeat intervals."""
    from dieuhanh.core.models import WorkerHeartbeat

    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if latest is None:
        return WorkerStatus("unknown", None, None)
    now = now or timezone.now()
    fresh = now - latest.last_seen <= timedelta(seconds=3 * settings.HEARTBEAT_SECONDS)
    return WorkerStatus(OK if fresh else "stale", latest.last_seen, latest.hostname)


def health_report() -> tuple[dict, bool]:
    """The /healthz body and whether everything essential is up.

    The database and the broker are essential; the worker is reported but does not make
    the web node unhealthy (the web can run while workers restart).
    """
    report: dict = {"status": OK, "database": check_database(), "broker": check_broker()}
    down = [name for name in ("database", "broker") if report[name] != OK]
    if report["database"] == OK:
        worker = worker_status()
        report["worker"] = worker.status
        report["worker_last_seen"] = worker.last_seen.isoformat() if worker.last_seen else None
    else:
        report["worker"] = "unknown"
        report["worker_last_seen"] = None
    if down:
        report["status"] = "error"
        report["down"] = down
    return report, not down
