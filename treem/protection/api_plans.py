"""API: a case's support plan (Mẫu 04) — its draft, its services and their delivery, the commune chair's
approval — and the follow-up of a referral: what the case page lets a case worker do besides the step forms.

The same selectors and services as the case page, so the same rules: a case outside the caller's assignments is the
same 404 as a missing one; a closed case takes no more writes (422); every write is audited by its service.

No postponed annotations: the operations are wrapped by ``api_require`` and Ninja resolves parameter annotations in
the wrapper's module.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from treem.core.access import api_require
from treem.core.api_choices import choices_text
from treem.core.api_concurrency import set_etag
from treem.core.api_errors import ApiError, invalid
from treem.core.api_paging import limit_query, offset_query, page
from treem.core.idempotency import IDEMPOTENCY_KEY, idempotent
from treem.protection import selectors, services
from treem.protection.api import (
    CASE_CONFLICTS,
    CASE_VERSION,
    CaseIdPath,
    ConflictOut,
    IfMatch,
    ReferralOut,
    StepDetailOut,
    _case_version,
    _conflict,
    _step_detail,
)
from treem.protection.models import Case, CaseService, ServiceKind, SupportPlan
from treem.protection.permissions import WORK_CASES
from treem.protection.workflow import StepKind

router = Router(tags=["Bảo vệ trẻ em"])
MAX_ID = 2_147_483_647
ServiceIdPath = Path(..., ge=1, le=MAX_ID, description="mã số (id) của dịch vụ trong kế hoạch")


class ServiceOut(Schema):
    id: int
    kind: ServiceKind = Field(description=choices_text(ServiceKind))
    kind_label: str
    description: str
    provider_name: str
    provider_agency_code: str | None
    planned_on: date
    delivered_on: date | None = Field(description="ngày đã thực hiện (null khi chưa)")
    result: str

    @staticmethod
    def of(service: CaseService) -> "ServiceOut":
        return ServiceOut(id=service.pk, kind=ServiceKind(service.kind), kind_label=service.get_kind_display(),
                          description=service.description, provider_name=service.provider_name,
                          provider_agency_code=service.provider_agency.code if service.provider_agency else None,
                          planned_on=service.planned_on, delivered_on=service.delivered_on, result=service.result)


class PlanOut(Schema):
    id: int
    case_version: int = Field(description="phiên bản hiện tại của hồ sơ (cũng là ETag): gửi lại khi ghi kế hoạch "
                              "hoặc phê duyệt")
    number: int = Field(description="kế hoạch số (lượt kế hoạch của hồ sơ)")
    status: SupportPlan.Status = Field(description=choices_text(SupportPlan.Status))
    goals: str
    measures: str
    starts_on: date
    review_on: date
    approved_on: date | None
    approver_name: str
    decision_number: str
    services: list[ServiceOut]

    @staticmethod
    def of(plan: SupportPlan, *, case_version: int) -> "PlanOut":
        return PlanOut(id=plan.pk, case_version=case_version, number=plan.number,
                       status=SupportPlan.Status(plan.status), goals=plan.goals,
                       measures=plan.measures, starts_on=plan.starts_on, review_on=plan.review_on,
                       approved_on=plan.approved_on, approver_name=plan.approver_name,
                       decision_number=plan.decision_number,
                       services=[ServiceOut.of(service) for service in
                                 plan.services.select_related("provider_agency").order_by("planned_on", "pk")])


class PlanIn(Schema):
    version: int | None = Field(None, description=CASE_VERSION)
    goals: str = Field(min_length=1, max_length=20000, description="mục tiêu")
    measures: str = Field("", max_length=20000, description="biện pháp hỗ trợ, can thiệp")
    starts_on: date = Field(description="thực hiện từ ngày")
    review_on: date = Field(description="ngày theo dõi, đánh giá: từ starts_on trở đi")


class ServiceIn(Schema):
    kind: ServiceKind = Field(description=choices_text(ServiceKind))
    description: str = Field(min_length=1, max_length=255)
    provider_name: str = Field(min_length=1, max_length=255, description="đơn vị, người cung cấp")
    provider_agency_code: str | None = Field(None, max_length=32, description="mã cơ quan cung cấp (không bắt buộc)")
    planned_on: date = Field(description="dự kiến ngày")


class DeliveryIn(Schema):
    delivered_on: date = Field(description="ngày đã thực hiện: không sau hôm nay; kế hoạch phải đã được phê duyệt")
    result: str = Field("", max_length=20000)


class ApprovalIn(Schema):
    version: int | None = Field(None, description=CASE_VERSION)
    approved_on: date = Field(description="ngày phê duyệt: không sau hôm nay")
    approver_name: str = Field(min_length=1, max_length=150, description="Chủ tịch (hoặc Phó Chủ tịch được ủy "
                               "quyền) UBND xã")
    decision_number: str = Field("", max_length=64, description="số quyết định phê duyệt")


class ApprovedOut(Schema):
    case_version: int
    plan: PlanOut
    next_step: StepDetailOut = Field(description="bước thực hiện dịch vụ vừa mở")


class FollowUpIn(Schema):
    followed_up_on: date = Field(description="ngày theo dõi")
    note: str = Field(min_length=1, max_length=20000, description="kết quả theo dõi")


def _writable_case(request: HttpRequest, case_id: str) -> Case:
    case = selectors.case_for(request.user, case_id=case_id)
    if case.is_closed:
        raise ValidationError(_("Hồ sơ đã đóng, không ghi thêm được."))
    return case


def _plan_step(case: Case) -> Any:
    step = selectors.open_step(case)
    return step if step is not None and step.kind == StepKind.PLAN else None


def _working_plan(case: Case) -> SupportPlan | None:
    """The plan the case page shows: the draft of an open plan step, else the plan in force."""
    step = _plan_step(case)
    return step.plan if step is not None and step.plan is not None else selectors.current_plan(case)


@router.get("/cases/{case_id}/plan", response=PlanOut,
            summary="Kế hoạch hỗ trợ của trường hợp: dự thảo đang lập, hoặc kế hoạch đang thực hiện; 404 khi chưa có")
@api_require(WORK_CASES)
def get_plan(request: HttpRequest, response: HttpResponse, case_id: str = CaseIdPath) -> PlanOut:
    case = selectors.open_case(request.user, case_id=case_id)
    plan = _working_plan(case)
    if plan is None:
        raise ApiError(404, _("Hồ sơ chưa có kế hoạch hỗ trợ."))
    set_etag(response, case.version)
    return PlanOut.of(plan, case_version=case.version)


@router.put("/cases/{case_id}/plan", response={200: PlanOut, **CASE_CONFLICTS},
            summary="Ghi (hoặc ghi lại) dự thảo kế hoạch của bước lập kế hoạch đang mở; gửi kèm phiên bản hồ sơ "
            "(version hoặc If-Match): 409/412 nếu hồ sơ đã đổi")
@api_require(WORK_CASES)
def save_plan(request: HttpRequest, response: HttpResponse, payload: PlanIn, case_id: str = CaseIdPath,
              if_match: str | None = IfMatch) -> Status[Any]:
    case = _writable_case(request, case_id)
    version, stale_status = _case_version(case, if_match, payload.version, required=True)
    if payload.review_on < payload.starts_on:
        raise invalid("review_on", _("Ngày đánh giá phải sau ngày bắt đầu."))
    try:
        plan = services.save_plan(actor=request.user, case=case,  # type: ignore[arg-type]
                                  expected_version=version, **payload.model_dump(exclude={"version"}))
    except services.StaleVersionError as error:
        return _conflict(error, stale_status)
    current = selectors.case_for(request.user, case_id=case.pk)
    set_etag(response, current.version)
    return Status(200, PlanOut.of(plan, case_version=current.version))


@router.get("/cases/{case_id}/plan/services", response=list[ServiceOut],
            summary="Các dịch vụ của kế hoạch hỗ trợ (dự thảo hoặc đang thực hiện)")
@api_require(WORK_CASES)
def list_services(request: HttpRequest, response: HttpResponse, case_id: str = CaseIdPath,
                  limit: int = limit_query(100, 200, "dịch vụ"), offset: int = offset_query("dịch vụ"),
                  ) -> list[ServiceOut]:
    case = selectors.case_for(request.user, case_id=case_id)
    plan = _working_plan(case)
    rows: list[CaseService] = list(plan.services.select_related("provider_agency").order_by("planned_on", "pk")
                                   if plan else [])
    _total, found = page(response, rows, limit=limit, offset=offset)
    return [ServiceOut.of(service) for service in found]


@router.post("/cases/{case_id}/plan/services", response={201: ServiceOut},
             summary="Thêm một dịch vụ hỗ trợ, can thiệp vào kế hoạch (lưu dự thảo kế hoạch trước)")
@api_require(WORK_CASES)
def add_service(request: HttpRequest, response: HttpResponse, payload: ServiceIn, case_id: str = CaseIdPath,
                idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[ServiceOut]:
    case = _writable_case(request, case_id)
    plan = _working_plan(case)
    if plan is None:
        raise ValidationError(_("Lưu dự thảo kế hoạch trước khi thêm dịch vụ."))
    agency = None
    if payload.provider_agency_code:
        agency = selectors.provider_agency_with_code(payload.provider_agency_code)
        if agency is None:
            raise invalid("provider_agency_code", _("Không có cơ quan mã này."))

    def add() -> Status[ServiceOut]:
        service = services.add_service(actor=request.user, plan=plan, provider_agency=agency,  # type: ignore[arg-type]
                                       **payload.model_dump(exclude={"provider_agency_code"}))
        return Status(201, ServiceOut.of(service))

    return idempotent(request, response, idempotency_key, add)


@router.post("/cases/{case_id}/plan/services/{service_id}/delivery", response=ServiceOut,
             summary="Ghi nhận một dịch vụ đã thực hiện (kế hoạch đã phê duyệt; tính cho chỉ tiêu I13)")
@api_require(WORK_CASES)
def record_delivery(request: HttpRequest, payload: DeliveryIn, case_id: str = CaseIdPath,
                    service_id: int = ServiceIdPath) -> ServiceOut:
    case = _writable_case(request, case_id)
    service = selectors.case_service_for(request.user, case=case, service_id=service_id)
    return ServiceOut.of(services.record_service_delivery(actor=request.user, service=service,  # type: ignore[arg-type]
                                                          **payload.model_dump()))


@router.post("/cases/{case_id}/plan/approve", response={200: ApprovedOut, **CASE_CONFLICTS},
             summary="Ghi nhận Chủ tịch UBND xã phê duyệt kế hoạch: bước lập kế hoạch xong, bước thực hiện mở; gửi "
             "kèm phiên bản hồ sơ (version hoặc If-Match)")
@api_require(WORK_CASES)
def approve_plan(request: HttpRequest, response: HttpResponse, payload: ApprovalIn, case_id: str = CaseIdPath,
                 if_match: str | None = IfMatch) -> Status[Any]:
    case = _writable_case(request, case_id)
    version, stale_status = _case_version(case, if_match, payload.version, required=True)
    step = _plan_step(case)
    if step is None or step.plan is None:
        raise ValidationError(_("Chưa có dự thảo kế hoạch để phê duyệt."))
    try:
        following = services.approve_plan(actor=request.user, plan=step.plan,  # type: ignore[arg-type]
                                          expected_version=version, **payload.model_dump(exclude={"version"}))
    except services.StaleVersionError as error:
        return _conflict(error, stale_status)
    except services.StepAlreadyDoneError as error:
        current = selectors.case_for(request.user, case_id=case.pk)
        return Status(409, ConflictOut(detail=str(error), current_version=current.version, changes=[]))
    current = selectors.case_for(request.user, case_id=case.pk)
    set_etag(response, current.version)
    return Status(200, ApprovedOut(case_version=current.version,
                                   plan=PlanOut.of(following.plan or step.plan, case_version=current.version),
                                   next_step=_step_detail(following, now=timezone.now())))


@router.post("/cases/{case_id}/referrals/{referral_id}/follow-up", response=ReferralOut,
             summary="Ghi kết quả theo dõi một lần chuyển gửi")
@api_require(WORK_CASES)
def follow_up_referral(request: HttpRequest, payload: FollowUpIn, case_id: str = CaseIdPath,
                       referral_id: int = Path(..., ge=1, le=MAX_ID)) -> ReferralOut:
    case = _writable_case(request, case_id)
    referral = selectors.referral_for(request.user, case=case, referral_id=referral_id)
    return ReferralOut.of(services.record_referral_follow_up(actor=request.user, referral=referral,  # type: ignore[arg-type]
                                                             **payload.model_dump()))
