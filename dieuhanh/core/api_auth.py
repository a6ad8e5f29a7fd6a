"""Who may call the API: an API token (``Authorization: Bearer <token>`` or DHIS2's
``Authorization: ApiToken <token>``) or the browser session."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import SessionAuth
from ninja.security.http import HttpAuthBase

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
TOKEN_SCHEMES = {"bearer", "apitoken"}


# Path segments that belong to one token-scope module: /api/v1/indicators/ and
# /api/v1/reporting-regimes/ are both "catalog". Filled by ``dieuhanh.api``.
MODULE_ALIASES: dict[str, str] = {}
# The same for the DHIS2-compatible paths outside /api/v1/ (/api/dataValueSets).
DHIS2_MODULES: dict[str, str] = {}


def api_module(request) -> str:
    """The API module a request addresses: /api/v1/<module>/... (or a DHIS2 path)."""
    parts = request.path.split("/")
    if len(parts) > 2 and parts[1] == "api" and parts[2] != "v1":
        # DHIS2-compatible paths: /api/dataValueSets, /api/40/dataValueSets
        segment = parts[3] if parts[2].isdigit() and len(parts) > 3 else parts[2]
        segment = segment.split(".")[0]
        return DHIS2_MODULES.get(segment, segment)
    else:
        segment = parts[3] if len(parts) > 3 and parts[1] == "api" else ""
    return MODULE_ALIASES.get(segment, segment)


class TokenAuth(HttpAuthBase):
    """An API token. A present but invalid, expired or revoked token is refused outright
    (never downgraded to anonymous access); a token outside its module scopes gets 403."""

    openapi_scheme = "bearer"

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() not in TOKEN_SCHEMES or not key.strip():
            return None
        return self.authenticate(request, key.strip())

    def authenticate(self, request, key):
        from dieuhanh.accounts.models import ApiToken, hash_token
        from dieuhanh.core.audit import record_event

        token = (
            ApiToken.objects.select_related("user", "user__orgunit")
            .filter(key_hash=hash_token(key))
            .first()
        )
        if token is None or not token.is_active() or not token.user.is_active:
            record_event(
                "login_failed",
                token.user if token else None,
                detail={"reason": "invalid token", "prefix": key[:11]},
            )
            raise AuthenticationError(401, _("The API token is invalid, expired or revoked."))
        write = request.method not in SAFE_METHODS
        module = api_module(request)
        if not token.allows(module, write):
            record_event(
                "permission_denied",
                token.user,
                instance=token,
                detail={"reason": "token scope", "module": module, "write": write},
            )
            message = (
                _("This token may not write to %(module)s; its scopes are %(scopes)s.")
                if write
                else _("This token may not read %(module)s; its scopes are %(scopes)s.")
            )
            raise AuthorizationError(
                403, message % {"module": module or "?", "scopes": ", ".join(token.scopes) or "-"}
            )
        now = timezone.now()
        ip = request.META.get("REMOTE_ADDR")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
            record_event("token_used", token.user, instance=token, detail={"module": module})
        request.api_token = token
        request.user = token.user
        return token.user


class PublicReadAuth(SessionAuth):
    """For reference data that is public (the administrative structure): the signed-in user,
    or an anonymous caller when ``DIEUHANH_PUBLIC_REFERENCE_DATA`` is on (the default)."""

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        if settings.DIEUHANH_PUBLIC_REFERENCE_DATA:
            return request.user  # AnonymousUser: querysets still go through restrict()
        return None


class Permitted(TokenAuth):
    """A token or the session, and the model permission for ``action``, checked before the
    request body is even read: a caller without the right gets 403, never a validation
    error that would describe the endpoint."""

    def __init__(self, model, action: str):
        super().__init__()
        self.model, self.action = model, action

    def __call__(self, request):
        from dieuhanh.core.querysets import denied, permits

        user = super().__call__(request)
        if user is None:
            session_user = session_auth(request)  # checks CSRF on writes
            if session_user is None:
                return None
            user = session_user
        if not permits(user, self.model, self.action):
            raise denied(self.model, self.action)
        return user


def permitted(model, action: str) -> Permitted:
    return Permitted(model, action)


token_auth = TokenAuth()
session_auth = SessionAuth()
public_read_auth = PublicReadAuth()
# What operations declare: a token or the session; for public reads, a token, the session
# or nobody.
api_auth = [token_auth, session_auth]
public_api_auth = [token_auth, public_read_auth]
