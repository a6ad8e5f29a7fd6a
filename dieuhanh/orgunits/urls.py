from django.urls import path

from dieuhanh.orgunits import views

app_name = "orgunits"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("<str:uid>/", views.detail, name="detail"),
    path("<str:uid>/children/", views.children, name="children"),
    path("<str:uid>/edit/", views.edit, name="edit"),
    path("<str:uid>/add-child/", views.add_child, name="add_child"),
    path("<str:uid>/end/", views.end, name="end"),
    path("<str:uid>/move/", views.move, name="move"),
    path("<str:uid>/succession/", views.add_succession, name="add_succession"),
]
