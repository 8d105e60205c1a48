from django.urls import path

from treem.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("xuat.xlsx", views.overview_xlsx, name="overview_xlsx"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/xuat.xlsx", views.detail_xlsx, name="detail_xlsx"),
]
