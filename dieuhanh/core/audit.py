"""Audit: one ``AuditRecord`` per write, with who, when, through which channel and
request, and the object before and after (NetBox's ObjectChange, Zulip's audit rows).

Service functions call ``record_change`` inside their transaction. The channel and the
request id come from the context that the middleware (web, api) or a command sets.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from dieuhanh.core.middleware import current_request_id

current_channel: ContextVar[str] = ContextVar("current_channel", default="system")
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


@contextmanager
def audit_channel(channel: str) -> Iterator[None]:
    token = current_channel.set(channel)
    try:
        yield
    finally:
        current_channel.reset(token)


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):  # a stored file: its name in the storage
        return value.name or ""
    return value


def snapshot(instance: models.Model, exclude: Iterable[str] = ()) -> dict:
    """The concrete field values of ``instance`` as JSON-ready data (foreign keys by id)."""
    skipped = {"created_at", "updated_at", *exclude}
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in skipped:
            continue
        data[field.attname] = _json_value(field.value_from_object(instance))
    return data


def diff(before: dict | None, after: dict | None) -> dict[str, tuple]:
    before, after = before or {}, after or {}
    return {
        key: (before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def build_change(
    action: str,
    instance: models.Model,
    *,
    before: dict | None,
    after: dict | None,
    actor=None,
    related: models.Model | None = None,
    object_id: str | None = None,
):
    """An unsaved AuditRecord, for bulk writers that insert many at once."""
    from dieuhanh.core.models import AuditRecord

    record = AuditRecord(
        **_context(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=object_id or str(instance.pk),
        object_repr=str(instance)[:255],
        before=before,
        after=after,
    )
    if related is not None:
        record.related_content_type = ContentType.objects.get_for_model(related)
        record.related_object_id = str(related.pk)
    return record


def _context(actor) -> dict:
    authenticated = getattr(actor, "is_authenticated", False)
    request_id = current_request_id.get()
    return {
        "user": actor if authenticated else None,
        "user_name": actor.get_username() if authenticated else "",
        "channel": current_channel.get(),
        "request_id": "" if request_id == "-" else request_id,
        "ip": current_ip.get(),
    }


def record_event(
    action: str,
    actor=None,
    *,
    user_name: str = "",
    instance: models.Model | None = None,
    detail: dict | None = None,
):
    """A security event (sign-in, lockout, token use, refusal, export) in the audit log."""
    from dieuhanh.core.models import AuditRecord

    record = AuditRecord(**_context(actor), action=action, detail=detail)
    if user_name and not record.user_name:
        record.user_name = user_name[:150]
    if instance is not None:
        record.content_type = ContentType.objects.get_for_model(instance)
        record.object_id = str(instance.pk)
        record.object_repr = str(instance)[:255]
    record.save()
    return record


def record_change(action: str, instance: models.Model, **kwargs):
    record = build_change(action, instance, **kwargs)
    record.save()
    return record
