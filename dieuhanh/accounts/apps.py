from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dieuhanh.core.navigation import NavItem


class AccountsConfig(AppConfig):
    name = "dieuhanh.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    reference_data_commands = ("load_roles",)
    navigation = (
        NavItem(
            label=_("Users"),
            url_name="accounts:user_list",
            icon="people",
            order=850,
            permission="accounts.view_user",
        ),
    )
    demo_data_commands = ("load_demo_users",)

    def ready(self):
        from dieuhanh.accounts import signals  # noqa: F401 - connects the audit receivers
