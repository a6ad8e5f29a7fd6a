from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.models import AuditRecord, WorkerHeartbeat

admin.site.site_header = _("Government direction and operation information system")
admin.site.site_title = _("Administration")
admin.site.index_title = _("System administration")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "last_seen", "beats", "first_seen")
    readonly_fields = ("hostname", "last_seen", "beats", "first_seen")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, administrators included."""

    list_display = ("time", "action", "user_name", "object_repr", "channel", "ip")
    list_filter = ("action", "channel")
    search_fields = ("user_name", "object_repr", "request_id", "object_id")
    date_hierarchy = "time"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
