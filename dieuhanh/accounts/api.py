"""/api/v1/accounts/: the caller, the users within the caller's scope, API tokens."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dieuhanh.accounts import services
from dieuhanh.accounts.models import ApiToken, User
from dieuhanh.core.api_auth import api_auth, permitted
from dieuhanh.core.api_pagination import paginate
from dieuhanh.core.querysets import ensure_permitted

router = Router(tags=["accounts"], auth=api_auth)


class UserOut(Schema):
    username: str
    full_name: str
    job_title: str
    orgunit_uid: str | None
    orgunit_name: str | None
    roles: list[str]
    is_active: bool
    clearance: str


class UserList(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[UserOut]


class UserPatch(Schema):
    full_name: str | None = Field(None, max_length=200)
    job_title: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    scopes: str = Field("*:read", description="comma-separated module:read|write")
    expires_in_days: int | None = Field(90, ge=1, le=3650)


class TokenOut(Schema):
    prefix: str
    name: str
    scopes: list[str]
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    active: bool


class NewTokenOut(TokenOut):
    token: str = Field(..., description="shown once; store it now")


class ListParams(Schema):
    q: str | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


def user_out(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "job_title": user.job_title,
        "orgunit_uid": user.orgunit.uid if user.orgunit_id else None,
        "orgunit_name": user.orgunit.short_name if user.orgunit_id else None,
        "roles": [role.code for role in user.roles.all()],
        "is_active": user.is_active,
        "clearance": user.clearance,
    }


def token_out(token: ApiToken) -> dict:
    return {
        "prefix": token.prefix,
        "name": token.name,
        "scopes": token.scopes,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "active": token.is_active(),
    }


@router.get("/users/", response=UserList, operation_id="accounts_users")
def list_users(request, params: Query[ListParams]):
    """The users inside the caller's view scope (their unit and the units under it)."""
    users = (
        User.objects.restrict(request.auth, "view")
        .select_related("orgunit")
        .prefetch_related("roles")
        .order_by("username")
    )
    if params.q:
        users = users.filter(full_name__icontains=params.q) | users.filter(
            username__icontains=params.q
        )
    return paginate(request, users, params.limit, params.offset, user_out)


def _user_in_scope(request, username: str, action: str) -> User:
    """404 for a user outside the caller's scope, whose existence is not revealed; 403
    for one they see but may not change. (The model permission is checked by the auth.)"""
    user = get_object_or_404(User.objects.restrict(request.auth, "view"), username=username)
    if action != "view":
        ensure_permitted(request.auth, "change", user)
    return user


@router.get(
    "/users/{username}/",
    response=UserOut,
    auth=permitted(User, "view"),
    operation_id="accounts_user",
)
def get_user(request, username: str):
    return user_out(_user_in_scope(request, username, "view"))


@router.patch(
    "/users/{username}/",
    response=UserOut,
    auth=permitted(User, "change"),
    operation_id="accounts_user_update",
)
def update_user(request, username: str, payload: UserPatch):
    user = _user_in_scope(request, username, "change")
    return user_out(services.update_user(request.auth, user, **payload.dict(exclude_unset=True)))


@router.get("/tokens/", response=list[TokenOut], operation_id="accounts_tokens")
def list_tokens(request):
    """The caller's own tokens (never their secrets)."""
    return [token_out(t) for t in request.auth.api_tokens.all()]


@router.post("/tokens/", response={201: NewTokenOut}, operation_id="accounts_token_create")
def create_token(request, payload: TokenIn):
    if getattr(request, "api_token", None) is not None:
        raise PermissionDenied(_("A token cannot create tokens; sign in to create one."))
    scopes = services.parse_scopes(payload.scopes)
    token, secret = services.create_token(
        request.auth, request.auth, payload.name, scopes, payload.expires_in_days
    )
    return Status(201, {**token_out(token), "token": secret})


@router.post("/tokens/{prefix}/revoke", response=TokenOut, operation_id="accounts_token_revoke")
def revoke_token(request, prefix: str):
    token = get_object_or_404(request.auth.api_tokens, prefix=prefix)
    return token_out(services.revoke_token(request.auth, token))
