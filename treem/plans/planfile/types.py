"""What a plan file and the agencies file hold, as frozen dataclasses returned to callers, and the literal
values the formats allow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Literal

from treem.core.effective import in_force_on

Comparison = Literal["gt", "gte", "lt", "lte", "eq"]
Direction = Literal["higher_is_better", "lower_is_better"]
Source = Literal["entered", "derived"]
Level = Literal["commune", "district", "province"]
Role = Literal["lead", "cooperate"]
AgencyKind = Literal["department", "police", "front", "people_committee", "other"]

LOCALITY = "locality"
COORDINATOR = "coordinator"
PERCENT = "%"


@dataclass(frozen=True, slots=True)
class AgencySuccessor:
    """Part or all of an agency's functions passed to the agency ``code`` from ``effective_on``."""

    code: str
    effective_on: date
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class Agency:
    """A provincial body a plan assigns tasks to, valid from ``valid_from`` to ``valid_to`` (inclusive).

    ``None`` for ``valid_from`` means "since before the period the system covers"; ``None`` for ``valid_to``
    means the agency still exists.
    """

    code: str
    name: str
    short_name: str
    kind: AgencyKind
    valid_from: date | None
    valid_to: date | None
    successors: tuple[AgencySuccessor, ...]
    note: str
    line: int

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class Coordinator:
    """From ``valid_from`` until the next entry starts, ``agency`` coordinates children's affairs."""

    agency: str
    valid_from: date
    line: int


@dataclass(frozen=True, slots=True)
class AgenciesFile:
    """The agencies file: agencies with their lineage, and the coordinating agency by date."""

    source_path: Path
    provenance: str
    agencies: tuple[Agency, ...]
    coordinators: tuple[Coordinator, ...]

    def agency(self, code: str) -> Agency | None:
        return next((agency for agency in self.agencies if agency.code == code), None)

    def coordinator_on(self, day: date) -> str | None:
        """The code of the coordinating agency on ``day``, or None before the first entry."""
        entry = in_force_on(self.coordinators, day, starts=lambda coordinator: coordinator.valid_from)
        return entry.agency if entry is not None else None


@dataclass(frozen=True, slots=True)
class Signer:
    on_behalf_of: str
    authority: str
    title: str
    name: str


@dataclass(frozen=True, slots=True)
class PlanDocument:
    """The identity of the signed document; ``number`` is None while it is left blank ("Số: /KH-UBND")."""

    type: str
    number: int | None
    number_as_printed: str
    symbol: str
    year: int
    date_as_printed: str
    issued_on: date | None
    place: str
    issuer: str
    issuer_agency: str | None
    signer: Signer | None
    title: str
    start_year: int
    end_year: int


@dataclass(frozen=True, slots=True)
class LegalBasis:
    code: str
    kind: str
    number: str
    issued_on: date | None
    issuer: str
    title: str
    line: int


@dataclass(frozen=True, slots=True)
class ReferencedDocument:
    code: str
    title: str
    sections: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ObjectiveItem:
    """One numbered paragraph of the specific objectives, verbatim (e.g. section ``II.2.1(3)``, year 2025)."""

    section: str
    year: int
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class DataElement:
    """A countable thing. ``entered`` values are typed in by ``reporter`` (an agency code or ``locality``);
    ``derived`` values are counted by the registered function ``derived_from``, and ``fallback_reporter`` (if
    any) may type the same figure for a unit and year that the records do not cover."""

    code: str
    name: str
    definition: str
    unit: str
    value_type: Literal["integer"]
    source: Source
    derived_from: str | None
    reporter: str | None
    fallback_reporter: str | None
    disaggregations: tuple[str, ...]
    collection_level: Level
    line: int

    @property
    def is_derived(self) -> bool:
        return self.source == "derived"

    @property
    def can_be_entered(self) -> bool:
        return self.source == "entered" or self.fallback_reporter is not None

    @property
    def entered_by(self) -> str | None:
        """Who types values in: the reporter of an entered element, the fallback reporter of a derived one."""
        return self.reporter if self.source == "entered" else self.fallback_reporter


@dataclass(frozen=True, slots=True)
class Target:
    """The plan's target for one year: the indicator's value must satisfy ``value`` under ``comparison``."""

    year: int
    comparison: Comparison
    value: Decimal
    wording: str
    section: str | None
    line: int

    def is_met_by(self, value: Decimal | Fraction | int) -> bool:
        """Whether an indicator value meets the target, compared exactly (no rounding)."""
        actual = Fraction(value)
        target = Fraction(self.value)
        if self.comparison == "gt":
            return actual > target
        if self.comparison == "gte":
            return actual >= target
        if self.comparison == "lt":
            return actual < target
        if self.comparison == "lte":
            return actual <= target
        return actual == target


@dataclass(frozen=True, slots=True)
class ResponsibleAgency:
    agency: str
    valid_from: date
    line: int


