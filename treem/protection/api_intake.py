"""API: reports arriving from other systems (``/api/v1/intake/…``) — the national child helpline 111 or a partner's
system files a case (received as Mẫu 01 through ``report_case``) or an incident of the register.

A system authenticates with its own key (``X-Treem-Key``), may be required to sign (``X-Treem-Signature``,
``X-Treem-Timestamp``: ``protection.signatures``), and sends each report with an ``Idempotency-Key``: a retried
report creates nothing twice (200 with the first answer), the same key with a different report is 422. A kind the
system may not send, or a commune outside its scope, is 403 and writes nothing. Details: ``docs/api.md``.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status
from ninja.security import APIKeyHeader

from treem.core.access import mark_permission
from treem.core.api_choices import choices_text
from treem.core.api_errors import ApiError
from treem.protection import selectors, services
from treem.protection.models import (
    ExternalReport,
    ExternalSystem,
    HarmKind,
    IncidentKind,
    IncidentOutcome,
    IntakeKind,
    PerpetratorRelation,
)
from treem.protection.permissions import EXTERNAL_INTAKE
from treem.protection.signatures import signature_problem
from treem.registry.models import Sex, SpecialCircumstanceGroup


class ExternalSystemKey(APIKeyHeader):
    """``X-Treem-Key``: the key an external system was given by ``manage.py external_systems add``. A signature,
    when sent or when the system must sign, is checked here too, on the raw body."""

    param_name = "X-Treem-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ExternalSystem | None:
        system = selectors.external_system_for_key(key) if key else None
        if system is None:
            return None
        signature = request.headers.get("X-Treem-Signature", "")
        if signature or system.is_signature_required:
            if not signature:
                raise ApiError(401, _("Hệ thống này phải ký mỗi yêu cầu (X-Treem-Signature, X-Treem-Timestamp)."))
            problem = signature_problem(secret=system.signing_secret, signature=signature,
                                        timestamp=request.headers.get("X-Treem-Timestamp", ""), body=request.body,
                                        now=timezone.now())
            if problem:
                raise ApiError(401, problem)
        return system


router = Router(tags=["Tiếp nhận từ hệ thống khác"], auth=ExternalSystemKey())

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128,
                                       pattern=r"^[\x21-\x7e]+$",
                                       description="khóa do bên gửi đặt cho báo cáo này; gửi lại cùng khóa không "
                                                   "tạo bản ghi thứ hai")]
Signature = Annotated[str | None, Header(alias="X-Treem-Signature", description=(
    "sha256=<hex>: HMAC-SHA256 bằng khóa ký của hệ thống, trên chuỗi \"<X-Treem-Timestamp>.<nội dung thô>\"; "
    "bắt buộc với hệ thống được cấu hình phải ký"))]
Timestamp = Annotated[str | None, Header(alias="X-Treem-Timestamp", description=(
    "thời điểm ký, số giây Unix; lệch quá 5 phút thì bị từ chối"))]
Reference = Annotated[str, Field(min_length=1, max_length=128, description="mã của báo cáo trong hệ thống gửi")]
CommuneCode = Annotated[str, Field(min_length=1, max_length=16,
                                   description="mã thống kê của xã, trong phạm vi của hệ thống gửi")]


class ExternalCaseDetails(Schema):
    reported_at: datetime = Field(description="lúc bên gửi tiếp nhận tin báo")
    child_full_name: str = Field(min_length=1, max_length=128)
    child_sex: Sex = Field(description=choices_text(Sex))
    harm_kind: HarmKind = Field(description=choices_text(HarmKind))
    summary: str = Field(min_length=1, max_length=5000)
    child_birth_date: date | None = Field(None, description="ngày sinh hoặc tuổi: cần ít nhất một")
    child_age_years: int | None = Field(None, ge=0, le=17)
    child_ethnic_group_code: str | None = Field(None, pattern=r"^\d{2}$", description="mã dân tộc (QĐ 121)")
    child_address: str = Field("", max_length=255)
    guardian_name: str = Field("", max_length=128)
    guardian_phone: str = Field("", max_length=32)
    special_circumstance: SpecialCircumstanceGroup | Literal[""] = Field(
        "", description=choices_text(SpecialCircumstanceGroup, blank="không thuộc nhóm nào"))
    reporter_name: str = Field("", max_length=128)
    reporter_phone: str = Field("", max_length=32)
    occurred_place: str = Field("", max_length=255)
    perpetrator_relation: PerpetratorRelation = Field(PerpetratorRelation.UNKNOWN,
                                                      description=choices_text(PerpetratorRelation))
    is_in_danger: bool = False


class ExternalCaseIn(Schema):
    external_reference: Reference
    org_unit_code: CommuneCode
    case: ExternalCaseDetails


class ExternalIncidentDetails(Schema):
    occurred_on: date
    kind: IncidentKind = Field(description=choices_text(IncidentKind))
    child_age_years: int = Field(ge=0, le=17)
    child_sex: Sex = Field(description=choices_text(Sex))
    outcome: IncidentOutcome = Field(description=choices_text(IncidentOutcome))
    harm_kind: HarmKind | Literal[""] = Field("", description="hình thức xâm hại, chỉ khi kind là abuse: "
                                              + choices_text(HarmKind))
    child_ethnic_group_code: str | None = Field(None, pattern=r"^\d{2}$")
    place: str = Field("", max_length=255)
    actions_taken: str = Field("", max_length=5000)


class ExternalIncidentIn(Schema):
    external_reference: Reference
    org_unit_code: CommuneCode
    incident: ExternalIncidentDetails


class ExternalReportOut(Schema):
    kind: IntakeKind = Field(description=choices_text(IntakeKind))
    external_reference: str
    received_at: datetime
    case_number: str | None = Field(description="số hồ sơ treem cấp (với trường hợp)")
    incident_id: int | None = Field(description="số vụ trong sổ theo dõi (với vụ việc)")
    is_replay: bool = Field(description="true: báo cáo này đã nhận trước đó với cùng khóa; không ghi lại")

    @staticmethod
    def of(report: ExternalReport, *, is_replay: bool) -> "ExternalReportOut":
        return ExternalReportOut(kind=report.kind, external_reference=report.external_reference,  # type: ignore[arg-type]
                                 received_at=report.created_at,
                                 case_number=report.case.number if report.case_id else None,  # type: ignore[union-attr]
                                 incident_id=report.incident_id, is_replay=is_replay)


def external_system_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Declare the operation's permission: an external system's key (no user's assignment grants it)."""
    return mark_permission(view, EXTERNAL_INTAKE)


