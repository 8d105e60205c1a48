"""Reads of plans: the plan, its indicators with targets, its duties grouped by the agency that carries them.

A plan is a public document: anyone holding an assignment (capability ``plans.view``) reads all of it; a user
without one reads nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from treem.core.access import NOT_FOUND_MESSAGE, UserLike, has_capability
from treem.hierarchy.models import Agency
from treem.plans.models import (
    AssigneeKind,
    DataElement,
    Indicator,
    IndicatorResponsibility,
    Plan,
    PlanAssignment,
    Target,
    Task,
    TaskGroup,
)
from treem.plans.permissions import VIEW_PLANS


def plans_for(user: UserLike) -> QuerySet[Plan]:
    if not has_capability(user, VIEW_PLANS):
        return Plan.objects.none()
    return Plan.objects.filter(is_active=True).order_by("-year", "code")


def plan_for(user: UserLike, *, plan_id: int | None = None, code: str | None = None) -> Plan:
    """One plan the user may read (by id or code); without either, the newest active plan. 404 otherwise."""
    plans = plans_for(user)
    if plan_id is not None:
        plans = plans.filter(pk=plan_id)
    if code is not None:
        plans = plans.filter(code=code)
    plan = plans.select_related("issuer_agency", "reporting_to_agency").first()
    if plan is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return plan


def task_groups_of(plan: Plan) -> QuerySet[TaskGroup]:
    """The plan's active task groups (§III) in order, each with its active tasks in order."""
    return (TaskGroup.objects.filter(plan=plan, is_active=True)
            .prefetch_related(Prefetch("tasks", queryset=Task.objects.filter(is_active=True).order_by("order")))
            .order_by("order"))


def indicators_of(plan: Plan) -> QuerySet[Indicator]:
    """The plan's active indicators in the plan's order, with elements, active targets and responsibilities."""
    return (
        Indicator.objects.filter(plan=plan, is_active=True)
        .select_related("numerator__reporter_agency", "denominator__reporter_agency")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(is_active=True).order_by("year")),
            Prefetch("responsibilities", queryset=IndicatorResponsibility.objects.select_related("agency")),
        )
        .order_by("order")
    )


def indicator_of(plan: Plan, *, code: str) -> Indicator:
    indicator = indicators_of(plan).filter(code=code).first()
    if indicator is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return indicator


def data_elements_for(user: UserLike, *, plan: Plan | None = None) -> QuerySet[DataElement]:
    if not has_capability(user, VIEW_PLANS):
        return DataElement.objects.none()
    elements = DataElement.objects.filter(is_active=True, plan__is_active=True)
    if plan is not None:
        elements = elements.filter(plan=plan)
    return elements.select_related("reporter_agency", "plan").order_by("plan", "order")


@dataclass
class AgencyDuties:
    """The duties one agency (or the localities, or every agency) carries on a day."""

    key: str
    label: str
    agency: Agency | None
    lead: list[PlanAssignment] = field(default_factory=list)
    cooperate: list[PlanAssignment] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.lead) + len(self.cooperate)


def duties_by_agency(plan: Plan, *, on: date) -> list[AgencyDuties]:
    """Every active duty of the plan under the agency that carries it on ``on`` (after reassignments), with the
    indicators each agency answers for on that day; the localities and "every agency" come last."""
    duties = (
        PlanAssignment.objects.filter(plan=plan, is_active=True)
        .select_related("agency")
        .prefetch_related("reassignments__agency", "serves_tasks", "serves_groups", "partners")
        .order_by("order")
    )
    groups: dict[str, AgencyDuties] = {}
    for duty in duties:
        if duty.assignee_kind == AssigneeKind.AGENCY:
            agency = duty.agency_on(on)
            assert agency is not None
            key, label = agency.code, agency.name
        else:
            agency, key, label = None, duty.assignee_kind, str(AssigneeKind(duty.assignee_kind).label)
        group = groups.setdefault(key, AgencyDuties(key=key, label=label, agency=agency))
        (group.lead if duty.role == "lead" else group.cooperate).append(duty)
    by_agency: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in indicators_of(plan):
        responsible = indicator.responsible_agency_on(on)
        if responsible is not None:
            by_agency[responsible.code].append(indicator)
    for code, indicators in by_agency.items():
        if code not in groups:
            agency = next(row.agency for i in indicators for row in i.responsibilities.all()
                          if row.agency.code == code)
            groups[code] = AgencyDuties(key=code, label=agency.name, agency=agency)
        groups[code].indicators = indicators
    agencies = sorted((g for g in groups.values() if g.agency is not None), key=lambda g: g.label)
    others = [g for g in groups.values() if g.agency is None]
    return agencies + others
