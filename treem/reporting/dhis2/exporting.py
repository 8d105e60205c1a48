"""Exporting values as a data value set: the figures the user may read (``reporting.exchange_read``), on the
units and years asked for, identified by code or uid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from treem.core.access import UserLike, visible_to
from treem.hierarchy.models import OrgUnit
from treem.indicators.engine import reference_date
from treem.indicators.models import DataValue
from treem.plans.models import DataElement, Plan
from treem.reporting.dhis2.formats import (
    DEFAULT_COC_CODE,
    DEFAULT_COC_UID,
    ExchangeError,
    coc_code,
    coc_uid,
    data_element_uid,
    data_set_uid,
    format_value,
    parse_period,
)
from treem.reporting.models import ReportingCycle, Submission
from treem.reporting.permissions import EXCHANGE_READ


@dataclass(frozen=True)
class ExportRequest:
    data_sets: list[str]
    periods: list[str]
    org_units: list[str]
    children: bool = False
    id_scheme: str = "uid"
    data_element_id_scheme: str = ""
    org_unit_id_scheme: str = ""
    approved_only: bool = False


def _export_units(identifiers: Sequence[str], years: Sequence[int], children: bool) -> list[OrgUnit]:
    """The units named by uid, or by code as they stood in the requested years, and with ``children`` their
    subtrees (scoping to the user is done on the values, by ``visible_to``)."""
    units: dict[int, OrgUnit] = {}
    for identifier in identifiers:
        found = list(OrgUnit.objects.filter(uid=identifier))
        for year in years:
            found += list(OrgUnit.objects.valid_on(reference_date(year)).filter(code=identifier))
        for unit in found:
            units[unit.pk] = unit
            if children:
                for child in OrgUnit.objects.within(unit.path):
                    units[child.pk] = child
    return list(units.values())


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


def export_values(*, user: UserLike | None, request: ExportRequest) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The stored values matching the request, as DHIS2 dataValues, and the set-level fields (dataSet, period,
    orgUnit when there is one of each). ``user`` None exports without scoping (the push command)."""
    plans = [plan for plan in Plan.objects.all() if plan.code in request.data_sets
             or data_set_uid(plan) in request.data_sets]
    if not plans:
        raise ExchangeError("Không có bộ dữ liệu (dataSet) nào được yêu cầu hoặc tìm thấy.", error_code="E7600")
    years = [year for year in (parse_period(period) for period in request.periods) if year is not None]
    if not years:
        raise ExchangeError("Cần ít nhất một kỳ (period) hợp lệ, ví dụ 2026.", error_code="E7611")
    values: QuerySet[DataValue] = DataValue.objects.with_value().filter(
        data_element__plan__in=plans, year__in=years).select_related(
        "data_element", "org_unit", "ethnic_group", "entered_by").order_by(
        "year", "org_unit__path", "data_element__order", "sex", "ethnic_group__code")
    if request.org_units:
        values = values.filter(org_unit__in=_export_units(request.org_units, years, request.children))
    elif user is not None:  # as DHIS2: a reader names the units it wants (the push command sends every unit)
        raise ExchangeError("Cần ít nhất một đơn vị (orgUnit), ví dụ orgUnit=12&children=true.", error_code="E2006")
    if user is not None:
        values = visible_to(user, values, path_field="org_unit__path", capability=EXCHANGE_READ)
    element_scheme = request.data_element_id_scheme or request.id_scheme
    unit_scheme = request.org_unit_id_scheme or request.id_scheme
    approved = {year: approved_units_and_elements(year=year) for year in years} if request.approved_only else {}
    rows = []
    for row in values:
        if request.approved_only and (row.data_element_id, row.org_unit_id) not in approved[row.year]:
            continue
        ethnic = row.ethnic_group.code if row.ethnic_group else ""
        coc = coc_uid(row.sex, ethnic) if request.id_scheme == "uid" else coc_code(row.sex, ethnic)
        rows.append({
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
    head: dict[str, str] = {}
    if len(plans) == 1:
        head["dataSet"] = data_set_uid(plans[0]) if request.id_scheme == "uid" else plans[0].code
    if len(years) == 1:
        head["period"] = str(years[0])
    units_seen = {str(row["orgUnit"]) for row in rows}
    if len(units_seen) == 1:
        head["orgUnit"] = next(iter(units_seen))
    return rows, head


def _timestamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
