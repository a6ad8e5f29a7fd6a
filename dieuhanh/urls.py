from django.contrib import admin
from django.urls import include, path

from dieuhanh.api import api
from dieuhanh.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("dieuhanh.accounts.urls")),
    path("admin/", admin.site.urls),
    path("orgunits/", include("dieuhanh.orgunits.urls")),
    path("", include("dieuhanh.core.urls")),
]
