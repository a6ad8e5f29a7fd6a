from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class TargetsConfig(AppConfig):
    name = "dieuhanh.targets"
    label = "targets"
    verbose_name = _("Plan targets, programmes and projects")
    demo_data_commands = ("load_demo_projects", "load_demo_targets")
    hot_issues = ("dieuhanh.targets.issues.off_course",)
    navigation = (
        NavItem(
            label=_("Plan targets"),
            url_name="targets:plan",
            icon="bullseye",
            order=7,
            permission="targets.view_plantarget",
        ),
        NavItem(
            label=_("Programmes and projects"),
            url_name="targets:projects",
            icon="kanban",
            order=9,
            permission="targets.view_project",
        ),
    )
