"""API of plans: the plans, a plan's 14 indicators with the plan's targets and comparisons, data elements."""

from __future__ import annotations

import pytest
from django.test import Client

from treem.accounts.tests.factories import UserFactory, user_with_role
from treem.core.roles import Role
from treem.plans.models import Plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role,code", [(Role.LEADER, "12"), (Role.COMMUNE_OFFICER, "03390")])
def test_a_plans_indicators_come_with_the_plans_targets_and_comparisons(
    client: Client, lai_chau_plan: Plan, role: str, code: str,
) -> None:
    client.force_login(user_with_role(role, code))
    plans = client.get("/api/v1/plans").json()
    assert [(plan["code"], plan["id"]) for plan in plans] == [("LAICHAU-2024-CT28", lai_chau_plan.pk)]
    assert (plans[0]["reporting_last_day_month"], plans[0]["reporting_last_day"]) == (11, 30)
    indicators = client.get(f"/api/v1/plans/{lai_chau_plan.pk}/indicators").json()
    assert [indicator["code"] for indicator in indicators] == [f"I{n:02d}" for n in range(1, 15)]
    by_code = {indicator["code"]: indicator for indicator in indicators}
    assert [(t["year"], t["comparison"], t["value"], t["wording"]) for t in by_code["I05"]["targets"]] == [
        (2025, "lt", 15.0, "xuống dưới 15%"), (2030, "lt", 12.0, "xuống dưới 12%")]
    assert [(t["year"], t["comparison"]) for t in by_code["I07"]["targets"]] == [(2025, "gt"), (2030, "gte")]
    assert [(t["year"], t["comparison"], t["value"]) for t in by_code["I14"]["targets"]] == [(2030, "eq", 100.0)]
    assert [t["value"] for t in by_code["I07"]["targets"]] == [99.1, 99.9]
    assert by_code["I05"]["direction"] == "lower_is_better"
    assert by_code["I05"]["numerator"] == {"code": "DE_U5_UNDERWEIGHT", "name": by_code["I05"]["numerator"]["name"],
                                           "source": "derived"}
    assert [r["agency"] for r in by_code["I01"]["responsible"]] == ["SLDTBXH", "SYT"]


def test_data_elements_say_whether_they_are_entered_or_derived(client: Client, lai_chau_plan: Plan) -> None:
    client.force_login(user_with_role(Role.AGENCY_REPORTER, "12", agency_code="SGDDT"))
    elements = {element["code"]: element for element in client.get("/api/v1/data-elements").json()}
    assert len(elements) == 27
    assert elements["DE_SCHOOL_TOTAL"]["source"] == "entered"
    assert elements["DE_SCHOOL_TOTAL"]["entered_by"] == "SGDDT"
    assert elements["DE_COMMUNE_TOTAL"]["source"] == "derived"
    assert elements["DE_COMMUNE_TOTAL"]["derived_from"] == "hierarchy.count_communes"
    assert elements["DE_COMMUNE_TOTAL"]["entered_by"] is None
    assert elements["DE_CHILD_TOTAL"]["entered_by"] == "locality"
    assert elements["DE_CHILD_TOTAL"]["disaggregations"] == ["sex", "ethnicity"]
    assert elements["DE_SCHOOL_TOTAL"]["unit"] == "trường"


def test_without_an_assignment_the_plan_api_answers_403_and_an_unknown_plan_404(
    client: Client, lai_chau_plan: Plan,
) -> None:
    client.force_login(UserFactory())
    for url in ("/api/v1/plans", f"/api/v1/plans/{lai_chau_plan.pk}/indicators", "/api/v1/data-elements"):
        assert client.get(url).status_code == 403, url
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert client.get(f"/api/v1/plans/{lai_chau_plan.pk + 1000}/indicators").status_code == 404


def test_a_plans_tasks_and_assignments_are_read_in_the_plans_order(client: Client, lai_chau_plan: Plan) -> None:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    groups = client.get(f"/api/v1/plans/{lai_chau_plan.pk}/tasks")
    assert groups.status_code == 200 and int(groups["X-Total-Count"]) == len(groups.json()) >= 6
    assert all(group["tasks"] for group in groups.json())
    duties = client.get(f"/api/v1/plans/{lai_chau_plan.pk}/assignments?on=2026-01-01&limit=500")
    assert duties.status_code == 200 and int(duties["X-Total-Count"]) == len(duties.json())
    kinds = {duty["assignee_kind"] for duty in duties.json()}
    assert "agency" in kinds and {duty["role"] for duty in duties.json()} <= {"lead", "cooperate"}
    assert all((duty["agency_code"] is None) == (duty["assignee_kind"] != "agency") for duty in duties.json())
    assert client.get(f"/api/v1/plans/{lai_chau_plan.pk}/assignments?limit=501").status_code == 422
    client.force_login(UserFactory())
    assert client.get(f"/api/v1/plans/{lai_chau_plan.pk}/tasks").status_code == 403
