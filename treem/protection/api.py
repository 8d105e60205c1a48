"""API: cases (list, report, open, edit with optimistic concurrency) and the incident register.

The same selectors and services as the pages, so the same rules: a case outside the caller's assignments is the
same 404 as a missing one; lists carry initials, never names; each opening of a case is audited.

This module does not use postponed annotations: the operations are wrapped by ``api_require``, and Ninja resolves
parameter annotations in the wrapper's module, so the schemas must be real objects, not strings.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from treem.core.access import api_require
from treem.core.api_choices import choices_text
from treem.core.api_concurrency import (
    STALE_BODY_VERSION,
    conflict_responses,
    expected_version,
    if_match_header,
    set_etag,
)
from treem.core.api_errors import ErrorOut, invalid
from treem.core.api_paging import limit_query, offset_query, page
from treem.core.idempotency import IDEMPOTENCY_KEY, idempotent
from treem.core.models import EthnicGroup
from treem.hierarchy.models import OrgUnit, Village
from treem.protection import selectors, services
from treem.protection.forms import CLOSURE_REASONS, EMERGENCY_MEASURES, STEP_FORMS, outcome_from
from treem.protection.models import (
    Case,
    CaseStep,
    HarmKind,
    Incident,
    IncidentKind,
    IncidentOutcome,
    PerpetratorRelation,
    Referral,
    ReportChannel,
    RiskLevel,
    ServiceKind,
)
from treem.protection.permissions import BREAK_GLASS, RECORD_INCIDENTS, VIEW_INCIDENTS, WORK_CASES
from treem.protection.workflow import Outcome, StepKind
from treem.registry.models import Child, Sex, SpecialCircumstanceGroup
from treem.registry.selectors import child_for as registry_child_for

router = Router(tags=["Bảo vệ trẻ em"])
MIN_YEAR, MAX_YEAR = 1900, 2100
MINIMUM_REASON_LENGTH = services.MINIMUM_REASON_LENGTH


class StepOut(Schema):
    kind: StepKind = Field(description=choices_text(StepKind))
    label: str
    cycle: int
    status: CaseStep.Status = Field(description=choices_text(CaseStep.Status))
    opened_at: datetime
    due_at: datetime
    deadline: str
    completed_at: datetime | None
    outcome: Outcome | Literal[""] = Field(description=choices_text(Outcome, blank="bước chưa xong"))
    is_on_time: bool | None
    is_overdue: bool

    @staticmethod
    def of(step: CaseStep, *, now: datetime) -> "StepOut":
        return StepOut.model_validate(dict(
            kind=step.kind, label=step.get_kind_display(), cycle=step.cycle, status=step.status,
            opened_at=step.opened_at, due_at=step.due_at, deadline=step.deadline_label, completed_at=step.completed_at,
            outcome=step.outcome, is_on_time=step.is_on_time, is_overdue=step.is_overdue(now=now)))


class CaseListItemOut(Schema):
    id: int
    number: str
    org_unit_code: str
    org_unit_name: str
    child_initials: str
    harm_kind: HarmKind = Field(description=choices_text(HarmKind))
    status: Case.Status = Field(description=choices_text(Case.Status))
    risk_level: RiskLevel | Literal[""] = Field(description=choices_text(RiskLevel, blank="chưa đánh giá"))
    reported_at: datetime
    open_step: StepKind | None = Field(description="bước đang mở: " + choices_text(StepKind))
    open_step_due_at: datetime | None
    is_overdue: bool
    is_demo: bool


class CaseOut(Schema):
    id: int
    number: str
    version: int
    org_unit_code: str
    org_unit_name: str
    village: str | None
    child_id: int | None
    child_full_name: str
    child_birth_date: date | None
    child_age_years: int | None
    child_sex: Sex = Field(description=choices_text(Sex))
    child_ethnic_group_code: str | None
    child_address: str
    guardian_name: str
    guardian_phone: str
    special_circumstance: SpecialCircumstanceGroup | Literal[""] = Field(
        description=choices_text(SpecialCircumstanceGroup, blank="không thuộc nhóm nào"))
    reported_via: ReportChannel = Field(description=choices_text(ReportChannel))
    reported_at: datetime
    reporter_name: str
    reporter_phone: str
    occurred_place: str
    harm_kind: HarmKind = Field(description=choices_text(HarmKind))
    perpetrator_relation: PerpetratorRelation = Field(description=choices_text(PerpetratorRelation))
    summary: str
    is_in_danger: bool
    status: Case.Status = Field(description=choices_text(Case.Status))
    risk_level: RiskLevel | Literal[""] = Field(description=choices_text(RiskLevel, blank="chưa đánh giá"))
    closed_at: datetime | None
    is_demo: bool
    steps: list[StepOut]

    @staticmethod
    def of(case: Case) -> "CaseOut":
        now = timezone.now()
        return CaseOut.model_validate(dict(
            id=case.pk, number=case.number, version=case.version, org_unit_code=case.org_unit.code,
            org_unit_name=case.org_unit.name, village=case.village.name if case.village else None,
            child_id=case.child_id, child_full_name=case.child_full_name, child_birth_date=case.child_birth_date,
            child_age_years=case.child_age_years, child_sex=case.child_sex,
            child_ethnic_group_code=case.child_ethnic_group.code if case.child_ethnic_group else None,
            child_address=case.child_address, guardian_name=case.guardian_name, guardian_phone=case.guardian_phone,
            special_circumstance=case.special_circumstance, reported_via=case.reported_via,
            reported_at=case.reported_at, reporter_name=case.reporter_name, reporter_phone=case.reporter_phone,
            occurred_place=case.occurred_place, harm_kind=case.harm_kind,
            perpetrator_relation=case.perpetrator_relation, summary=case.summary, is_in_danger=case.is_in_danger,
            status=case.status, risk_level=case.risk_level, closed_at=case.closed_at, is_demo=case.is_demo,
            steps=[StepOut.of(step, now=now) for step in case.steps.order_by("opened_at", "id")],
        ))


BIRTH_OR_AGE = "ngày sinh hoặc tuổi của trẻ: cần ít nhất một trong hai (child_birth_date hoặc child_age_years)"


class CaseIn(Schema):
    org_unit_code: str = Field(description="mã xã nơi tiếp nhận (trong phạm vi của bạn vào ngày reported_at)")
    reported_via: ReportChannel = Field(description=choices_text(ReportChannel.choices))
    reported_at: datetime
    child_full_name: str
    child_sex: Sex = Field(description=choices_text(Sex.choices))
    harm_kind: HarmKind = Field(description=choices_text(HarmKind.choices))
    summary: str
    child_birth_date: date | None = Field(None, description=BIRTH_OR_AGE)
    child_age_years: int | None = Field(None, description=BIRTH_OR_AGE)
    child_ethnic_group_code: str | None = None
    child_address: str = ""
    guardian_name: str = ""
    guardian_phone: str = ""
    village_id: int | None = None
    special_circumstance: SpecialCircumstanceGroup | Literal[""] = Field(
        "", description=choices_text(SpecialCircumstanceGroup.choices) + "; rỗng: không thuộc nhóm nào")
    reporter_name: str = ""
    reporter_phone: str = ""
    occurred_place: str = ""
    perpetrator_relation: PerpetratorRelation = Field(PerpetratorRelation.UNKNOWN,
                                                      description=choices_text(PerpetratorRelation.choices))
    is_in_danger: bool = False


CASE_VERSION = ("phiên bản của hồ sơ đã đọc (`version` của `GET /cases/{case_id}`, cũng là ETag); hoặc gửi header "
                "If-Match. Bắt buộc một trong hai (428 nếu thiếu); cũ thì 409 (trường version) hoặc 412 (If-Match) và "
                "không lưu gì")


class CasePatch(Schema):
    version: int | None = Field(None, description=CASE_VERSION)
    child_id: int | None = None
    child_full_name: str | None = None
    child_birth_date: date | None = None
    child_age_years: int | None = None
    child_sex: Sex | None = Field(None, description=choices_text(Sex))
    child_ethnic_group_code: str | None = None
    child_address: str | None = None
    guardian_name: str | None = None
    guardian_phone: str | None = None
    village_id: int | None = None
    special_circumstance: SpecialCircumstanceGroup | Literal[""] | None = Field(
        None, description=choices_text(SpecialCircumstanceGroup, blank="không thuộc nhóm nào"))
    reported_via: ReportChannel | None = Field(None, description=choices_text(ReportChannel))
    reporter_name: str | None = None
    reporter_phone: str | None = None
    occurred_place: str | None = None
    harm_kind: HarmKind | None = Field(None, description=choices_text(HarmKind))
    perpetrator_relation: PerpetratorRelation | None = Field(None, description=choices_text(PerpetratorRelation))
    summary: str | None = None


class ChangeOut(Schema):
    at: datetime
    by: str
    field: str
    label: str
    before: Any = None
    after: Any = None


class ConflictOut(ErrorOut):
    current_version: int
    changes: list[ChangeOut]


CASE_CONFLICTS: dict[int, Any] = conflict_responses(ConflictOut)
IfMatch = if_match_header("phiên bản (version, cũng là ETag) của hồ sơ đã đọc; 412 nếu người khác đã sửa hồ sơ sau "
                          "phiên bản này, và không lưu gì")


def _case_version(case: Case, if_match: str | None, body_version: int | None, *,
                  required: bool) -> tuple[int | None, int]:
    """The case version the caller read and the status a stale one answers; an If-Match that is not a version
    of this case (not a number) can never match: it is stale."""
    raw, stale_status = expected_version(if_match, body_version, required=required)
    if raw is None:
        return None, stale_status
    try:
        return int(raw), stale_status
    except ValueError:
        return -1, stale_status


def _conflict(error: services.StaleVersionError, status: int = STALE_BODY_VERSION) -> Status[Any]:
    return Status(status, ConflictOut(detail=str(error), current_version=error.current_version,
                                      changes=[ChangeOut(**change) for change in error.changes]))


def _ethnic_group(code: str | None) -> EthnicGroup | None:
    if not code:
        return None
    group = selectors.ethnic_group_by_code(code)
    if group is None:
        raise invalid("child_ethnic_group_code", f"Không có dân tộc mã '{code}'.")
    return group


def _village(village_id: int | None, org_unit: OrgUnit) -> Village | None:
    if village_id is None:
        return None
    village = selectors.village_in(org_unit, village_id=village_id)
    if village is None:
        raise invalid("village_id", "Thôn, bản không thuộc xã này.")
    return village


def _registry_child(request: HttpRequest, child_id: int | None) -> Child | None:
    """A child of the registry the caller may see (to link a case registered on the spot), or None to unlink."""
    if child_id is None:
        return None
    try:
        return registry_child_for(request.user, child_id=child_id)
    except Http404 as error:
        raise invalid("child_id", "Không tìm thấy hồ sơ trẻ em này trong phạm vi của bạn.") from error


def _commune(request: HttpRequest, code: str, on: date, capability: str) -> OrgUnit:
    unit = selectors.communes_for_incidents(request.user, on=on, capability=capability).filter(code=code).first()
    if unit is None:
        raise invalid("org_unit_code", f"Không có xã mã '{code}' trong phạm vi của bạn vào ngày {on:%d/%m/%Y}.")
    return unit


@router.get("/cases", response=list[CaseListItemOut], summary="Các trường hợp bạn được giao (tên viết tắt)")
@api_require(WORK_CASES)
def list_cases(
    request: HttpRequest, response: HttpResponse,
    status: Case.Status | None = Query(None, description=choices_text(Case.Status)),  # noqa: B008
    limit: int = limit_query(100, 500, "hồ sơ"), offset: int = offset_query("hồ sơ"),
) -> list[CaseListItemOut]:
    now = timezone.now()
    cases = selectors.cases_for(request.user, now=now)
    if status is not None:
        cases = cases.filter(status=status)
    _total, rows = page(response, cases.order_by("-reported_at", "-pk"), limit=limit, offset=offset)
    open_steps = selectors.open_steps_by_case(cases.filter(pk__in=[case.pk for case in rows]))
    items = []
    for case in rows:
        step = open_steps.get(case.pk)
        items.append(CaseListItemOut.model_validate(dict(
            id=case.pk, number=case.number, org_unit_code=case.org_unit.code, org_unit_name=case.org_unit.name,
            child_initials=case.masked_name, harm_kind=case.harm_kind, status=case.status,
            risk_level=case.risk_level, reported_at=case.reported_at, open_step=step.kind if step else None,
            open_step_due_at=step.due_at if step else None, is_overdue=bool(step and step.is_overdue(now=now)),
            is_demo=case.is_demo,
        )))
    return items


@router.post("/cases", response={201: CaseOut}, summary="Tiếp nhận một trường hợp (Mẫu 01)")
@api_require(WORK_CASES)
def create_case(request: HttpRequest, response: HttpResponse, payload: CaseIn,
                idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[CaseOut]:
    return idempotent(request, response, idempotency_key, lambda: _create_case(request, payload))


def _create_case(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
    on = timezone.localtime(payload.reported_at).date() if timezone.is_aware(payload.reported_at) else \
        payload.reported_at.date()
    org_unit = _commune(request, payload.org_unit_code, on, WORK_CASES)
    fields = payload.model_dump(exclude={"org_unit_code", "child_ethnic_group_code", "village_id"})
    case = services.report_case(
        actor=request.user, org_unit=org_unit,  # type: ignore[arg-type]
        child_ethnic_group=_ethnic_group(payload.child_ethnic_group_code),
        village=_village(payload.village_id, org_unit), **fields,
    )
    return Status(201, CaseOut.of(selectors.open_case(request.user, case_id=case.pk)))


class EmergencyAccessIn(Schema):
    number: str = Field(min_length=1, max_length=32, description="số hồ sơ")
    reason: str = Field(min_length=MINIMUM_REASON_LENGTH, description=(
        f"lý do khẩn cấp, ít nhất {MINIMUM_REASON_LENGTH} ký tự (không kể khoảng trắng đầu, cuối); được "
        "ghi nhật ký và báo người giám sát"))


class EmergencyAccessOut(Schema):
    case_id: int
    number: str
    granted_at: datetime
    expires_at: datetime


@router.post("/cases/emergency-access", response={201: EmergencyAccessOut},
             summary="Truy cập khẩn cấp một hồ sơ không được giao, có ghi lý do")
@api_require(BREAK_GLASS)
def break_glass(request: HttpRequest, response: HttpResponse, payload: EmergencyAccessIn,
                idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[EmergencyAccessOut]:
    def grant() -> Status[EmergencyAccessOut]:
        access = services.break_glass(actor=request.user, number=payload.number,  # type: ignore[arg-type]
                                      reason=payload.reason)
        return Status(201, EmergencyAccessOut(case_id=access.case_id, number=access.case.number,
                                              granted_at=access.granted_at, expires_at=access.expires_at))

    return idempotent(request, response, idempotency_key, grant)


@router.get("/cases/{case_id}", response=CaseOut, summary="Một trường hợp (việc mở hồ sơ được ghi nhật ký)")
@api_require(WORK_CASES)
def get_case(request: HttpRequest, response: HttpResponse, case_id: str) -> CaseOut:
    case = selectors.open_case(request.user, case_id=case_id)
    set_etag(response, case.version)
    return CaseOut.of(case)


@router.patch("/cases/{case_id}", response={200: CaseOut, **CASE_CONFLICTS},
              summary="Sửa thông tin trường hợp; gửi kèm version hoặc If-Match: 409/412 nếu người khác đã sửa")
@api_require(WORK_CASES)
def update_case(request: HttpRequest, response: HttpResponse, case_id: str, payload: CasePatch,
                if_match: str | None = IfMatch) -> Status[Any]:
    case = selectors.case_for(request.user, case_id=case_id)
    version, stale_status = _case_version(case, if_match, payload.version, required=True)
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "child_ethnic_group_code" in changes:
        changes["child_ethnic_group"] = _ethnic_group(changes.pop("child_ethnic_group_code"))
    if "village_id" in changes:
        changes["village"] = _village(changes.pop("village_id"), case.org_unit)
    if "child_id" in changes:
        changes["child"] = _registry_child(request, changes.pop("child_id"))
    try:
        services.update_case(actor=request.user, case=case, expected_version=version,  # type: ignore[arg-type]
                             changes=changes)
    except services.StaleVersionError as error:
        return _conflict(error, stale_status)
    updated = selectors.open_case(request.user, case_id=case.pk)
    set_etag(response, updated.version)
    return Status(200, CaseOut.of(updated))


class IncidentOut(Schema):
    id: int
    org_unit_code: str
    org_unit_name: str
    village: str | None
    place: str
    occurred_on: date
    kind: IncidentKind = Field(description=choices_text(IncidentKind))
    harm_kind: HarmKind | Literal[""] = Field(description=choices_text(HarmKind, blank="không phải vụ xâm hại"))
    child_age_years: int
    child_sex: Sex = Field(description=choices_text(Sex))
    child_ethnic_group_code: str | None
    outcome: IncidentOutcome = Field(description=choices_text(IncidentOutcome))
    actions_taken: str
    is_demo: bool

    @staticmethod
    def of(incident: Incident) -> "IncidentOut":
        return IncidentOut.model_validate(dict(
            id=incident.pk, org_unit_code=incident.org_unit.code, org_unit_name=incident.org_unit.name,
            village=incident.village.name if incident.village else None, place=incident.place,
            occurred_on=incident.occurred_on, kind=incident.kind, harm_kind=incident.harm_kind,
            child_age_years=incident.child_age_years, child_sex=incident.child_sex,
            child_ethnic_group_code=incident.child_ethnic_group.code if incident.child_ethnic_group else None,
            outcome=incident.outcome, actions_taken=incident.actions_taken, is_demo=incident.is_demo,
        ))


class IncidentIn(Schema):
    org_unit_code: str
    occurred_on: date
    kind: IncidentKind = Field(description=choices_text(IncidentKind.choices))
    child_age_years: int
    child_sex: Sex = Field(description=choices_text(Sex.choices))
    outcome: IncidentOutcome = Field(description=choices_text(IncidentOutcome.choices))
    harm_kind: HarmKind | Literal[""] = Field(
        "", description="hình thức xâm hại, chỉ khi kind là abuse: " + choices_text(HarmKind.choices))
    child_ethnic_group_code: str | None = None
    village_id: int | None = None
    place: str = ""
    actions_taken: str = ""


@router.get("/incidents", response=list[IncidentOut], summary="Sổ theo dõi tai nạn, thương tích, xâm hại")
@api_require(VIEW_INCIDENTS)
def list_incidents(
    request: HttpRequest, response: HttpResponse,
    year: int | None = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="năm xảy ra"),
    month: int | None = Query(None, ge=1, le=12, description="tháng xảy ra (1–12)"),
    kind: IncidentKind | None = Query(None, description="loại vụ việc: " + choices_text(IncidentKind)),  # noqa: B008
    limit: int = limit_query(100, 1000, "vụ"), offset: int = offset_query("vụ"),
) -> list[IncidentOut]:
    incidents = selectors.incidents_for(request.user)
    if year is not None:
        incidents = incidents.filter(occurred_on__year=year)
    if month is not None:
        incidents = incidents.filter(occurred_on__month=month)
    if kind is not None:
        incidents = incidents.filter(kind=kind)
    _total, rows = page(response, incidents.order_by("-occurred_on", "-pk"), limit=limit, offset=offset)
    return [IncidentOut.of(incident) for incident in rows]


@router.get("/incidents/{incident_id}", response=IncidentOut, summary="Một vụ trong sổ theo dõi")
@api_require(VIEW_INCIDENTS)
def get_incident(request: HttpRequest, incident_id: int = Path(..., ge=1, le=2_147_483_647)) -> IncidentOut:
    return IncidentOut.of(selectors.incident_for(request.user, incident_id=incident_id))


@router.post("/incidents", response={201: IncidentOut}, summary="Ghi một vụ vào sổ theo dõi")
@api_require(RECORD_INCIDENTS)
def create_incident(request: HttpRequest, response: HttpResponse, payload: IncidentIn,
                    idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[IncidentOut]:
    return idempotent(request, response, idempotency_key, lambda: _create_incident(request, payload))


def _create_incident(request: HttpRequest, payload: IncidentIn) -> Status[IncidentOut]:
    org_unit = _commune(request, payload.org_unit_code, payload.occurred_on, RECORD_INCIDENTS)
    fields = payload.model_dump(exclude={"org_unit_code", "child_ethnic_group_code", "village_id"})
    incident = services.record_incident(
        actor=request.user, org_unit=org_unit,  # type: ignore[arg-type]
        child_ethnic_group=_ethnic_group(payload.child_ethnic_group_code),
        village=_village(payload.village_id, org_unit), **fields,
    )
    return Status(201, IncidentOut.of(incident))


# ---------------------------------------------------------------------------------------------------------------
# Working a case: its steps with their forms, referrals, transfer, and breaking the glass

MAX_ID = 2_147_483_647
CaseIdPath = Path(..., description="mã số (id) của trường hợp")
VERSION_DESCRIPTION = (
    "phiên bản của hồ sơ mà bạn đang xem (`version` của `GET /cases/{case_id}`); nếu người khác đã sửa hồ sơ sau "
    "phiên bản này, yêu cầu bị từ chối với 409 và không lưu gì. Có thể gửi trong tiêu đề `If-Match` thay cho trường "
    "`version` (khi đó phiên bản cũ trả 412). Bắt buộc một trong hai: thiếu cả hai trả 428."
)


class FormFieldOut(Schema):
    name: str
    label: str
    type: str = Field(description="kiểu: text, boolean, date, datetime, choice, multiple_choice")
    required: bool
    choices: list[dict[str, str]] = Field(description="các lựa chọn (value, label) của trường choice")


class StepDetailOut(Schema):
    id: int
    kind: StepKind = Field(description=choices_text(StepKind.choices))
    label: str
    cycle: int
    status: CaseStep.Status = Field(description=choices_text(CaseStep.Status.choices))
    opened_at: datetime
    due_at: datetime = Field(description="hạn hoàn thành bước")
    deadline: str = Field(description="quy định về thời hạn của bước")
    completed_at: datetime | None
    outcome: Outcome | Literal[""] = Field(description=choices_text(Outcome.choices) + "; rỗng khi bước chưa xong")
    is_on_time: bool | None = Field(description="hoàn thành đúng hạn (null khi bước chưa xong)")
    is_overdue: bool
    data: dict[str, Any] = Field(description="nội dung biểu mẫu đã ghi khi hoàn thành bước")
    form: list[FormFieldOut] = Field(
        description="các trường của biểu mẫu hoàn thành bước (rỗng với bước tiếp nhận và bước lập kế hoạch, "
                    "bước này xong khi kế hoạch được phê duyệt)")


def _field_type(field: Any) -> str:
    if isinstance(field, django_forms.MultipleChoiceField):
        return "multiple_choice"
    if isinstance(field, django_forms.ChoiceField):
        return "choice"
    if isinstance(field, django_forms.BooleanField):
        return "boolean"
    if isinstance(field, django_forms.DateTimeField):
        return "datetime"
    if isinstance(field, django_forms.DateField):
        return "date"
    return "text"


def _form_fields(kind: str) -> list[FormFieldOut]:
    form_class = STEP_FORMS.get(kind)
    if form_class is None:
        return []
    return [FormFieldOut(name=name, label=str(field.label), type=_field_type(field), required=field.required,
                         choices=[{"value": str(value), "label": str(label)}
                                  for value, label in getattr(field, "choices", [])])
            for name, field in form_class.base_fields.items()]


def _step_detail(step: CaseStep, *, now: datetime) -> StepDetailOut:
    return StepDetailOut(
        id=step.pk, kind=StepKind(step.kind), label=step.get_kind_display(), cycle=step.cycle,
        status=CaseStep.Status(step.status), opened_at=step.opened_at, due_at=step.due_at,
        deadline=step.deadline_label, completed_at=step.completed_at,
        outcome=Outcome(step.outcome) if step.outcome else "", is_on_time=step.is_on_time,
        is_overdue=step.is_overdue(now=now), data=step.data or {},
        form=_form_fields(step.kind),
    )


RISK_DESCRIPTION = choices_text(RiskLevel.choices)
# The values of the step forms' fixed choices (``EMERGENCY_MEASURES``, ``CLOSURE_REASONS``); a test keeps them equal.
EmergencyMeasure = Literal["safe_place", "medical", "separate", "temporary_care", "police", "other"]
ClosureReason = Literal["goals_met", "unfounded", "moved", "turned_16", "died", "other"]


class VerifyIn(Schema):
    kind: Literal["verify"]
    outcome: Literal["confirmed", "unfounded"] = Field(
        description=choices_text([(Outcome.CONFIRMED, Outcome.CONFIRMED.label),
                                  (Outcome.UNFOUNDED, Outcome.UNFOUNDED.label)]))
    findings: str = Field(min_length=1, description="kết quả xác minh")
    risk_level: RiskLevel = Field(description=RISK_DESCRIPTION)
    is_in_danger: bool = False
    emergency_measures: list[EmergencyMeasure] = Field(
        [], description="bắt buộc khi is_in_danger: " + choices_text(EMERGENCY_MEASURES))
    emergency_measures_at: datetime | None = Field(None, description="bắt buộc khi is_in_danger")
    verified_with: str = Field("", max_length=255)


class AssessIn(Schema):
    kind: Literal["assess"]
    needs: list[ServiceKind] = Field(min_length=1, description=choices_text(ServiceKind.choices))
    child_situation: str = Field(min_length=1)
    family_situation: str = Field(min_length=1)
    risk_factors: str = Field(min_length=1)
    risk_level: RiskLevel = Field(description=RISK_DESCRIPTION)
    child_views: str = ""
    strengths: str = ""


class ServicesDoneIn(Schema):
    kind: Literal["services"]
    summary: str = Field(min_length=1, description="tóm tắt việc thực hiện kế hoạch")


class ReviewIn(Schema):
    kind: Literal["review"]
    risk_level: RiskLevel = Field(description=RISK_DESCRIPTION)
    progress: str = Field(min_length=1)
    child_situation: str = Field(min_length=1)
    decision: Literal["close", "new_plan"] = Field(
        description=choices_text([(Outcome.CLOSE, Outcome.CLOSE.label), (Outcome.NEW_PLAN, Outcome.NEW_PLAN.label)])
        + "; không được `close` khi risk_level là `high`")


class CloseIn(Schema):
    kind: Literal["close"]
    reason: ClosureReason = Field(
        description=choices_text(CLOSURE_REASONS))
    child_situation: str = Field(min_length=1)
    follow_up: str = ""


StepForm = Annotated[VerifyIn | AssessIn | ServicesDoneIn | ReviewIn | CloseIn, Field(discriminator="kind")]


class StepCompleteIn(Schema):
    version: int | None = Field(None, description=VERSION_DESCRIPTION)
    form: StepForm = Field(description="biểu mẫu của bước; `kind` phải là loại của bước đang mở")


class StepCompletedOut(Schema):
    case_version: int
    case_status: Case.Status = Field(description=choices_text(Case.Status.choices))
    completed: StepDetailOut
    next_step: StepDetailOut | None = Field(description="bước tiếp theo (null khi hồ sơ đã đóng)")


@router.get("/cases/{case_id}/steps", response=list[StepDetailOut],
            summary="Các bước xử lý của trường hợp, với hạn, đúng hạn hay không và biểu mẫu của từng bước")
@api_require(WORK_CASES)
def list_case_steps(request: HttpRequest, response: HttpResponse, case_id: str = CaseIdPath,
                    limit: int = limit_query(100, 200, "bước"), offset: int = offset_query("bước"),
                    ) -> list[StepDetailOut]:
    now = timezone.now()
    case = selectors.open_case(request.user, case_id=case_id)
    _total, rows = page(response, selectors.steps_of(case), limit=limit, offset=offset)
    return [_step_detail(step, now=now) for step in rows]


@router.post("/cases/{case_id}/steps/{step_id}/complete", response={200: StepCompletedOut, **CASE_CONFLICTS},
             summary="Hoàn thành bước đang mở với biểu mẫu của bước (Mẫu 02, 03, 05, 06)")
@api_require(WORK_CASES)
def complete_case_step(
    request: HttpRequest, payload: StepCompleteIn, case_id: str = CaseIdPath,
    step_id: int = Path(..., ge=1, le=MAX_ID), if_match: str | None = IfMatch,
) -> Status[StepCompletedOut | ConflictOut]:
    case = selectors.case_for(request.user, case_id=case_id)
    step = selectors.case_step_for(request.user, case=case, step_id=step_id)
    if step.kind != payload.form.kind:
        raise invalid("form.kind", f"Bước này là “{step.get_kind_display()}”: gửi biểu mẫu loại '{step.kind}'.")
    form = STEP_FORMS[step.kind](payload.form.model_dump(exclude={"kind"}))
    if not form.is_valid():
        raise ValidationError({f"form.{name}": messages for name, messages in form.errors.items()})
    data = dict(form.cleaned_data)
    version, stale_status = _case_version(case, if_match, payload.version, required=True)
    try:
        following = services.complete_step(
            actor=request.user, step=step, outcome=outcome_from(step.kind, data), data=data,  # type: ignore[arg-type]
            expected_version=version)
    except services.StaleVersionError as error:
        return _conflict(error, stale_status)
    except services.StepAlreadyDoneError as error:
        current = selectors.case_for(request.user, case_id=case.pk)
        return Status(409, ConflictOut(detail=str(error), current_version=current.version, changes=[]))
    now = timezone.now()
    current = selectors.case_for(request.user, case_id=case.pk)
    return Status(200, StepCompletedOut(
        case_version=current.version, case_status=Case.Status(current.status),
        completed=_step_detail(selectors.case_step_for(request.user, case=current, step_id=step.pk), now=now),
        next_step=_step_detail(following, now=now) if following is not None else None))


class ReferralOut(Schema):
    id: int
    target: Referral.Target = Field(description=choices_text(Referral.Target.choices))
    target_name: str
    reason: str
    referred_at: datetime
    follow_up_on: date
    status: Referral.Status = Field(description=choices_text(Referral.Status.choices))
    responded_on: date | None
    response_note: str
    followed_up_on: date | None
    follow_up_note: str

    @staticmethod
    def of(referral: Referral) -> "ReferralOut":
        return ReferralOut(
            id=referral.pk, target=Referral.Target(referral.target), target_name=referral.target_name,
            reason=referral.reason, referred_at=referral.referred_at, follow_up_on=referral.follow_up_on,
            status=Referral.Status(referral.status), responded_on=referral.responded_on,
            response_note=referral.response_note, followed_up_on=referral.followed_up_on,
            follow_up_note=referral.follow_up_note)


class ReferralIn(Schema):
    target: Referral.Target = Field(description=choices_text(Referral.Target.choices))
    target_name: str = Field(min_length=1, max_length=255, description="tên cơ quan, đơn vị nhận")
    reason: str = Field(min_length=1, description="lý do, nội dung đề nghị")
    follow_up_on: date = Field(description="ngày phải theo dõi lại: từ hôm nay trở đi")


class ReferralResponseIn(Schema):
    is_accepted: bool = Field(description="true: cơ quan nhận đã tiếp nhận; false: từ chối")
    responded_on: date
    note: str = Field("", description="nội dung trả lời; bắt buộc khi is_accepted là false (lý do từ chối)")


@router.get("/cases/{case_id}/referrals", response=list[ReferralOut], summary="Các lần chuyển gửi của trường hợp")
@api_require(WORK_CASES)
def list_referrals(request: HttpRequest, response: HttpResponse, case_id: str = CaseIdPath,
                   limit: int = limit_query(100, 200, "lần chuyển gửi"), offset: int = offset_query("lần chuyển gửi"),
                   ) -> list[ReferralOut]:
    case = selectors.case_for(request.user, case_id=case_id)
    _total, rows = page(response, selectors.referrals_of(case), limit=limit, offset=offset)
    return [ReferralOut.of(referral) for referral in rows]


@router.post("/cases/{case_id}/referrals", response={201: ReferralOut},
             summary="Chuyển gửi trường hợp đến cơ quan khác (người quản lý trường hợp không đổi)")
@api_require(WORK_CASES)
def create_referral(request: HttpRequest, response: HttpResponse, payload: ReferralIn, case_id: str = CaseIdPath,
                    idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[ReferralOut]:
    case = selectors.case_for(request.user, case_id=case_id)

    def refer() -> Status[ReferralOut]:
        referral = services.refer_case(actor=request.user, case=case, **payload.model_dump())  # type: ignore[arg-type]
        return Status(201, ReferralOut.of(referral))

    return idempotent(request, response, idempotency_key, refer)


@router.post("/cases/{case_id}/referrals/{referral_id}/response", response=ReferralOut,
             summary="Ghi trả lời của cơ quan nhận (tiếp nhận hay từ chối, kèm lý do)")
@api_require(WORK_CASES)
def respond_referral(
    request: HttpRequest, payload: ReferralResponseIn, case_id: str = CaseIdPath,
    referral_id: int = Path(..., ge=1, le=MAX_ID),
) -> ReferralOut:
    case = selectors.case_for(request.user, case_id=case_id)
    referral = selectors.referral_for(request.user, case=case, referral_id=referral_id)
    return ReferralOut.of(services.record_referral_response(actor=request.user, referral=referral,  # type: ignore[arg-type]
                                                            **payload.model_dump()))


class TransferIn(Schema):
    to_user_id: int = Field(ge=1, le=MAX_ID, description="người nhận: được phân công quản lý trường hợp ở xã này")
    reason: str = Field(min_length=1, description="lý do chuyển giao")
    version: int | None = Field(None, description=VERSION_DESCRIPTION)


class TransferOut(Schema):
    number: str
    version: int
    to_username: str
    can_still_open: bool = Field(description="người chuyển giao còn được mở hồ sơ (người giám sát, phụ trách xã)")


@router.post("/cases/{case_id}/transfer", response={200: TransferOut, **CASE_CONFLICTS},
             summary="Chuyển giao hồ sơ cho người khác; người đang quản lý mất quyền truy cập")
@api_require(WORK_CASES)
def transfer_case(
    request: HttpRequest, payload: TransferIn, case_id: str = CaseIdPath, if_match: str | None = IfMatch,
) -> Status[TransferOut | ConflictOut]:
    case = selectors.case_for(request.user, case_id=case_id)
    to_user = selectors.transfer_candidates(case).filter(pk=payload.to_user_id).first()
    if to_user is None:
        raise invalid("to_user_id", "Người nhận không được phân công quản lý trường hợp ở xã này.")
    version, stale_status = _case_version(case, if_match, payload.version, required=True)
    try:
        moved = services.transfer_case(actor=request.user, case=case, to_user=to_user,  # type: ignore[arg-type]
                                       reason=payload.reason, expected_version=version)
    except services.StaleVersionError as error:
        return _conflict(error, stale_status)
    return Status(200, TransferOut(number=moved.number, version=moved.version, to_username=to_user.username,
                                   can_still_open=selectors.can_work_case(request.user, moved)))
