from django.urls import path

from treem.maps import views

app_name = "maps"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("du-lieu.json", views.map_json, name="map_json"),
    path("ranh-gioi/", views.boundaries, name="boundaries"),
    path("ranh-gioi/<int:record_id>/", views.boundary_upload, name="boundary_upload"),
]
