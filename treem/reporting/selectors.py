"""Reads of the reporting cycle, scoped to the requesting user.

Reports are scoped by ``visible_to`` on their org unit's path, then narrowed by role: an agency reporter sees only
the report of their own agency; a commune officer only the reports of communes and districts in their subtree (not
the agencies' reports, which sit on the province); coordinators, administrators and leaders see every report in
their subtree.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from treem.core.access import NOT_FOUND_MESSAGE, UserLike, get_visible_or_404, grants_of, scope_paths, visible_to
from treem.core.roles import Role
from treem.hierarchy.models import OrgUnit
from treem.indicators.models import DataValue
from treem.plans.models import DataElement
from treem.reporting.models import (
    ConsolidatedBuild,
    Evidence,
    ReporterKind,
    ReportingCycle,
    Submission,
    TaskProgress,
    ValidationRule,
)
from treem.reporting.permissions import VIEW_STATUS_BOARD, VIEW_SUBMISSIONS
from treem.reporting.reporters import elements_of, entry_units
from treem.reporting.validation import CellInput, CellKey, Finding, check_cells


def cycles() -> QuerySet[ReportingCycle]:
    """Cycles are plan-level facts (years, dates), readable by anyone who may see reports."""
    return ReportingCycle.objects.select_related("plan").order_by("-year")


def cycle_of_year(*, year: int) -> ReportingCycle | None:
    return cycles().filter(year=year).first()


def _role_condition(user: UserLike, capability: str) -> Q | None:
    condition: Q | None = None
    for grant in grants_of(user, capability=capability):
        if grant.role == Role.AGENCY_REPORTER:
            if not grant.agency_code:
                continue
            part = Q(org_unit__path__startswith=grant.path, agency__code=grant.agency_code)
        elif grant.role == Role.COMMUNE_OFFICER:
            part = Q(org_unit__path__startswith=grant.path, agency__isnull=True)
        else:
            part = Q(org_unit__path__startswith=grant.path)
        condition = part if condition is None else condition | part
    return condition


def submissions_for(user: UserLike, *, cycle: ReportingCycle | None = None,
                    capability: str = VIEW_SUBMISSIONS) -> QuerySet[Submission]:
    """The reports ``user`` may see (of one cycle if given); none without a matching assignment."""
    queryset: QuerySet[Submission] = Submission.objects.select_related("cycle", "cycle__plan", "agency", "org_unit")
    if cycle is not None:
        queryset = queryset.filter(cycle=cycle)
    queryset = visible_to(user, queryset, capability=capability)
    condition = _role_condition(user, capability)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def submission_for(user: UserLike, *, submission_id: int, capability: str = VIEW_SUBMISSIONS) -> Submission:
    """One report the user may see, or 404 (the same for missing and not yours)."""
    condition = _role_condition(user, capability) or Q(pk__in=[])
    return get_visible_or_404(user, Submission.objects.select_related("cycle", "cycle__plan", "agency", "org_unit")
                              .filter(condition), capability=capability, pk=submission_id)


def evidence_for(user: UserLike, *, evidence_id: int) -> Evidence:
    """An evidence file of a report the user may see (removed files included: versions still name them)."""
    condition = _role_condition(user, VIEW_SUBMISSIONS) or Q(pk__in=[])
    submissions = visible_to(user, Submission.objects.filter(condition), capability=VIEW_SUBMISSIONS)
    return get_visible_or_404(
        user, Evidence.objects.select_related("progress__submission__org_unit"),
        path_field="progress__submission__org_unit__path", capability=VIEW_SUBMISSIONS,
        pk=evidence_id, progress__submission__in=submissions,
    )


def task_progress_reports(user: UserLike, *, year: int | None = None, assignment_code: str = "",
                          status: str = "") -> QuerySet[TaskProgress]:
    """The progress reports on the plan's duties across the reports ``user`` may see (the same scope as
    ``submissions_for``), one duty's if ``assignment_code`` is given: the plan's order, then the reporters'.

    A report's rows exist from its first opening (page or API), so a reporter who has not opened theirs has none."""
    queryset = TaskProgress.objects.filter(submission__in=submissions_for(user)).select_related(
        "assignment", "submission", "submission__cycle", "submission__agency", "submission__org_unit")
    if year is not None:
        queryset = queryset.filter(submission__cycle__year=year)
    if assignment_code:
        queryset = queryset.filter(assignment__code=assignment_code)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-submission__cycle__year", "assignment__order", "submission__kind",
                             "submission__org_unit__path", "submission__agency__code", "pk")


def task_progress_of(submission: Submission, *, progress_id: int) -> TaskProgress:
    """One duty's progress row of a report already reached through ``submission_for``, or 404."""
    progress = submission.task_progress.select_related("assignment", "submission").filter(pk=progress_id).first()
    if progress is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return progress


