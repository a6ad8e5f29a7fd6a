"""Rate limits on the API (per token and per address) and on sign-in (per address), in
fixed windows counted in the shared cache."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from dieuhanh.core.middleware import client_ip


def hit(bucket: str, key: str, limit: int, window: int) -> bool:
    """Count one request; False when the window's limit is exceeded."""
    slot = int(time.time() // window)
    cache_key = f"rl:{bucket}:{key}:{slot}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    return count <= limit


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limits = settings.RATE_LIMITS
        ip = client_ip(request) or "unknown"
        if request.path.startswith("/api/"):
            header = request.headers.get("Authorization", "")
            if header:
                digest = hashlib.sha256(header.encode()).hexdigest()[:32]
                allowed = hit("api_token", digest, *limits["api_token"])
            else:
                allowed = hit("api_ip", ip, *limits["api_ip"])
            if not allowed:
                response = JsonResponse(
                    {"code": "rate_limited", "detail": _("Too many requests; wait a minute.")},
                    status=429,
                )
                response["Retry-After"] = str(limits["api_token"][1])
                return response
        elif (
            request.method == "POST"
            and request.path.rstrip("/").endswith("/login")
            and not hit("login_ip", ip, *limits["login_ip"])
        ):
            response = HttpResponse(
                _("Too many sign-in attempts from your address. Wait a minute."), status=429
            )
            response["Retry-After"] = str(limits["login_ip"][1])
            return response
        return self.get_response(request)
