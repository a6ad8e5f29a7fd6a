"""Business rules for accounts: demo users and API tokens."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from dieuhanh.accounts.models import ApiToken, Role, User
from dieuhanh.core.audit import record_change, record_event, snapshot
from dieuhanh.core.querysets import ensure_permitted


@transaction.atomic
def ensure_demo_users(password: str = DEMO_PASSWORD) -> list[tuple[User, bool]]:
    """Create the demo users that do not exist yet; give existing ones their unit and role
    only where they have none (changes made since are kept)."""
    from dieuhanh.orgunits.loader import stable_uid
    from dieuhanh.orgunits.models import OrgUnit

    result = []
    for demo in DEMO_USERS:
        orgunit = OrgUnit.objects.filter(uid=stable_uid(demo.orgunit_key)).first()
        if orgunit is None:
            raise ValidationError(
                f"Demo user {demo.username} needs unit {demo.orgunit_key}: load_orgunits first."
            )
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "full_name": demo.full_name,
                "job_title": demo.job_title,
                "organisation_name": demo.organisation,
                "orgunit": orgunit,
                "is_staff": demo.is_staff,
                "is_superuser": demo.is_superuser,
                "is_integration": demo.role == "integration_client",
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.roles.add(Role.objects.get(code=demo.role))
            record_change("create", user, before=None, after=_user_snapshot(user))
        elif user.orgunit_id is None:
            before = snapshot(user, exclude=["password"])
            user.orgunit = orgunit
            user.save(update_fields=["orgunit"])
            record_change("update", user, before=before, after=snapshot(user, exclude=["password"]))
        if not user.roles.exists():
            before = _user_snapshot(user)
            user.roles.add(Role.objects.get(code=demo.role))
            record_change("update", user, before=before, after=_user_snapshot(user))
        result.append((user, created))
    return result


SCOPE_CHOICES = ("read", "write")


def parse_scopes(text: str | None) -> list[str]:
    """ "orgunits:read,*:read" -> ["orgunits:read", "*:read"], checked."""
    from dieuhanh.api import api
    from dieuhanh.core.api_auth import MODULE_ALIASES

    modules = {"*"} | {
        MODULE_ALIASES.get(prefix.strip("/"), prefix.strip("/"))
        for prefix, _router in api._routers
        if prefix.strip("/")
    }
    scopes = []
    for item in (text or "*:read").split(","):
        module, _sep, access = item.strip().partition(":")
        if module not in modules or access not in SCOPE_CHOICES:
            raise ValidationError(
                _(
                    "Unknown token scope %(scope)s; use module:read or module:write with a module "
                    "among %(modules)s."
                )
                % {"scope": item.strip(), "modules": ", ".join(sorted(modules))},
                code="invalid_scope",
            )
        scopes.append(f"{module}:{access}")
    return sorted(set(scopes))


@transaction.atomic
def create_token(
    actor, user: User, name: str, scopes: list[str], expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with its secret, which is never stored."""
    if actor is not None and actor.pk != user.pk:
        ensure_permitted(actor, "change", user)
    if not user.is_active:
        raise PermissionDenied(_("%(user)s is disabled.") % {"user": user})
    secret = ApiToken.generate()
    from dieuhanh.accounts.models import hash_token

    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:11],
        key_hash=hash_token(secret),
        scopes=scopes,
        expires_at=(
            timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
        ),
    )
    record_event(
        "token_created",
        actor or user,
        instance=token,
        detail={
            "user": user.username,
            "scopes": scopes,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
    )
    return token, secret


@transaction.atomic
def revoke_token(actor, token: ApiToken) -> ApiToken:
    if actor is not None and actor.pk != token.user_id:
        ensure_permitted(actor, "change", token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event("token_revoked", actor, instance=token, detail={"user": token.user.username})
    return token


# --- managing users ----------------------------------------------------------------------
USER_AUDIT_EXCLUDE = ["password", "last_login"]


def _user_snapshot(user: User) -> dict:
    data = snapshot(user, exclude=USER_AUDIT_EXCLUDE)
    if user.pk:
        data["roles"] = sorted(user.roles.values_list("code", flat=True))
    return data


def temporary_password() -> str:
    """Twelve characters that pass the password policy; shown once to the administrator."""
    import secrets
    import string

    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = (
            "".join(secrets.choice(alphabet) for _ in range(10)) + "-" + str(secrets.randbelow(10))
        )
        if any(c.isupper() for c in candidate) and any(c.islower() for c in candidate):
            return candidate


def check_grantable(actor, roles) -> None:
    """Nobody grants a role with permissions they do not hold themselves, unless they may
    edit roles anyway (the center's administrators): for them the rule would stop nothing."""
    if actor is None or actor.is_superuser or actor.has_perm("accounts.change_role"):
        return
    held = actor.get_all_permissions()
    for role in roles:
        extra = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in role.permissions.select_related("content_type")
        } - held
        if extra:
            raise PermissionDenied(
                _("You may not grant the role %(role)s: it has permissions you do not hold.")
                % {"role": role}
            )


def check_unit_in_scope(actor, orgunit) -> None:
    from dieuhanh.accounts.scopes import scope_unit_ids

    if actor is None:
        return
    allowed = scope_unit_ids(actor, "add")
    if allowed is not None and (orgunit is None or orgunit.pk not in allowed):
        raise PermissionDenied(
            _("%(unit)s is outside the units whose users you manage.") % {"unit": orgunit}
        )


@transaction.atomic
def create_user(actor, *, username, full_name, orgunit, roles=(), email="", job_title=""):
    """A new user of ``orgunit`` with a temporary password, returned once."""
    from django.contrib.auth.password_validation import validate_password

    if not (actor is None or actor.is_superuser or actor.has_perm("accounts.add_user")):
        raise PermissionDenied(_("You may not add users."))
    check_unit_in_scope(actor, orgunit)
    check_grantable(actor, roles)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            _("The username %(name)s is taken.") % {"name": username}, code="duplicate_username"
        )
    password = temporary_password()
    user = User(
        username=username,
        full_name=full_name,
        orgunit=orgunit,
        email=email,
        job_title=job_title,
        must_change_password=True,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.roles.set(roles)
    record_change("create", user, before=None, after=_user_snapshot(user), actor=actor)
    return user, password


@transaction.atomic
def reset_password(actor, user: User) -> str:
    """A temporary password for ``user``, who must change it at the next sign-in; the
    lockout, if any, is lifted."""
    from axes.utils import reset as reset_lockout

    ensure_permitted(actor, "change", user)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    reset_lockout(username=user.username)
    record_event("password_reset", actor, instance=user, detail={"user": user.username})
    return password


@transaction.atomic
def update_user(actor, user: User, *, roles=None, **changes) -> User:
    """Change a user's details, unit and roles within the actor's scope and rights."""
    ensure_permitted(actor, "change", user)
    if "orgunit" in changes:
        check_unit_in_scope(actor, changes["orgunit"])
    before = _user_snapshot(user)
    for key, value in changes.items():
        setattr(user, key, value)
    user.save()
    if roles is not None:
        added = set(roles) - set(user.roles.all())
        check_grantable(actor, added)
        user.roles.set(roles)
    after = _user_snapshot(user)
    if after != before:
        record_change("update", user, before=before, after=after, actor=actor)
    return user
