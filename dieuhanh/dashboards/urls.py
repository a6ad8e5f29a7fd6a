from django.urls import path

from dieuhanh.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_list, name="list"),
    path("new/", views.dashboard_edit, name="new"),
    path("wall/", views.wall, name="wall"),
    path("items/render/", views.adhoc_item, name="adhoc_item"),
    path("items/<int:pk>/", views.item, name="item"),
    path("groups/<str:code>/", views.group, name="group"),
    path("indicators/<str:code>/", views.indicator, name="indicator"),
    path("units/<str:uid>/", views.unit, name="unit"),
    path("units/<str:uid>/figures/", views.unit_figures, name="unit_figures"),
    path("units/<str:uid>/history/", views.unit_history, name="unit_history"),
    path("units/<str:uid>/record/", views.unit_record, name="unit_record"),
    path("boundaries/", views.boundaries, name="boundaries"),
    path("boundaries/<int:pk>.geojson", views.boundary_file, name="boundary_file"),
    path("<str:uid>/", views.dashboard, name="detail"),
    path("<str:uid>/edit/", views.dashboard_edit, name="edit"),
    path("<str:uid>/delete/", views.dashboard_delete, name="delete"),
    path("<str:uid>/pin/", views.dashboard_pin, name="pin"),
    path("<str:uid>/items/new/", views.item_edit, name="item_new"),
    path("<str:uid>/items/<int:pk>/", views.item_edit, name="item_edit"),
    path("<str:uid>/items/<int:pk>/action/", views.item_action, name="item_action"),
]
