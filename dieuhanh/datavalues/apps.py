from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class DataValuesConfig(AppConfig):
    name = "dieuhanh.datavalues"
    label = "datavalues"
    verbose_name = _("Data values")
    demo_data_commands = ("load_demo",)  # make run: setup_data --demo
    navigation = (
        NavItem(
            label=_("Data entry"),
            url_name="datavalues:choose",
            icon="pencil-square",
            order=50,
            permission="datavalues.view_datavalue",
        ),
        NavItem(
            label=_("Imports"),
            url_name="datavalues:imports",
            icon="cloud-upload",
            order=51,
            permission="datavalues.view_importjob",
        ),
    )
