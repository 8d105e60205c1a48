from django.urls import path

from treem.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.children, name="children"),
    path("them/", views.child_new, name="child_new"),
    path("xuat-excel/", views.export_children, name="export"),
    path("so-luong/", views.counts, name="counts"),
    path("<int:child_id>/", views.child_detail, name="child"),
    path("<int:child_id>/sua/", views.child_edit, name="child_edit"),
    path("<int:child_id>/du-lieu-ca-nhan/", views.child_personal_data, name="child_personal_data"),
    path("<int:child_id>/thao-tac/<slug:action>/", views.child_action, name="child_action"),
    path("nhap/", views.imports, name="imports"),
    path("nhap/<int:import_id>/", views.import_detail, name="import"),
    path("nhap/<int:import_id>/dong-bi-tu-choi.xlsx", views.import_rejected, name="import_rejected"),
    path("trung-lap/", views.duplicates, name="duplicates"),
    path("trung-lap/<int:candidate_id>/", views.duplicate_detail, name="duplicate"),
]
