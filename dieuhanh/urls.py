"""Every page requires a signed-in user (LoginRequiredMiddleware) unless marked public here.
The API is exempt from the page rule because each operation declares its own auth."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from dieuhanh.api import api
from dieuhanh.core import views as core_views


def exempt_from_page_login(patterns):
    """Mark views that authenticate by themselves (the API) as not needing a page login."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            exempt_from_page_login(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback.login_required = False
    return patterns


api_patterns, api_app_name, api_namespace = api.urls
exempt_from_page_login(api_patterns)

urlpatterns = [
    path("healthz", login_not_required(core_views.healthz), name="healthz"),
    path("api/v1/", (api_patterns, api_app_name, api_namespace)),
    path("api/", include("dieuhanh.datavalues.dhis2_urls")),  # DHIS2-compatible
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("dieuhanh.accounts.urls")),
    path("admin/", admin.site.urls),
    path("orgunits/", include("dieuhanh.orgunits.urls")),
    path("catalog/", include("dieuhanh.catalog.urls")),
    path("data/", include("dieuhanh.datavalues.urls")),
    path("quality/", include("dieuhanh.quality.urls")),
    path("analytics/", include("dieuhanh.analytics.urls")),
    path("dashboards/", include("dieuhanh.dashboards.urls")),
    path("tasks/", include("dieuhanh.directives.urls")),
    path("", include("dieuhanh.targets.urls")),
    path("", include("dieuhanh.core.urls")),
]
