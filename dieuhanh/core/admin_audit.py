"""Writes through the Django admin leave the same audit records as writes through the
services: before and after, including many-to-many fields (a role's permissions)."""

from django.contrib import admin

from dieuhanh.core.audit import record_change, snapshot


def _full_snapshot(obj, exclude=()) -> dict:
    data = snapshot(obj, exclude=exclude)
    for field in obj._meta.many_to_many:
        if field.name not in exclude:
            data[field.name] = sorted(str(item) for item in getattr(obj, field.name).all())
    return data


class AuditedModelAdmin(admin.ModelAdmin):
    audit_exclude: tuple[str, ...] = ("password", "last_login")

    def save_model(self, request, obj, form, change):
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            request._audit_before = _full_snapshot(stored, self.audit_exclude)
        else:
            request._audit_before = None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        after = _full_snapshot(obj, self.audit_exclude)
        before = getattr(request, "_audit_before", None)
        if before != after:
            action = "update" if change else "create"
            record_change(action, obj, before=before, after=after, actor=request.user)

    def delete_model(self, request, obj):
        before = _full_snapshot(obj, self.audit_exclude)
        record_change("delete", obj, before=before, after=None, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
