from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class CatalogConfig(AppConfig):
    name = "dieuhanh.catalog"
    label = "catalog"
    verbose_name = _("Indicator catalog")
    reference_data_commands = ("load_catalog",)
    navigation = (
        NavItem(label=_("Indicators"), url_name="catalog:browse", icon="list-columns", order=40),
        NavItem(
            label=_("Reporting regimes"), url_name="catalog:regimes", icon="calendar3", order=45
        ),
    )
