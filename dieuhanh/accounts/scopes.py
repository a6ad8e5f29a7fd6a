"""Data scopes: which organisation units a user may read or write for.

A scope is a set of subtrees: the roots the user was given, or their own unit when none
were. It reaches every unit that has been under a root at any time, and under the units
the roots were formed from (a province officer of today's Ninh Bình also sees what the old
Ninh Bình, Hà Nam and Nam Định reported). Country-wide roles without roots of their own,
and superusers, are not limited.
"""

from __future__ import annotations

from dieuhanh.orgunits.models import OrgUnitClosure
from dieuhanh.orgunits.services import predecessors

UNLIMITED = None
READ_ACTIONS = {"view"}  # every other action (add, change, delete, approve, ...) writes


def scope_roots(user, action: str):
    """The roots of the user's scope for ``action``, or UNLIMITED."""
    if user.is_superuser:
        return UNLIMITED
    field = user.view_scope if action in READ_ACTIONS else user.capture_scope
    roots = list(field.all())
    if roots:
        return roots
    if user.roles.filter(country_wide=True).exists():
        return UNLIMITED
    return [user.orgunit] if user.orgunit_id else []


def scope_unit_ids(user, action: str) -> set[int] | None:
    """Every unit id inside the user's scope for ``action`` (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = user.__dict__.setdefault("_scope_cache", {})
    key = "read" if action in READ_ACTIONS else "write"
    if key not in cache:
        roots = scope_roots(user, action)
        if roots is UNLIMITED:
            cache[key] = UNLIMITED
        else:
            tops = {root.pk for root in roots}
            for root in roots:
                tops |= {lineage.unit.pk for lineage in predecessors(root)}
            cache[key] = (
                set(
                    OrgUnitClosure.objects.filter(ancestor_id__in=tops).values_list(
                        "descendant_id", flat=True
                    )
                )
                | tops
            )
    return cache[key]


def officers_of(unit_ids, permission: str) -> dict[int, list]:
    """The agency's own people for each unit: active users holding ``permission`` with the
    unit inside their capture scope. The center's country-wide staff, who may act for any
    unit, are nobody's officers: a reminder to an agency goes to the agency."""
    from django.db.models import Q

    from dieuhanh.accounts.models import User

    unit_ids = set(unit_ids)
    found: dict[int, list] = {}
    candidates = (
        User.objects.filter(is_active=True, is_superuser=False)
        .filter(Q(orgunit_id__in=unit_ids) | Q(capture_scope__in=unit_ids))
        .distinct()
    )
    for user in candidates:
        if not user.has_perm(permission):
            continue
        if scope_roots(user, "add") is UNLIMITED:
            continue
        for unit_id in unit_ids & (scope_unit_ids(user, "add") or set()):
            found.setdefault(unit_id, []).append(user)
    return found
