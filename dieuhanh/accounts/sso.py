"""Optional single sign-on through OpenID Connect (mozilla-django-oidc).

Off unless OIDC_RP_CLIENT_ID is configured. The provider only authenticates: accounts,
their organisation unit and roles are managed here, so a person the system does not know
is refused (no account is created from a token). The username claim is configurable.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from dieuhanh.core.audit import record_event


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


class SingleSignOnBackend(OIDCAuthenticationBackend):
    def username_claim(self) -> str:
        return getattr(settings, "DIEUHANH_OIDC_USERNAME_CLAIM", "preferred_username")

    def authenticate(self, request, **kwargs):
        if not sso_enabled() or request is None or "code" not in request.GET:
            return None  # not an OIDC callback: leave it to the other backends
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims):
        return bool(claims.get(self.username_claim()))

    def filter_users_by_claims(self, claims):
        username = claims.get(self.username_claim(), "")
        users = self.UserModel.objects.filter(
            username__iexact=username, is_active=True, is_integration=False
        )
        if not users.exists():
            record_event(
                "login_failed",
                None,
                user_name=username,
                detail={"reason": "single sign-on: no such account"},
            )
        return users

    def create_user(self, claims):
        return None  # accounts are created by administrators, never from a token


def _only_when_enabled(view):
    def wrapped(request, *args, **kwargs):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        return view(request, *args, **kwargs)

    return login_not_required(wrapped)


sso_start = _only_when_enabled(OIDCAuthenticationRequestView.as_view())
sso_callback = _only_when_enabled(OIDCAuthenticationCallbackView.as_view())
