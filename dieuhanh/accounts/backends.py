from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class RoleBackend(ModelBackend):
    """Django's model backend, with the permissions of the user's roles added to those of
    their groups."""

    def _get_group_permissions(self, user_obj):
        return Permission.objects.filter(
            Q(group__user=user_obj) | Q(roles__users=user_obj)
        ).distinct()

    def user_can_authenticate(self, user):
        # Integration systems sign in with API tokens only, never with a password.
        return super().user_can_authenticate(user) and not getattr(user, "is_integration", False)
