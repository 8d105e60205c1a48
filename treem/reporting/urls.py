from django.urls import path

from treem.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("mo-ky/", views.open_cycle, name="open_cycle"),
    path("nam/<int:year>/", views.board, name="board"),
    path("nam/<int:year>/tinh-hinh.xlsx", views.board_export, name="board_export"),
    path("nam/<int:year>/tong-hop.<str:file_format>", views.consolidated, name="consolidated"),
    path("nam/<int:year>/tong-hop/", views.consolidated_page, name="consolidated_page"),
    path("nam/<int:year>/tong-hop/<int:build_id>.<str:file_format>", views.consolidated_document,
         name="consolidated_document"),
    path("bao-cao/<int:submission_id>/", views.submission_page, name="submission"),
    path("bao-cao/<int:submission_id>/so-lieu/", views.save_value, name="save_value"),
    path("bao-cao/<int:submission_id>/danh-gia/", views.save_narrative_view, name="save_narrative"),
    path("bao-cao/<int:submission_id>/nhiem-vu/<int:progress_id>/", views.save_task, name="save_task"),
    path("bao-cao/<int:submission_id>/nhiem-vu/<int:progress_id>/minh-chung/", views.upload_evidence,
         name="upload_evidence"),
    path("bao-cao/<int:submission_id>/nop/", views.submit_view, name="submit"),
    path("bao-cao/<int:submission_id>/xem-xet/", views.review_view, name="review"),
    path("bao-cao/<int:submission_id>/phien-ban/", views.versions_page, name="versions"),
    path("minh-chung/<int:evidence_id>/", views.download_evidence, name="evidence"),
    path("minh-chung/<int:evidence_id>/xoa/", views.remove_evidence_view, name="remove_evidence"),
]
