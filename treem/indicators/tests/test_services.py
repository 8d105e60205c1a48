"""enter_data_values: validated all at once, audited value by value, never losing a value's history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.indicators.engine import Engine
from treem.indicators.models import DataValue
from treem.indicators.services import ValueInput, can_enter_value, enter_data_values
from treem.plans.models import DataElement, Plan
from treem.plans.selectors import indicators_of
from treem.plans.services import load_plan
from treem.plans.tests.factories import edited_plan_file

pytestmark = pytest.mark.django_db

OLD_DAY = date(2024, 12, 31)


def test_values_are_created_then_updated_with_an_audit_event_each(lai_chau_plan: Plan) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    commune = unit("03390")
    result = enter_data_values(actor=officer, org_unit=commune, year=2025, values=[
        ValueInput("DE_COMMUNE_CHILD_FRIENDLY", 1),
        ValueInput("DE_CHILD_PARTICIPATION_AWARE", "120", sex="F", ethnic_group="03"),
        ValueInput("DE_CHILD_PARTICIPATION_AWARE", Decimal(1300)),
    ])
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    row = DataValue.objects.get(data_element__code="DE_CHILD_PARTICIPATION_AWARE", sex="F")
    assert (row.ethnic_group.code, row.value, row.entered_by) == ("03", 120, officer)  # type: ignore[union-attr]
    result = enter_data_values(actor=officer, org_unit=commune, year=2025, values=[
        ValueInput("DE_COMMUNE_CHILD_FRIENDLY", 1),
        ValueInput("DE_CHILD_PARTICIPATION_AWARE", 125, sex="F", ethnic_group="03"),
    ])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    events = AuditEvent.objects.for_object(row).order_by("id")
    assert [event.verb for event in events] == ["create", "update"]
    assert (events[1].before["value"], events[1].after["value"]) == ("120.0000", "125")  # type: ignore[index]
    assert events[1].org_unit_path == commune.path


def test_clearing_a_value_keeps_the_row_and_its_history(lai_chau_plan: Plan) -> None:
    commune = unit("03390")
    enter_data_values(actor=None, org_unit=commune, year=2025, values=[ValueInput("DE_SCHOOL_TOTAL", 4)])
    enter_data_values(actor=None, org_unit=commune, year=2025, values=[ValueInput("DE_SCHOOL_TOTAL", None)])
    row = DataValue.objects.get()
    assert row.value is None
    assert AuditEvent.objects.for_object(row).count() == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (ValueInput("DE_COMMUNE_TOTAL", 1), "tính từ hồ sơ"),
        (ValueInput("DE_SCHOOL_TOTAL", 2, sex="M"), "không phân tổ theo giới tính"),
        (ValueInput("DE_SCHOOL_TOTAL", 2, ethnic_group="03"), "không phân tổ theo dân tộc"),
        (ValueInput("DE_SCHOOL_TOTAL", -1), "không được âm"),
        (ValueInput("DE_SCHOOL_TOTAL", "2,5"), "số nguyên"),
        (ValueInput("DE_SCHOOL_TOTAL", "hai"), "không phải là số"),
        (ValueInput("DE_NOTHING", 1), "Không có phần tử dữ liệu"),
        (ValueInput("DE_CHILD_TOTAL", 1, sex="X"), "giới tính"),
        (ValueInput("DE_CHILD_TOTAL", 1, ethnic_group="99"), "không có dân tộc"),
    ],
)
def test_a_refused_value_names_the_element_and_nothing_is_written(
    lai_chau_plan: Plan, value: ValueInput, message: str,
) -> None:
    with pytest.raises(ValidationError) as error:
        enter_data_values(actor=None, org_unit=unit("03390"), year=2025,
                          values=[ValueInput("DE_SCHOOL_PSYCH_SUPPORT", 1), value])
    assert any(message in text for text in error.value.messages)
    assert not DataValue.objects.exists()


def test_a_unit_must_be_in_force_during_the_year_and_at_the_collection_level(lai_chau_plan: Plan) -> None:
    with pytest.raises(ValidationError, match="không có hiệu lực"):
        enter_data_values(actor=None, org_unit=unit("03386", on=OLD_DAY), year=2026,
                          values=[ValueInput("DE_SCHOOL_TOTAL", 1)])
    enter_data_values(actor=None, org_unit=unit("03386", on=OLD_DAY), year=2025,  # valid until 30/06/2025
                      values=[ValueInput("DE_SCHOOL_TOTAL", 1)])
    with pytest.raises(ValidationError, match="cấp xã, không phải tỉnh"):
        enter_data_values(actor=None, org_unit=unit("12"), year=2025, values=[ValueInput("DE_SCHOOL_TOTAL", 1)])


def test_a_cell_given_twice_is_refused(lai_chau_plan: Plan) -> None:
    with pytest.raises(ValidationError, match="hai lần"):
        enter_data_values(actor=None, org_unit=unit("03390"), year=2025,
                          values=[ValueInput("DE_SCHOOL_TOTAL", 1), ValueInput("DE_SCHOOL_TOTAL", 2)])


def test_reloading_an_edited_plan_keeps_every_value_entered_against_it(lai_chau_plan: Plan, tmp_path: Path) -> None:
    enter_data_values(actor=None, org_unit=unit("03390"), year=2025, values=[
        ValueInput("DE_SCHOOL_PSYCH_SUPPORT", 3), ValueInput("DE_SCHOOL_TOTAL", 4)])
    path = edited_plan_file(
        tmp_path,
        ("    name: Số trường có dịch vụ hỗ trợ tâm lý trẻ em\n",
         "    name: Số trường phổ thông có dịch vụ hỗ trợ tâm lý trẻ em\n"),
        ('{year: 2025, comparison: eq, value: 100.0, wording: "100%", section: II.2.1(2)}  # all schools',
         '{year: 2025, comparison: gte, value: 95.0, wording: "100%", section: II.2.1(2)}  # all schools'),
    )
    load_plan(actor=None, path=path)
    assert DataValue.objects.filter(year=2025).count() == 2
    engine = Engine()
    indicator = indicators_of(lai_chau_plan).get(code="I04")
    figure = engine.figures(indicator, years=[2025])[(unit("03390").pk, 2025)]
    assert figure.value == 75
    assert indicator.numerator.name == "Số trường phổ thông có dịch vụ hỗ trợ tâm lý trẻ em"


def test_who_may_enter_what(lai_chau_plan: Plan) -> None:
    commune, neighbour = unit("03390"), unit("03408")
    locality = DataElement.objects.get(code="DE_COMMUNE_CHILD_FRIENDLY")
    schools = DataElement.objects.get(code="DE_SCHOOL_TOTAL")
    derived_only = DataElement.objects.get(code="DE_COMMUNE_TOTAL")
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    education = user_with_role(Role.AGENCY_REPORTER, "12", agency_code="SGDDT")
    health = user_with_role(Role.AGENCY_REPORTER, "12", agency_code="SYT")
    coordinator = user_with_role(Role.COORDINATOR, "12")
    leader = user_with_role(Role.LEADER, "12")
    assert can_enter_value(officer, data_element=locality, org_unit=commune)
    assert not can_enter_value(officer, data_element=locality, org_unit=neighbour)
    assert not can_enter_value(officer, data_element=schools, org_unit=commune)
    assert can_enter_value(education, data_element=schools, org_unit=commune)
    assert not can_enter_value(health, data_element=schools, org_unit=commune)
    assert can_enter_value(coordinator, data_element=schools, org_unit=neighbour)
    assert not can_enter_value(coordinator, data_element=derived_only, org_unit=neighbour)
    assert not can_enter_value(leader, data_element=locality, org_unit=commune)
