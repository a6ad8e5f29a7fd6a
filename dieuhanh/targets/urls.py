from django.urls import path

from dieuhanh.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.project_list, name="projects"),
    path("new/", views.project_new, name="project_new"),
    path("<str:code>/", views.project_detail, name="project"),
    path("<str:code>/edit/", views.project_edit, name="project_edit"),
    path("<str:code>/delete/", views.project_delete, name="project_delete"),
]