@dataclass(frozen=True, slots=True)
class Indicator:
    """factor × numerator ÷ denominator over two data elements, with a direction and yearly targets."""

    code: str
    name: str
    wording: str
    unit: str
    factor: Decimal
    numerator: str
    denominator: str
    direction: Direction
    responsible_agencies: tuple[ResponsibleAgency, ...]
    collection_level: Level
    targets: tuple[Target, ...]
    line: int

    def target_for(self, year: int) -> Target | None:
        return next((target for target in self.targets if target.year == year), None)

    def responsible_agency_on(self, day: date) -> str | None:
        entry = in_force_on(self.responsible_agencies, day, starts=lambda responsible: responsible.valid_from)
        return entry.agency if entry is not None else None


@dataclass(frozen=True, slots=True)
class Task:
    """One paragraph of a task group of the plan (code ``T<group>.<n>``), its text verbatim."""

    code: str
    group_code: str
    title: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class TaskGroup:
    code: str
    section: str
    title: str
    tasks: tuple[Task, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Reassignment:
    """From ``effective_on``, the duty is carried by ``agency`` (the plan's text stays as signed)."""

    agency: str
    effective_on: date
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class Assignment:
    """One duty the plan gives to an assignee, its text verbatim.

    Exactly one of ``assignee_agency`` (an agency code), ``assignee_level`` (``locality``: the People's
    Committees of the level in force) and ``assignee_group`` (``all_agencies``) is set.
    """

    code: str
    section: str
    heading: str
    assignee_agency: str | None
    assignee_level: str | None
    assignee_group: str | None
    is_request: bool
    role: Role
    title: str
    text: str
    serves: tuple[str, ...]
    partners: tuple[str, ...]
    reassignments: tuple[Reassignment, ...]
    line: int

    def agency_on(self, day: date) -> str | None:
        """The agency carrying the duty on ``day``, after reassignments; None for localities and groups."""
        reassignment = in_force_on(self.reassignments, day, starts=lambda entry: entry.effective_on)
        return reassignment.agency if reassignment is not None else self.assignee_agency


@dataclass(frozen=True, slots=True)
class FundingSource:
    code: str
    name: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class ReportingRule:
    """How often results are reported, by when, through whom and to whom."""

    frequency: Literal["yearly", "half_yearly", "quarterly", "monthly"]
    deadline_month: int
    deadline_day: int
    deadline_rule: Literal["before", "on_or_before"]
    through: str
    to: str
    to_agency: str | None
    reporters: tuple[str, ...]
    text: str
    line: int

    def last_day_to_submit(self, year: int) -> date:
        """The last day a yearly report for ``year`` is on time ("trước ngày 01/12" → 30 November)."""
        deadline = date(year, self.deadline_month, self.deadline_day)
        return deadline - timedelta(days=1) if self.deadline_rule == "before" else deadline


@dataclass(frozen=True, slots=True)
class PlanFile:
    """A whole plan file, validated."""

    source_path: Path
    format_version: int
    code: str
    document: PlanDocument
    legal_bases: tuple[LegalBasis, ...]
    referenced_documents: tuple[ReferencedDocument, ...]
    preamble: str
    purposes: tuple[str, ...]
    requirements: tuple[str, ...]
    general_objective: str
    objectives_intro: str
    objective_items: tuple[ObjectiveItem, ...]
    data_elements: tuple[DataElement, ...]
    indicators: tuple[Indicator, ...]
    task_groups: tuple[TaskGroup, ...]
    assignments: tuple[Assignment, ...]
    funding_sources: tuple[FundingSource, ...]
    reporting: ReportingRule

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(task for group in self.task_groups for task in group.tasks)

    def data_element(self, code: str) -> DataElement:
        """The data element ``code``; KeyError if the plan has none."""
        for element in self.data_elements:
            if element.code == code:
                return element
        raise KeyError(code)

    def indicator(self, code: str) -> Indicator:
        """The indicator ``code``; KeyError if the plan has none."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def agency_codes(self) -> frozenset[str]:
        """Every agency code the plan mentions (assignees, partners, reporters, responsible agencies…)."""
        codes: set[str] = set()
        if self.document.issuer_agency:
            codes.add(self.document.issuer_agency)
        for element in self.data_elements:
            codes.update(
                code for code in (element.reporter, element.fallback_reporter) if code and code != LOCALITY
            )
        for indicator in self.indicators:
            codes.update(entry.agency for entry in indicator.responsible_agencies)
        for assignment in self.assignments:
            if assignment.assignee_agency:
                codes.add(assignment.assignee_agency)
            codes.update(assignment.partners)
            codes.update(reassignment.agency for reassignment in assignment.reassignments)
        if self.reporting.through != COORDINATOR:
            codes.add(self.reporting.through)
        if self.reporting.to_agency:
            codes.add(self.reporting.to_agency)
        return frozenset(codes)
