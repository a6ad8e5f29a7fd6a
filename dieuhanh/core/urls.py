from django.urls import path

from dieuhanh.core import views
from dieuhanh.dashboards import views as dashboard_views

app_name = "core"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
    path("notifications/", views.notifications, name="notifications"),
]
