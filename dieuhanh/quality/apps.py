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

    def ready(self):
        from dieuhanh.datavalues.signals import values_imported
        from dieuhanh.quality.rules import check_import

        values_imported.connect(check_import, dispatch_uid="quality.check_import")
