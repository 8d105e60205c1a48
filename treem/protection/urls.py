from django.urls import path

from treem.protection import views

app_name = "protection"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("truong-hop/", views.queue, name="queue"),
    path("truong-hop/moi/", views.case_new, name="case_new"),
    path("truong-hop/<int:case_id>/", views.case_detail, name="case"),
    path("truong-hop/<int:case_id>/sua/", views.case_edit, name="case_edit"),
    path("truong-hop/<int:case_id>/chuyen-giao/", views.case_transfer, name="case_transfer"),
    path("truong-hop/<int:case_id>/mau-<str:number>.docx", views.case_form_document, name="case_form"),
    path("truy-cap-khan-cap/", views.emergency_access, name="emergency_access"),
    path("giam-sat/", views.caseload, name="caseload"),
    path("tai-nan-thuong-tich/", views.incidents, name="incidents"),
    path("tai-nan-thuong-tich/xuat.xlsx", views.export_incidents, name="incidents_export"),
    path("tai-nan-thuong-tich/moi/", views.incident_new, name="incident_new"),
    path("tai-nan-thuong-tich/thong-ke/", views.incident_statistics, name="incident_statistics"),
]
