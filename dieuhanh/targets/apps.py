from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class TargetsConfig(AppConfig):
    name = "dieuhanh.targets"
    label = "targets"
    verbose_name = _("Programmes and projects")
    demo_data_commands = ("load_demo_projects",)
    navigation = (
        NavItem(
            label=_("Programmes and projects"),
            url_name="targets:projects",
            icon="kanban",
            order=9,
            permission="targets.view_project",
        ),
    )
