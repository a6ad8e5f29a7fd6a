from django.urls import path

from dieuhanh.directives import views

app_name = "directives"

urlpatterns = [
    path("", views.home, name="home"),
    path("list/", views.task_list, name="tasks"),
    path("<int:pk>/", views.task_detail, name="task"),
    path("<int:pk>/step/", views.task_step, name="task_step"),
    path("<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("documents/", views.document_list, name="documents"),
    path("documents/new/", views.document_new, name="document_new"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/tasks/new/", views.task_new, name="task_new"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("review/", views.review_queue, name="review"),
    path("import/", views.import_tasks, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("summary/", views.monthly_summary, name="summary"),
]