def _receive(request: HttpRequest, *, kind: str, idempotency_key: str, external_reference: str,
             org_unit_code: str, details: dict[str, object]) -> Status[ExternalReportOut]:
    system: ExternalSystem = request.auth  # type: ignore[attr-defined]
    try:
        report, created = services.receive_external_report(
            system=system, idempotency_key=idempotency_key, kind=kind, external_reference=external_reference,
            org_unit_code=org_unit_code, details=details,
            was_signed=bool(request.headers.get("X-Treem-Signature")))
    except services.IdempotencyKeyReused as error:
        raise ApiError(422, str(error), {"Idempotency-Key": [str(error)]}) from error
    return Status(201 if created else 200, ExternalReportOut.of(report, is_replay=not created))


@router.post("/intake/cases", response={201: ExternalReportOut, 200: ExternalReportOut},
             summary="Nhận một tin báo trường hợp từ hệ thống khác (Mẫu 01)")
@external_system_only
def receive_case(request: HttpRequest, payload: ExternalCaseIn, idempotency_key: IdempotencyKey,
                 signature: Signature = None, timestamp: Timestamp = None) -> Status[ExternalReportOut]:
    return _receive(request, kind=IntakeKind.CASE, idempotency_key=idempotency_key,
                    external_reference=payload.external_reference, org_unit_code=payload.org_unit_code,
                    details=payload.case.model_dump())


@router.post("/intake/incidents", response={201: ExternalReportOut, 200: ExternalReportOut},
             summary="Nhận một vụ tai nạn, thương tích, xâm hại từ hệ thống khác")
@external_system_only
def receive_incident(request: HttpRequest, payload: ExternalIncidentIn, idempotency_key: IdempotencyKey,
                     signature: Signature = None, timestamp: Timestamp = None) -> Status[ExternalReportOut]:
    return _receive(request, kind=IntakeKind.INCIDENT, idempotency_key=idempotency_key,
                    external_reference=payload.external_reference, org_unit_code=payload.org_unit_code,
                    details=payload.incident.model_dump())
