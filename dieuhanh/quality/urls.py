from django.urls import path

from dieuhanh.quality import views

app_name = "quality"

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", views.reports, name="reports"),
    path("reports/<str:regime>/<str:unit>/<str:period>/", views.report, name="report"),
    path(
        "reports/<str:regime>/<str:unit>/<str:period>/step/",
        views.report_step,
        name="report_step",
    ),
    path("followups/", views.followup_list, name="followups"),
    path("followups/<int:pk>/step/", views.followup_step, name="followup_step"),
    path("outliers/", views.outlier_list, name="outliers"),
    path("violations/", views.violation_list, name="violations"),
    path("consistency/", views.consistency_list, name="consistency"),
]
