"""Row-level access in one place: ``Model.objects.restrict(user, action)``.

Every queryset that a user or token reaches goes through ``restrict``. Here it checks the
model permission (``<app>.<action>_<model>``); the accounts issue extends it with data
scopes (organisation subtrees, sensitivity). A model whose rows are public reference data
sets ``public_read = True``: anyone may view them.
"""

from __future__ import annotations

from django.db import models

ACTIONS = ("view", "add", "change", "delete")


def permits(user, model, action: str) -> bool:
    """May ``user`` perform ``action`` on rows of ``model`` at all?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == "view" and getattr(model, "public_read", False):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        return self if permits(user, self.model, action) else self.none()
