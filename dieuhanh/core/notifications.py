"""The inbox: notices written for users and sent by email after the transaction commits
(by the worker). Idempotent with a ``key``: a scheduled reminder run twice writes once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dieuhanh.core.models import Notification

MAX_SHOWN = 50


def notify(users, kind: str, title: str, body: str = "", url: str = "", key: str = "") -> int:
    """A notice for each active user (once per user and ``key`` when a key is given); the
    number written. The emails go after commit."""
    users = [user for user in users if user.is_active]
    if key:
        done = set(
            Notification.objects.filter(key=key, user__in=users).values_list("user_id", flat=True)
        )
        users = [user for user in users if user.pk not in done]
    if not users:
        return 0
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=user, kind=kind, title=title[:255], body=body, url=url[:500], key=key[:200]
            )
            for user in users
        ],
        ignore_conflicts=bool(key),
    )
    if any(user.email for user in users):
        transaction.on_commit(_queue_emails)
    return len(rows)


def _queue_emails() -> None:
    from dieuhanh.core.tasks import email_notifications

    email_notifications.delay()


def send_pending_emails(limit: int = 500) -> int:
    """Email the notices not emailed yet to users who have an address; run by the worker."""
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection

    pending = list(
        Notification.objects.filter(emailed_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("id")[:limit]
    )
    if not pending:
        return 0
    base = settings.DIEUHANH_BASE_URL.rstrip("/")
    messages = [
        EmailMessage(
            subject=f"[Điều hành] {item.title}",
            body=item.body + (f"\n\n{base}{item.url}" if item.url else ""),
            to=[item.user.email],
        )
        for item in pending
    ]
    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    Notification.objects.filter(pk__in=[item.pk for item in pending]).update(
        emailed_at=timezone.now()
    )
    return sent


def inbox(user, *, unread_only: bool = False):
    queryset = Notification.objects.restrict(user, "view")
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox(user, unread_only=True).count()


def mark_read(user, ids=None) -> int:
    """Mark the user's notices read (those listed, or all); returns how many."""
    queryset = inbox(user, unread_only=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())
