"""API: child-friendly commune assessments — list and read them, start one, save scores, submit, review, upload
and download evidence.

The same selectors and services as the pages: an assessment outside the caller's area is the same 404 as a missing
one; a service's refusal answers 422 with the message of each field (``value_<code>``, ``points_<code>``,
``reason_<code>``, ``evidence_<code>``…). Changing a pre-filled figure needs a reason and an evidence file, as on
the page: ``POST …/scores/{code}/evidence`` takes the figure, the reason and the file together (multipart), checks
the file from its content, and is audited as ``override_prefill`` like the page's form; once a sub-item has
evidence, ``PUT …/scores`` may change its figure with a reason alone.

This module does not use postponed annotations: operations are wrapped by ``api_require`` and Ninja resolves
parameter annotations in the wrapper's module.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from treem.childfriendly import selectors, services
from treem.childfriendly.models import Assessment, Evidence
from treem.childfriendly.permissions import ASSESS_COMMUNE, REVIEW_ASSESSMENTS, VIEW_ASSESSMENTS
from treem.core.access import api_require
from treem.core.api_choices import choices_text
from treem.core.api_concurrency import IF_MATCH, VersionConflictOut, conflict_responses, expected_version, set_etag
from treem.core.api_errors import invalid
from treem.core.api_paging import limit_query, offset_query, page
from treem.core.audit import record_read
from treem.core.idempotency import IDEMPOTENCY_KEY, idempotent
from treem.core.models import AuditEvent
from treem.reporting.api_evidence import BINARY_RESPONSE
from treem.reporting.evidence import ACCEPTED_LABEL

router = Router(tags=["Xã phù hợp với trẻ em"])
MAX_ID = 2_147_483_647
EvidenceIdPath = Path(..., ge=1, le=MAX_ID, description="mã số (id) của tệp minh chứng")
SubItemCodePath = Path(..., max_length=16, description="mã mục trong bảng điểm (ví dụ 6.1)")
EVIDENCE_FILE: Any = File(..., description="tệp minh chứng (biên bản, danh sách, ảnh…)")
EVIDENCE_VALUE: Any = Form(None, description="số liệu của mục: tỷ lệ (%), số lượng, hoặc 1/0 cho có/không; để "
                                             "trống: giữ số liệu đang có")
EVIDENCE_POINTS: Any = Form(None, description="để trống: theo cách chấm của mục")
EVIDENCE_REASON: Any = Form("", max_length=2000, description="bắt buộc khi số liệu khác số liệu điền sẵn")


class EvidenceOut(Schema):
    id: int
    original_name: str
    content_type: str = Field(description=f"loại tệp xác định từ nội dung (chỉ nhận {ACCEPTED_LABEL})")
    size: int = Field(description="dung lượng (byte)")
    sha256: str
    uploaded_at: datetime

    @staticmethod
    def of(evidence: Evidence) -> "EvidenceOut":
        return EvidenceOut(id=evidence.pk, original_name=evidence.original_name, content_type=evidence.content_type,
                           size=evidence.size, sha256=evidence.sha256, uploaded_at=evidence.created_at)


class ScoreOut(Schema):
    code: str
    text: str
    rule: str
    threshold: Decimal | None
    max_points: int
    value: Decimal | None
    points: Decimal
    prefilled_value: Decimal | None
    prefill_source: str
    prefill_link: str
    override_reason: str
    evidence: list[EvidenceOut] = Field(description="tệp minh chứng của mục (tối đa 200)", max_length=200)


class CriterionOut(Schema):
    number: int
    name: str
    points: Decimal
    max_points: int
    is_met: bool


class AssessmentOut(Schema):
    id: int
    org_unit_uid: str
    org_unit_code: str
    org_unit_name: str
    year: int
    version: str
    status: Assessment.Status = Field(description=choices_text(Assessment.Status))
    band: str
    threshold: int | None
    total: Decimal
    is_recognisable: bool
    reasons: list[str]
    review_comment: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    is_demo: bool
    record_version: str = Field(description="phiên bản của bản đánh giá (cũng là ETag): gửi lại khi lưu điểm "
                                "(`version` là mã bảng điểm áp dụng)")

    @staticmethod
    def of(assessment: Assessment) -> "AssessmentOut":
        result = selectors.recognition_of(assessment)
        return AssessmentOut(
            id=assessment.pk, org_unit_uid=assessment.org_unit.uid, org_unit_code=assessment.org_unit.code,
            org_unit_name=assessment.org_unit.name, year=assessment.year, version=assessment.version.code,
            status=Assessment.Status(assessment.status), band=assessment.band,
            threshold=selectors.threshold_of(assessment),
            total=result.total, is_recognisable=result.is_recognisable, reasons=result.reasons(),
            review_comment=assessment.review_comment, submitted_at=assessment.submitted_at,
            reviewed_at=assessment.reviewed_at, is_demo=assessment.is_demo,
            record_version=selectors.assessment_version(assessment))


class AssessmentDetailOut(AssessmentOut):
    criteria: list[CriterionOut]
    scores: list[ScoreOut]


def _detail(assessment: Assessment) -> AssessmentDetailOut:
    result = selectors.recognition_of(assessment)
    evidence: dict[int, list[EvidenceOut]] = {}
    for kept in selectors.evidence_of(assessment):
        evidence.setdefault(kept.score_id or 0, []).append(EvidenceOut.of(kept))
    return AssessmentDetailOut(
        **AssessmentOut.of(assessment).dict(),
        criteria=[CriterionOut(number=criterion.number, name=criterion.name, points=criterion.points,
                               max_points=criterion.max_points, is_met=criterion.is_met)
                  for criterion in result.criteria],
        scores=[ScoreOut(code=score.sub_item.code, text=score.sub_item.text, rule=score.sub_item.rule,
                         threshold=score.sub_item.threshold, max_points=score.sub_item.points, value=score.value,
                         points=score.points, prefilled_value=score.prefilled_value,
                         prefill_source=score.prefill_source, prefill_link=score.prefill_link,
                         override_reason=score.override_reason, evidence=evidence.get(score.pk, []))
                for score in selectors.scores_of(assessment)])


class ListFilters(Schema):
    year: int | None = Field(None, ge=2019, le=2100)


class AssessmentListOut(Schema):
    count: int
    results: list[AssessmentOut]


class StartIn(Schema):
    org_unit_uid: str = Field(max_length=11)
    year: int = Field(ge=2019, le=2100)


class ScoreIn(Schema):
    code: str = Field(max_length=16)
    value: Decimal | None = Field(None, description="tỷ lệ (%), số lượng, hoặc 1/0 cho có/không")
    points: Decimal | None = Field(None, description="để trống: theo cách chấm của mục")
    reason: str = Field("", max_length=2000, description="bắt buộc khi sửa số liệu điền sẵn")


class ScoresIn(Schema):
    record_version: str | None = Field(None, max_length=64, description="phiên bản đã đọc (`record_version`, "
                                       "hoặc header If-Match); bắt buộc một trong hai: 428 nếu thiếu, 409 (412 với "
                                       "If-Match) nếu bản đánh giá đã được lưu sau đó")
    scores: list[ScoreIn] = Field(max_length=200)


class ReviewIn(Schema):
    decision: Literal["recognise", "return"] = Field(description="`recognise`: công nhận; `return`: trả lại")
    comment: str = Field("", max_length=4000)


@router.get("/child-friendly/assessments", response=AssessmentListOut,
            summary="Các bản đánh giá xã phù hợp với trẻ em trong phạm vi của bạn")
@api_require(VIEW_ASSESSMENTS)
def list_assessments(request: HttpRequest, response: HttpResponse, filters: Query[ListFilters],
                     limit: int = limit_query(100, 500, "bản đánh giá"),
                     offset: int = offset_query("bản đánh giá")) -> AssessmentListOut:
    """``count`` is the total in scope (also ``X-Total-Count``); ``results`` one page of at most 500."""
    in_scope = selectors.assessments_for(request.user, year=filters.year).order_by("-year", "org_unit__name", "pk")
    total, rows = page(response, in_scope, limit=limit,
                       offset=offset)
    return AssessmentListOut(count=total, results=[AssessmentOut.of(row) for row in rows])


@router.get("/child-friendly/assessments/{assessment_id}", response=AssessmentDetailOut,
            summary="Một bản đánh giá: điểm từng mục và tiêu chí, điều kiện công nhận")
@api_require(VIEW_ASSESSMENTS)
def get_assessment(request: HttpRequest, response: HttpResponse, assessment_id: int) -> AssessmentDetailOut:
    detail = _detail(selectors.assessment_for(request.user, assessment_id=assessment_id))
    set_etag(response, detail.record_version)
    return detail


@router.post("/child-friendly/assessments", response={201: AssessmentDetailOut},
             summary="Bắt đầu bản tự đánh giá của một xã cho một năm (điền sẵn từ dữ liệu của treem)")
@api_require(ASSESS_COMMUNE)
def start_assessment(request: HttpRequest, response: HttpResponse, payload: StartIn,
                     idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[AssessmentDetailOut]:
    unit = next((unit for unit in selectors.communes_to_assess(request.user, year=payload.year)
                 if unit.uid == payload.org_unit_uid), None)
    if unit is None:
        raise invalid("org_unit_uid", _("Không có xã này trong phạm vi của bạn vào năm đánh giá."))

    def start() -> Status[AssessmentDetailOut]:
        created = services.start_assessment(actor=request.user, org_unit=unit, year=payload.year)
        return Status(201, _detail(created))

    return idempotent(request, response, idempotency_key, start)


@router.put("/child-friendly/assessments/{assessment_id}/scores",
            response={200: AssessmentDetailOut, **conflict_responses(VersionConflictOut)},
            summary="Lưu số liệu và điểm (tất cả hoặc không mục nào); gửi kèm phiên bản đã đọc")
@api_require(ASSESS_COMMUNE)
def save_scores(request: HttpRequest, response: HttpResponse, assessment_id: int, payload: ScoresIn,
                if_match: str | None = IF_MATCH) -> Status[Any]:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    version, stale_status = expected_version(if_match, payload.record_version)
    try:
        saved = services.save_scores(actor=request.user, assessment=found, expected_version=version, entries=[
            services.ScoreInput(code=entry.code, value=entry.value, points=entry.points, reason=entry.reason)
            for entry in payload.scores])
    except services.StaleAssessment as error:
        return Status(stale_status, VersionConflictOut(detail=str(error), current_version=error.current_version))
    detail = _detail(saved)
    set_etag(response, detail.record_version)
    return Status(200, detail)


@router.post("/child-friendly/assessments/{assessment_id}/submit", response=AssessmentDetailOut,
             summary="Gửi bản tự đánh giá để thẩm định")
@api_require(ASSESS_COMMUNE)
def submit_assessment(request: HttpRequest, assessment_id: int) -> AssessmentDetailOut:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    return _detail(services.submit_assessment(actor=request.user, assessment=found))


@router.post("/child-friendly/assessments/{assessment_id}/review", response=AssessmentDetailOut,
             summary="Thẩm định: công nhận (khi đủ điều kiện) hoặc trả lại kèm ý kiến")
@api_require(REVIEW_ASSESSMENTS)
def review_assessment(request: HttpRequest, assessment_id: int, payload: ReviewIn) -> AssessmentDetailOut:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    return _detail(services.review_assessment(actor=request.user, assessment=found, decision=payload.decision,
                                              comment=payload.comment))


@router.post("/child-friendly/assessments/{assessment_id}/scores/{code}/evidence",
             response={201: AssessmentDetailOut},
             summary=f"Ghi số liệu một mục kèm tệp minh chứng ({ACCEPTED_LABEL}); bắt buộc khi sửa số liệu điền sẵn, "
                     f"cùng lý do")
@api_require(ASSESS_COMMUNE)
def upload_evidence(
    request: HttpRequest, response: HttpResponse, assessment_id: int, code: str = SubItemCodePath,
    file: UploadedFile = EVIDENCE_FILE, value: Decimal | None = EVIDENCE_VALUE,
    points: Decimal | None = EVIDENCE_POINTS, reason: str = EVIDENCE_REASON,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> Status[AssessmentDetailOut]:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    score = next((score for score in selectors.scores_of(found) if score.sub_item.code == code), None)
    if score is None:
        raise Http404
    figure = value if value is not None else score.value

    def attach() -> Status[AssessmentDetailOut]:
        saved = services.save_scores(actor=request.user, assessment=found, entries=[
            services.ScoreInput(code=code, value=figure, points=points, reason=reason, evidence=file)])
        return Status(201, _detail(saved))

    return idempotent(request, response, idempotency_key, attach)


@router.get("/child-friendly/assessments/{assessment_id}/evidence/{evidence_id}/file", openapi_extra=BINARY_RESPONSE,
            summary="Tải về một tệp minh chứng của bản đánh giá (việc tải được ghi nhật ký)")
@api_require(VIEW_ASSESSMENTS)
def download_evidence(request: HttpRequest, assessment_id: int,
                      evidence_id: int = EvidenceIdPath) -> FileResponse:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    item = selectors.evidence_for(request.user, assessment=found, evidence_id=evidence_id)
    try:
        handle = item.file.open("rb")
    except OSError as error:
        raise Http404 from error
    record_read(actor=request.user, obj=item, verb=AuditEvent.Verb.EXPORT, org_unit_path=found.org_unit.path)
    response = FileResponse(handle, as_attachment=True, filename=item.original_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
