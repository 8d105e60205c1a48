from django.urls import path

from treem.fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.index, name="index"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("bang-who.json", views.who_tables, name="who_tables"),
    path("quy-tac.json", views.rules, name="rules"),
    path("phien.json", views.session, name="session"),
    path("du-lieu.json", views.bundle, name="bundle"),
    path("dong-bo/", views.sync, name="sync"),
]
