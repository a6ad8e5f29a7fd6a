from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class CoreConfig(AppConfig):
    name = "dieuhanh.core"
    label = "core"
    verbose_name = _("System")
    navigation = (
        NavItem(label=_("Overview"), url_name="core:home", icon="house", order=0),
        NavItem(
            label=_("Audit log"),
            url_name="core:audit_log",
            icon="journal-text",
            order=900,
            permission="core.view_auditrecord",
        ),
    )
