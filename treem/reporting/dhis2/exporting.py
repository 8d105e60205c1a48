"""Exporting values as a data value set: the figures the user may read (``reporting.exchange_read``), chosen as
DHIS2 chooses them (data sets, data elements, data element groups; periods, start and end dates, last updated;
org units with their children), identified by code or uid; a request DHIS2 would refuse is refused with its error
code (E2001–E2009, E1100–E1112)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from treem.core.access import UserLike, visible_to
from treem.hierarchy.models import OrgUnit
from treem.indicators.engine import reference_date
from treem.indicators.models import DataValue
from treem.plans.models import DataElement, Indicator, Plan
from treem.reporting.dhis2.formats import (
    DEFAULT_COC_CODE,
    DEFAULT_COC_UID,
    ExchangeError,
    coc_code,
    coc_uid,
    data_element_group_uid,
    data_element_uid,
    data_set_uid,
    format_value,
    parse_period,
)
from treem.reporting.models import ReportingCycle, Submission
from treem.reporting.permissions import EXCHANGE_READ


@dataclass(frozen=True)
class ExportRequest:
    """What a ``GET /api/dataValueSets`` asks for, with DHIS2's parameters.

    Values are chosen by data set (a plan), data element and data element group (an indicator) — the union of the
    three —; by period, or by ``start_date``/``end_date`` (the yearly periods lying wholly between them), and/or by
    ``last_updated`` (values changed since); by org unit (``children``: the whole subtree)."""

    data_sets: list[str]
    periods: list[str]
    org_units: list[str]
    children: bool = False
    id_scheme: str = "uid"
    data_element_id_scheme: str = ""
    org_unit_id_scheme: str = ""
    approved_only: bool = False
    data_elements: list[str] = field(default_factory=list)
    data_element_groups: list[str] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    last_updated: datetime | None = None
    limit: int | None = None


@dataclass
class ExportedSet:
    """The dataValues of an export, the set-level fields, and each row's data set (for ADX's groups)."""

    rows: list[dict[str, Any]]
    head: dict[str, str]
    data_set_of_rows: list[str] = field(default_factory=list)


_DURATION = re.compile(r"^(\d+)([dhms])$")


def _date_parameter(name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError as error:
        raise ExchangeError(f"Tham số {name}='{text}' không phải ngày hợp lệ (yyyy-mm-dd).", status=400) from error


def _last_updated(text: str, duration: str, *, now: datetime) -> datetime | None:
    if duration:
        match = _DURATION.match(duration.strip())
        if match is None:
            raise ExchangeError(f"Khoảng thời gian không hợp lệ: `{duration}` (ví dụ 7d, 12h, 30m, 45s).",
                                error_code="E2005")
        unit = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}[match.group(2)]
        return now - timedelta(**{unit: int(match.group(1))})
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise ExchangeError(f"Tham số lastUpdated='{text}' không phải ngày giờ hợp lệ.", status=400) from error
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _scheme(text: str) -> str:
    scheme = text.strip().lower()
    return {"id": "uid", "uid": "uid", "code": "code"}.get(scheme, "")


def export_request(query: QueryDict, *, default_scheme: str) -> ExportRequest:
    """The export parameters of a query string, checked in DHIS2's order and with its error codes."""
    data_sets, elements, groups = (query.getlist(name) for name in ("dataSet", "dataElement", "dataElementGroup"))
    if not (data_sets or elements or groups):
        raise ExchangeError("Cần ít nhất một bộ dữ liệu (dataSet), phần tử dữ liệu (dataElement) hoặc nhóm phần tử "
                            "(dataElementGroup).", error_code="E2001")
    periods = [period for period in query.getlist("period") if period.strip()]
    start_date = _date_parameter("startDate", query.get("startDate", ""))
    end_date = _date_parameter("endDate", query.get("endDate", ""))
    last_updated = _last_updated(query.get("lastUpdated", ""), query.get("lastUpdatedDuration", ""),
                                 now=timezone.now())
    has_dates = start_date is not None and end_date is not None
    if not (periods or has_dates or last_updated):
        raise ExchangeError("Cần ít nhất một kỳ (period), khoảng ngày (startDate và endDate) hoặc lastUpdated.",
                            error_code="E2002")
    if periods and (start_date or end_date):
        raise ExchangeError("Không dùng đồng thời period và startDate/endDate.", error_code="E2003")
    if start_date and end_date and start_date > end_date:
        raise ExchangeError("startDate phải trước endDate.", error_code="E2004")
    for period in periods:
        if parse_period(period) is None:
            raise ExchangeError(f"Kỳ không hợp lệ: `{period}` (dùng kỳ năm, ví dụ 2026 hoặc 2026-01-01/P1Y).",
                                error_code="E1101")
    limit = None
    limit_text = query.get("limit", "")
    if limit_text:
        try:
            limit = int(limit_text)
        except ValueError:
            limit = -1
        if limit < 0:
            raise ExchangeError(f"limit không được nhỏ hơn 0: `{limit_text}`.", error_code="E2009")
    scheme = _scheme(query.get("idScheme", "")) or default_scheme
    return ExportRequest(
        data_sets=data_sets, periods=periods, org_units=query.getlist("orgUnit"),
        children=query.get("children", "").strip().lower() == "true", id_scheme=scheme,
        data_element_id_scheme=_scheme(query.get("dataElementIdScheme", "")),
        org_unit_id_scheme=_scheme(query.get("orgUnitIdScheme", "")),
        data_elements=elements, data_element_groups=groups, start_date=start_date if has_dates else None,
        end_date=end_date if has_dates else None, last_updated=last_updated, limit=limit,
    )


