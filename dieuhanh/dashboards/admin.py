from django.contrib import admin

from dieuhanh.core.admin_audit import AuditedModelAdmin
from dieuhanh.dashboards.models import AlertThreshold, BoundaryMap


@admin.register(AlertThreshold)
class AlertThresholdAdmin(AuditedModelAdmin):
    list_display = ("indicator", "for_provinces", "measure", "comparison", "level", "severity")
    list_filter = ("active", "severity", "for_provinces")
    raw_id_fields = ("indicator",)


@admin.register(BoundaryMap)
class BoundaryMapAdmin(AuditedModelAdmin):
    list_display = ("name", "active", "created_at")
    exclude = ("geojson",)
    readonly_fields = ("provinces", "uploaded_by")
    audit_exclude = ("geojson",)
