"""Reads of the protection domain, scoped to the requesting user.

Two layers decide which case a user sees:
1. the org-unit scope, through ``visible_to`` (the one scoping primitive), for the capability of the page;
2. the case-assignment rule on top: the case's current workers, the supervisors of those workers, the commune's
   protection lead, and whoever holds an unexpired emergency access ("break the glass").
Everyone else — leaders, other officers of the same commune, other communes — gets figures without identities
(``case_counts``, ``case_kpis``, ``incident_table``…), which scope through the org-unit layer only.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from treem.accounts.models import Assignment, User
from treem.core.access import CAPABILITIES, NOT_FOUND_MESSAGE, UserLike, get_visible_or_404, visible_to
from treem.core.audit import record_read
from treem.core.models import AuditEvent, EthnicGroup
from treem.hierarchy.models import Agency, OrgUnit, Village
from treem.protection.models import (
    Case,
    CaseService,
    CaseStep,
    CaseWorker,
    EmergencyAccess,
    ExternalReport,
    ExternalSystem,
    HarmKind,
    Incident,
    IncidentKind,
    IncidentOutcome,
    ProtectionLead,
    Referral,
    RiskLevel,
    Supervision,
    SupportPlan,
)
from treem.protection.permissions import (
    BREAK_GLASS,
    SUPERVISE_CASES,
    VIEW_INCIDENTS,
    VIEW_PROTECTION_COUNTS,
    WORK_CASES,
)


def _user_id(user: UserLike) -> int | None:
    """The signed-in user's id, None for an anonymous visitor."""
    user_id = getattr(user, "pk", None) if user.is_authenticated else None
    return int(user_id) if user_id is not None else None


def case_access_condition(user: UserLike, *, now: datetime | None = None) -> Q:
    """The case-assignment rule: a condition true for the cases ``user`` is personally entitled to open."""
    user_id = _user_id(user)
    if user_id is None:
        return Q(pk__in=[])
    now = now or timezone.now()
    # Plain (uncorrelated) subqueries: the database computes each set of case ids once.
    supervised = Supervision.objects.filter(supervisor_id=user_id, is_active=True).values("worker_id")
    as_worker = CaseWorker.objects.current().filter(user_id=user_id).values("case_id")
    as_supervisor = CaseWorker.objects.current().filter(user_id__in=supervised).values("case_id")
    led_units = ProtectionLead.objects.filter(user_id=user_id, is_active=True).values("org_unit_id")
    unlocked = EmergencyAccess.objects.filter(user_id=user_id, expires_at__gt=now).values("case_id")
    return (Q(pk__in=as_worker) | Q(pk__in=as_supervisor) | Q(org_unit_id__in=led_units)
            | Q(pk__in=unlocked))


def cases_for(user: UserLike, *, now: datetime | None = None) -> QuerySet[Case]:
    """The cases whose identity ``user`` may see: within their scope *and* assigned, supervised, led or unlocked."""
    scoped = visible_to(user, Case.objects.active(), capability=WORK_CASES)
    return scoped.filter(case_access_condition(user, now=now)).select_related("org_unit", "village")


