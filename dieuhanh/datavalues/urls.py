from django.urls import path

from dieuhanh.datavalues import import_views, views

app_name = "datavalues"

urlpatterns = [
    path("", views.choose_report, name="choose"),
    path("entry/<str:regime>/<str:unit>/<str:period>/", views.entry, name="entry"),
    path("entry/<str:regime>/<str:unit>/<str:period>/save/", views.save, name="save"),
    path(
        "entry/<str:regime>/<str:unit>/<str:period>/narrative/",
        views.save_narrative,
        name="narrative",
    ),
    path("entry/<str:regime>/<str:unit>/<str:period>/submit/", views.submit, name="submit"),
    path("imports/", import_views.imports, name="imports"),
    path("imports/<str:uid>/", import_views.import_job, name="import_job"),
    path("imports/<str:uid>/confirm/", import_views.confirm_import, name="import_confirm"),
]
