from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.models import WorkerHeartbeat

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
