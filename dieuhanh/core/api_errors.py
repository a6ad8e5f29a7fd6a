"""One error shape for the whole API: ``{"code": ..., "detail": ...}``."""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError


class ApiError(Exception):
    """Raise from a handler for a refusal with a machine-readable code."""

    def __init__(self, status: int, code: str, detail: str):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


@contextmanager
def refusals(*not_found, conflicts=frozenset(), inputs=None):
    """A service's refusal as the API's answer, around a handler's calls:
    - one of the ``not_found`` exceptions (a row missing or out of the caller's sight): 404;
    - a ``ValidationError``: 409 when its code says the row is in the wrong state for the
      step, else 422 (the request itself is wrong). The module names its state codes
      (``conflicts``), or, where those are most, its input codes (``inputs``: 422 for
      these, 409 for every other).
    The answer's ``code`` is the service's code; its ``detail`` the service's message."""
    try:
        yield
    except not_found as error:
        raise ApiError(404, "not_found", str(error)) from error
    except DjangoValidationError as error:
        conflict = error.code not in inputs if inputs is not None else error.code in conflicts
        raise ApiError(
            409 if conflict else 422, error.code or "invalid", error.messages[0]
        ) from error


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return api.create_response(
            request, {"code": exc.code, "detail": exc.detail}, status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return api.create_response(
            request, {"code": "validation_error", "detail": exc.errors}, status=422
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return api.create_response(
            request,
            {
                "code": "not_authenticated",
                "detail": (
                    str(exc.message)
                    if getattr(exc, "message", "") not in ("", "Unauthorized")
                    else _("Sign in, or send an API token: Authorization: Bearer <token>.")
                ),
            },
            status=401,
        )

    @api.exception_handler(AuthorizationError)
    def authorization_error(request, exc):
        return api.create_response(
            request, {"code": "permission_denied", "detail": str(exc.message)}, status=403
        )  # the token check has audited it already

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = getattr(exc, "code", None) or f"http_{exc.status_code}"
        return api.create_response(
            request, {"code": code, "detail": str(exc)}, status=exc.status_code
        )

    @api.exception_handler(DjangoValidationError)
    def rule_violation(request, exc: DjangoValidationError):
        """A business rule refused the write: the rule's code and its message."""
        errors = exc.error_list if hasattr(exc, "error_list") else [exc]
        first = errors[0]
        return api.create_response(
            request,
            {
                "code": first.code or "invalid",
                "detail": [str(message) for message in exc.messages],
            },
            status=422,
        )

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        from dieuhanh.core.audit import record_event

        record_event(
            "permission_denied",
            getattr(request, "auth", None) or getattr(request, "user", None),
            detail={"method": request.method, "path": request.path[:300], "reason": str(exc)[:500]},
        )
        return api.create_response(
            request,
            {"code": "permission_denied", "detail": str(exc) or "Permission denied."},
            status=403,
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, {"code": "not_found", "detail": str(exc) or "Not found."}, status=404
        )
