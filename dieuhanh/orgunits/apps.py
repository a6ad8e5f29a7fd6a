from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class OrgUnitsConfig(AppConfig):
    name = "dieuhanh.orgunits"
    label = "orgunits"
    verbose_name = _("Organisation units")
    reference_data_commands = ("load_orgunits",)
    navigation = (
        NavItem(
            label=_("Organisation units"), url_name="orgunits:browse", icon="diagram-3", order=80
        ),
    )