def _years(request: ExportRequest) -> list[int] | None:
    """The years asked for; None when only ``last_updated`` limits the export."""
    if request.periods:
        return sorted({year for year in (parse_period(period) for period in request.periods) if year is not None})
    if request.start_date and request.end_date:
        first = request.start_date.year + (0 if request.start_date <= date(request.start_date.year, 1, 1) else 1)
        last = request.end_date.year - (0 if request.end_date >= date(request.end_date.year, 12, 31) else 1)
        return list(range(first, last + 1))
    return None


def _export_units(identifiers: Sequence[str], years: Sequence[int] | None, children: bool) -> list[OrgUnit]:
    """The units named by uid, or by code as they stood in the requested years (any year without periods), and
    with ``children`` their subtrees (scoping to the user is done on the values, by ``visible_to``)."""
    units: dict[int, OrgUnit] = {}
    for identifier in identifiers:
        found = list(OrgUnit.objects.filter(uid=identifier))
        if years is None:
            found += list(OrgUnit.objects.filter(code=identifier))
        for year in years or ():
            found += list(OrgUnit.objects.valid_on(reference_date(year)).filter(code=identifier))
        if not found:
            raise ExchangeError(f"Không có đơn vị (orgUnit) `{identifier}`.", error_code="E1102")
        for unit in found:
            units[unit.pk] = unit
            if children:
                for child in OrgUnit.objects.within(unit.path):
                    units[child.pk] = child
    return list(units.values())


def _chosen_elements(request: ExportRequest) -> tuple[list[Plan], list[DataElement]]:
    """The data sets asked for, and the union of their elements with the elements and groups asked for."""
    plans = list(Plan.objects.all())
    chosen_plans = []
    for identifier in request.data_sets:
        matching = [plan for plan in plans if identifier in (plan.code, data_set_uid(plan))]
        if not matching:
            raise ExchangeError(f"Không có bộ dữ liệu (dataSet) `{identifier}`.", error_code="E1105")
        chosen_plans += matching
    elements = {element.pk: element for element in DataElement.objects.filter(plan__in=chosen_plans)}
    if request.data_elements:
        every = list(DataElement.objects.all())
        for identifier in request.data_elements:
            named = [element for element in every if identifier in (element.code, data_element_uid(element))]
            if not named:
                raise ExchangeError(f"Không có phần tử dữ liệu (dataElement) `{identifier}`.", error_code="E1100")
            elements.update((element.pk, element) for element in named)
    if request.data_element_groups:
        indicators = list(Indicator.objects.select_related("numerator", "denominator"))
        for identifier in request.data_element_groups:
            grouped = [indicator for indicator in indicators
                       if identifier in (indicator.code, data_element_group_uid(indicator))]
            if not grouped:
                raise ExchangeError(f"Không có nhóm phần tử dữ liệu (dataElementGroup) `{identifier}`.",
                                    error_code="E1112")
            for indicator in grouped:
                elements[indicator.numerator_id] = indicator.numerator
                elements[indicator.denominator_id] = indicator.denominator
    return chosen_plans, list(elements.values())


