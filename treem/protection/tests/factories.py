"""Factories for protection tests: cases reported through the real service, and incidents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from treem.accounts.models import User
from treem.accounts.tests.factories import unit, user_with_role
from treem.core.calendar import WorkingCalendar
from treem.core.roles import Role
from treem.protection import services
from treem.protection.models import Case, CaseStep, HarmKind, Incident, IncidentKind, IncidentOutcome, Supervision
from treem.protection.workflow import Outcome, StepKind

CHILD_NAME = "Giàng Thị Sinh"
OWN, OTHER = "03390", "03408"


def aware(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def worker(code: str = OWN, **fields: Any) -> User:
    return user_with_role(Role.CASE_WORKER, code, **fields)


def supervisor_of(*workers: User, code: str = "12") -> User:
    supervisor = user_with_role(Role.CASE_SUPERVISOR, code)
    for each in workers:
        Supervision.objects.create(supervisor=supervisor, worker=each)
    return supervisor


def make_case(
    actor: User | None = None, *, code: str = OWN, reported_at: datetime | None = None, on: date | None = None,
    **fields: Any,
) -> Case:
    """A case reported by ``actor`` (a new case worker of ``code`` when None) in commune ``code``."""
    actor = actor or worker(code)
    values: dict[str, Any] = {
        "reported_via": "school", "child_full_name": CHILD_NAME, "child_sex": "F", "child_age_years": 10,
        "harm_kind": HarmKind.PHYSICAL_VIOLENCE, "summary": "Trẻ bị đánh, có vết bầm tím.",
    }
    values.update(fields)
    return services.report_case(actor=actor, org_unit=unit(code, on=on), reported_at=reported_at or timezone.now(),
                                calendar=WorkingCalendar(), **values)


def open_step(case: Case) -> CaseStep:
    return case.steps.get(status=CaseStep.Status.OPEN)


def advance_to_plan(case: Case, actor: User, *, at: datetime | None = None) -> CaseStep:
    """Verify and assess: the case's plan step is open."""
    services.complete_step(actor=actor, step=open_step(case), outcome=Outcome.CONFIRMED, completed_at=at,
                           data={"findings": "Đã xác minh.", "risk_level": "medium"}, calendar=WorkingCalendar())
    services.complete_step(actor=actor, step=open_step(case), completed_at=at, calendar=WorkingCalendar(),
                           data={"needs": ["psychological"], "risk_level": "medium"})
    step = open_step(case)
    assert step.kind == StepKind.PLAN
    return step


def incident(code: str = OWN, **fields: Any) -> Incident:
    values: dict[str, Any] = {
        "occurred_on": date(2026, 6, 15), "kind": IncidentKind.DROWNING, "child_age_years": 6, "child_sex": "M",
        "outcome": IncidentOutcome.DEATH,
    }
    values.update(fields)
    return services.record_incident(actor=None, org_unit=unit(code), **values)
