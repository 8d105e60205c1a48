"""Indicator I13: detected abused children, and of them those supported under an approved plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from treem.accounts.tests.factories import unit
from treem.core.models import EthnicGroup
from treem.indicators.sources import derived_function
from treem.protection import services
from treem.protection.indicators import count_children_abused_detected, count_children_abused_supported
from treem.protection.tests.factories import OTHER, OWN, advance_to_plan, aware, make_case, open_step, worker
from treem.protection.workflow import Outcome

pytestmark = pytest.mark.django_db


def _support(case: object, actor: object, *, deliver: bool = True) -> None:
    advance_to_plan(case, actor)  # type: ignore[arg-type]
    today = timezone.localdate()
    plan = services.save_plan(actor=actor, case=case, goals="x", starts_on=today,  # type: ignore[arg-type]
                              review_on=today + timedelta(days=10))
    service = services.add_service(actor=actor, plan=plan, kind="health", description="Khám",  # type: ignore[arg-type]
                                   provider_name="Trạm", planned_on=today)
    services.approve_plan(actor=actor, plan=plan, approved_on=today, approver_name="Chủ tịch")  # type: ignore[arg-type]
    if deliver:
        services.record_service_delivery(actor=actor, service=service, delivered_on=today)  # type: ignore[arg-type]


def test_the_functions_are_registered_under_the_plan_files_names() -> None:
    assert derived_function("protection.count_children_abused_detected") is count_children_abused_detected
    assert derived_function("protection.count_children_abused_supported") is count_children_abused_supported


def test_detected_children_exclude_unfounded_reports_and_supported_ones_need_a_delivered_service() -> None:
    actor = worker()
    other_actor = worker(OTHER)
    thai = EthnicGroup.objects.get(code="03")
    year = timezone.localdate().year
    supported = make_case(actor, child_sex="F", child_ethnic_group=thai)
    _support(supported, actor)
    planned_only = make_case(actor, child_sex="M")
    _support(planned_only, actor, deliver=False)
    make_case(other_actor, code=OTHER, child_sex="M")
    unfounded = make_case(actor)
    services.complete_step(actor=actor, step=open_step(unfounded), outcome=Outcome.UNFOUNDED, data={})
    make_case(actor, reported_at=aware(year - 1, 6, 1))
    detected = count_children_abused_detected(year=year)
    assert sum(cell.value for cell in detected) == 3
    by_unit = {}
    for cell in detected:
        by_unit[cell.org_unit_id] = by_unit.get(cell.org_unit_id, 0) + cell.value
    assert by_unit == {unit(OWN).pk: 2, unit(OTHER).pk: 1}
    numerator = count_children_abused_supported(year=year)
    assert [(cell.org_unit_id, cell.value, cell.sex, cell.ethnic_group_code) for cell in numerator] == [
        (unit(OWN).pk, 1, "F", "03")]
    assert count_children_abused_detected(year=year - 1)[0].value == 1


def test_a_registry_child_with_two_cases_in_a_year_counts_once() -> None:
    from treem.registry.tests.factories import child_in

    actor = worker()
    child = child_in(OWN, full_name="Giàng Thị Sinh", sex="F")
    make_case(actor, child=child)
    second = make_case(actor, child=child)
    _support(second, actor)
    year = timezone.localdate().year
    assert sum(cell.value for cell in count_children_abused_detected(year=year)) == 1
    assert sum(cell.value for cell in count_children_abused_supported(year=year)) == 1