def case_for(user: UserLike, *, case_id: int | str, now: datetime | None = None) -> Case:
    """One case the user may open; the same 404 whether it is missing, elsewhere or not theirs."""
    try:
        return cases_for(user, now=now).get(pk=int(case_id))
    except (Case.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(NOT_FOUND_MESSAGE) from error


def open_case(user: UserLike, *, case_id: int | str, verb: str = AuditEvent.Verb.VIEW, reason: str = "") -> Case:
    """``case_for``, recording the opening (or, with ``verb=EXPORT``, the print or export) in the audit trail."""
    case = case_for(user, case_id=case_id)
    record_read(actor=user, obj=case, org_unit_path=case.org_unit.path, verb=verb, reason=reason)
    return case


def case_for_emergency_access(user: UserLike, *, number: str) -> Case | None:
    """The case numbered ``number`` inside the org-unit scope where ``user`` may break the glass, if any."""
    return visible_to(user, Case.objects.active(), capability=BREAK_GLASS).filter(number=number.strip()).first()


def is_case_worker(user: UserLike, case: Case) -> bool:
    user_id = _user_id(user)
    return user_id is not None and case.workers.current().filter(user_id=user_id).exists()


def can_work_case(user: UserLike, case: Case, *, now: datetime | None = None) -> bool:
    """May ``user`` open and write to ``case``: in their org-unit scope and assigned, supervised, led or unlocked
    (the rule of ``cases_for``)."""
    return cases_for(user, now=now).filter(pk=case.pk).exists()


def can_transfer_case(user: UserLike, case: Case) -> bool:
    """May ``user`` hand ``case`` over to another worker: one of its current workers, a supervisor of them, or the
    commune's protection lead — within their org-unit scope. An emergency access does not allow it."""
    user_id = _user_id(user)
    if user_id is None or not visible_to(user, Case.objects.active(), capability=WORK_CASES).filter(
            pk=case.pk).exists():
        return False
    return (is_case_worker(user, case) or user_id in supervisors_of(case)
            or ProtectionLead.objects.filter(user_id=user_id, org_unit_id=case.org_unit_id, is_active=True).exists())


def intake_recipient_ids(org_unit: OrgUnit) -> list[int]:
    """Who is alerted when another system files a case or an incident in ``org_unit`` (nobody received it by hand):
    the commune's active protection leads, or, where the commune has none, every active user who may work cases
    there (an assignment on the commune or above it)."""
    leads = list(ProtectionLead.objects.filter(org_unit=org_unit, is_active=True, user__is_active=True)
                 .order_by("user_id").values_list("user_id", flat=True))
    if leads:
        return leads
    return list(_case_workers_over(org_unit).values_list("pk", flat=True))


def _case_workers_over(org_unit: OrgUnit) -> QuerySet[User]:
    parts = org_unit.path.strip("/").split("/")
    ancestors = ["/"] + ["/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts) + 1)]
    assigned = Assignment.objects.active().filter(role__in=CAPABILITIES[WORK_CASES].roles,
                                                  org_unit__path__in=ancestors)
    return User.objects.filter(is_active=True, pk__in=assigned.values("user_id")).order_by("full_name", "username")


def transfer_candidates(case: Case) -> QuerySet[User]:
    """The active users who may work cases in the case's commune (an assignment on the commune or above it)."""
    return _case_workers_over(case.org_unit)


def referrals_of(case: Case) -> QuerySet[Referral]:
    return case.referrals.order_by("referred_at")


def referral_for(user: UserLike, *, case: Case, referral_id: int | str) -> Referral:
    """A referral of ``case`` (which the caller already got through ``case_for``); 404 when not one of its own."""
    try:
        return case.referrals.get(pk=int(referral_id))
    except (Referral.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(NOT_FOUND_MESSAGE) from error


def case_service_for(user: UserLike, *, case: Case, service_id: int | str) -> CaseService:
    """A service of one of the plans of ``case``; 404 when not one of its own."""
    try:
        return CaseService.objects.select_related("plan").get(plan__case=case, pk=int(service_id))
    except (CaseService.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(NOT_FOUND_MESSAGE) from error


def provider_agency_with_code(code: str) -> Agency | None:
    """The agency a plan's service or a referral names by its code (agencies are public reference data)."""
    return Agency.objects.filter(code=code).first()


def emergency_access_of(user: UserLike, case: Case, *, now: datetime | None = None) -> EmergencyAccess | None:
    """The user's unexpired emergency access to ``case``, if any."""
    user_id = _user_id(user)
    if user_id is None:
        return None
    return case.emergency_accesses.filter(user_id=user_id, expires_at__gt=now or timezone.now()).first()


def open_steps_by_case(cases: QuerySet[Case]) -> dict[int, CaseStep]:
    """The open step of each of ``cases``, by case id (one query)."""
    return {step.case_id: step for step in CaseStep.objects.filter(case__in=cases.values("pk"),
                                                                    status=CaseStep.Status.OPEN)}


def ethnic_group_by_code(code: str) -> EthnicGroup | None:
    return EthnicGroup.objects.filter(code=code).first()


def village_in(org_unit: OrgUnit, *, village_id: int) -> Village | None:
    """The village ``village_id`` if it belongs to ``org_unit``."""
    return Village.objects.filter(pk=village_id, org_unit=org_unit).first()


def current_workers(case: Case) -> QuerySet[CaseWorker]:
    return case.workers.current().select_related("user")


def supervisors_of(case: Case) -> list[int]:
    """Ids of the active supervisors of the case's current workers."""
    workers = case.workers.current().values("user_id")
    return sorted(set(Supervision.objects.filter(worker_id__in=workers, is_active=True)
                      .values_list("supervisor_id", flat=True)))


def timeline_of(case: Case) -> list[dict[str, object]]:
    """The case's history as one list, oldest first: steps, services, referrals, emergency accesses and edits."""
    events: list[dict[str, object]] = []
    for step in case.steps.select_related("completed_by", "plan").order_by("opened_at", "id"):
        events.append({"at": step.opened_at, "kind": "step", "step": step})
    for service in CaseService.objects.filter(plan__case=case).select_related("plan"):
        if service.delivered_on:
            events.append({"at": timezone.make_aware(datetime.combine(service.delivered_on, datetime.min.time())),
                           "kind": "service", "service": service})
    for referral in case.referrals.all():
        events.append({"at": referral.referred_at, "kind": "referral", "referral": referral})
    for access in case.emergency_accesses.select_related("user"):
        events.append({"at": access.granted_at, "kind": "emergency", "access": access})
    for event in AuditEvent.objects.for_object(case).filter(verb=AuditEvent.Verb.UPDATE).order_by("at"):
        events.append({"at": event.at, "kind": "edit", "event": event})
    return sorted(events, key=lambda item: item["at"])  # type: ignore[arg-type, return-value]


def steps_of(case: Case) -> QuerySet[CaseStep]:
    """The steps of ``case`` (which the caller already got through ``case_for``), in the order they were opened."""
    return case.steps.select_related("plan").order_by("opened_at", "id")


def current_plan(case: Case) -> SupportPlan | None:
    return case.plans.order_by("-number").first()


def open_step(case: Case) -> CaseStep | None:
    return case.steps.filter(status=CaseStep.Status.OPEN).first()


def case_step_for(user: UserLike, *, case: Case, step_id: int | str) -> CaseStep:
    try:
        return case.steps.get(pk=int(step_id))
    except (CaseStep.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(NOT_FOUND_MESSAGE) from error


# ---------------------------------------------------------------------------------------------------------------
# The worker's queue and the supervisor's caseload


def my_cases(user: UserLike) -> QuerySet[Case]:
    """Cases where ``user`` is a current worker (not those they supervise or lead)."""
    user_id = _user_id(user)
    if user_id is None:
        return Case.objects.none()
    return cases_for(user).filter(pk__in=CaseWorker.objects.current().filter(user_id=user_id).values("case_id"))


def steps_due_for(user: UserLike, *, cases: QuerySet[Case] | None = None) -> QuerySet[CaseStep]:
    """Open steps of the user's cases, the earliest deadline (so the overdue) first."""
    cases = my_cases(user) if cases is None else cases
    return (CaseStep.objects.filter(status=CaseStep.Status.OPEN, case__in=cases.values("pk"))
            .select_related("case", "case__org_unit").order_by("due_at", "id"))


@dataclass
class WorkerLoad:
    worker_id: int
    worker_name: str
    open_cases: int = 0
    overdue_steps: int = 0
    due_soon_steps: int = 0
    steps: list[CaseStep] = field(default_factory=list)


def team_caseload(user: UserLike, *, now: datetime | None = None, due_soon_days: int = 3) -> list[WorkerLoad]:
    """For a supervisor: each worker of the team with their open cases and open steps, overdue first."""
    from treem.core.access import has_capability

    user_id = _user_id(user)
    if user_id is None or not has_capability(user, SUPERVISE_CASES):
        return []
    now = now or timezone.now()
    team = Supervision.objects.filter(supervisor_id=user_id, is_active=True).select_related("worker")
    visible = cases_for(user, now=now).filter(status=Case.Status.OPEN)
    links = list(team.order_by("worker__full_name", "worker__username"))
    # the team's open cases and their open steps in two queries, whatever the size of the team
    cases_of: dict[int, set[int]] = defaultdict(set)
    for worker_id, case_id in CaseWorker.objects.current().filter(
            user_id__in=[link.worker_id for link in links], case__in=visible.values("pk")).values_list(
            "user_id", "case_id"):
        cases_of[worker_id].add(case_id)
    steps_of: dict[int, list[CaseStep]] = defaultdict(list)
    for step in CaseStep.objects.filter(status=CaseStep.Status.OPEN,
                                        case_id__in=set().union(*cases_of.values())).select_related("case"):
        steps_of[step.case_id].append(step)
    soon = now + timedelta(days=due_soon_days)
    loads: list[WorkerLoad] = []
    for link in links:
        case_ids = cases_of[link.worker_id]
        steps = sorted((step for case_id in case_ids for step in steps_of[case_id]), key=lambda step: step.due_at)
        loads.append(WorkerLoad(
            worker_id=link.worker_id, worker_name=str(link.worker), open_cases=len(case_ids),
            overdue_steps=sum(1 for step in steps if step.due_at < now),
            due_soon_steps=sum(1 for step in steps if now <= step.due_at <= soon), steps=steps,
        ))
    return sorted(loads, key=lambda load: (-load.overdue_steps, load.worker_name))


# ---------------------------------------------------------------------------------------------------------------
# Figures without identities


def counted_cases(user: UserLike) -> QuerySet[Case]:
    """Every case in the user's scope, for counting only: never render a row of it."""
    return visible_to(user, Case.objects.active(), capability=VIEW_PROTECTION_COUNTS)


@dataclass(frozen=True)
class CaseCounts:
    total: int
    open: int
    closed: int
    by_harm: list[tuple[str, int]]
    open_by_risk: list[tuple[str, int]]
    by_commune: list[tuple[str, int, int]]


def case_counts(user: UserLike, *, year: int | None = None) -> CaseCounts:
    """How many cases (open, closed, by kind of harm, open by risk, by commune) — never who.

    One grouped query (commune × harm × status × risk, in the communes' order); every figure is summed from it.
    """
    cases = counted_cases(user)
    if year is not None:
        cases = cases.filter(reported_at__year=year)
    by_harm: Counter[str] = Counter()
    by_risk: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    communes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, harm, status, risk, count in (cases.values_list("org_unit__name", "harm_kind", "status", "risk_level")
                                            .annotate(n=Count("id")).order_by("org_unit__name")
                                            .values_list("org_unit__name", "harm_kind", "status", "risk_level", "n")):
        by_harm[harm] += count
        by_status[status] += count
        communes[name][0] += count
        if status == Case.Status.OPEN:
            by_risk[risk] += count
            communes[name][1] += count
    return CaseCounts(
        total=sum(by_status.values()), open=by_status[Case.Status.OPEN], closed=by_status[Case.Status.CLOSED],
        by_harm=[(str(label), by_harm[value]) for value, label in HarmKind.choices],
        open_by_risk=[(str(label), by_risk[value]) for value, label in RiskLevel.choices]
        + [(gettext("Chưa đánh giá"), by_risk[""])],
        by_commune=[(name, total, open_count) for name, (total, open_count) in communes.items()],
    )


@dataclass(frozen=True)
class CaseKpis:
    """Case-management figures for a year: report → approved plan, steps done on time, open cases by risk."""

    year: int
    cases: int
    by_harm: dict[str, int]
    median_days_to_plan: float | None
    plans_approved: int
    steps_done: int
    steps_on_time: int
    open_by_risk: dict[str, int]

    @property
    def share_on_time(self) -> float | None:
        return self.steps_on_time / self.steps_done if self.steps_done else None


def case_kpis(user: UserLike, *, year: int) -> CaseKpis:
    """KPIs over the cases reported in ``year`` inside the user's scope (for dashboards; no identity).

    Two queries: the cases grouped by harm × status × risk with their steps done (and on time) counted in the same
    pass over the cases joined to their steps, and the first plans' approval dates joined to their cases.
    """
    cases = counted_cases(user).filter(reported_at__year=year)
    by_harm: Counter[str] = Counter()
    open_by_risk: Counter[str] = Counter()
    total = steps_done = steps_on_time = 0
    done = Q(steps__status=CaseStep.Status.DONE)
    groups = (cases.values_list("harm_kind", "status", "risk_level")
              .annotate(n=Count("id", distinct=True), done=Count("steps", filter=done),
                        on_time=Count("steps", filter=done & Q(steps__is_on_time=True)))
              .values_list("harm_kind", "status", "risk_level", "n", "done", "on_time"))
    for harm, status, risk, count, done_count, on_time_count in groups:
        total += count
        steps_done += done_count
        steps_on_time += on_time_count
        by_harm[harm] += count
        if status == Case.Status.OPEN:
            open_by_risk[risk] += count
    first_plans = cases.filter(plans__number=1, plans__approved_on__isnull=False).values_list("plans__approved_on",
                                                                                           "reported_at")
    days = [(approved_on - timezone.localtime(reported_at).date()).days for approved_on, reported_at in first_plans
            if approved_on is not None]
    return CaseKpis(
        year=year, cases=total, by_harm=dict(by_harm),
        median_days_to_plan=float(statistics.median(days)) if days else None, plans_approved=len(days),
        steps_done=steps_done, steps_on_time=steps_on_time, open_by_risk=dict(open_by_risk),
    )

def incidents_for(user: UserLike) -> QuerySet[Incident]:
    """Rows of the incident register in the user's scope (no names are kept there)."""
    return visible_to(user, Incident.objects.active(), capability=VIEW_INCIDENTS).select_related(
        "org_unit", "village", "child_ethnic_group")


def incident_for(user: UserLike, *, incident_id: int) -> Incident:
    """One row of the incident register in the user's scope; the same 404 for a missing one and one outside it."""
    return get_visible_or_404(user, incidents_for(user), capability=VIEW_INCIDENTS, pk=incident_id)


@dataclass(frozen=True)
class IncidentFilters:
    """The filters of the incident register; empty strings and ``None`` mean "any"."""

    year: int
    month: int | None = None
    commune_uid: str = ""
    kind: str = ""
    outcome: str = ""
    child_sex: str = ""
    age_group: str = ""  # "youngest-oldest" of one of ``AGE_GROUPS``, e.g. "5-9"


def incident_register(user: UserLike, filters: IncidentFilters) -> QuerySet[Incident]:
    """The register's rows in the user's scope matching ``filters``, the latest first."""
    rows = incidents_for(user).filter(occurred_on__year=filters.year)
    if filters.month:
        rows = rows.filter(occurred_on__month=filters.month)
    if filters.commune_uid:
        rows = rows.filter(org_unit__uid=filters.commune_uid)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.outcome:
        rows = rows.filter(outcome=filters.outcome)
    if filters.child_sex:
        rows = rows.filter(child_sex=filters.child_sex)
    for _label, youngest, oldest in AGE_GROUPS:
        if filters.age_group == f"{youngest}-{oldest}":
            rows = rows.filter(child_age_years__gte=youngest, child_age_years__lte=oldest)
    return rows.order_by("-occurred_on", "-id")


def incident_communes(user: UserLike, *, year: int) -> QuerySet[OrgUnit]:
    """The communes with incidents of ``year`` in the user's register (units of that year, merged ones included)."""
    return OrgUnit.objects.filter(
        pk__in=incidents_for(user).filter(occurred_on__year=year).values("org_unit")).order_by("name")


def counted_incidents(user: UserLike) -> QuerySet[Incident]:
    """Incidents in the user's scope, for counting only."""
    return visible_to(user, Incident.objects.active(), capability=VIEW_PROTECTION_COUNTS)


@dataclass(frozen=True)
class IncidentTable:
    """Incidents of a year by commune (rows) and month (columns), with totals."""

    year: int
    kinds: list[str]
    communes: list[str]
    cells: dict[str, list[int]]
    month_totals: list[int]
    total: int
    deaths: int


def incident_table(user: UserLike, *, year: int, kinds: list[str] | None = None) -> IncidentTable:
    """The monthly table by commune of the incidents of ``year`` (all kinds, or only ``kinds``)."""
    incidents = counted_incidents(user).filter(occurred_on__year=year)
    if kinds:
        incidents = incidents.filter(kind__in=kinds)
    rows = (incidents.annotate(month=ExtractMonth("occurred_on")).values("org_unit__name", "month")
            .annotate(n=Count("id")))
    cells: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    for row in rows:
        cells[row["org_unit__name"]][row["month"] - 1] += row["n"]
    month_totals = [sum(values[month] for values in cells.values()) for month in range(12)]
    return IncidentTable(
        year=year, kinds=kinds or [], communes=sorted(cells), cells=dict(cells), month_totals=month_totals,
        total=sum(month_totals), deaths=incidents.filter(outcome=IncidentOutcome.DEATH).count(),
    )


AGE_GROUPS: list[tuple[StrOrPromise, int, int]] = [
    (gettext_lazy("0–4 tuổi"), 0, 4), (gettext_lazy("5–9 tuổi"), 5, 9), (gettext_lazy("10–14 tuổi"), 10, 14),
    (gettext_lazy("15–17 tuổi"), 15, 17)]


@dataclass(frozen=True)
class DrowningDeaths:
    year: int
    by_month: list[int]
    by_age_group: list[tuple[str, int]]
    by_month_and_age: dict[str, list[int]]
    total: int


def drowning_deaths(user: UserLike, *, year: int) -> DrowningDeaths:
    """Children who died by drowning in ``year``, by month and by age group."""
    rows = (counted_incidents(user).filter(occurred_on__year=year, kind=IncidentKind.DROWNING,
                                           outcome=IncidentOutcome.DEATH)
            .annotate(month=ExtractMonth("occurred_on")).values_list("month", "child_age_years"))
    groups = [(str(label), low, high) for label, low, high in AGE_GROUPS]
    by_month = [0] * 12
    by_month_and_age: dict[str, list[int]] = {label: [0] * 12 for label, _, _ in groups}
    ages: Counter[str] = Counter()
    for month, age in rows:
        by_month[month - 1] += 1
        for label, low, high in groups:
            if low <= age <= high:
                ages[label] += 1
                by_month_and_age[label][month - 1] += 1
    return DrowningDeaths(year=year, by_month=by_month,
                          by_age_group=[(label, ages[label]) for label, _, _ in groups],
                          by_month_and_age=by_month_and_age, total=sum(by_month))


@dataclass(frozen=True)
class InjuryCounts:
    """Injuries of a year by kind, with deaths — the dashboard's figures."""

    year: int
    by_kind: list[tuple[str, str, int, int]]
    abuse_reports: int

    @property
    def total(self) -> int:
        return sum(count for _, _, count, _ in self.by_kind)

    @property
    def deaths(self) -> int:
        return sum(deaths for _, _, _, deaths in self.by_kind)


def injury_counts(user: UserLike, *, year: int, on: date | None = None) -> InjuryCounts:
    """Counts of injuries (and deaths) by kind in ``year`` up to ``on``, and of abuse reports, in the user's scope."""
    incidents = counted_incidents(user).filter(occurred_on__year=year)
    if on is not None:
        incidents = incidents.filter(occurred_on__lte=on)
    rows = {row["kind"]: row for row in incidents.values("kind").annotate(
        n=Count("id"), deaths=Count("id", filter=Q(outcome=IncidentOutcome.DEATH)))}
    return InjuryCounts(
        year=year,
        by_kind=[(kind, str(IncidentKind(kind).label), rows.get(kind, {}).get("n", 0),
                  rows.get(kind, {}).get("deaths", 0)) for kind in IncidentKind.injuries()],
        abuse_reports=rows.get(IncidentKind.ABUSE, {}).get("n", 0),
    )


def communes_for_cases(user: UserLike, *, on: date) -> QuerySet[OrgUnit]:
    """The communes, valid on ``on``, where the user may open a case."""
    return visible_to(user, OrgUnit.objects.valid_on(on).of_level("commune"), path_field="path",
                      capability=WORK_CASES).order_by("name")


def communes_for_incidents(user: UserLike, *, on: date, capability: str) -> QuerySet[OrgUnit]:
    return visible_to(user, OrgUnit.objects.valid_on(on).of_level("commune"), path_field="path",
                      capability=capability).order_by("name")


def external_system_for_key(key: str) -> ExternalSystem | None:
    """The active external system whose key this is (looked up by the key's SHA-256 digest), or None."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return ExternalSystem.objects.filter(key_digest=digest, is_active=True).select_related("org_unit").first()


def external_origin_of(case: Case) -> ExternalReport | None:
    """The external report a case came in by (system and reference), or None for a case reported in treem."""
    return case.external_reports.select_related("system").first()


def external_systems() -> QuerySet[ExternalSystem]:
    """Every external system, active or revoked (for the console command; never a page)."""
    return ExternalSystem.objects.select_related("org_unit").order_by("name")