# ---- the content of one report ---------------------------------------------------------------------------------


def report_values(submission: Submission) -> list[DataValue]:
    """The stored figures of the report's elements and units for the year."""
    elements = elements_of(plan=submission.cycle.plan, kind=submission.kind, agency=submission.agency)
    units = entry_units(kind=submission.kind, org_unit=submission.org_unit, year=submission.cycle.year)
    if not elements or not units:
        return []
    return list(DataValue.objects.filter(data_element__in=elements, org_unit__in=units, year=submission.cycle.year)
                .select_related("data_element", "org_unit", "ethnic_group")
                .order_by("data_element__order", "org_unit__name", "sex", "ethnic_group__code"))


def submission_version(submission: Submission) -> str:
    """A token that changes whenever anything the report says changes: its status, narrative and review, a task's
    progress, a figure or its comment. The API sends it as the ETag and refuses a write based on an older one."""
    parts = [submission.status, submission.updated_at.isoformat(), str(submission.version_count)]
    parts += [f"t{pk}:{moment.isoformat()}" for pk, moment in
              submission.task_progress.order_by("pk").values_list("pk", "updated_at")]
    parts += [f"v{row.pk}:{row.value}:{row.comment}:{row.updated_at.isoformat()}" for row in report_values(submission)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def submission_findings(submission: Submission, *, include_required: bool = True) -> tuple[
        dict[CellKey, list[Finding]], dict[CellKey, str]]:
    """The findings on every figure of a report (required ones included), and each figure's comment."""
    elements = elements_of(plan=submission.cycle.plan, kind=submission.kind, agency=submission.agency)
    units = entry_units(kind=submission.kind, org_unit=submission.org_unit, year=submission.cycle.year)
    stored = {(row.data_element.code, row.org_unit_id, row.sex, row.ethnic_group.code if row.ethnic_group else ""):
              row for row in report_values(submission)}
    cells: list[CellInput] = []
    comments: dict[CellKey, str] = {}
    for element in elements:
        for unit in units:
            key: CellKey = (element.code, unit.pk, "", "")
            row = stored.pop(key, None)
            cells.append(CellInput(element_code=element.code, org_unit_id=unit.pk,
                                   value=row.value if row else None, comment=row.comment if row else ""))
            comments[key] = row.comment if row else ""
    for key, row in stored.items():
        cells.append(CellInput(element_code=key[0], org_unit_id=key[1], value=row.value, sex=key[2],
                               ethnic_group_code=key[3], comment=row.comment))
        comments[key] = row.comment
    return check_cells(cells, year=submission.cycle.year, include_required=include_required), comments


def value_grid(submission: Submission) -> list[dict[str, Any]]:
    """For each element the reporter enters: its definition and unit, and one cell per unit with the stored figure
    (written the Vietnamese way, "1234,5"), its comment and the findings of the validation rules on it.

    ``submission`` was fetched through ``submission_for``, so it is one the user may see."""
    elements = elements_of(plan=submission.cycle.plan, kind=submission.kind, agency=submission.agency)
    units = entry_units(kind=submission.kind, org_unit=submission.org_unit, year=submission.cycle.year)
    if not elements:
        return []
    findings, _comments = submission_findings(submission, include_required=False)
    stored = {(row.data_element_id, row.org_unit_id): row for row in DataValue.objects.filter(
        data_element__in=elements, org_unit__in=units, year=submission.cycle.year, sex="",
        ethnic_group__isnull=True)}
    grid = []
    for element in elements:
        cells = []
        for unit in units:
            row = stored.get((element.pk, unit.pk))
            cells.append({"element": element, "unit": unit, "value": _plain(row.value if row else None),
                          "comment": row.comment if row else "",
                          "findings": findings.get((element.code, unit.pk, "", ""), []), "problems": []})
        grid.append({"element": element, "cells": cells})
    return grid


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def report_cell(*, element_id: str, org_unit_id: str) -> tuple[DataElement, OrgUnit]:
    """The element and unit a posted cell names, or 404; whether the user may enter that figure is the service's
    decision (``enter_report_value``)."""
    try:
        return DataElement.objects.get(pk=int(element_id)), OrgUnit.objects.get(pk=int(org_unit_id))
    except (ValueError, DataElement.DoesNotExist, OrgUnit.DoesNotExist) as error:
        raise Http404(NOT_FOUND_MESSAGE) from error


# ---- the status board -------------------------------------------------------------------------------------------


@dataclass
class Rate:
    expected: int = 0
    received: int = 0
    on_time: int = 0

    @property
    def completeness(self) -> Decimal | None:
        """Share of expected reports received (submitted, returned or approved), in percent."""
        return None if not self.expected else Decimal(100) * self.received / self.expected

    @property
    def timeliness(self) -> Decimal | None:
        """Share of expected reports received by the deadline, in percent."""
        return None if not self.expected else Decimal(100) * self.on_time / self.expected


@dataclass
class BoardRow:
    submission: Submission
    status: str
    status_label: str
    submitted_at: datetime | None
    timeliness: str  # "on_time", "late", "" (not received)

    @property
    def timeliness_label(self) -> str:
        return {"on_time": gettext("Đúng hạn"), "late": gettext("Muộn")}.get(self.timeliness, "")


@dataclass
class StatusBoard:
    cycle: ReportingCycle
    rows: list[BoardRow]
    overall: Rate
    by_kind: dict[str, Rate] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)

    def kind_label(self, kind: str) -> str:
        return str(ReporterKind(kind).label)


