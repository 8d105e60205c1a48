"""Derived data elements: children counted per commune × sex × ethnic group, at their age on 31 December."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from treem.accounts.tests.factories import unit
from treem.indicators.sources import DerivedCell, demo_check, derived_function
from treem.registry import services
from treem.registry.models import ChildStatus, SchoolLevel
from treem.registry.tests.factories import child_in, ethnic

pytestmark = pytest.mark.django_db

PLAN = Path(__file__).resolve().parents[3] / "reference_data" / "plans" / "lai-chau-2024.yaml"


def count(name: str, year: int) -> list[DerivedCell]:
    function = derived_function(name)
    assert function is not None, name
    return sorted(function(year=year), key=lambda cell: (cell.org_unit_id, cell.sex, cell.ethnic_group_code))


def total(name: str, year: int) -> int:
    return sum(cell.value for cell in count(name, year))


def test_every_registry_element_of_the_plan_is_registered() -> None:
    with PLAN.open(encoding="utf-8") as handle:
        plan = yaml.safe_load(handle)
    names = {element["derived_from"] for element in plan["data_elements"]
             if str(element.get("derived_from", "")).startswith("registry.")}
    assert names >= {"registry.count_children", "registry.count_children_aged_5",
                     "registry.count_children_aged_11_to_15", "registry.count_children_under_5",
                     "registry.count_children_under_5_birth_registered"}
    assert all(derived_function(name) is not None for name in names)
    assert all(demo_check(name) is not None for name in names)


def test_figures_are_marked_demo_when_the_registry_holds_demo_children() -> None:
    check = demo_check("registry.count_children")
    assert check is not None and check() is False
    child_in("03390", is_demo=True)
    assert check() is True


def test_cells_are_per_commune_sex_and_ethnic_group() -> None:
    child_in("03390", birth_date=dt.date(2021, 6, 1), sex="M", ethnic_group=ethnic("08"))
    child_in("03390", birth_date=dt.date(2022, 6, 1), sex="M", ethnic_group=ethnic("08"))
    child_in("03390", birth_date=dt.date(2022, 6, 1), sex="F", ethnic_group=ethnic("03"))
    child_in("03408", birth_date=dt.date(2021, 6, 1), sex="F")
    cells = count("registry.count_children_under_5", 2025)
    assert cells == sorted([
        DerivedCell(org_unit_id=unit("03390").pk, year=2025, value=2, sex="M", ethnic_group_code="08"),
        DerivedCell(org_unit_id=unit("03390").pk, year=2025, value=1, sex="F", ethnic_group_code="03"),
        DerivedCell(org_unit_id=unit("03408").pk, year=2025, value=1, sex="F", ethnic_group_code=""),
    ], key=lambda cell: (cell.org_unit_id, cell.sex, cell.ethnic_group_code))


def test_age_is_the_age_on_31_december() -> None:
    child_in("03390", birth_date=dt.date(2020, 1, 1))
    child_in("03390", birth_date=dt.date(2020, 12, 31))
    child_in("03390", birth_date=dt.date(2021, 1, 1))
    child_in("03390", birth_date=dt.date(2010, 1, 1))  # 15 on 31/12/2025
    child_in("03390", birth_date=dt.date(2009, 12, 31))  # 16 on 31/12/2025
    assert total("registry.count_children_aged_5", 2025) == 2
    assert total("registry.count_children_under_5", 2025) == 1
    assert total("registry.count_children", 2025) == 4
    assert total("registry.count_children_aged_11_to_15", 2025) == 1
    assert total("registry.count_children", 2019) == 2  # children born later do not count


def test_birth_registration_kindergarten_and_special_circumstances() -> None:
    child_in("03390", birth_date=dt.date(2023, 1, 1), is_birth_registered=True,
             birth_registered_on=dt.date(2023, 2, 1))
    child_in("03390", birth_date=dt.date(2023, 1, 1), is_birth_registered=True,
             birth_registered_on=dt.date(2026, 2, 1))
    child_in("03390", birth_date=dt.date(2023, 1, 1), is_birth_registered=False)
    child_in("03390", birth_date=dt.date(2020, 3, 1), school_level=SchoolLevel.KINDERGARTEN)
    child_in("03390", birth_date=dt.date(2020, 3, 1), school_level=SchoolLevel.NOT_YET)
    supported = child_in("03390", birth_date=dt.date(2015, 3, 1))
    services.add_special_circumstance(actor=None, child=supported, group="đ", identified_on=dt.date(2024, 5, 1),
                                      is_supported=True)
    ended = child_in("03390", birth_date=dt.date(2015, 3, 1))
    membership = services.add_special_circumstance(actor=None, child=ended, group="d", identified_on=None)
    services.update_special_circumstance(actor=None, membership=membership, changes={"ended_on": dt.date(2025, 6, 1)})
    assert total("registry.count_children_under_5_birth_registered", 2025) == 1
    assert total("registry.count_children_aged_5_in_kindergarten", 2025) == 1
    assert total("registry.count_children_special_circumstances", 2025) == 1
    assert total("registry.count_children_special_circumstances", 2024) == 2
    assert total("registry.count_children_special_circumstances_dd_supported", 2025) == 1
    assert total("registry.count_children_special_circumstances_d", 2024) == 1
    assert total("registry.count_children_special_circumstances_d_supported", 2024) == 0
    unsupported = count("registry.count_children_special_circumstances_d_supported", 2024)
    assert [(cell.org_unit_id, cell.value) for cell in unsupported] == [(unit("03390").pk, 0)]  # 0 %, not missing
    assert count("registry.count_children_special_circumstances_d_supported", 2025) == []  # no member: missing


def test_a_commune_where_no_child_meets_the_condition_has_zero_not_a_missing_figure() -> None:
    """I14 and I07 sum a numerator over the communes that have both values: a commune whose under-fives are all
    unregistered must count as 0 registered, or it would drop out and raise the province's rate."""
    child_in("03390", birth_date=dt.date(2023, 1, 1), is_birth_registered=True)
    child_in("03408", birth_date=dt.date(2023, 1, 1), is_birth_registered=False, sex="F", ethnic_group=ethnic("08"))
    child_in("03408", birth_date=dt.date(2020, 3, 1), school_level=SchoolLevel.NOT_YET)
    registered = {cell.org_unit_id: cell for cell in count("registry.count_children_under_5_birth_registered", 2025)}
    assert {unit_id: cell.value for unit_id, cell in registered.items()} == {unit("03390").pk: 1, unit("03408").pk: 0}
    assert registered[unit("03408").pk].sex == "F" and registered[unit("03408").pk].ethnic_group_code == "08"
    in_kindergarten = count("registry.count_children_aged_5_in_kindergarten", 2025)
    assert [(cell.org_unit_id, cell.value) for cell in in_kindergarten] == [(unit("03408").pk, 0)]
    assert count("registry.count_children_aged_5_in_kindergarten", 2030) == []  # no child of that age: missing


