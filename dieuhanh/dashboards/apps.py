from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class DashboardsConfig(AppConfig):
    name = "dieuhanh.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")
    demo_data_commands = ("load_demo_dashboards",)  # after the demo users
    navigation = (
        NavItem(
            label=_("Dashboards"),
            url_name="dashboards:list",
            icon="speedometer2",
            order=5,
            permission="dashboards.view_dashboard",
        ),
    )
    # Sources of the home page's hot-issues feed (see dashboards.issues).
    hot_issues = (
        "dieuhanh.dashboards.issues.threshold_issues",
        "dieuhanh.dashboards.issues.report_issues",
        "dieuhanh.dashboards.issues.outlier_issues",
    )
