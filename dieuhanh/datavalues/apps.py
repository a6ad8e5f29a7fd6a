from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataValuesConfig(AppConfig):
    name = "dieuhanh.datavalues"
    label = "datavalues"
    verbose_name = _("Data values")