def test_a_child_counts_where_it_lived_on_31_december_and_not_after_death_or_deletion() -> None:
    moved = child_in("03390", birth_date=dt.date(2020, 3, 1))
    services.move_child(actor=None, child=moved, commune=unit("03408"), moved_on=dt.date(2025, 8, 1))
    died = child_in("03390", birth_date=dt.date(2020, 3, 1))
    services.record_child_status(actor=None, child=died, status=ChildStatus.DECEASED, status_on=dt.date(2025, 3, 1))
    deleted = child_in("03390", birth_date=dt.date(2020, 3, 1))
    services.delete_child(actor=None, child=deleted, reason="nhập nhầm")
    in_2024 = {cell.org_unit_id: cell.value for cell in count("registry.count_children", 2024)}
    in_2025 = {cell.org_unit_id: cell.value for cell in count("registry.count_children", 2025)}
    assert in_2024 == {unit("03390").pk: 2}
    assert in_2025 == {unit("03408").pk: 1}


def test_counts_follow_an_edit_made_right_after_an_earlier_count() -> None:
    """The year's grouped read is shared between functions, but an edit to a child is seen at once."""
    child = child_in("03390", birth_date=dt.date(2023, 1, 1), is_birth_registered=False)
    assert total("registry.count_children_under_5_birth_registered", 2026) == 0
    assert total("registry.count_children_under_5", 2026) == 1
    services.update_child(actor=None, child=child, today=dt.date(2026, 11, 28),
                          changes={"is_birth_registered": True, "birth_registered_on": dt.date(2026, 3, 1)})
    assert total("registry.count_children_under_5_birth_registered", 2026) == 1
    services.delete_child(actor=None, child=child, reason="nhập trùng")
    assert total("registry.count_children_under_5", 2026) == 0