def status_board(user: UserLike, *, cycle: ReportingCycle, capability: str = VIEW_SUBMISSIONS) -> StatusBoard:
    """Every expected reporter the user may see × status, submitted at, on time or late; completeness and
    timeliness overall and by kind of reporter."""
    # Every row is of ``cycle``: the rows share that one object rather than each joining (and decoding) the cycle
    # and its plan again, which at a nation's 3,000 communes was most of the board's time.
    submissions = (submissions_for(user, cycle=cycle, capability=capability).select_related(None)
                   .select_related("agency", "org_unit").order_by("kind", "org_unit__path", "agency__code"))
    overall = Rate()
    by_kind: dict[str, Rate] = defaultdict(Rate)
    by_status: dict[str, int] = defaultdict(int)
    rows = []
    for submission in submissions:
        submission.cycle = cycle
        received = submission.is_received
        on_time = received and not cycle.is_late(submission.first_submitted_at)
        for rate in (overall, by_kind[submission.kind]):
            rate.expected += 1
            rate.received += int(received)
            rate.on_time += int(on_time)
        by_status[submission.status] += 1
        rows.append(BoardRow(
            submission=submission, status=submission.status, status_label=str(submission.get_status_display()),
            submitted_at=submission.first_submitted_at,
            timeliness=("on_time" if on_time else "late") if received else "",
        ))
    ordered = {kind: by_kind[kind] for kind in ReporterKind.values if kind in by_kind}
    return StatusBoard(cycle=cycle, rows=rows, overall=overall, by_kind=ordered, by_status=dict(by_status))


def consolidated_scope_key(user: UserLike) -> str:
    """The subtrees a consolidated report built for ``user`` covers (those of the status board), as one key."""
    return "|".join(sorted(scope_paths(user, capability=VIEW_STATUS_BOARD)))


def consolidated_builds(user: UserLike, *, cycle: ReportingCycle) -> QuerySet[ConsolidatedBuild]:
    """The builds of a year's consolidated report made for exactly the scope ``user`` follows (the status board's):
    a leader of the province sees the province's builds, nobody sees a build of a scope that is not theirs."""
    key = consolidated_scope_key(user)
    if not key:
        return ConsolidatedBuild.objects.none()
    return ConsolidatedBuild.objects.filter(cycle=cycle, scope_key=key).select_related("requested_by")


def consolidated_build_for(user: UserLike, *, cycle: ReportingCycle, build_id: int | str) -> ConsolidatedBuild:
    """One build ``user`` may open; the same 404 whether it is missing or of another scope."""
    try:
        return consolidated_builds(user, cycle=cycle).get(pk=int(build_id))
    except (ConsolidatedBuild.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(NOT_FOUND_MESSAGE) from error


def changed_since(build: ConsolidatedBuild) -> bool:
    """Whether a figure or a report within the build's scope changed after its figures were read (the build is
    then not the latest). A change in another province does not count."""
    if build.figures_as_of is None:
        return False
    within = Q()
    for path in build.scope_key.split("|"):
        within |= Q(org_unit__path__startswith=path)
    return (DataValue.objects.filter(within, updated_at__gt=build.figures_as_of).exists()
            or Submission.objects.filter(within, updated_at__gt=build.figures_as_of).exists())


def active_validation_rules() -> list[dict[str, Any]]:
    """The active rules on report figures as plain data (the definitions ``validation.check_cells`` applies), for
    clients that check figures before they reach the server, such as the offline field page."""
    def number(value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")

    return [{"code": rule.code, "kind": rule.kind, "severity": rule.severity, "element": rule.element_code,
             "other_element": rule.other_element_code, "min": number(rule.min_value),
             "max": number(rule.max_value), "max_change_share": number(rule.max_change_share),
             "message": rule.message}
            for rule in ValidationRule.objects.filter(is_active=True).order_by("element_code", "code")]
