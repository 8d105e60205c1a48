from django.urls import path

from treem.childfriendly import views

app_name = "childfriendly"

urlpatterns = [
    path("", views.index, name="index"),
    path("tong-hop.xlsx", views.summary_xlsx, name="summary_xlsx"),
    path("danh-gia/moi/", views.start, name="start"),
    path("danh-gia/<int:assessment_id>/", views.assessment, name="assessment"),
    path("danh-gia/<int:assessment_id>/cham-diem/", views.scores, name="scores"),
    path("danh-gia/<int:assessment_id>/gui/", views.submit, name="submit"),
    path("danh-gia/<int:assessment_id>/tham-dinh/", views.review, name="review"),
    path("danh-gia/<int:assessment_id>/bien-ban.docx", views.record_docx, name="record_docx"),
    path("danh-gia/<int:assessment_id>/minh-chung/<int:evidence_id>/", views.evidence, name="evidence"),
]
