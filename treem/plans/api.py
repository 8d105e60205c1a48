"""API: plans, their indicators with targets and comparisons, and data elements."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from treem.core.access import api_require
from treem.core.api_errors import ErrorOut
from treem.plans.models import Indicator, Plan
from treem.plans.permissions import VIEW_PLANS
from treem.plans.selectors import data_elements_for, indicators_of, plan_for, plans_for

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
    reporting_frequency: str
    reporting_last_day_month: int
    reporting_last_day: int

    @staticmethod
    def of(plan: Plan) -> PlanOut:
        last_day = plan.last_day_to_report(plan.start_year)
        return PlanOut(id=plan.pk, code=plan.code, document_type=plan.document_type, number=plan.number,
                       symbol=plan.symbol, label=str(plan), title=plan.title, issuer=plan.issuer,
                       issued_on=plan.issued_on, start_year=plan.start_year, end_year=plan.end_year,
                       reporting_frequency=plan.reporting_frequency, reporting_last_day_month=last_day.month,
                       reporting_last_day=last_day.day)


class TargetOut(Schema):
    year: int
    comparison: str
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
    source: str


class IndicatorOut(Schema):
    code: str
    name: str
    wording: str
    unit: str
    factor: float
    direction: str
    numerator: ElementRefOut
    denominator: ElementRefOut
    responsible: list[ResponsibleOut]
    targets: list[TargetOut]

    @staticmethod
    def of(indicator: Indicator) -> IndicatorOut:
        return IndicatorOut(
            code=indicator.code, name=indicator.name, wording=indicator.wording, unit=indicator.unit,
            factor=float(indicator.factor), direction=indicator.direction,
            numerator=ElementRefOut(code=indicator.numerator.code, name=indicator.numerator.name,
                                    source=indicator.numerator.source),
            denominator=ElementRefOut(code=indicator.denominator.code, name=indicator.denominator.name,
                                      source=indicator.denominator.source),
            responsible=[ResponsibleOut(agency=row.agency.code, valid_from=row.valid_from)
                         for row in indicator.responsibilities.all()],
            targets=[TargetOut(year=t.year, comparison=t.comparison, symbol=t.symbol, value=float(t.value),
                               wording=t.wording, section=t.section) for t in indicator.targets.all()],
        )


class DataElementOut(Schema):
    code: str
    name: str
    definition: str
    unit: str
    value_type: str
    source: str
    derived_from: str | None
    entered_by: str | None
    disaggregations: list[str]
    collection_level: str
    plan: str


@router.get("/plans", response=list[PlanOut], summary="Các kế hoạch đang áp dụng")
@api_require(VIEW_PLANS)
def list_plans(request: HttpRequest) -> list[PlanOut]:
    return [PlanOut.of(plan) for plan in plans_for(request.user)]


@router.get("/plans/{plan_id}/indicators", response=list[IndicatorOut],
            summary="Các chỉ tiêu của một kế hoạch, với mục tiêu và phép so sánh")
@api_require(VIEW_PLANS)
def list_indicators(request: HttpRequest, plan_id: int) -> list[IndicatorOut]:
    plan = plan_for(request.user, plan_id=plan_id)
    return [IndicatorOut.of(indicator) for indicator in indicators_of(plan)]


@router.get("/data-elements", response={200: list[DataElementOut], 404: ErrorOut},
            summary="Phần tử dữ liệu: nhập báo cáo (entered) hoặc tính từ hồ sơ (derived)")
@api_require(VIEW_PLANS)
def list_data_elements(request: HttpRequest, plan: int | None = None) -> list[DataElementOut]:
    chosen = plan_for(request.user, plan_id=plan) if plan is not None else None
    result = []
    for element in data_elements_for(request.user, plan=chosen):
        if element.reporter_is_locality:
            entered_by: str | None = "locality"
        else:
            entered_by = element.reporter_agency.code if element.reporter_agency else None
        result.append(DataElementOut(
            code=element.code, name=element.name, definition=element.definition, unit=element.unit,
            value_type=element.value_type, source=element.source, derived_from=element.derived_from or None,
            entered_by=entered_by,
            disaggregations=[name for name, on in (("sex", element.by_sex), ("ethnicity", element.by_ethnicity))
                             if on],
            collection_level=element.collection_level, plan=element.plan.code,
        ))
    return result
