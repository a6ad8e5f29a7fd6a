"""Row-level access in one place: ``Model.objects.restrict(user, action)``.

Every queryset that a user or token reaches goes through ``restrict``. It checks, in turn:
- the model permission ``<app>.<action>_<model>`` (from roles, groups or the user), unless
  the model's rows are public reference data (``public_read = True``) and the action is
  "view";
- the data scope, for models that name the organisation unit a row belongs to
  (``scope_field = "orgunit"`` or a path such as ``"user__orgunit"``): only rows of units
  inside the user's view scope (reads) or capture scope (writes);
- the clearance, for models with ``sensitivity_field``: only rows at or below it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
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
        if not permits(user, self.model, action):
            return self.none()
        queryset = self
        scope_field = getattr(self.model, "scope_field", None)
        if scope_field and not (action == "view" and getattr(self.model, "public_read", False)):
            from dieuhanh.accounts.scopes import scope_unit_ids

            unit_ids = scope_unit_ids(user, action)
            if unit_ids is not None:
                queryset = queryset.filter(**{f"{scope_field}__in": unit_ids})
        sensitivity_field = getattr(self.model, "sensitivity_field", None)
        if sensitivity_field and user.is_authenticated and not user.is_superuser:
            from dieuhanh.core.models import Sensitivity

            allowed = Sensitivity.up_to(getattr(user, "clearance", Sensitivity.PUBLIC))
            queryset = queryset.filter(**{f"{sensitivity_field}__in": allowed})
        return queryset


def ensure_permitted(user, action: str, instance: models.Model) -> None:
    """Object-level check before a write: the row must be within ``restrict``."""
    model = type(instance)
    if not model._default_manager.restrict(user, action).filter(pk=instance.pk).exists():
        raise PermissionDenied(
            f"{user.get_username() if user else 'anonymous'} may not {action} "
            f"{model._meta.verbose_name} {instance}"
        )
