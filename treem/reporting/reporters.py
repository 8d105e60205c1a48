"""Who must report in a year, and what each reporter reports on — derived from the plan and the hierarchy.

- **Agencies**: every agency that carries, on the year's reference date (31 December), a duty the plan gives to an
  agency (after reassignments: from 1 March 2025 the labour department's duties pass to the health department),
  or that enters a data element. Requests to bodies outside the People's Committee (the Fatherland Front) are not
  assignments and create no obligation to report.
- **Communes**: every commune-level unit valid on the reference date; **districts** too for years before 2025
  (districts were abolished on 1 July 2025).

An agency reports on its own duties plus the duties given to "all agencies"; a commune or district on the duties
given to the localities. An agency enters the data elements it reports, for each commune; a commune the elements
the localities report, for itself. A district enters no figures (its communes do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from treem.hierarchy.models import Agency, OrgUnit
from treem.indicators.engine import reference_date
from treem.plans.models import AssigneeKind, DataElement, Plan, PlanAssignment
from treem.reporting.models import ReporterKind

DISTRICTS_ABOLISHED_IN = 2025


@dataclass(frozen=True)
class ExpectedReporter:
    kind: str
    org_unit: OrgUnit
    agency: Agency | None = None

    @property
    def name(self) -> str:
        return self.agency.name if self.agency is not None else self.org_unit.name


def province_on(on: date, *, within: Sequence[str] | None = None) -> OrgUnit:
    """The province valid on ``on`` (agencies' reports sit on it). With ``within`` (a user's scope roots), the
    first province that holds or lies inside one of them: in a database holding several provinces, the one the
    user works for, not the first by code."""
    provinces = OrgUnit.objects.valid_on(on).of_level("province").order_by("path")
    if within is not None:
        roots = tuple(within)
        provinces = provinces.filter(pk__in=[
            province.pk for province in provinces
            if any(root.startswith(province.path) or province.path.startswith(root) for root in roots)])
    province = provinces.first()
    if province is None:
        raise LookupError(f"Không có đơn vị cấp tỉnh hiệu lực ngày {on:%d/%m/%Y}: chạy load_reference trước.")
    return province


def _active_duties(plan: Plan) -> QuerySet[PlanAssignment]:
    return (PlanAssignment.objects.filter(plan=plan, is_active=True)
            .select_related("agency").prefetch_related("reassignments__agency").order_by("order"))


def reporting_agencies(*, plan: Plan, year: int) -> list[Agency]:
    on = reference_date(year)
    agencies: dict[int, Agency] = {}
    for duty in _active_duties(plan).filter(assignee_kind=AssigneeKind.AGENCY, is_request=False):
        agency = duty.agency_on(on)
        if agency is not None:
            agencies[agency.pk] = agency
    for element in DataElement.objects.filter(plan=plan, is_active=True, reporter_agency__isnull=False) \
            .select_related("reporter_agency"):
        assert element.reporter_agency is not None
        agencies[element.reporter_agency.pk] = element.reporter_agency
    valid = {agency.pk for agency in Agency.objects.valid_on(on).filter(pk__in=agencies)}
    return sorted((agencies[pk] for pk in valid), key=lambda agency: agency.code)


def expected_reporters(*, plan: Plan, year: int) -> list[ExpectedReporter]:
    """Every reporter that must report on ``plan`` for ``year``: agencies, then districts (before 2025), then
    communes, on the hierarchy valid on 31 December of the year."""
    on = reference_date(year)
    province = province_on(on)
    reporters = [ExpectedReporter(kind=ReporterKind.AGENCY, org_unit=province, agency=agency)
                 for agency in reporting_agencies(plan=plan, year=year)]
    units = OrgUnit.objects.valid_on(on).within(province.path)
    if year < DISTRICTS_ABOLISHED_IN:
        reporters += [ExpectedReporter(kind=ReporterKind.DISTRICT, org_unit=unit)
                      for unit in units.of_level("district").order_by("path")]
    reporters += [ExpectedReporter(kind=ReporterKind.COMMUNE, org_unit=unit)
                  for unit in units.of_level("commune").order_by("path")]
    return reporters


def duties_of(*, plan: Plan, year: int, kind: str, agency: Agency | None) -> list[PlanAssignment]:
    """The duties a reporter reports progress on."""
    on = reference_date(year)
    duties = []
    for duty in _active_duties(plan):
        if kind == ReporterKind.AGENCY:
            if duty.assignee_kind == AssigneeKind.ALL_AGENCIES or (
                duty.assignee_kind == AssigneeKind.AGENCY and agency is not None
                and (carrier := duty.agency_on(on)) is not None and carrier.pk == agency.pk
            ):
                duties.append(duty)
        elif duty.assignee_kind == AssigneeKind.LOCALITY:
            duties.append(duty)
    return duties


def elements_of(*, plan: Plan, kind: str, agency: Agency | None) -> list[DataElement]:
    """The data elements a reporter enters (entered ones, and derived ones it may enter where records fall short)."""
    elements = DataElement.objects.filter(plan=plan, is_active=True).order_by("order")
    if kind == ReporterKind.AGENCY:
        return list(elements.filter(reporter_agency=agency)) if agency is not None else []
    if kind == ReporterKind.COMMUNE:
        return list(elements.filter(reporter_is_locality=True))
    return []


def entry_units(*, kind: str, org_unit: OrgUnit, year: int) -> list[OrgUnit]:
    """The units a reporter enters figures for: an agency every commune of the province, a commune itself."""
    if kind == ReporterKind.AGENCY:
        return list(OrgUnit.objects.valid_on(reference_date(year)).within(org_unit.path)
                    .of_level("commune").order_by("name"))
    if kind == ReporterKind.COMMUNE:
        return [org_unit]
    return []
