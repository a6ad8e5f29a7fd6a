from django.urls import path

from dieuhanh.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.pivot_table, name="pivot"),
]
