"""Reads of the reporting cycle, scoped to the requesting user.

Reports are scoped by ``visible_to`` on their org unit's path, then narrowed by role: an agency reporter sees only
the report of their own agency; a commune officer only the reports of communes and districts in their subtree (not
the agencies' reports, which sit on the province); coordinators, administrators and leaders see every report in
their subtree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet

from treem.core.access import UserLike, get_visible_or_404, grants_of, visible_to
from treem.core.roles import Role
from treem.reporting.models import Evidence, ReporterKind, ReportingCycle, Submission
from treem.reporting.permissions import VIEW_SUBMISSIONS


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
        return {"on_time": "Đúng hạn", "late": "Muộn"}.get(self.timeliness, "")


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
    submissions = submissions_for(user, cycle=cycle, capability=capability).order_by("kind", "org_unit__path",
                                                                                      "agency__code")
    overall = Rate()
    by_kind: dict[str, Rate] = defaultdict(Rate)
    by_status: dict[str, int] = defaultdict(int)
    rows = []
    for submission in submissions:
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
