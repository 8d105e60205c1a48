"""API: cases (list, report, open, edit with optimistic concurrency) and the incident register.

The same selectors and services as the pages, so the same rules: a case outside the caller's assignments is the
same 404 as a missing one; lists carry initials, never names; each opening of a case is audited.

This module does not use postponed annotations: the operations are wrapped by ``api_require``, and Ninja resolves
parameter annotations in the wrapper's module, so the schemas must be real objects, not strings.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from treem.core.access import api_require
from treem.core.api_errors import ErrorOut, invalid
from treem.core.models import EthnicGroup
from treem.hierarchy.models import OrgUnit, Village
from treem.protection import selectors, services
from treem.protection.models import (
    Case,
    CaseStep,
    HarmKind,
    Incident,
    IncidentKind,
    IncidentOutcome,
    PerpetratorRelation,
    ReportChannel,
)
from treem.protection.permissions import RECORD_INCIDENTS, VIEW_INCIDENTS, WORK_CASES
from treem.registry.models import Child, Sex
from treem.registry.selectors import child_for as registry_child_for

router = Router(tags=["Bảo vệ trẻ em"])
MIN_YEAR, MAX_YEAR = 1900, 2100


class StepOut(Schema):
    kind: str
    label: str
    cycle: int
    status: str
    opened_at: datetime
    due_at: datetime
    deadline: str
    completed_at: datetime | None
    outcome: str
    is_on_time: bool | None
    is_overdue: bool

    @staticmethod
    def of(step: CaseStep, *, now: datetime) -> "StepOut":
        return StepOut(kind=step.kind, label=step.get_kind_display(), cycle=step.cycle, status=step.status,
                       opened_at=step.opened_at, due_at=step.due_at, deadline=step.deadline_label,
                       completed_at=step.completed_at, outcome=step.outcome, is_on_time=step.is_on_time,
                       is_overdue=step.is_overdue(now=now))


class CaseListItemOut(Schema):
    id: int
    number: str
    org_unit_code: str
    org_unit_name: str
    child_initials: str
    harm_kind: str
    status: str
    risk_level: str
    reported_at: datetime
    open_step: str | None
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
    child_sex: str
    child_ethnic_group_code: str | None
    child_address: str
    guardian_name: str
    guardian_phone: str
    special_circumstance: str
    reported_via: str
    reported_at: datetime
    reporter_name: str
    reporter_phone: str
    occurred_place: str
    harm_kind: str
    perpetrator_relation: str
    summary: str
    is_in_danger: bool
    status: str
    risk_level: str
    closed_at: datetime | None
    is_demo: bool
    steps: list[StepOut]

    @staticmethod
    def of(case: Case) -> "CaseOut":
        now = timezone.now()
        return CaseOut(
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
        )


class CaseIn(Schema):
    org_unit_code: str
    reported_via: ReportChannel
    reported_at: datetime
    child_full_name: str
    child_sex: Sex
    harm_kind: HarmKind
    summary: str
    child_birth_date: date | None = None
    child_age_years: int | None = None
    child_ethnic_group_code: str | None = None
    child_address: str = ""
    guardian_name: str = ""
    guardian_phone: str = ""
    village_id: int | None = None
    special_circumstance: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    occurred_place: str = ""
    perpetrator_relation: PerpetratorRelation = PerpetratorRelation.UNKNOWN
    is_in_danger: bool = False


class CasePatch(Schema):
    version: int
    child_id: int | None = None
    child_full_name: str | None = None
    child_birth_date: date | None = None
    child_age_years: int | None = None
    child_sex: Sex | None = None
    child_ethnic_group_code: str | None = None
    child_address: str | None = None
    guardian_name: str | None = None
    guardian_phone: str | None = None
    village_id: int | None = None
    special_circumstance: str | None = None
    reported_via: ReportChannel | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    occurred_place: str | None = None
    harm_kind: HarmKind | None = None
    perpetrator_relation: PerpetratorRelation | None = None
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
def list_cases(request: HttpRequest, status: str | None = None) -> list[CaseListItemOut]:
    now = timezone.now()
    cases = selectors.cases_for(request.user, now=now)
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    open_steps = selectors.open_steps_by_case(cases)
    items = []
    for case in cases.order_by("-reported_at"):
        step = open_steps.get(case.pk)
        items.append(CaseListItemOut(
            id=case.pk, number=case.number, org_unit_code=case.org_unit.code, org_unit_name=case.org_unit.name,
            child_initials=case.masked_name, harm_kind=case.harm_kind, status=case.status,
            risk_level=case.risk_level, reported_at=case.reported_at, open_step=step.kind if step else None,
            open_step_due_at=step.due_at if step else None, is_overdue=bool(step and step.is_overdue(now=now)),
            is_demo=case.is_demo,
        ))
    return items


@router.post("/cases", response={201: CaseOut}, summary="Tiếp nhận một trường hợp (Mẫu 01)")
@api_require(WORK_CASES)
def create_case(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
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


@router.get("/cases/{case_id}", response=CaseOut, summary="Một trường hợp (việc mở hồ sơ được ghi nhật ký)")
@api_require(WORK_CASES)
def get_case(request: HttpRequest, case_id: str) -> CaseOut:
    return CaseOut.of(selectors.open_case(request.user, case_id=case_id))


@router.patch("/cases/{case_id}", response={200: CaseOut, 409: ConflictOut},
              summary="Sửa thông tin trường hợp; gửi kèm version, bị từ chối (409) nếu người khác đã sửa")
@api_require(WORK_CASES)
def update_case(request: HttpRequest, case_id: str, payload: CasePatch) -> Status[CaseOut | ConflictOut]:
    case = selectors.case_for(request.user, case_id=case_id)
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "child_ethnic_group_code" in changes:
        changes["child_ethnic_group"] = _ethnic_group(changes.pop("child_ethnic_group_code"))
    if "village_id" in changes:
        changes["village"] = _village(changes.pop("village_id"), case.org_unit)
    if "child_id" in changes:
        changes["child"] = _registry_child(request, changes.pop("child_id"))
    try:
        services.update_case(actor=request.user, case=case, expected_version=payload.version,  # type: ignore[arg-type]
                             changes=changes)
    except services.StaleVersionError as error:
        return Status(409, ConflictOut(detail=str(error), current_version=error.current_version,
                                       changes=[ChangeOut(**change) for change in error.changes]))
    return Status(200, CaseOut.of(selectors.open_case(request.user, case_id=case.pk)))


class IncidentOut(Schema):
    id: int
    org_unit_code: str
    org_unit_name: str
    village: str | None
    place: str
    occurred_on: date
    kind: str
    harm_kind: str
    child_age_years: int
    child_sex: str
    child_ethnic_group_code: str | None
    outcome: str
    actions_taken: str
    is_demo: bool

    @staticmethod
    def of(incident: Incident) -> "IncidentOut":
        return IncidentOut(
            id=incident.pk, org_unit_code=incident.org_unit.code, org_unit_name=incident.org_unit.name,
            village=incident.village.name if incident.village else None, place=incident.place,
            occurred_on=incident.occurred_on, kind=incident.kind, harm_kind=incident.harm_kind,
            child_age_years=incident.child_age_years, child_sex=incident.child_sex,
            child_ethnic_group_code=incident.child_ethnic_group.code if incident.child_ethnic_group else None,
            outcome=incident.outcome, actions_taken=incident.actions_taken, is_demo=incident.is_demo,
        )


class IncidentIn(Schema):
    org_unit_code: str
    occurred_on: date
    kind: IncidentKind
    child_age_years: int
    child_sex: Sex
    outcome: IncidentOutcome
    harm_kind: HarmKind | Literal[""] = Field("", description="hình thức xâm hại, chỉ khi kind là abuse")
    child_ethnic_group_code: str | None = None
    village_id: int | None = None
    place: str = ""
    actions_taken: str = ""


@router.get("/incidents", response=list[IncidentOut], summary="Sổ theo dõi tai nạn, thương tích, xâm hại")
@api_require(VIEW_INCIDENTS)
def list_incidents(
    request: HttpRequest,
    year: int | None = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="năm xảy ra"),
    month: int | None = Query(None, ge=1, le=12, description="tháng xảy ra (1–12)"),
    kind: IncidentKind | None = Query(None, description="loại vụ việc"),  # noqa: B008
) -> list[IncidentOut]:
    incidents = selectors.incidents_for(request.user)
    if year is not None:
        incidents = incidents.filter(occurred_on__year=year)
    if month is not None:
        incidents = incidents.filter(occurred_on__month=month)
    if kind is not None:
        incidents = incidents.filter(kind=kind)
    return [IncidentOut.of(incident) for incident in incidents[:5000]]


@router.post("/incidents", response={201: IncidentOut}, summary="Ghi một vụ vào sổ theo dõi")
@api_require(RECORD_INCIDENTS)
def create_incident(request: HttpRequest, payload: IncidentIn) -> Status[IncidentOut]:
    org_unit = _commune(request, payload.org_unit_code, payload.occurred_on, RECORD_INCIDENTS)
    fields = payload.model_dump(exclude={"org_unit_code", "child_ethnic_group_code", "village_id"})
    incident = services.record_incident(
        actor=request.user, org_unit=org_unit,  # type: ignore[arg-type]
        child_ethnic_group=_ethnic_group(payload.child_ethnic_group_code),
        village=_village(payload.village_id, org_unit), **fields,
    )
    return Status(201, IncidentOut.of(incident))
