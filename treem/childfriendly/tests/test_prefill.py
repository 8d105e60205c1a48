"""Pre-filled figures, recomputed by hand from the records each test makes, and the link to their source."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from treem.accounts.tests.factories import unit
from treem.childfriendly.models import Score
from treem.childfriendly.prefill import prefill
from treem.childfriendly.services import start_assessment
from treem.core.calendar import WorkingCalendar
from treem.protection import services as protection
from treem.protection.models import HarmKind, IncidentKind, IncidentOutcome
from treem.protection.tests.factories import advance_to_plan, incident, make_case, worker

pytestmark = pytest.mark.django_db

OWN, OTHER = "03390", "03408"


def test_underweight_and_stunting_come_from_the_years_measurements() -> None:
    from treem.nutrition.tests.factories import child_in, measurement_with

    scores = [(-2.5, -3.2), (-1.0, -1.0), (0.2, 0.0), (-2.1, 0.5)]  # (WAZ, HAZ) of four children under five
    for waz, haz in scores:
        child = child_in(OWN, birth_date=date(2024, 1, 10))
        measurement_with(child, measured_on=date(2026, 5, 10), waz=waz, haz=haz, whz=0.0)
    other = child_in(OTHER, birth_date=date(2024, 1, 10))
    measurement_with(other, measured_on=date(2026, 5, 10), waz=-3.0, haz=-3.0, whz=0.0)
    underweight = prefill("nutrition.underweight", unit(OWN), 2026)
    stunting = prefill("nutrition.stunting", unit(OWN), 2026)
    assert underweight is not None and stunting is not None
    # WAZ < -2: 2 of 4 = 50 %; HAZ < -2: 1 of 4 = 25 %
    assert (underweight.numerator, underweight.denominator, underweight.value) == (2, 4, Decimal("50.00"))
    assert (stunting.numerator, stunting.denominator, stunting.value) == (1, 4, Decimal("25.00"))
    assert underweight.link == f"/chi-tieu/I05/?unit={unit(OWN).uid}&year=2026"


def test_birth_registration_is_the_share_of_children_under_five_registered() -> None:
    from treem.registry.tests.factories import child_in

    child_in(OWN, birth_date=date(2023, 2, 1), is_birth_registered=True)
    child_in(OWN, birth_date=date(2024, 7, 1), is_birth_registered=True)
    child_in(OWN, birth_date=date(2025, 3, 1), is_birth_registered=False)
    child_in(OWN, birth_date=date(2015, 3, 1), is_birth_registered=False)  # ten years old: not counted
    found = prefill("registry.birth_registration", unit(OWN), 2026)
    assert found is not None
    # 2 of the 3 children under five on 31/12/2026: 66,67 %
    assert (found.numerator, found.denominator, found.value) == (2, 3, Decimal("66.67"))


def test_injuries_count_the_children_hurt_or_killed_in_the_register_that_year() -> None:
    incident(OWN, occurred_on=date(2026, 6, 15), kind=IncidentKind.DROWNING, outcome=IncidentOutcome.DEATH)
    incident(OWN, occurred_on=date(2026, 7, 2), kind=IncidentKind.TRAFFIC, outcome=IncidentOutcome.INJURY)
    incident(OWN, occurred_on=date(2026, 8, 9), kind=IncidentKind.FALL, outcome=IncidentOutcome.INJURY)
    incident(OWN, occurred_on=date(2026, 8, 10), kind=IncidentKind.FALL, outcome=IncidentOutcome.NONE)
    incident(OWN, occurred_on=date(2025, 12, 31), kind=IncidentKind.DROWNING, outcome=IncidentOutcome.DEATH)
    incident(OTHER, occurred_on=date(2026, 6, 15), kind=IncidentKind.DROWNING, outcome=IncidentOutcome.DEATH)
    found = prefill("protection.injuries", unit(OWN), 2026)
    assert found is not None and found.value == 3
    assessment = start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    score = Score.objects.get(assessment=assessment, sub_item__code="5.1")
    assert (score.value, score.prefilled_value, score.points) == (3, 3, 0)
    assert score.prefill_link == "/bao-ve/tai-nan-thuong-tich/?year=2026"


def test_plans_in_time_are_the_share_of_abuse_abandonment_and_trafficking_cases_planned_by_their_deadline() -> None:
    actor = worker(OWN)
    year = timezone.localdate().year
    planned = make_case(actor, harm_kind=HarmKind.SEXUAL_ABUSE)
    advance_to_plan(planned, actor)
    today = timezone.localdate()
    plan = protection.save_plan(actor=actor, case=planned, goals="Trẻ an toàn.", starts_on=today,
                                review_on=today + timedelta(days=30))
    protection.add_service(actor=actor, plan=plan, kind="psychological", description="Tư vấn tâm lý",
                           provider_name="Trạm Y tế xã", planned_on=today)
    protection.approve_plan(actor=actor, plan=plan, approved_on=today, approver_name="Lò Văn Thắng",
                            decision_number="05/QĐ-UBND", calendar=WorkingCalendar())
    make_case(actor, harm_kind=HarmKind.TRAFFICKING)  # no plan yet
    make_case(actor, harm_kind=HarmKind.PHYSICAL_VIOLENCE)  # not a harm this sub-item counts
    found = prefill("protection.plans_on_time", unit(OWN), year)
    assert found is not None
    assert (found.numerator, found.denominator, found.value) == (1, 2, Decimal("50.00"))


def test_a_commune_without_records_gets_no_share_but_a_count_of_zero() -> None:
    assert prefill("protection.plans_on_time", unit(OWN), 2026).value is None  # type: ignore[union-attr]
    assert prefill("nutrition.underweight", unit(OWN), 2026).value is None  # type: ignore[union-attr]
    assert prefill("protection.injuries", unit(OWN), 2026).value == 0  # type: ignore[union-attr]
    assert prefill("unknown.source", unit(OWN), 2026) is None
