"""Request ids: taken from a trusted ``X-Request-ID`` header or made here, returned in the
response, written in every log line and (later) every audit record."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def new_request_id(incoming: str | None) -> str:
    if incoming and _VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def client_ip(request) -> str | None:
    """The caller's address: the proxy's X-Forwarded-For only when behind a trusted proxy."""
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from dieuhanh.core.audit import current_channel, current_ip

        request_id = new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        channel_token = current_channel.set("api" if request.path.startswith("/api/") else "web")
        ip_token = current_ip.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
            current_channel.reset(channel_token)
            current_ip.reset(ip_token)
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request, exception):
        """A refused page is an audited event (the API's refusals are audited by its error
        handlers)."""
        from django.core.exceptions import PermissionDenied

        if isinstance(exception, PermissionDenied):
            from dieuhanh.core.audit import record_event

            record_event(
                "permission_denied",
                getattr(request, "user", None),
                detail={
                    "method": request.method,
                    "path": request.path[:300],
                    "reason": str(exception)[:500],
                },
            )
        return None


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
