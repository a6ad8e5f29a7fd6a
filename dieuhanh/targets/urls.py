from django.urls import path

from dieuhanh.targets import views

app_name = "targets"

urlpatterns = [
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<str:code>/", views.project_detail, name="project"),
    path("projects/<str:code>/edit/", views.project_edit, name="project_edit"),
    path("projects/<str:code>/delete/", views.project_delete, name="project_delete"),
    path("targets/", views.plan_list, name="plan"),
    path("targets/new/", views.plan_new, name="plan_new"),
    path("targets/import/", views.plan_import, name="plan_import"),
    path("targets/import/template/", views.plan_import_template, name="plan_import_template"),
    path("targets/<int:pk>/", views.plan_detail, name="plan_target"),
    path("targets/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("targets/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
]
