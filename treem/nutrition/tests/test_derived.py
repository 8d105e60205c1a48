"""Derived data elements (I05, I06 and the extra nutrition elements) from stored measurements."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from treem.accounts.tests.factories import unit
from treem.indicators.sources import DEMO_CHECKS, DERIVED_FUNCTIONS, DerivedCell
from treem.nutrition.derived import DERIVED_ELEMENTS
from treem.nutrition.tests.factories import child_in, measurement_with

pytestmark = pytest.mark.django_db

YEAR = 2025
BORN = date(2023, 3, 1)  # about two years old during 2025


def totals(cells: list[DerivedCell]) -> dict[int, int]:
    result: dict[int, int] = defaultdict(int)
    for cell in cells:
        result[cell.org_unit_id] += cell.value
    return dict(result)


def element(name: str) -> dict[int, int]:
    return totals(list(DERIVED_FUNCTIONS[name](year=YEAR)))


@pytest.fixture
def commune_with_known_scores() -> dict[str, object]:
    """Six children of 03390 with hand-chosen rounded scores; the comments give what each contributes."""
    children = [child_in("03390", birth_date=BORN, sex="M" if number % 2 else "F") for number in range(6)]
    # 1: underweight and stunted at the latest measurement; an earlier normal one does not count
    measurement_with(children[0], measured_on=date(2025, 1, 10), waz=-1.0, haz=-1.0, whz=0.0)
    measurement_with(children[0], measured_on=date(2025, 6, 3), waz=-2.01, haz=-2.50, whz=-0.5)
    # 2: exactly -2.00 is neither underweight nor stunted
    measurement_with(children[1], measured_on=date(2025, 6, 3), waz=-2.00, haz=-2.00, whz=-2.00)
    # 3: the latest WAZ is flagged, so the child counts at the earlier valid WAZ (-2.40: underweight);
    #    its HAZ of the latest measurement (-1.10) is valid and counts
    measurement_with(children[2], measured_on=date(2025, 1, 10), waz=-2.40, haz=-3.20, whz=-1.0)
    measurement_with(children[2], measured_on=date(2025, 6, 3), waz=-6.30, flag_waz=True, haz=-1.10, whz=-1.0)
    # 4: only a flagged WAZ and a flagged HAZ: not counted at all for those indicators
    measurement_with(children[3], measured_on=date(2025, 6, 3), waz=5.40, flag_waz=True, haz=6.2, flag_haz=True,
                     whz=3.0)
    # 5: severe on both
    measurement_with(children[4], measured_on=date(2025, 6, 3), waz=-3.01, haz=-3.50, whz=-3.20)
    # 6: normal; a measurement of another year does not count
    measurement_with(children[5], measured_on=date(2025, 6, 3), waz=0.40, haz=-0.30, whz=0.8)
    measurement_with(children[5], measured_on=date(2024, 12, 1), waz=-4.0, haz=-4.0, whz=-4.0)
    return {"commune": unit("03390"), "children": children}


def test_prevalence_for_a_commune_equals_the_hand_computed_share(commune_with_known_scores: dict[str, object]) -> None:
    commune = unit("03390")
    # WAZ, latest valid: -2.01, -2.00, -2.40, (none), -3.01, 0.40 -> 5 weighed, 3 below -2, 1 below -3
    assert element("nutrition.count_under_5_weighed") == {commune.pk: 5}
    assert element("nutrition.count_under_5_underweight") == {commune.pk: 3}
    assert element("nutrition.count_under_5_severely_underweight") == {commune.pk: 1}
    # HAZ, latest valid: -2.50, -2.00, -1.10, (none), -3.50, -0.30 -> 5 measured, 2 below -2, 1 below -3
    assert element("nutrition.count_under_5_measured_height") == {commune.pk: 5}
    assert element("nutrition.count_under_5_stunted") == {commune.pk: 2}
    assert element("nutrition.count_under_5_severely_stunted") == {commune.pk: 1}
    # WHZ, latest valid: -0.5, -2.00, -1.0, 3.0, -3.20, 0.8 -> 6, 1 below -2 (the severe one)
    assert element("nutrition.count_under_5_measured_weight_for_height") == {commune.pk: 6}
    assert element("nutrition.count_under_5_wasted") == {commune.pk: 1}
    assert element("nutrition.count_under_5_severely_wasted") == {commune.pk: 1}
    assert element("nutrition.count_under_5_measured_any") == {commune.pk: 6}
    underweight = element("nutrition.count_under_5_underweight")[commune.pk]
    weighed = element("nutrition.count_under_5_weighed")[commune.pk]
    assert underweight / weighed == pytest.approx(3 / 5)


def test_cells_are_split_by_commune_sex_and_ethnic_group() -> None:
    boy = child_in("03390", birth_date=BORN, sex="M", ethnic_code="01")
    girl = child_in("03390", birth_date=BORN, sex="F", ethnic_code="04")
    unknown = child_in("03408", birth_date=BORN, sex="F", ethnic_code=None)
    for child in (boy, girl, unknown):
        measurement_with(child, measured_on=date(2025, 6, 3), waz=-2.5, haz=0.0, whz=0.0)
    cells = sorted(DERIVED_FUNCTIONS["nutrition.count_under_5_underweight"](year=YEAR),
                   key=lambda cell: (cell.org_unit_id, cell.sex))
    assert [(cell.org_unit_id, cell.sex, cell.ethnic_group_code, cell.value) for cell in cells] == sorted([
        (unit("03390").pk, "F", "04", 1), (unit("03390").pk, "M", "01", 1), (unit("03408").pk, "F", "", 1),
    ])
    assert all(cell.year == YEAR for cell in cells)


def test_a_commune_without_undernourished_children_has_zero_not_missing() -> None:
    child = child_in("03408", birth_date=BORN)
    measurement_with(child, measured_on=date(2025, 6, 3), waz=0.5, haz=0.5, whz=0.5)
    for name in ("nutrition.count_under_5_underweight", "nutrition.count_under_5_stunted",
                 "nutrition.count_under_5_severely_wasted"):
        assert element(name) == {unit("03408").pk: 0}


def test_children_five_and_older_deleted_measurements_and_removed_children_do_not_count() -> None:
    old = child_in("03390", birth_date=date(2020, 1, 1))
    measurement_with(old, measured_on=date(2025, 6, 3), waz=-2.5)  # 65 months old
    deleted = child_in("03390", birth_date=BORN)
    measurement_with(deleted, measured_on=date(2025, 6, 3), waz=-2.5, deleted_at="2025-06-04T00:00:00Z")
    removed = child_in("03390", birth_date=BORN, deleted_at="2025-07-01T00:00:00Z")
    measurement_with(removed, measured_on=date(2025, 6, 3), waz=-2.5)
    assert element("nutrition.count_under_5_weighed") == {}


def test_the_commune_of_the_measurement_is_the_cell_even_after_the_child_moved() -> None:
    child = child_in("03408", birth_date=BORN)
    measurement_with(child, measured_on=date(2025, 6, 3), waz=-2.5, org_unit=unit("03390"))
    assert element("nutrition.count_under_5_underweight") == {unit("03390").pk: 1}


def test_oedema_counts_as_severe_wasting_and_underweight() -> None:
    child = child_in("03390", birth_date=BORN)
    measurement_with(child, measured_on=date(2025, 6, 3), has_oedema=True, haz=-1.0)
    assert element("nutrition.count_under_5_severely_underweight") == {unit("03390").pk: 1}
    assert element("nutrition.count_under_5_severely_wasted") == {unit("03390").pk: 1}
    assert element("nutrition.count_under_5_stunted") == {unit("03390").pk: 0}


def test_figures_built_from_demo_measurements_are_marked_as_demo() -> None:
    child = child_in("03390", birth_date=BORN)
    measurement_with(child, measured_on=date(2025, 6, 3), waz=-1.0)
    check = DEMO_CHECKS["nutrition.count_under_5_underweight"]
    assert check() is False
    measurement_with(child, measured_on=date(2025, 6, 4), waz=-1.0, is_demo=True)
    assert check() is True


def test_every_element_is_registered_under_the_plan_names() -> None:
    for name in ("nutrition.count_under_5_weighed", "nutrition.count_under_5_underweight",
                 "nutrition.count_under_5_measured_height", "nutrition.count_under_5_stunted"):
        assert DERIVED_FUNCTIONS[name] is DERIVED_ELEMENTS[name]
    assert set(DERIVED_ELEMENTS) <= set(DERIVED_FUNCTIONS)


def test_the_years_measurements_read_in_small_chunks_give_the_same_arrays_and_counts(
    commune_with_known_scores: dict[str, object], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A nation's year is read chunk by chunk into arrays; the chunks join into what one read gives."""
    import numpy as np

    from treem.nutrition import derived

    whole = derived.read_year_data(YEAR)
    monkeypatch.setattr(derived, "READ_CHUNK", 3)  # 8 measurements in the year: three chunks
    chunked = derived.read_year_data(YEAR)
    assert len(chunked.arrays) == len(whole.arrays) == 8
    assert chunked.cells == whole.cells
    assert np.array_equal(chunked.cell_of_row, whole.cell_of_row)
    for name in ("measurement_id", "child_id", "measured_on", "flag_waz", "has_oedema"):
        assert np.array_equal(getattr(chunked.arrays, name), getattr(whole.arrays, name))
    assert np.array_equal(chunked.arrays.waz, whole.arrays.waz, equal_nan=True)
    derived.year_data.clear()
    assert element("nutrition.count_under_5_underweight") == {unit("03390").pk: 3}
