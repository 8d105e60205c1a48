"""API: an indicator's figures for a year — value, numerator, denominator, status, disaggregations.

No ``from __future__ import annotations`` here: the access decorators wrap each operation, and django-ninja
resolves string annotations in the wrapper's module, where this module's parameter types are unknown.
"""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from treem.core.access import api_require
from treem.core.api_choices import choices_text
from treem.core.api_errors import ErrorOut
from treem.core.api_paging import limit_query, offset_query, page
from treem.hierarchy.models import Level
from treem.indicators.engine import Figure
from treem.indicators.permissions import VIEW_INDICATORS
from treem.indicators.progress import Status
from treem.indicators.selectors import CategoryRow, UnitFigures, indicator_values
from treem.plans.models import Comparison
from treem.plans.selectors import plan_for

router = Router(tags=["Chỉ tiêu"])
INDICATOR_CODE = r"^I[0-9]{2,3}$"
ORG_UNIT_CODE = r"^[0-9A-Z]{1,16}$"
MIN_PERIOD, MAX_PERIOD = 2000, 2100
UnitLevel = Literal["province", "district", "commune"]
LEVEL_TEXT = "`province`: tỉnh; `district`: huyện; `commune`: xã"
PLACES = 4


def _number(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), PLACES)


def _count(value: Decimal | None) -> int | float | None:
    """A sum of counts as a JSON number (a whole number whenever it is one)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class OrgUnitRefOut(Schema):
    uid: str
    code: str
    name: str
    level: Level = Field(description=choices_text(Level))


class CategoryOut(Schema):
    category: str
    label: str
    value: float | None
    numerator: int | float | None
    denominator: int | float | None

    @staticmethod
    def of(row: CategoryRow) -> "CategoryOut":
        return CategoryOut(category=row.key, label=row.label, value=_number(row.figure.value),
                           numerator=_count(row.figure.numerator), denominator=_count(row.figure.denominator))


class DisaggregationsOut(Schema):
    sex: list[CategoryOut]
    ethnicity: list[CategoryOut]
    minority: list[CategoryOut]
    minority_gap: float | None


class StatusOut(Schema):
    target_year: int
    comparison: Comparison = Field(description=choices_text(Comparison))
    target_value: float
    status: Status = Field(description="tình hình so với mục tiêu: " + choices_text(Status))
    label: str
    latest_year: int | None
    latest_value: float | None
    projection: float | None
    gap: float | None
    tolerance: float | None
    points: int


class IndicatorValueOut(Schema):
    indicator: str
    period: int
    org_unit: OrgUnitRefOut
    value: float | None
    numerator: int | float | None
    denominator: int | float | None
    units_counted: int
    status: StatusOut | None
    targets: list[StatusOut]
    disaggregations: DisaggregationsOut
    is_demo: bool


def _figure_fields(figure: Figure | None) -> dict[str, object]:
    if figure is None:
        return {"value": None, "numerator": None, "denominator": None, "units_counted": 0, "is_demo": False}
    return {"value": _number(figure.value), "numerator": _count(figure.numerator),
            "denominator": _count(figure.denominator),
            "units_counted": figure.units_counted, "is_demo": figure.includes_demo}


def _out(code: str, row: UnitFigures) -> IndicatorValueOut:
    statuses = []
    for target, assessment in row.progress.assessments:
        statuses.append(StatusOut(
            target_year=target.year, comparison=Comparison(target.comparison), target_value=float(target.value),
            status=Status(assessment.status), label=assessment.label, latest_year=assessment.latest_year,
            latest_value=_number(assessment.latest_value), projection=_number(assessment.projection),
            gap=_number(assessment.gap), tolerance=_number(assessment.tolerance), points=len(assessment.points),
        ))
    headline = row.progress.headline
    status = next((item for item in statuses if headline and item.target_year == headline[0].year), None)
    by_dimension: dict[str, list[CategoryOut]] = {"sex": [], "ethnicity": [], "minority": []}
    for category in row.breakdown:
        by_dimension[category.dimension].append(CategoryOut.of(category))
    return IndicatorValueOut(
        indicator=code, period=row.year,
        org_unit=OrgUnitRefOut(uid=row.unit.uid, code=row.unit.code, name=row.unit.name, level=Level(row.unit.level)),
        status=status, targets=statuses,
        disaggregations=DisaggregationsOut(**by_dimension, minority_gap=_number(row.minority_gap)),
        **_figure_fields(row.figure),  # type: ignore[arg-type]
    )


@router.get("/indicator-values", response={200: list[IndicatorValueOut], 404: ErrorOut},
            summary="Giá trị một chỉ tiêu cho một năm: một đơn vị, hoặc các đơn vị một cấp trong đơn vị đó")
@api_require(VIEW_INDICATORS)
def list_indicator_values(
    request: HttpRequest, response: HttpResponse,
    indicator: str = Query(..., pattern=INDICATOR_CODE, description="mã chỉ tiêu, ví dụ I05"),
    period: int = Query(..., ge=MIN_PERIOD, le=MAX_PERIOD, description="năm"),
    org_unit: str = Query(..., pattern=ORG_UNIT_CODE, description="mã thống kê của đơn vị"),
    level: UnitLevel | None = Query(  # noqa: B008
        None, description="liệt kê các đơn vị cấp này trong đơn vị: " + LEVEL_TEXT),
    on: date | None = Query(None, description="ngày hiệu lực của đơn vị (mặc định 31/12 của năm)"),  # noqa: B008
    plan: int | None = Query(None, ge=1, description="kế hoạch (mặc định kế hoạch đang áp dụng)"),
    limit: int = limit_query(200, 500, "đơn vị"), offset: int = offset_query("đơn vị"),
) -> list[IndicatorValueOut]:
    """``org_unit`` is a statistics code resolved on ``on`` (by default 31 December of ``period``); ``level``
    (province, district, commune) lists the units of that level under it on that day instead. An indicator,
    unit or plan that does not exist or lies outside the caller's scope is 404."""
    chosen = plan_for(request.user, plan_id=plan)
    _indicator, rows, _on = indicator_values(request.user, plan=chosen, code=indicator, year=period,
                                             org_unit_code=org_unit, level=level, on=on,
                                             today=timezone.localdate())
    _total, found = page(response, list(rows), limit=limit, offset=offset)
    return [_out(indicator, row) for row in found]
