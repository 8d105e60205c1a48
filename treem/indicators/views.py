"""Pages of the indicators: the plan's progress overview, one indicator in detail, and their Excel exports."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from treem.core.access import require
from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.indicators.permissions import VIEW_INDICATORS
from treem.indicators.progress import Assessment
from treem.indicators.selectors import IndicatorDetail, PlanProgress, indicator_detail, plan_progress
from treem.indicators.stored import figures_on_screen
from treem.indicators.templatetags.indicator_format import vn_number
from treem.plans.models import COMPARISON_SYMBOLS, Target
from treem.plans.selectors import plan_for
from treem.plans.xlsx import Sheet, xlsx_response

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year(request: HttpRequest) -> int | None:
    raw = (request.GET.get("year") or "").strip()
    if raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
        return int(raw)
    return None


def _plan_param(request: HttpRequest) -> int | None:
    raw = (request.GET.get("plan") or "").strip()
    return int(raw) if raw.isdigit() else None


def _progress(request: HttpRequest) -> PlanProgress:
    plan = plan_for(request.user, plan_id=_plan_param(request))
    return plan_progress(request.user, plan=plan, unit_uid=request.GET.get("unit") or None, year=_year(request),
                         today=timezone.localdate())


def _detail(request: HttpRequest, code: str) -> IndicatorDetail:
    plan = plan_for(request.user, plan_id=_plan_param(request))
    return indicator_detail(request.user, plan=plan, code=code, unit_uid=request.GET.get("unit") or None,
                            year=_year(request), current_units=request.GET.get("current") == "1",
                            today=timezone.localdate())


@require(VIEW_INDICATORS)
def overview(request: HttpRequest) -> HttpResponse:
    """A card per indicator: the value, the target, the status colour, a small trend."""
    with figures_on_screen():
        progress = _progress(request)
    return render(request, "indicators/overview.html", {"progress": progress, "query": request.GET.urlencode()})


@require(VIEW_INDICATORS)
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: trend with targets and projection; by unit with drill-down; breakdowns; equity."""
    with figures_on_screen():
        data = _detail(request, code)
    return render(request, "indicators/detail.html", {
        "detail": data, "chart": _chart_data(data), "query": request.GET.urlencode(),
    })


# ------------------------------------------------------------------------------------------------------------
# Charts
# ------------------------------------------------------------------------------------------------------------


