from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class DirectivesConfig(AppConfig):
    name = "dieuhanh.directives"
    label = "directives"
    verbose_name = _("Assigned tasks")
    demo_data_commands = ("load_demo_directives",)  # after the demo users
    navigation = (
        NavItem(
            label=_("Tasks"),
            url_name="directives:home",
            icon="list-check",
            order=8,
            permission="directives.view_task",
        ),
    )
    hot_issues = ("dieuhanh.directives.issues.overdue_key_tasks",)
