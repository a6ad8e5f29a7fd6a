from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dieuhanh.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    reference_data_commands = ("load_roles",)
    demo_data_commands = ("load_demo_users",)

    def ready(self):
        from dieuhanh.accounts import signals  # noqa: F401 - connects the audit receivers
