"""The administration shows tasks read-only: every change goes through the task pages or
the API, which keep the timeline and the audit."""

from django.contrib import admin

from dieuhanh.directives.models import Document, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("number", "doc_type", "issued_on", "signer")
    search_fields = ("number", "excerpt")
    list_filter = ("doc_type",)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("pk", "document", "lead", "deadline", "is_key", "completed_at")
    search_fields = ("content", "document__number")
    list_filter = ("is_key", "kind")
    raw_id_fields = ("document", "lead", "monitor", "supervisor")