def approved_units_and_elements(*, year: int) -> set[tuple[int, int]]:
    """(element id, org unit id) pairs whose governing report for ``year`` is approved."""
    pairs: set[tuple[int, int]] = set()
    cycles = ReportingCycle.objects.filter(year=year)
    for submission in Submission.objects.filter(cycle__in=cycles, status=Submission.Status.APPROVED) \
            .select_related("cycle", "agency", "org_unit"):
        elements = DataElement.objects.filter(plan_id=submission.cycle.plan_id)
        if submission.agency_id is not None:
            element_ids = list(elements.filter(reporter_agency_id=submission.agency_id).values_list("pk", flat=True))
            unit_ids = list(OrgUnit.objects.valid_on(reference_date(year)).within(submission.org_unit.path)
                            .values_list("pk", flat=True))
        else:
            element_ids = list(elements.filter(reporter_is_locality=True).values_list("pk", flat=True))
            unit_ids = [submission.org_unit_id]
        pairs.update((element_id, unit_id) for element_id in element_ids for unit_id in unit_ids)
    return pairs


def export_values(*, user: UserLike | None, request: ExportRequest) -> ExportedSet:
    """The stored values matching the request, as DHIS2 dataValues, and the set-level fields (dataSet, period,
    orgUnit when there is one of each). ``user`` None exports without scoping (the push command)."""
    plans, elements = _chosen_elements(request)
    if not elements:
        raise ExchangeError("Bộ dữ liệu được yêu cầu không có phần tử dữ liệu nào.", error_code="E2001")
    years = _years(request)
    values: QuerySet[DataValue] = DataValue.objects.with_value().filter(data_element__in=elements).select_related(
        "data_element", "data_element__plan", "org_unit", "ethnic_group", "entered_by").order_by(
        "year", "org_unit__path", "data_element__order", "sex", "ethnic_group__code")
    if years is not None:
        values = values.filter(year__in=years)
    if request.last_updated is not None:
        values = values.filter(updated_at__gte=request.last_updated)
    if request.org_units:
        values = values.filter(org_unit__in=_export_units(request.org_units, years, request.children))
    elif user is not None:  # as DHIS2: a reader names the units it wants (the push command sends every unit)
        raise ExchangeError("Cần ít nhất một đơn vị (orgUnit), ví dụ orgUnit=12&children=true.", error_code="E2006")
    if user is not None:
        values = visible_to(user, values, path_field="org_unit__path", capability=EXCHANGE_READ)
    element_scheme = request.data_element_id_scheme or request.id_scheme
    unit_scheme = request.org_unit_id_scheme or request.id_scheme
    approved_years = sorted({row_year for row_year in values.values_list("year", flat=True)}) \
        if request.approved_only else []
    approved = {year: approved_units_and_elements(year=year) for year in approved_years}
    exported = ExportedSet(rows=[], head={})
    for row in values:
        if request.approved_only and (row.data_element_id, row.org_unit_id) not in approved[row.year]:
            continue
        if request.limit is not None and len(exported.rows) >= request.limit:
            break
        ethnic = row.ethnic_group.code if row.ethnic_group else ""
        coc = coc_uid(row.sex, ethnic) if request.id_scheme == "uid" else coc_code(row.sex, ethnic)
        plan = row.data_element.plan
        exported.data_set_of_rows.append(data_set_uid(plan) if request.id_scheme == "uid" else plan.code)
        exported.rows.append({
            "dataElement": data_element_uid(row.data_element) if element_scheme == "uid" else row.data_element.code,
            "period": str(row.year),
            "orgUnit": row.org_unit.uid if unit_scheme == "uid" else row.org_unit.code,
            "categoryOptionCombo": coc,
            "attributeOptionCombo": DEFAULT_COC_UID if request.id_scheme == "uid" else DEFAULT_COC_CODE,
            "value": format_value(row.value),
            "storedBy": row.entered_by.get_username() if row.entered_by else "",
            "created": _timestamp(row.created_at), "lastUpdated": _timestamp(row.updated_at),
            "comment": row.comment, "followup": False,
        })
    head = exported.head
    if len(plans) == 1 and not (request.data_elements or request.data_element_groups):
        head["dataSet"] = data_set_uid(plans[0]) if request.id_scheme == "uid" else plans[0].code
    if years is not None and len(years) == 1:
        head["period"] = str(years[0])
    units_seen = {str(row["orgUnit"]) for row in exported.rows}
    if len(units_seen) == 1:
        head["orgUnit"] = next(iter(units_seen))
    return exported


def _timestamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