def _float(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _chart_data(data: IndicatorDetail) -> dict[str, Any]:
    progress = data.progress
    headline = progress.headline
    projection: list[list[float | int | None]] = []
    if headline is not None:
        projection = [[year, _float(value)] for year, value in headline[1].projected_line()]
    return {
        "title": f"{data.indicator.code} – {data.area.name}",
        "unit": data.indicator.unit,
        "years": [year for year, _ in progress.trend],
        "values": [_float(figure.value) if figure is not None else None for _, figure in progress.trend],
        "targets": [{"year": target.year, "value": float(target.value),
                     "label": f"Mục tiêu {target.year}: {COMPARISON_SYMBOLS[target.comparison]} "
                              f"{_vn_plain(target.value)}"}
                    for target, _assessment in progress.assessments],
        "projection": projection,
        "units": [row.unit.name for row in data.rows],
        "unit_values": [_float(row.figure.value) if row.figure is not None else None for row in data.rows],
        "headline_target": float(headline[0].value) if headline else None,
    }


def _vn_plain(value: Any) -> str:
    return vn_number(value)


# ------------------------------------------------------------------------------------------------------------
# Excel
# ------------------------------------------------------------------------------------------------------------


def _target_text(target: Target | None) -> str:
    if target is None:
        return ""
    return f"{target.year}: {COMPARISON_SYMBOLS[target.comparison]} {_vn_plain(target.value)} ({target.wording})"


def _assessment_cells(pair: tuple[Target, Assessment] | None) -> list[Any]:
    if pair is None:
        return ["", "", ""]
    target, assessment = pair
    return [_target_text(target), assessment.label, assessment.projection]


def _record_export(request: HttpRequest, what: str) -> None:
    record_event(actor=request.user if request.user.is_authenticated else None,
                 verb=AuditEvent.Verb.EXPORT, object_type="indicators.figures", object_repr=what[:255],
                 action="export_figures")


@require(VIEW_INDICATORS)
def overview_xlsx(request: HttpRequest) -> HttpResponse:
    progress = _progress(request)
    caption = f"Tiến độ các chỉ tiêu – {progress.area.name} – năm {progress.year}"
    if progress.includes_demo:
        caption += " – DỮ LIỆU TRÌNH DIỄN"
    summary = Sheet(
        title="Tổng quan", caption=caption,
        headers=["Mã", "Chỉ tiêu", "Năm có số liệu", "Giá trị (%)", "Tử số", "Mẫu số", "Số đơn vị có số liệu",
                 "Mục tiêu", "Trạng thái", "Dự báo năm mục tiêu (%)"],
    )
    trend = Sheet(title="Xu hướng", caption=caption, headers=["Mã", "Chỉ tiêu", *map(str, progress.years)])
    for item in progress.items:
        latest = item.latest
        figure = latest[1] if latest else None
        summary.rows.append([
            item.indicator.code, item.indicator.name, latest[0] if latest else None,
            figure.value if figure else None, figure.numerator if figure else None,
            figure.denominator if figure else None, figure.units_counted if figure else None,
            *_assessment_cells(item.headline),
        ])
        trend.rows.append([item.indicator.code, item.indicator.name,
                           *[figure.value if figure is not None else None for _year, figure in item.trend]])
    _record_export(request, caption)
    return xlsx_response(f"chi-tieu-{progress.area.code}-{progress.year}.xlsx", [summary, trend])


@require(VIEW_INDICATORS)
def detail_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    data = _detail(request, code)
    indicator = data.indicator
    caption = f"{indicator.code} – {indicator.name} – {data.area.name} – năm {data.year}"
    if data.includes_demo:
        caption += " – DỮ LIỆU TRÌNH DIỄN"
    figure_headers = ["Giá trị (%)", "Tử số", "Mẫu số", "Số đơn vị có số liệu"]

    def cells(figure: Any) -> list[Any]:
        if figure is None:
            return [None, None, None, None]
        return [figure.value, figure.numerator, figure.denominator, figure.units_counted]

    trend = Sheet(title="Xu hướng", caption=caption, headers=["Năm", *figure_headers])
    trend.rows = [[year, *cells(figure)] for year, figure in data.progress.trend]
    targets = Sheet(title="Mục tiêu", caption=caption,
                    headers=["Năm", "Nguyên văn", "So sánh", "Giá trị", "Trạng thái", "Giá trị mới nhất",
                             "Dự báo", "Khoảng cách", "Ngưỡng"])
    targets.rows = [[target.year, target.wording, COMPARISON_SYMBOLS[target.comparison], target.value,
                     assessment.label, assessment.latest_value, assessment.projection, assessment.gap,
                     assessment.tolerance] for target, assessment in data.progress.assessments]
    by_unit = Sheet(title="Theo đơn vị", caption=f"{caption} – theo hệ thống đơn vị ngày "
                                                 f"{data.display_on:%d/%m/%Y}",
                    headers=["Mã", "Đơn vị", *figure_headers, "Trạng thái"])
    by_unit.rows = [[row.unit.code, row.unit.name, *cells(row.figure),
                     row.headline[1].label if row.headline else ""] for row in data.rows]
    breakdown = Sheet(title="Phân tổ", caption=caption, headers=["Phân tổ", "Nhóm", *figure_headers])
    breakdown.rows = [[{"sex": "Giới tính", "minority": "Kinh / DTTS", "ethnicity": "Dân tộc"}[row.dimension],
                       row.label, *cells(row.figure)] for row in data.breakdown]
    equity = data.equity
    gaps = Sheet(title="Chênh lệch", caption=caption, headers=["Nội dung", "Đơn vị", "Giá trị (%)"])
    gaps.rows = [
        ["Số xã có số liệu", "", equity.communes_with_value],
        ["Thấp nhất", equity.lowest.unit.name if equity.lowest else "", equity.lowest.value if equity.lowest else None],
        ["Cao nhất", equity.highest.unit.name if equity.highest else "",
         equity.highest.value if equity.highest else None],
        ["Chênh lệch cao nhất – thấp nhất (điểm %)", "", equity.spread],
        ["Trẻ em dân tộc Kinh", "", equity.kinh.value if equity.kinh else None],
        ["Trẻ em dân tộc thiểu số", "", equity.minorities.value if equity.minorities else None],
        ["Chênh lệch DTTS – Kinh (điểm %)", "", equity.minority_gap],
    ]
    _record_export(request, caption)
    return xlsx_response(f"{indicator.code}-{data.area.code}-{data.year}.xlsx",
                         [trend, targets, by_unit, breakdown, gaps])
