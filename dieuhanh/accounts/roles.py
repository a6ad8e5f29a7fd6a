"""The standard roles and the permissions each starts with.

Administrators edit roles afterwards; ``load_roles`` adds a role's default permissions
only once (a permission an administrator removed stays removed), and adds the defaults of
modules installed later when their permissions appear.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db import transaction

from dieuhanh.accounts.models import Role
from dieuhanh.core.audit import build_change, record_change, snapshot


@dataclass(frozen=True)
class RoleDefinition:
    code: str
    name: str
    name_en: str
    description: str
    permissions: tuple[str, ...]  # "app_label.codename"; "app_label.*" for every one
    country_wide: bool = False
    requires_two_factor: bool = False


VIEW_REFERENCE = ("orgunits.view_orgunit", "targets.view_project", "targets.view_plantarget")
READ_TASKS = (
    "directives.view_document",
    "directives.view_task",
    "directives.view_taskdeadline",
    "directives.view_taskevent",
    "directives.view_progressreport",
    "directives.view_extensionrequest",
)
REPORT_ON_TASKS = (  # the lead agency's part: progress and requests for more time
    *READ_TASKS,
    "directives.add_progressreport",
    "directives.add_extensionrequest",
)
AGENCY_DATA = (
    "datavalues.view_datavalue",
    "datavalues.add_datavalue",
    "datavalues.change_datavalue",
    "datavalues.view_datavalueaudit",
    "datavalues.view_importjob",
    "datavalues.view_importissue",
    "datavalues.view_submission",
    "datavalues.view_submissionevent",
    "datavalues.view_narrative",
    "quality.view_followup",
    "quality.change_followup",
    "quality.view_ruleviolation",
    "dashboards.view_dashboard",
    *REPORT_ON_TASKS,
)

ROLES = (
    RoleDefinition(
        "center_admin",
        "Quản trị Trung tâm",
        "Center administrator",
        "Quản trị người dùng, vai trò, danh mục đơn vị và an toàn thông tin của hệ thống.",
        (
            "accounts.*",
            "orgunits.*",
            "core.view_auditrecord",
            "auth.view_permission",
            "dashboards.view_boundarymap",
            "dashboards.add_boundarymap",
            "dashboards.change_boundarymap",
        ),
        country_wide=True,
        requires_two_factor=True,
    ),
    RoleDefinition(
        "center_analyst",
        "Chuyên viên Trung tâm",
        "Center analyst",
        "Quản lý danh mục chỉ tiêu và chế độ báo cáo, theo dõi chất lượng số liệu, "
        "chuẩn bị báo cáo, theo dõi nhiệm vụ.",
        (
            *VIEW_REFERENCE,
            "catalog.*",
            "datavalues.view_datavalue",
            "datavalues.view_datavalueaudit",
            "datavalues.view_importjob",
            "datavalues.view_importissue",
            "datavalues.view_submission",
            "datavalues.view_submissionevent",
            "datavalues.accept_submission",
            "datavalues.unlock_submission",
            "datavalues.view_narrative",
            "datavalues.view_periodlock",
            "datavalues.add_periodlock",
            "datavalues.delete_periodlock",
            "quality.*",
            "dashboards.*",
            "directives.*",
            "targets.*",
            "reports.*",
        ),
        country_wide=True,
        requires_two_factor=True,
    ),
    RoleDefinition(
        "leader",
        "Lãnh đạo",
        "Leader",
        "Xem bảng điều hành và báo cáo (chỉ đọc).",
        (
            *VIEW_REFERENCE,
            "datavalues.view_datavalue",  # the numbers of every screen (analytics)
            "datavalues.view_submission",  # which reports are late (the hot issues)
            "quality.view_followup",
            "quality.view_ruleviolation",
            "dashboards.view_dashboard",
            *READ_TASKS,
            "reports.view_report",
        ),
        country_wide=True,
    ),
    RoleDefinition(
        "agency_admin",
        "Quản trị đơn vị",
        "Agency administrator",
        "Quản lý người dùng thuộc đơn vị mình và các đơn vị trực thuộc.",
        # Nobody grants a role with permissions they lack, so the administrator of an
        # agency holds the data permissions of the agency roles they hand out.
        (
            *VIEW_REFERENCE,
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            *AGENCY_DATA,
            "datavalues.delete_datavalue",
            "datavalues.approve_submission",
        ),
    ),
    RoleDefinition(
        "agency_data_officer",
        "Cán bộ nhập liệu",
        "Agency data officer",
        "Nhập, tải lên số liệu và cập nhật tiến độ nhiệm vụ của đơn vị.",
        (
            *VIEW_REFERENCE,
            *AGENCY_DATA,
        ),
    ),
    RoleDefinition(
        "agency_approver",
        "Lãnh đạo đơn vị phê duyệt",
        "Agency approver",
        "Phê duyệt số liệu của đơn vị trước khi gửi Trung tâm.",
        (
            *VIEW_REFERENCE,
            "datavalues.view_datavalue",
            "datavalues.view_submission",
            "datavalues.view_submissionevent",
            "datavalues.view_narrative",
            "datavalues.approve_submission",
            "quality.view_followup",
            "quality.view_ruleviolation",
            "dashboards.view_dashboard",
            *READ_TASKS,
        ),
    ),
    RoleDefinition(
        "integration_client",
        "Hệ thống tích hợp",
        "Integration client",
        "Hệ thống thông tin của bộ, ngành, địa phương gửi số liệu qua API.",
        (
            *VIEW_REFERENCE,
            *AGENCY_DATA,
            "datavalues.delete_datavalue",
        ),
    ),
    RoleDefinition(
        "data_consumer",
        "Khai thác dữ liệu",
        "Data consumer",
        "Hệ thống khác hoặc người dùng khai thác các tập dữ liệu được chia sẻ.",
        (*VIEW_REFERENCE, "exchange.view_dataset"),
        country_wide=True,
    ),
)


def permissions_for(patterns) -> list[Permission]:
    found = []
    for pattern in patterns:
        app_label, codename = pattern.split(".", 1)
        queryset = Permission.objects.filter(content_type__app_label=app_label)
        if codename != "*":
            queryset = queryset.filter(codename=codename)
        found.extend(queryset)
    return found


@transaction.atomic
def ensure_roles() -> dict[str, int]:
    """Create the standard roles and grant each default permission once. Idempotent."""
    report = {"created": 0, "permissions_added": 0}
    for definition in ROLES:
        role, created = Role.objects.get_or_create(
            code=definition.code,
            defaults={
                "name": definition.name,
                "name_en": definition.name_en,
                "description": definition.description,
                "country_wide": definition.country_wide,
                "requires_two_factor": definition.requires_two_factor,
            },
        )
        if created:
            report["created"] += 1
            record_change("create", role, before=None, after=snapshot(role))
        applied = set(role.defaults_applied)
        new = [
            permission
            for permission in permissions_for(definition.permissions)
            if f"{permission.content_type.app_label}.{permission.codename}" not in applied
        ]
        if new:
            before = {"permissions": sorted(role.defaults_applied)}
            role.permissions.add(*new)
            role.defaults_applied = sorted(
                applied | {f"{p.content_type.app_label}.{p.codename}" for p in new}
            )
            role.save(update_fields=["defaults_applied"])
            report["permissions_added"] += len(new)
            build_change(
                "update", role, before=before, after={"permissions": role.defaults_applied}
            ).save()
    return report
