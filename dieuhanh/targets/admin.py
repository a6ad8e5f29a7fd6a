"""The administration shows the register and the plan read-only: changes go through the pages or the
API, which check and audit them."""

from django.contrib import admin

from dieuhanh.directives.admin import ReadOnlyAdmin
from dieuhanh.targets.models import PlanTarget, Project


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "owner", "start_year", "end_year")
    search_fields = ("code", "name", "legal_basis")
    list_filter = ("kind",)
    raw_id_fields = ("owner",)


@admin.register(PlanTarget)
class PlanTargetAdmin(ReadOnlyAdmin):
    list_display = ("year", "indicator", "orgunit", "comparison", "value", "upper")
    search_fields = ("indicator__code", "wording", "legal_basis")
    list_filter = ("year", "comparison")
    raw_id_fields = ("indicator", "orgunit", "owner")
