from django.urls import path

from treem.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
]
