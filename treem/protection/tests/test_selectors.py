"""Reads: who may open a case, who sees only counts, and the figures (KPIs, incident tables, drowning deaths)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.protection import selectors, services
from treem.protection.models import HarmKind, IncidentKind, IncidentOutcome, ProtectionLead
from treem.protection.tests.factories import (
    OTHER,
    OWN,
    advance_to_plan,
    aware,
    incident,
    make_case,
    open_step,
    supervisor_of,
    worker,
)
from treem.protection.workflow import Outcome

pytestmark = pytest.mark.django_db


def test_a_case_is_visible_to_its_worker_their_supervisor_and_the_commune_lead_only() -> None:
    assigned = worker()
    supervisor = supervisor_of(assigned)
    lead = user_with_role(Role.COMMUNE_OFFICER, OWN)
    ProtectionLead.objects.create(org_unit=unit(OWN), user=lead)
    case = make_case(assigned)
    for user in (assigned, supervisor, lead):
        assert selectors.case_for(user, case_id=case.pk) == case
    outsiders = [
        user_with_role(Role.LEADER, "12"),
        user_with_role(Role.COORDINATOR, "12"),
        user_with_role(Role.ADMIN, "12"),
        user_with_role(Role.COMMUNE_OFFICER, OWN),
        worker(OWN),
        user_with_role(Role.CASE_SUPERVISOR, "12"),
        worker(OTHER),
        user_with_role(Role.COMMUNE_OFFICER, OTHER),
    ]
    for user in outsiders:
        assert not selectors.cases_for(user).exists()
        with pytest.raises(Http404):
            selectors.case_for(user, case_id=case.pk)


def test_a_lead_of_another_commune_and_an_inactive_supervision_give_no_access() -> None:
    assigned = worker()
    supervisor = supervisor_of(assigned)
    supervisor.supervised_workers.update(is_active=False)
    lead_elsewhere = user_with_role(Role.COMMUNE_OFFICER, OTHER)
    ProtectionLead.objects.create(org_unit=unit(OTHER), user=lead_elsewhere)
    case = make_case(assigned)
    assert not selectors.cases_for(supervisor).filter(pk=case.pk).exists()
    assert not selectors.cases_for(lead_elsewhere).filter(pk=case.pk).exists()


def test_a_supervisor_assigned_to_another_commune_cannot_see_the_case_even_when_supervising() -> None:
    """Scoping still goes through the org-unit layer first: the case-assignment rule only narrows it."""
    assigned = worker()
    supervisor = supervisor_of(assigned, code=OTHER)
    case = make_case(assigned)
    assert not selectors.cases_for(supervisor).filter(pk=case.pk).exists()


def test_opening_a_case_is_audited() -> None:
    assigned = worker()
    case = make_case(assigned)
    selectors.open_case(assigned, case_id=case.pk)
    event = AuditEvent.objects.for_object(case).get(verb=AuditEvent.Verb.VIEW)
    assert event.actor_id == assigned.pk and event.org_unit_path == case.org_unit.path


def test_counts_are_scoped_by_commune_and_carry_no_identity() -> None:
    make_case(harm_kind=HarmKind.SEXUAL_ABUSE)
    make_case(harm_kind=HarmKind.PHYSICAL_VIOLENCE)
    make_case(code=OTHER, harm_kind=HarmKind.TRAFFICKING)
    leader = user_with_role(Role.LEADER, "12")
    officer = user_with_role(Role.COMMUNE_OFFICER, OWN)
    assert selectors.case_counts(leader).total == 3
    counts = selectors.case_counts(officer)
    assert counts.total == 2 and counts.open == 2
    assert dict(counts.by_harm)[HarmKind.SEXUAL_ABUSE.label] == 1
    assert dict(counts.by_harm)[HarmKind.TRAFFICKING.label] == 0
    assert selectors.case_counts(user_with_role(Role.AGENCY_REPORTER, "12", agency_code="SGDDT")).total == 0


def test_case_kpis_give_the_median_days_to_an_approved_plan_and_the_share_of_steps_on_time() -> None:
    actor = worker()
    today = timezone.localdate()
    for days_ago in (10, 4):
        case = make_case(actor, reported_at=timezone.now() - timedelta(days=days_ago))
        advance_to_plan(case, actor)
        plan = services.save_plan(actor=actor, case=case, goals="x", starts_on=today, review_on=today)
        services.add_service(actor=actor, plan=plan, kind="health", description="Khám", provider_name="Trạm",
                             planned_on=today)
        services.approve_plan(actor=actor, plan=plan, approved_on=today, approver_name="Chủ tịch")
    kpis = selectors.case_kpis(user_with_role(Role.LEADER, "12"), year=today.year)
    if (today - timedelta(days=10)).year == today.year:
        assert kpis.cases == 2 and kpis.plans_approved == 2
        assert kpis.median_days_to_plan == 7.0
        assert kpis.steps_done == 8
        assert kpis.share_on_time is not None and 0 < kpis.share_on_time < 1


def test_the_worker_queue_lists_open_steps_earliest_deadline_first() -> None:
    actor = worker()
    late = make_case(actor, reported_at=timezone.now() - timedelta(days=10))
    fresh = make_case(actor)
    make_case(worker())  # somebody else's
    steps = list(selectors.steps_due_for(actor))
    assert [step.case_id for step in steps] == [late.pk, fresh.pk]
    assert steps[0].is_overdue() and not steps[1].is_overdue()


def test_the_supervisors_caseload_shows_each_worker_with_overdue_steps() -> None:
    first, second = worker(), worker()
    supervisor = supervisor_of(first, second)
    make_case(first, reported_at=timezone.now() - timedelta(days=10))
    make_case(second)
    loads = selectors.team_caseload(supervisor)
    assert [(load.worker_id, load.open_cases, load.overdue_steps) for load in loads] == [
        (first.pk, 1, 1), (second.pk, 1, 0)]
    assert selectors.team_caseload(first) == []


def test_the_caseload_reads_the_same_number_of_rows_whatever_the_size_of_the_team() -> None:
    small = [worker() for _ in range(2)]
    large = [worker() for _ in range(6)]
    for team in (small, large):
        for member in team:
            make_case(member)
    counts = []
    for team in (small, large):
        supervisor = supervisor_of(*team)
        with CaptureQueriesContext(connection) as queries:
            assert len(selectors.team_caseload(supervisor)) == len(team)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_incidents_are_scoped_by_commune() -> None:
    incident(OWN)
    incident(OTHER)
    officer = user_with_role(Role.COMMUNE_OFFICER, OWN)
    assert [row.org_unit.code for row in selectors.incidents_for(officer)] == [OWN]
    assert selectors.incidents_for(user_with_role(Role.LEADER, "12")).count() == 0
    assert selectors.injury_counts(user_with_role(Role.LEADER, "12"), year=2026).total == 2


def test_the_monthly_table_counts_by_commune_and_month() -> None:
    incident(OWN, occurred_on=date(2026, 6, 1))
    incident(OWN, occurred_on=date(2026, 6, 30), kind=IncidentKind.TRAFFIC, outcome=IncidentOutcome.INJURY)
    incident(OTHER, occurred_on=date(2026, 7, 2))
    incident(OTHER, occurred_on=date(2025, 7, 2))
    table = selectors.incident_table(user_with_role(Role.COORDINATOR, "12"), year=2026)
    own_name, other_name = unit(OWN).name, unit(OTHER).name
    assert table.cells[own_name][5] == 2 and table.cells[other_name][6] == 1
    assert table.total == 3 and table.deaths == 2
    assert table.month_totals[5] == 2
    only_drowning = selectors.incident_table(user_with_role(Role.COORDINATOR, "12"), year=2026, kinds=["drowning"])
    assert only_drowning.total == 2


def test_drowning_deaths_by_month_and_age_group() -> None:
    incident(occurred_on=date(2026, 6, 1), child_age_years=3)
    incident(occurred_on=date(2026, 6, 20), child_age_years=12)
    incident(occurred_on=date(2026, 7, 20), child_age_years=4)
    incident(occurred_on=date(2026, 7, 21), child_age_years=4, outcome=IncidentOutcome.INJURY)
    incident(occurred_on=date(2026, 7, 22), child_age_years=4, kind=IncidentKind.TRAFFIC)
    deaths = selectors.drowning_deaths(user_with_role(Role.LEADER, "12"), year=2026)
    assert deaths.total == 3
    assert deaths.by_month[5] == 2 and deaths.by_month[6] == 1
    assert dict(deaths.by_age_group) == {"0–4 tuổi": 2, "5–9 tuổi": 0, "10–14 tuổi": 1, "15–17 tuổi": 0}
    assert deaths.by_month_and_age["0–4 tuổi"][6] == 1


def test_injury_counts_by_kind_with_deaths_and_abuse_reports() -> None:
    incident(occurred_on=date(2026, 5, 1))
    incident(occurred_on=date(2026, 5, 2), kind=IncidentKind.ABUSE, harm_kind=HarmKind.SEXUAL_ABUSE,
             outcome=IncidentOutcome.NONE)
    counts = selectors.injury_counts(user_with_role(Role.LEADER, "12"), year=2026)
    by_kind = {kind: (n, deaths) for kind, _, n, deaths in counts.by_kind}
    assert by_kind[IncidentKind.DROWNING] == (1, 1)
    assert counts.total == 1 and counts.deaths == 1 and counts.abuse_reports == 1
    assert selectors.injury_counts(user_with_role(Role.LEADER, "12"), year=2026, on=date(2026, 4, 30)).total == 0


def test_the_timeline_lists_steps_and_edits_in_order() -> None:
    actor = worker()
    case = make_case(actor, reported_at=aware(2026, 3, 2, 9))
    services.complete_step(actor=actor, step=open_step(case), outcome=Outcome.CONFIRMED, data={})
    services.update_case(actor=actor, case=case, expected_version=case.version, changes={"guardian_name": "Mẹ"})
    kinds = [item["kind"] for item in selectors.timeline_of(case)]
    assert kinds[:3] == ["step", "step", "step"] and kinds[-1] == "edit"
