from django.urls import path

from dieuhanh.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<str:code>/retire/", views.indicator_retire, name="indicator_retire"),
    path("regimes/", views.regimes, name="regimes"),
    path("regimes/new/", views.regime_new, name="regime_new"),
    path("regimes/<str:code>/", views.regime_detail, name="regime"),
    path("regimes/<str:code>/edit/", views.regime_edit, name="regime_edit"),
    path("regimes/<str:code>/content/", views.regime_content_edit, name="regime_content"),
]
