from django.urls import path

from treem.nutrition import views

app_name = "nutrition"

urlpatterns = [
    path("", views.index, name="index"),
    path("ngay-can/", views.weighing_day, name="weighing_day"),
    path("ngay-can/xem-truoc/", views.weighing_preview, name="weighing_preview"),
    path("ngay-can/luu/", views.weighing_save, name="weighing_save"),
    path("tre/<int:child_id>/", views.child_growth, name="child"),
    path("so-do/<int:measurement_id>/sua/", views.edit_measurement, name="edit"),
    path("so-do/<int:measurement_id>/xoa/", views.remove_measurement, name="delete"),
    path("theo-doi/", views.follow_up, name="follow_up"),
    path("nhap-excel/", views.import_upload, name="import"),
    path("nhap-excel/mau.xlsx", views.import_template, name="import_template"),
    path("nhap-excel/<int:import_id>/", views.import_detail, name="import_detail"),
    path("nhap-excel/<int:import_id>/dong-bi-tu-choi.xlsx", views.import_rejected, name="import_rejected"),
]
