from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import ApiToken, Role, User
from dieuhanh.core.admin_audit import AuditedModelAdmin


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "orgunit", "is_staff", "is_active")
    list_filter = ("is_active", "is_staff", "roles", "clearance")
    search_fields = ("username", "full_name", "email", "orgunit__short_name")
    raw_id_fields = ("orgunit",)
    filter_horizontal = ("roles", "groups", "user_permissions", "view_scope", "capture_scope")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("full_name", "job_title", "email", "orgunit", "organisation_name")},
        ),
        (
            _("Access"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "is_integration",
                    "must_change_password",
                    "roles",
                    "clearance",
                    "view_scope",
                    "capture_scope",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )


@admin.register(Role)
class RoleAdmin(AuditedModelAdmin):
    """Roles are bundles of permissions that administrators edit here."""

    list_display = ("name", "code", "country_wide", "requires_two_factor")
    search_fields = ("name", "code")
    filter_horizontal = ("permissions",)
    readonly_fields = ("code",)
    fields = (
        "code",
        "name",
        "name_en",
        "description",
        "country_wide",
        "requires_two_factor",
        "permissions",
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners or the command line; here they are only seen."""

    list_display = ("prefix", "name", "user", "expires_at", "last_used_at", "revoked_at")
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
