"""API: the evidence files of a report's tasks — list, upload, download, remove — as the report page offers them.

The same selectors and services as the page: a file of a report outside the caller's scope is the same 404 as a
missing one; its type is checked from its content and its size against the limit (422 with the reason under
``file``); a download is audited and served as an attachment the browser may not sniff; removing is a soft delete
(the file and its row stay, the report's versions keep naming it).

No postponed annotations: the operations are wrapped by ``api_require`` and Ninja resolves parameter annotations in
the wrapper's module.
"""

from datetime import datetime

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from ninja import Field, File, Path, Router, Schema, Status
from ninja.files import UploadedFile

from treem.core.access import api_require
from treem.core.api_paging import limit_query, offset_query, page
from treem.core.audit import record_read
from treem.core.idempotency import IDEMPOTENCY_KEY, idempotent
from treem.core.models import AuditEvent
from treem.reporting import selectors, services
from treem.reporting.evidence import ACCEPTED_LABEL
from treem.reporting.models import Evidence, TaskProgress
from treem.reporting.permissions import VIEW_SUBMISSIONS, WRITE_SUBMISSION

router = Router(tags=["Báo cáo định kỳ"])
MAX_ID = 2_147_483_647
EvidenceIdPath = Path(..., ge=1, le=MAX_ID, description="mã số (id) của tệp minh chứng")
BINARY_RESPONSE = {"responses": {200: {"description": "tệp minh chứng (tải về)", "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}}


class EvidenceOut(Schema):
    id: int
    task_progress_id: int
    original_name: str
    content_type: str = Field(description=f"loại tệp xác định từ nội dung (chỉ nhận {ACCEPTED_LABEL})")
    size: int = Field(description="dung lượng (byte)")
    sha256: str
    uploaded_at: datetime
    removed_at: datetime | None = Field(description="lúc xoá (null khi còn dùng)")

    @staticmethod
    def of(evidence: Evidence) -> "EvidenceOut":
        return EvidenceOut(id=evidence.pk, task_progress_id=evidence.progress_id, original_name=evidence.original_name,
                           content_type=evidence.content_type, size=evidence.size, sha256=evidence.sha256,
                           uploaded_at=evidence.created_at, removed_at=evidence.deleted_at)


def _task(request: HttpRequest, submission_id: int, progress_id: int, capability: str) -> TaskProgress:
    submission = selectors.submission_for(request.user, submission_id=submission_id, capability=capability)
    progress = submission.task_progress.select_related("submission").filter(pk=progress_id).first()
    if progress is None:
        raise Http404
    return progress


@router.get("/reporting/submissions/{submission_id}/tasks/{progress_id}/evidence", response=list[EvidenceOut],
            summary="Các tệp minh chứng đang dùng của một nhiệm vụ trong báo cáo")
@api_require(VIEW_SUBMISSIONS)
def list_evidence(request: HttpRequest, response: HttpResponse, submission_id: int, progress_id: int,
                  limit: int = limit_query(100, 200, "tệp"), offset: int = offset_query("tệp")) -> list[EvidenceOut]:
    progress = _task(request, submission_id, progress_id, VIEW_SUBMISSIONS)
    _total, rows = page(response, progress.evidence.filter(deleted_at__isnull=True).order_by("created_at", "pk"),
                        limit=limit, offset=offset)
    return [EvidenceOut.of(evidence) for evidence in rows]


@router.post("/reporting/submissions/{submission_id}/tasks/{progress_id}/evidence", response={201: EvidenceOut},
             summary=f"Tải lên một tệp minh chứng ({ACCEPTED_LABEL}); báo cáo trở lại dự thảo")
@api_require(WRITE_SUBMISSION)
def upload_evidence(request: HttpRequest, response: HttpResponse, submission_id: int, progress_id: int,
                    file: UploadedFile = File(...),  # noqa: B008
                    idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[EvidenceOut]:
    progress = _task(request, submission_id, progress_id, WRITE_SUBMISSION)

    def attach() -> Status[EvidenceOut]:
        evidence = services.attach_evidence(actor=request.user, progress=progress, upload=file)  # type: ignore[arg-type]
        return Status(201, EvidenceOut.of(evidence))

    return idempotent(request, response, idempotency_key, attach)


@router.get("/reporting/evidence/{evidence_id}", response=EvidenceOut,
            summary="Thông tin một tệp minh chứng (cả tệp đã xoá: các phiên bản báo cáo vẫn nhắc đến)")
@api_require(VIEW_SUBMISSIONS)
def get_evidence(request: HttpRequest, evidence_id: int = EvidenceIdPath) -> EvidenceOut:
    return EvidenceOut.of(selectors.evidence_for(request.user, evidence_id=evidence_id))


@router.get("/reporting/evidence/{evidence_id}/file", openapi_extra=BINARY_RESPONSE,
            summary="Tải về một tệp minh chứng (việc tải được ghi nhật ký)")
@api_require(VIEW_SUBMISSIONS)
def download_evidence(request: HttpRequest, evidence_id: int = EvidenceIdPath) -> FileResponse:
    evidence = selectors.evidence_for(request.user, evidence_id=evidence_id)
    record_read(actor=request.user, obj=evidence, org_unit_path=evidence.progress.submission.org_unit.path,
                verb=AuditEvent.Verb.EXPORT)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@router.delete("/reporting/evidence/{evidence_id}", response=EvidenceOut,
               summary="Xoá một tệp minh chứng (xoá mềm: tệp và lịch sử được giữ); báo cáo trở lại dự thảo")
@api_require(WRITE_SUBMISSION)
def remove_evidence(request: HttpRequest, evidence_id: int = EvidenceIdPath) -> EvidenceOut:
    evidence = selectors.evidence_for(request.user, evidence_id=evidence_id)
    selectors.submission_for(request.user, submission_id=evidence.progress.submission_id, capability=WRITE_SUBMISSION)
    if evidence.deleted_at is not None:
        raise Http404
    return EvidenceOut.of(services.remove_evidence(actor=request.user, evidence=evidence))  # type: ignore[arg-type]
