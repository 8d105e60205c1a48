from django.urls import path

from treem.hierarchy import views

app_name = "hierarchy"

urlpatterns = [
    path("", views.unit_browser, name="browser"),
    path("co-quan/", views.agencies, name="agencies"),
]
