"""Business rules of the core app."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dieuhanh.core.models import WorkerHeartbeat


def record_heartbeat(hostname: str) -> WorkerHeartbeat:
    """Note that ``hostname`` ran the heartbeat now; counts beats without a race."""
    now = timezone.now()
    with transaction.atomic():
        heartbeat, created = WorkerHeartbeat.objects.get_or_create(
            hostname=hostname, defaults={"last_seen": now, "beats": 1}
        )
        if not created:
            WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(
                last_seen=now, beats=F("beats") + 1
            )
            heartbeat.refresh_from_db()
    return heartbeat
