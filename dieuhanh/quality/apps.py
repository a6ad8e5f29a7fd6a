from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class QualityConfig(AppConfig):
    name = "dieuhanh.quality"
    label = "quality"
    verbose_name = _("Data quality")
    reference_data_commands = ("load_rules",)  # after the catalog: rules name indicators
    navigation = (
        NavItem(
            label=_("Data quality"),
            url_name="quality:home",
            icon="clipboard-check",
            order=55,
            permission="datavalues.view_submission",
        ),
    )
