"""The Decree 56 workflow as data: every transition leads to a known step; deadlines follow the calendar."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from treem.core.calendar import WorkingCalendar, end_of_day
from treem.protection.workflow import (
    STEP_RULES,
    TRANSITIONS,
    Outcome,
    StepKind,
    TransitionNotAllowed,
    due_at,
    next_step,
    outcomes_of,
)


def aware(*parts: int) -> datetime:
    return timezone.make_aware(datetime(*parts))


def test_every_step_has_a_rule_and_every_transition_leads_to_a_known_step() -> None:
    assert set(STEP_RULES) == set(StepKind.values)
    for (step, outcome), following in TRANSITIONS.items():
        assert step in StepKind.values and outcome in Outcome.values
        assert following is None or following in StepKind.values
    assert [rule.form_number for rule in STEP_RULES.values() if rule.form_number] == ["01", "02", "03", "04", "05",
                                                                                      "06"]


def test_a_confirmed_verification_leads_to_assessment_and_an_unfounded_one_to_closure() -> None:
    assert next_step(StepKind.VERIFY, Outcome.CONFIRMED) == StepKind.ASSESS
    assert next_step(StepKind.VERIFY, Outcome.UNFOUNDED) == StepKind.CLOSE


def test_a_review_either_closes_or_starts_a_new_plan() -> None:
    assert set(outcomes_of(StepKind.REVIEW)) == {Outcome.CLOSE, Outcome.NEW_PLAN}
    assert next_step(StepKind.REVIEW, Outcome.NEW_PLAN) == StepKind.PLAN
    assert next_step(StepKind.CLOSE, Outcome.DONE) is None


def test_an_outcome_a_step_cannot_have_is_refused() -> None:
    with pytest.raises(TransitionNotAllowed):
        next_step(StepKind.ASSESS, Outcome.CLOSE)


def test_the_plan_is_due_five_working_days_after_a_report_at_tet() -> None:
    """Reported on 17/02/2026 (Tết): Tết runs to Friday 20, then a weekend; the fifth working day is Friday 27."""
    reported_at = aware(2026, 2, 17, 10, 0)
    due = due_at(StepKind.PLAN, reported_at=reported_at, opened_at=aware(2026, 2, 23, 9), calendar=WorkingCalendar())
    assert due == end_of_day(date(2026, 2, 27))


def test_the_plan_deadline_skips_a_weekend() -> None:
    reported_at = aware(2026, 3, 4, 16, 0)  # Wednesday
    due = due_at(StepKind.PLAN, reported_at=reported_at, opened_at=reported_at, calendar=WorkingCalendar())
    assert timezone.localtime(due).date() == date(2026, 3, 11)


def test_verification_of_a_child_in_danger_is_due_twelve_clock_hours_after_the_report_even_at_a_weekend() -> None:
    reported_at = aware(2026, 3, 7, 20, 0)  # Saturday evening
    due = due_at(StepKind.VERIFY, reported_at=reported_at, opened_at=reported_at, calendar=WorkingCalendar(),
                 is_in_danger=True)
    assert timezone.localtime(due) == aware(2026, 3, 8, 8, 0)


def test_verification_without_danger_is_due_in_working_days() -> None:
    reported_at = aware(2026, 3, 6, 10, 0)  # Friday
    due = due_at(StepKind.VERIFY, reported_at=reported_at, opened_at=reported_at, calendar=WorkingCalendar())
    assert timezone.localtime(due).date() == date(2026, 3, 10)


def test_a_new_plan_after_a_review_is_due_five_working_days_after_the_review() -> None:
    reviewed_at = aware(2026, 3, 9, 10, 0)
    due = due_at(StepKind.PLAN, reported_at=aware(2026, 1, 5, 9), opened_at=reviewed_at, calendar=WorkingCalendar(),
                 is_new_plan=True)
    assert timezone.localtime(due).date() == date(2026, 3, 16)


def test_the_services_step_is_due_on_the_plans_review_day() -> None:
    due = due_at(StepKind.SERVICES, reported_at=aware(2026, 3, 2), opened_at=aware(2026, 3, 5),
                 calendar=WorkingCalendar(), plan_review_on=date(2026, 4, 5))
    assert due == end_of_day(date(2026, 4, 5))
    with pytest.raises(ValueError):
        due_at(StepKind.SERVICES, reported_at=aware(2026, 3, 2), opened_at=aware(2026, 3, 5),
               calendar=WorkingCalendar())
