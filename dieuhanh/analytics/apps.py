from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class AnalyticsConfig(AppConfig):
    name = "dieuhanh.analytics"
    label = "analytics"
    verbose_name = _("Analytics")
    demo_data_commands = ("refresh_analytics",)  # after the demo values
    navigation = (
        NavItem(
            label=_("Pivot table"),
            url_name="analytics:pivot",
            icon="table",
            order=60,
            permission="datavalues.view_datavalue",
        ),
    )

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from dieuhanh.analytics import maintenance
        from dieuhanh.orgunits.models import OrgUnit, OrgUnitParent, Succession
        from dieuhanh.orgunits.signals import structure_changed, structure_changing

        structure_changing.connect(maintenance.hierarchy_changing, dispatch_uid="analytics.old")
        structure_changed.connect(maintenance.hierarchy_changed, dispatch_uid="analytics.tree")
        for model in (OrgUnit, OrgUnitParent, Succession):
            for signal in (post_save, post_delete):
                signal.connect(
                    maintenance.structure_edited,
                    sender=model,
                    dispatch_uid=f"analytics.{signal}.{model.__name__}",
                )
