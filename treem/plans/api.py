"""API: plans, their indicators with targets and comparisons, and data elements."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from treem.core.access import api_require
from treem.core.api_choices import choices_text
from treem.core.api_errors import ErrorOut
from treem.core.api_paging import limit_query, offset_query, page
from treem.plans.models import AssigneeKind, Comparison, DataElement, DutyRole, Indicator, Level, Plan, PlanAssignment
from treem.plans.permissions import VIEW_PLANS
from treem.plans.selectors import (
    data_elements_for,
    duties_by_agency,
    indicators_of,
    plan_for,
    plans_for,
    task_groups_of,
)

router = Router(tags=["Kế hoạch"])


class PlanOut(Schema):
    id: int
    code: str
    document_type: str
    number: int | None
    symbol: str
    label: str
    title: str
    issuer: str
    issued_on: date | None
    start_year: int
    end_year: int
    reporting_frequency: Plan.Frequency = Field(description=choices_text(Plan.Frequency))
    reporting_last_day_month: int
    reporting_last_day: int

    @staticmethod
    def of(plan: Plan) -> PlanOut:
        last_day = plan.last_day_to_report(plan.start_year)
        return PlanOut.model_validate(dict(
            id=plan.pk, code=plan.code, document_type=plan.document_type, number=plan.number, symbol=plan.symbol,
            label=str(plan), title=plan.title, issuer=plan.issuer, issued_on=plan.issued_on,
            start_year=plan.start_year, end_year=plan.end_year, reporting_frequency=plan.reporting_frequency,
            reporting_last_day_month=last_day.month, reporting_last_day=last_day.day))


class TargetOut(Schema):
    year: int
    comparison: Comparison = Field(description=choices_text(Comparison))
    symbol: str
    value: float
    wording: str
    section: str


class ResponsibleOut(Schema):
    agency: str
    valid_from: date


class ElementRefOut(Schema):
    code: str
    name: str
    source: DataElement.Source = Field(description=choices_text(DataElement.Source))


class IndicatorOut(Schema):
    code: str
    name: str
    wording: str
    unit: str
    factor: float
    direction: Indicator.Direction = Field(description=choices_text(Indicator.Direction))
    numerator: ElementRefOut
    denominator: ElementRefOut
    responsible: list[ResponsibleOut]
    targets: list[TargetOut]

    @staticmethod
    def of(indicator: Indicator) -> IndicatorOut:
        return IndicatorOut.model_validate(dict(
            code=indicator.code, name=indicator.name, wording=indicator.wording, unit=indicator.unit,
            factor=float(indicator.factor), direction=indicator.direction,
            numerator=ElementRefOut(code=indicator.numerator.code, name=indicator.numerator.name,
                                    source=DataElement.Source(indicator.numerator.source)),
            denominator=ElementRefOut(code=indicator.denominator.code, name=indicator.denominator.name,
                                      source=DataElement.Source(indicator.denominator.source)),
            responsible=[ResponsibleOut(agency=row.agency.code, valid_from=row.valid_from)
                         for row in indicator.responsibilities.all()],
            targets=[TargetOut.model_validate(dict(year=t.year, comparison=t.comparison, symbol=t.symbol,
                                                   value=float(t.value), wording=t.wording, section=t.section))
                     for t in indicator.targets.all()],
        ))


class DataElementOut(Schema):
    code: str
    name: str
    definition: str
    unit: str
    value_type: DataElement.ValueType = Field(description=choices_text(DataElement.ValueType))
    source: DataElement.Source = Field(description=choices_text(DataElement.Source))
    derived_from: str | None
    entered_by: str | None = Field(description="mã cơ quan nhập; `locality` khi địa phương nhập; null khi tính từ "
                                   "hồ sơ")
    disaggregations: list[str] = Field(description="`sex`: theo giới tính; `ethnicity`: theo dân tộc")
    collection_level: Level = Field(description=choices_text(Level))
    plan: str


@router.get("/plans", response=list[PlanOut], summary="Các kế hoạch đang áp dụng")
@api_require(VIEW_PLANS)
def list_plans(request: HttpRequest, response: HttpResponse, limit: int = limit_query(100, 200, "kế hoạch"),
               offset: int = offset_query("kế hoạch")) -> list[PlanOut]:
    _total, rows = page(response, plans_for(request.user), limit=limit, offset=offset)
    return [PlanOut.of(plan) for plan in rows]


@router.get("/plans/{plan_id}/indicators", response=list[IndicatorOut],
            summary="Các chỉ tiêu của một kế hoạch, với mục tiêu và phép so sánh")
@api_require(VIEW_PLANS)
def list_indicators(request: HttpRequest, response: HttpResponse, plan_id: int,
                    limit: int = limit_query(100, 200, "chỉ tiêu"),
                    offset: int = offset_query("chỉ tiêu")) -> list[IndicatorOut]:
    plan = plan_for(request.user, plan_id=plan_id)
    _total, rows = page(response, indicators_of(plan), limit=limit, offset=offset)
    return [IndicatorOut.of(indicator) for indicator in rows]


@router.get("/data-elements", response={200: list[DataElementOut], 404: ErrorOut},
            summary="Phần tử dữ liệu: nhập báo cáo (entered) hoặc tính từ hồ sơ (derived)")
@api_require(VIEW_PLANS)
def list_data_elements(request: HttpRequest, response: HttpResponse, plan: int | None = None,
                       limit: int = limit_query(200, 500, "phần tử"),
                       offset: int = offset_query("phần tử")) -> list[DataElementOut]:
    chosen = plan_for(request.user, plan_id=plan) if plan is not None else None
    result = []
    _total, rows = page(response, data_elements_for(request.user, plan=chosen), limit=limit, offset=offset)
    for element in rows:
        if element.reporter_is_locality:
            entered_by: str | None = "locality"
        else:
            entered_by = element.reporter_agency.code if element.reporter_agency else None
        result.append(DataElementOut.model_validate(dict(
            code=element.code, name=element.name, definition=element.definition, unit=element.unit,
            value_type=element.value_type, source=element.source, derived_from=element.derived_from or None,
            entered_by=entered_by,
            disaggregations=[name for name, on in (("sex", element.by_sex), ("ethnicity", element.by_ethnicity))
                             if on],
            collection_level=element.collection_level, plan=element.plan.code,
        )))
    return result


class TaskOut(Schema):
    code: str
    title: str
    text: str = Field(description="nội dung nguyên văn của kế hoạch")


class TaskGroupOut(Schema):
    code: str
    section: str
    title: str
    tasks: list[TaskOut]


@router.get("/plans/{plan_id}/tasks", response=list[TaskGroupOut],
            summary="Các nhóm nhiệm vụ (mục III) của kế hoạch với các nhiệm vụ, theo thứ tự của kế hoạch")
@api_require(VIEW_PLANS)
def list_tasks(request: HttpRequest, response: HttpResponse, plan_id: int,
               limit: int = limit_query(50, 100, "nhóm nhiệm vụ"),
               offset: int = offset_query("nhóm nhiệm vụ")) -> list[TaskGroupOut]:
    plan = plan_for(request.user, plan_id=plan_id)
    _total, rows = page(response, task_groups_of(plan), limit=limit, offset=offset)
    return [TaskGroupOut(code=group.code, section=group.section, title=group.title,
                         tasks=[TaskOut(code=task.code, title=task.title, text=task.text)
                                for task in group.tasks.all()])
            for group in rows]


class AssignmentOut(Schema):
    code: str
    section: str
    heading: str
    assignee_kind: AssigneeKind = Field(description=choices_text(AssigneeKind))
    agency_code: str | None = Field(description="cơ quan thực hiện vào ngày `on` (sau các lần giao lại); null khi "
                                    "giao cho địa phương hoặc mọi cơ quan")
    role: DutyRole = Field(description=choices_text(DutyRole))
    is_request: bool = Field(description="là đề nghị (không phải giao)")
    title: str
    text: str = Field(description="nội dung nguyên văn của kế hoạch")
    serves: list[str] = Field(description="mã các nhiệm vụ, nhóm nhiệm vụ mà việc này phục vụ")
    partners: list[str] = Field(description="mã các cơ quan phối hợp")


def _assignment_out(duty: PlanAssignment, agency_code: str | None) -> AssignmentOut:
    serves = sorted([task.code for task in duty.serves_tasks.all()]
                    + [group.code for group in duty.serves_groups.all()])
    return AssignmentOut.model_validate(dict(
        code=duty.code, section=duty.section, heading=duty.heading, assignee_kind=duty.assignee_kind,
        agency_code=agency_code, role=duty.role, is_request=duty.is_request, title=duty.title, text=duty.text,
        serves=serves, partners=sorted(agency.code for agency in duty.partners.all())))


@router.get("/plans/{plan_id}/assignments", response=list[AssignmentOut],
            summary="Phân công nhiệm vụ (mục V): ai thực hiện việc gì vào một ngày (đã tính các lần giao lại)")
@api_require(VIEW_PLANS)
def list_assignments(request: HttpRequest, response: HttpResponse, plan_id: int,
                     on: date | None = Query(None, description="ngày xem phân công (mặc định hôm nay)"),  # noqa: B008
                     limit: int = limit_query(200, 500, "việc"),
                     offset: int = offset_query("việc")) -> list[AssignmentOut]:
    plan = plan_for(request.user, plan_id=plan_id)
    day = on or timezone.localdate()
    duties = [(duty, group.agency.code if group.agency is not None else None)
              for group in duties_by_agency(plan, on=day) for duty in [*group.lead, *group.cooperate]]
    _total, rows = page(response, duties, limit=limit, offset=offset)
    return [_assignment_out(duty, agency_code) for duty, agency_code in rows]
