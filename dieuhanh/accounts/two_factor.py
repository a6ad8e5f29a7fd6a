"""Two-factor authentication with a TOTP app (django-otp).

After the password, a user who has a confirmed device enters its code; a user who must
use two factors and has none is sent to set one up. Until then every page sends them
there, and session calls to the API are refused (tokens are unaffected: they are a
separate credential with their own scopes and expiry).
"""

from __future__ import annotations

import base64
import io

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from dieuhanh.core.audit import record_event

EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")


def two_factor_required(user) -> bool:
    policy = settings.DIEUHANH_TWO_FACTOR
    if policy == "off" or not user.is_authenticated:
        return False
    if policy == "all":
        return True
    return (
        user.is_staff or user.is_superuser or user.roles.filter(requires_two_factor=True).exists()
    )


def needs_second_factor(user) -> bool:
    if not user.is_authenticated or user.is_verified():
        return False
    return user_has_device(user) or two_factor_required(user)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(EXEMPT_PREFIXES)
            and needs_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "two_factor_required",
                        "detail": _("Complete two-factor authentication first."),
                    },
                    status=403,
                )
            target = (
                "accounts:two_factor_verify"
                if user_has_device(user)
                else ("accounts:two_factor_setup")
            )
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def setup(request):
    """Show a new secret as a QR code; confirming it with a code turns two factors on."""
    user = request.user
    if user_has_device(user):
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={_next(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("code", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record_event("two_factor_on", user, instance=device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next(request))
        record_event("two_factor_failed", user, detail={"step": "setup"})
        error = _("The code is not right. Check the time on your phone and try again.")
    image = io.BytesIO()
    write_qrcode_image(device.config_url, image)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "qr": base64.b64encode(image.getvalue()).decode(),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "error": error,
            "next": _next(request),
        },
    )


def verify(request):
    """Ask for the current code of the user's authenticator app."""
    user = request.user
    if not user_has_device(user):
        return redirect(f"{reverse('accounts:two_factor_setup')}?next={_next(request)}")
    error = ""
    if request.method == "POST":
        device = match_token(user, request.POST.get("code", "").strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        record_event("two_factor_failed", user, detail={"step": "sign-in"})
        error = _("The code is not right, or too many wrong codes were entered: wait and retry.")
    return render(
        request, "accounts/two_factor_verify.html", {"error": error, "next": _next(request)}
    )
