"""``Idempotency-Key``: a retried write changes nothing twice.

``run_once(request, handler)`` runs ``handler()`` the first time a (user, key) is seen and
keeps its JSON answer; a retry with the same key and the same body gets that answer back
(marked ``Idempotent-Replayed: true``); the same key with another body, or while the first
request is still running, is refused. Keys are kept for ``KEEP`` and then forgotten.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.core.api_errors import ApiError
from dieuhanh.core.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEEP = datetime.timedelta(days=1)
MAX_KEY = 128


def run_once(request, user, body: bytes, handler):
    """The handler's ``(status, payload)``, run once per key; a JsonResponse either way."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key or not getattr(user, "is_authenticated", False):
        status, payload = handler()
        return JsonResponse(payload, status=status, safe=False)
    if len(key) > MAX_KEY:
        raise ApiError(400, "invalid_idempotency_key", _("The Idempotency-Key is too long."))
    digest = hashlib.sha256(body).hexdigest()
    IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    try:
        with transaction.atomic():
            entry = IdempotentRequest.objects.create(
                user=user, key=key, method=request.method, path=request.path[:300], body_hash=digest
            )
    except IntegrityError:
        entry = IdempotentRequest.objects.get(user=user, key=key)
        if entry.body_hash != digest or entry.path != request.path[:300]:
            raise ApiError(
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was used for another request."),
            ) from None
        if entry.status_code is None:
            raise ApiError(
                409,
                "request_in_progress",
                _("A request with this Idempotency-Key is still running; retry later."),
            ) from None
        response = JsonResponse(entry.response, status=entry.status_code, safe=False)
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        status, payload = handler()
    except Exception:
        entry.delete()  # a failed attempt may be retried with the same key
        raise
    payload = _stored(payload)
    IdempotentRequest.objects.filter(pk=entry.pk).update(status_code=status, response=payload)
    return JsonResponse(payload, status=status, safe=False)


def _stored(payload):
    """The payload as JSON holds it, written as every answer of the API is (dates and
    moments in ISO 8601, decimals as text), so that a replay is the first answer again."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
