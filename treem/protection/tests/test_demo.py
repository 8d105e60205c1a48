"""The demo seeder: a handful of cases at different steps and a year of incidents, marked and idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from treem.accounts.demo import ensure_demo_accounts
from treem.protection.demo import seed_demo_protection
from treem.protection.models import Case, CaseStep, Incident, Supervision

pytestmark = pytest.mark.django_db


def test_the_demo_has_cases_at_different_steps_and_a_year_of_incidents_and_is_idempotent() -> None:
    ensure_demo_accounts(today=timezone.localdate())
    messages: list[str] = []
    seed_demo_protection(size="small", stdout=messages.append)
    cases = Case.objects.all()
    assert cases.count() == 8 and not cases.filter(is_demo=False).exists()
    open_kinds = set(CaseStep.objects.filter(status=CaseStep.Status.OPEN).values_list("kind", flat=True))
    assert {"verify", "assess", "plan", "services", "review"} <= open_kinds
    assert cases.filter(status=Case.Status.CLOSED).count() == 2
    assert Supervision.objects.filter(supervisor__username="demo_supervisor",
                                      worker__username="demo_caseworker").exists()
    incidents = Incident.objects.all()
    assert incidents.count() == 150 and not incidents.filter(is_demo=False).exists()
    dates = incidents.values_list("occurred_on", flat=True)
    assert (max(dates) - min(dates)).days > 300
    seed_demo_protection(size="small", stdout=messages.append)
    assert Case.objects.count() == 8 and Incident.objects.count() == 150


def test_demo_cases_link_to_the_registrys_demo_children_when_they_are_there() -> None:
    from treem.registry.tests.factories import child_in

    ensure_demo_accounts(today=timezone.localdate())
    today = timezone.localdate()
    for years in (9, 12):
        child_in("03390", is_demo=True, birth_date=today.replace(year=today.year - years, day=1))
    seed_demo_protection(size="small", stdout=lambda message: None)
    linked = Case.objects.filter(child__isnull=False)
    assert linked.count() == 2
    assert all(case.child_full_name == case.child.full_name for case in linked)  # type: ignore[union-attr]
