"""Row-level access in one place: ``Model.objects.restrict(user, action)``.

Every queryset that a user or token reaches goes through ``restrict``. It checks, in turn:
- the model permission ``<app>.<action>_<model>`` (from roles, groups or the user), unless
  the model's rows are public reference data (``public_read = True``) and the action is
  "view"; besides the four standard actions, a model may declare its own in
  ``Meta.permissions`` (``approve_submission``: ``restrict(user, "approve")``), which are
  writes;
- the data scope, for models that name the organisation unit a row belongs to
  (``scope_field = "orgunit"`` or a path such as ``"user__orgunit"``): only rows of units
  inside the user's view scope (reads) or capture scope (writes); a model may name more
  units that may read a row (``view_scope_fields``: a task's co-ordinating agencies, which
  read it but do not report on it) and a flag that opens a row to every reader
  (``open_field``);
- the clearance, for models with ``sensitivity_field``: only rows at or below it.
Models whose rows belong to one user (``owner_field = "user"``: the inbox) give each user
their own rows and nobody else's, whatever the permissions.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy

ACTIONS = ("view", "add", "change", "delete")

DENIED_MESSAGES = {
    "view": gettext_lazy("You may not view %(things)s."),
    "add": gettext_lazy("You may not add %(things)s."),
    "change": gettext_lazy("You may not change %(things)s."),
    "delete": gettext_lazy("You may not delete %(things)s."),
    "approve": gettext_lazy("You may not approve %(things)s."),
    "accept": gettext_lazy("You may not accept %(things)s."),
    "unlock": gettext_lazy("You may not unlock %(things)s."),
    "close": gettext_lazy("You may not close %(things)s."),
    "run": gettext_lazy("You may not run checks of %(things)s."),
    "review": gettext_lazy("You may not review %(things)s."),
    "decide": gettext_lazy("You may not decide %(things)s."),
}
DENIED_OBJECT_MESSAGES = {
    "view": gettext_lazy("You may not view %(thing)s %(object)s."),
    "add": gettext_lazy("You may not add %(thing)s %(object)s."),
    "change": gettext_lazy("You may not change %(thing)s %(object)s."),
    "delete": gettext_lazy("You may not delete %(thing)s %(object)s."),
    "approve": gettext_lazy("You may not approve %(thing)s %(object)s."),
    "accept": gettext_lazy("You may not accept %(thing)s %(object)s."),
    "unlock": gettext_lazy("You may not unlock %(thing)s %(object)s."),
    "close": gettext_lazy("You may not close %(thing)s %(object)s."),
    "run": gettext_lazy("You may not run checks of %(thing)s %(object)s."),
    "review": gettext_lazy("You may not review %(thing)s %(object)s."),
    "decide": gettext_lazy("You may not decide %(thing)s %(object)s."),
}


def denied(model, action: str, instance=None) -> PermissionDenied:
    """The refusal for ``action`` on ``model`` (or one row of it), in the user's language."""
    if instance is None:
        return PermissionDenied(
            DENIED_MESSAGES[action] % {"things": model._meta.verbose_name_plural}
        )
    return PermissionDenied(
        DENIED_OBJECT_MESSAGES[action] % {"thing": model._meta.verbose_name, "object": instance}
    )


def model_actions(model) -> tuple[str, ...]:
    """The actions a model knows: the four standard ones and those its ``Meta.permissions``
    declare as ``<action>_<model>``."""
    suffix = f"_{model._meta.model_name}"
    own = tuple(
        codename.removesuffix(suffix)
        for codename, _name in model._meta.permissions
        if codename.endswith(suffix)
    )
    return ACTIONS + own


def permits(user, model, action: str) -> bool:
    """May ``user`` perform ``action`` on rows of ``model`` at all?"""
    if action not in ACTIONS and action not in model_actions(model):
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
        owner_field = getattr(self.model, "owner_field", None)
        if owner_field:  # a user's own rows (an inbox): theirs alone, no permission needed
            if user is None or not user.is_authenticated or not user.is_active:
                return self.none()
            return self.filter(**{owner_field: user})
        if not permits(user, self.model, action):
            return self.none()
        queryset = self
        scope_field = getattr(self.model, "scope_field", None)
        if scope_field and not (action == "view" and getattr(self.model, "public_read", False)):
            from dieuhanh.accounts.scopes import scope_unit_ids

            unit_ids = scope_unit_ids(user, action)
            if unit_ids is not None:
                queryset = queryset.filter(self._scope_q(scope_field, unit_ids, action))
        sensitivity_field = getattr(self.model, "sensitivity_field", None)
        if sensitivity_field and not getattr(user, "is_superuser", False):
            from dieuhanh.core.models import Sensitivity

            # Anonymous callers of public reference data see its public rows only.
            clearance = getattr(user, "clearance", None) or Sensitivity.PUBLIC
            queryset = queryset.filter(**{f"{sensitivity_field}__in": Sensitivity.up_to(clearance)})
        return queryset

    def _scope_q(self, scope_field: str, unit_ids, action: str) -> models.Q:
        """Rows of the units in ``unit_ids``; for reads, also the rows that name one of
        them in a ``view_scope_fields`` path (through a subquery: a many-to-many join
        would repeat rows) and those whose ``open_field`` is set."""
        condition = models.Q(**{f"{scope_field}__in": unit_ids})
        if action != "view":
            return condition
        for field in getattr(self.model, "view_scope_fields", ()):
            named = self.model._default_manager.filter(**{f"{field}__in": unit_ids})
            condition |= models.Q(pk__in=named.values("pk"))
        open_field = getattr(self.model, "open_field", None)
        if open_field:
            condition |= models.Q(**{open_field: True})
        return condition


def ensure_permitted(user, action: str, instance: models.Model) -> None:
    """Object-level check before a write: the row must be within ``restrict``."""
    model = type(instance)
    if not model._default_manager.restrict(user, action).filter(pk=instance.pk).exists():
        raise denied(model, action, instance)


MAX_SEARCH_WORDS = 8


def with_every_word(queryset, words: str, fields: tuple[str, ...]):
    """The rows where each word of ``words`` (the first few) is in one of ``fields``
    (case-insensitive): the search box of a list."""
    for word in (words or "").split()[:MAX_SEARCH_WORDS]:
        condition = models.Q()
        for name in fields:
            condition |= models.Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
