"""The engine: roll-up by summing numerators and denominators, the hierarchy of each year, the lineage, derived and
entered elements, breakdowns, missing data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from treem.accounts.tests.factories import unit
from treem.core.models import EthnicGroup
from treem.hierarchy.models import OrgUnit
from treem.indicators.engine import (
    ETHNICITY,
    KINH,
    MINORITIES,
    MINORITY,
    SEX,
    Engine,
    HierarchyIndex,
    Unit,
    reference_date,
)
from treem.indicators.models import DataValue
from treem.indicators.sources import DEMO_CHECKS, DERIVED_FUNCTIONS, DerivedCell
from treem.plans.models import Indicator, Plan
from treem.plans.tests.factories import make_element, make_indicator, make_plan

pytestmark = pytest.mark.django_db

OLD_DAY = date(2024, 12, 31)
NEW_DAY = date(2026, 1, 1)


@pytest.fixture
def plan() -> Plan:
    return make_plan()


@pytest.fixture
def rate(plan: Plan) -> Indicator:
    """An entered numerator over an entered denominator."""
    return make_indicator(plan, "T01", make_element(plan, "DE_T_NUM"), make_element(plan, "DE_T_DEN"))


def put(element_id: int, code: str, year: int, value: int | None, *, on: date = OLD_DAY, sex: str = "",
        group: str | None = None, is_demo: bool = False) -> None:
    DataValue.objects.create(
        data_element_id=element_id, org_unit=unit(code, on=on), year=year, sex=sex, is_demo=is_demo,
        ethnic_group=EthnicGroup.objects.get(code=group) if group else None,
        value=None if value is None else Decimal(value),
    )


def test_two_communes_roll_up_to_the_sum_of_numerators_over_the_sum_of_denominators(rate: Indicator) -> None:
    put(rate.numerator_id, "03386", 2024, 10)
    put(rate.denominator_id, "03386", 2024, 40)  # 25 %
    put(rate.numerator_id, "03387", 2024, 30)
    put(rate.denominator_id, "03387", 2024, 60)  # 50 %
    figures = Engine().figures(rate, years=[2024])
    district, province = unit("105", on=OLD_DAY), unit("12", on=OLD_DAY)
    for area in (district, province):
        figure = figures[(area.pk, 2024)]
        assert (figure.numerator, figure.denominator, figure.units_counted) == (40, 100, 2)
        assert figure.value == 40  # not (25 + 50) / 2
    assert figures[(unit("03386", on=OLD_DAY).pk, 2024)].value == 25


def test_a_commune_without_both_values_stays_out_of_the_sums(rate: Indicator) -> None:
    put(rate.numerator_id, "03386", 2024, 10)
    put(rate.denominator_id, "03386", 2024, 40)
    put(rate.numerator_id, "03387", 2024, 30)  # no denominator
    put(rate.denominator_id, "03388", 2024, 50)  # no numerator
    put(rate.numerator_id, "03389", 2024, None)  # a cleared value is missing too
    put(rate.denominator_id, "03389", 2024, 50)
    figure = Engine().figures(rate, years=[2024])[(unit("105", on=OLD_DAY).pk, 2024)]
    assert (figure.numerator, figure.denominator, figure.units_counted) == (10, 40, 1)


def test_missing_data_is_no_figure_never_zero(rate: Indicator) -> None:
    figures = Engine().figures(rate, years=[2023, 2024])
    assert figures == {}


def test_a_zero_denominator_gives_no_value(rate: Indicator) -> None:
    put(rate.numerator_id, "03386", 2024, 0)
    put(rate.denominator_id, "03386", 2024, 0)
    figure = Engine().figures(rate, years=[2024])[(unit("03386", on=OLD_DAY).pk, 2024)]
    assert figure.value is None
    assert figure.units_counted == 1


def test_each_year_is_rolled_up_on_the_hierarchy_valid_that_year(rate: Indicator) -> None:
    put(rate.numerator_id, "03386", 2024, 10)
    put(rate.denominator_id, "03386", 2024, 40)
    put(rate.numerator_id, "03388", 2026, 45, on=NEW_DAY)
    put(rate.denominator_id, "03388", 2026, 50, on=NEW_DAY)
    figures = Engine().figures(rate, years=[2024, 2026])
    old_district = unit("105", on=OLD_DAY)
    new_commune = unit("03388", on=NEW_DAY)
    province = unit("12", on=NEW_DAY)
    assert (old_district.pk, 2024) in figures
    assert (old_district.pk, 2026) not in figures  # districts are gone in 2026
    assert (new_commune.pk, 2024) not in figures  # not on 2024's hierarchy by default
    assert figures[(new_commune.pk, 2026)].value == 90
    assert figures[(province.pk, 2024)].value == 25
    assert figures[(province.pk, 2026)].value == 90


def test_a_year_before_2025_shows_on_todays_communes_through_the_lineage_with_the_same_totals(
    rate: Indicator,
) -> None:
    # Quyết Thắng, Quyết Tiến and Đoàn Kết (old) merged into the new Phường Đoàn Kết (03388); Tân Phong (old)
    # into the new Phường Tân Phong (03408).
    for code, numerator, denominator in (("03386", 10, 40), ("03388", 20, 30), ("03389", 5, 10),
                                         ("03387", 30, 60)):
        put(rate.numerator_id, code, 2024, numerator)
        put(rate.denominator_id, code, 2024, denominator)
    engine = Engine()
    on_its_own = engine.figures(rate, years=[2024])
    on_today = engine.figures(rate, years=[2024], on=NEW_DAY)
    doan_ket, tan_phong = unit("03388", on=NEW_DAY), unit("03408", on=NEW_DAY)
    merged = on_today[(doan_ket.pk, 2024)]
    assert (merged.numerator, merged.denominator, merged.units_counted) == (35, 80, 3)
    assert on_today[(tan_phong.pk, 2024)].value == 50
    province = unit("12", on=NEW_DAY)
    assert on_today[(province.pk, 2024)] == on_its_own[(province.pk, 2024)]
    assert on_today[(province.pk, 2024)].numerator == 65


def test_a_year_after_2025_shows_on_an_old_district_only_where_new_communes_lie_inside_it(rate: Indicator) -> None:
    put(rate.numerator_id, "03388", 2026, 9, on=NEW_DAY)  # new Đoàn Kết: its predecessors span two districts
    put(rate.denominator_id, "03388", 2026, 10, on=NEW_DAY)
    put(rate.numerator_id, "03390", 2026, 1, on=NEW_DAY)  # new Bình Lư: all predecessors in district 106
    put(rate.denominator_id, "03390", 2026, 10, on=NEW_DAY)
    figures = Engine().figures(rate, years=[2026], on=OLD_DAY)
    assert figures[(unit("106", on=OLD_DAY).pk, 2026)].numerator == 1
    assert (unit("105", on=OLD_DAY).pk, 2026) not in figures
    assert figures[(unit("12", on=OLD_DAY).pk, 2026)].numerator == 10


def test_a_split_counts_only_at_the_nearest_common_ancestor() -> None:
    def day(text: str) -> date:
        return date.fromisoformat(text)

    units = [
        Unit(1, "u1", "12", "Tỉnh", "province", "/12/", None, None, None),
        Unit(2, "u2", "100", "Huyện cũ", "district", "/12/100/", 1, None, day("2025-06-30")),
        Unit(3, "u3", "001", "Xã A", "commune", "/12/001/", 1, day("2025-07-01"), None),
        Unit(4, "u4", "002", "Xã B", "commune", "/12/002/", 1, day("2025-07-01"), None),
        Unit(5, "u5", "003", "Xã C", "commune", "/12/003/", 1, day("2025-07-01"), None),
    ]
    index = HierarchyIndex(units, [(2, 3), (2, 4)])
    on = day("2026-01-01")
    assert index.placement(2, on) == "/12/"
    assert index.areas_of(2, on) == (1,)
    assert index.areas_of(3, on) == (3, 1)


def test_values_and_breakdowns_of_an_entered_element_by_sex_and_ethnic_group(rate: Indicator) -> None:
    cells = [("M", "01", 4, 10), ("F", "01", 5, 10), ("M", "03", 3, 20), ("F", "03", 2, 20), ("F", "08", 1, 10)]
    for sex, group, numerator, denominator in cells:
        put(rate.numerator_id, "03386", 2024, numerator, sex=sex, group=group)
        put(rate.denominator_id, "03386", 2024, denominator, sex=sex, group=group)
    engine = Engine()
    province = unit("12", on=OLD_DAY)
    total = engine.figures(rate, years=[2024])[(province.pk, 2024)]
    assert (total.numerator, total.denominator) == (15, 70)
    breakdown = engine.breakdowns(rate, year=2024)[province.pk]
    assert breakdown.category(SEX, "M").value == Fraction(700, 30)
    assert breakdown.category(SEX, "F").value == Fraction(800, 40)
    assert breakdown.category(ETHNICITY, "03").value == 12.5
    assert breakdown.category(MINORITY, KINH).value == 45
    assert breakdown.category(MINORITY, MINORITIES).value == Fraction(600, 50)
    assert breakdown.minority_gap() == Fraction(600, 50) - 45


def test_a_total_given_beside_its_breakdown_is_not_counted_twice(rate: Indicator) -> None:
    put(rate.numerator_id, "03386", 2024, 12)
    put(rate.numerator_id, "03386", 2024, 5, sex="M")
    put(rate.numerator_id, "03386", 2024, 6, sex="F")  # the reporter's sexes miss one child: the total wins
    put(rate.denominator_id, "03386", 2024, 40)
    put(rate.denominator_id, "03386", 2024, 20, sex="M")
    put(rate.denominator_id, "03386", 2024, 20, sex="F")
    engine = Engine()
    commune = unit("03386", on=OLD_DAY)
    figure = engine.figures(rate, years=[2024])[(commune.pk, 2024)]
    assert (figure.numerator, figure.denominator) == (12, 40)
    assert engine.breakdowns(rate, year=2024)[commune.pk].category(SEX, "M").value == 25


def test_demo_values_are_flagged_in_the_figures(rate: Indicator) -> None:
    put(rate.numerator_id, "03386", 2024, 1, is_demo=True)
    put(rate.denominator_id, "03386", 2024, 4, is_demo=True)
    put(rate.numerator_id, "03387", 2024, 1)
    put(rate.denominator_id, "03387", 2024, 4)
    figures = Engine().figures(rate, years=[2024])
    assert figures[(unit("12", on=OLD_DAY).pk, 2024)].includes_demo
    assert not figures[(unit("03387", on=OLD_DAY).pk, 2024)].includes_demo


# ------------------------------------------------------------------------------------------------------------
# Derived elements
# ------------------------------------------------------------------------------------------------------------

CHILDREN = [  # commune, sex, ethnic group, weighed, underweight
    ("03386", "M", "01", 20, 2), ("03386", "F", "03", 30, 6), ("03387", "F", "08", 50, 10), ("03387", "", "", 4, 1),
]


@pytest.fixture
def test_functions() -> Iterator[None]:
    """Registers two counting functions over the CHILDREN table, as a records domain would, then removes them."""

    def counter(position: int):  # type: ignore[no-untyped-def]
        def count(*, year: int) -> list[DerivedCell]:
            if year != 2024:
                return []
            return [DerivedCell(org_unit_id=unit(code, on=OLD_DAY).pk, year=year, value=row[position], sex=sex,
                                ethnic_group_code=group) for row in CHILDREN for code, sex, group in [row[:3]]]
        return count

    DERIVED_FUNCTIONS["test.count_weighed"] = counter(3)
    DERIVED_FUNCTIONS["test.count_underweight"] = counter(4)
    yield
    del DERIVED_FUNCTIONS["test.count_weighed"], DERIVED_FUNCTIONS["test.count_underweight"]


def test_the_same_figure_from_entered_elements_and_from_derived_ones_agrees(plan: Plan, test_functions: None) -> None:
    entered = make_indicator(plan, "TE", make_element(plan, "DE_E_UNDERWEIGHT"), make_element(plan, "DE_E_WEIGHED"),
                             targets=((2025, "lt", "15"),), direction="lower_is_better")
    derived = make_indicator(
        plan, "TD",
        make_element(plan, "DE_D_UNDERWEIGHT", source="derived", derived_from="test.count_underweight"),
        make_element(plan, "DE_D_WEIGHED", source="derived", derived_from="test.count_weighed"),
        targets=((2025, "lt", "15"),), direction="lower_is_better",
    )
    # As a reporter types them: each commune's total (every child, whether or not their sex and group are
    # known) and the children of known sex and group by sex × ethnic group.
    for code in ("03386", "03387"):
        rows = [row for row in CHILDREN if row[0] == code]
        put(entered.numerator_id, code, 2024, sum(row[4] for row in rows))
        put(entered.denominator_id, code, 2024, sum(row[3] for row in rows))
        for _code, sex, group, weighed, underweight in rows:
            if sex and group:
                put(entered.numerator_id, code, 2024, underweight, sex=sex, group=group)
                put(entered.denominator_id, code, 2024, weighed, sex=sex, group=group)
    engine = Engine()
    from_entered = engine.figures(entered, years=[2024])
    from_derived = engine.figures(derived, years=[2024])
    assert from_entered == from_derived
    assert from_derived[(unit("12", on=OLD_DAY).pk, 2024)].value == Fraction(1900, 104)
    assert engine.breakdowns(entered, year=2024) == engine.breakdowns(derived, year=2024)
    assert engine.figures(derived, years=[2024], on=NEW_DAY) == engine.figures(entered, years=[2024], on=NEW_DAY)


def test_a_derived_value_wins_over_an_entered_one_which_is_kept_as_a_discrepancy(
    plan: Plan, test_functions: None,
) -> None:
    indicator = make_indicator(
        plan, "TD",
        make_element(plan, "DE_D_UNDERWEIGHT", source="derived", derived_from="test.count_underweight",
                     reporter_is_locality=True),
        make_element(plan, "DE_D_WEIGHED", source="derived", derived_from="test.count_weighed",
                     reporter_is_locality=True),
    )
    put(indicator.numerator_id, "03386", 2024, 99)  # the records cover 03386: the derived 8 wins
    put(indicator.numerator_id, "03388", 2024, 3)  # the records do not cover 03388: the entered value is used
    put(indicator.denominator_id, "03388", 2024, 30)
    engine = Engine()
    figures = engine.figures(indicator, years=[2024])
    assert figures[(unit("03386", on=OLD_DAY).pk, 2024)].numerator == 8
    assert figures[(unit("03388", on=OLD_DAY).pk, 2024)].value == 10
    assert engine.discrepancies(indicator, year=2024) == {
        (indicator.numerator_id, unit("03386", on=OLD_DAY).pk, 2024): (Decimal(8), Decimal(99)),
    }


def test_an_entered_numerator_is_paired_with_the_entered_denominator_of_the_same_report(
    plan: Plan, test_functions: None,
) -> None:
    """An education department reports enrolled children (entered only) and the children of the age; the
    registry also counts the children of the age. Where the report gives both, its own pair is used — an entered
    count over an incomplete registry's count could exceed 100 % — and the registry's count stays a discrepancy;
    where it gives only the numerator, the registry's count is the denominator."""
    indicator = make_indicator(
        plan, "TK", make_element(plan, "DE_K_ENROLLED"),
        make_element(plan, "DE_K_CHILDREN", source="derived", derived_from="test.count_weighed",
                     reporter_is_locality=True),
    )
    put(indicator.numerator_id, "03386", 2024, 45)  # the records count 50 children of 03386
    put(indicator.denominator_id, "03386", 2024, 60)
    put(indicator.numerator_id, "03386", 2024, 20, sex="F", group="03")
    put(indicator.denominator_id, "03386", 2024, 35, sex="F", group="03")
    put(indicator.numerator_id, "03387", 2024, 27)  # the records count 54: no entered denominator here
    engine = Engine()
    figures = engine.figures(indicator, years=[2024])
    assert figures[(unit("03386", on=OLD_DAY).pk, 2024)].value == 75
    assert figures[(unit("03387", on=OLD_DAY).pk, 2024)].value == 50
    assert figures[(unit("12", on=OLD_DAY).pk, 2024)].value == Fraction(100 * 72, 114)
    assert engine.discrepancies(indicator, year=2024) == {
        (indicator.denominator_id, unit("03386", on=OLD_DAY).pk, 2024): (Decimal(50), Decimal(60)),
    }
    girls = engine.breakdowns(indicator, year=2024)[unit("03386", on=OLD_DAY).pk].category(SEX, "F")
    assert (girls.numerator, girls.denominator) == (20, 35)  # the report's girls, not the records' 30


def test_figures_from_demo_records_are_marked_as_demo(plan: Plan, test_functions: None) -> None:
    indicator = make_indicator(
        plan, "TD",
        make_element(plan, "DE_D_UNDERWEIGHT", source="derived", derived_from="test.count_underweight"),
        make_element(plan, "DE_D_WEIGHED", source="derived", derived_from="test.count_weighed"),
    )
    province = unit("12", on=OLD_DAY).pk
    assert not Engine().figures(indicator, years=[2024])[(province, 2024)].includes_demo
    DEMO_CHECKS["test.count_weighed"] = lambda: True
    try:
        assert Engine().figures(indicator, years=[2024])[(province, 2024)].includes_demo
    finally:
        del DEMO_CHECKS["test.count_weighed"]


def test_an_unregistered_derived_function_leaves_the_entered_fallback(plan: Plan) -> None:
    indicator = make_indicator(
        plan, "TX",
        make_element(plan, "DE_X_NUM", source="derived", derived_from="nobody.count_anything",
                     reporter_is_locality=True),
        make_element(plan, "DE_X_DEN"),
    )
    put(indicator.numerator_id, "03386", 2024, 1)
    put(indicator.denominator_id, "03386", 2024, 2)
    assert Engine().figures(indicator, years=[2024])[(unit("03386", on=OLD_DAY).pk, 2024)].value == 50


def test_count_communes_counts_the_communes_in_force_on_31_december(plan: Plan) -> None:
    indicator = make_indicator(
        plan, "TC", make_element(plan, "DE_FRIENDLY", by_sex=False, by_ethnicity=False),
        make_element(plan, "DE_COMMUNES", source="derived", derived_from="hierarchy.count_communes",
                     by_sex=False, by_ethnicity=False, reporter_is_locality=False),
    )
    for code in OrgUnit.objects.valid_on(OLD_DAY).of_level("commune").values_list("code", flat=True)[:10]:
        put(indicator.numerator_id, code, 2024, 1)
    for code in ("03388", "03408"):
        put(indicator.numerator_id, code, 2025, 1, on=NEW_DAY)
    figures = Engine().figures(indicator, years=[2024, 2025])
    province = unit("12", on=NEW_DAY)
    assert figures[(province.pk, 2024)].denominator == 10  # the communes that reported, of 106
    assert figures[(province.pk, 2025)].denominator == 2
    assert reference_date(2025) == date(2025, 12, 31)


def test_the_number_of_queries_does_not_depend_on_the_number_of_communes(
    rate: Indicator, django_assert_max_num_queries: object,
) -> None:
    communes = list(OrgUnit.objects.valid_on(OLD_DAY).of_level("commune").values_list("code", flat=True))
    for code in communes[:2]:
        put(rate.numerator_id, code, 2024, 1)
        put(rate.denominator_id, code, 2024, 2)
    # Computing (the stored figures' reads and writes are pinned in test_stored_figures.py)
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        engine = Engine(stored=False)
        engine.figures(rate, years=[2023, 2024])
        engine.breakdowns(rate, year=2024)
    for code in communes[2:]:
        put(rate.numerator_id, code, 2024, 1)
        put(rate.denominator_id, code, 2024, 2)
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        engine = Engine(stored=False)
        figures = engine.figures(rate, years=[2023, 2024])
        engine.breakdowns(rate, year=2024)
    assert figures[(unit("12", on=OLD_DAY).pk, 2024)].units_counted == 106


def test_figures_roll_up_to_the_country_as_well(rate: Indicator) -> None:
    """The country's path "/" is every unit's ancestor: a national user's area has the sum of every province."""
    put(rate.numerator_id, "03386", 2024, 10)
    put(rate.denominator_id, "03386", 2024, 40)
    put(rate.numerator_id, "03390", 2024, 30)
    put(rate.denominator_id, "03390", 2024, 60)
    figures = Engine().figures(rate, years=[2024])
    country = OrgUnit.objects.get(path="/")
    assert figures[(country.pk, 2024)] == figures[(unit("12", on=OLD_DAY).pk, 2024)]
    assert figures[(country.pk, 2024)].numerator == 40


def test_an_engine_within_a_subtree_gives_the_same_figures_there_and_reads_nothing_outside(rate: Indicator) -> None:
    for code, numerator, denominator in (("03386", 10, 40), ("03388", 20, 30), ("03389", 5, 10),
                                         ("03390", 30, 60)):
        put(rate.numerator_id, code, 2024, numerator)
        put(rate.denominator_id, code, 2024, denominator)
    put(rate.numerator_id, "03388", 2026, 9, on=NEW_DAY)
    put(rate.denominator_id, "03388", 2026, 10, on=NEW_DAY)
    everything = Engine().figures(rate, years=[2024, 2026], on=NEW_DAY)
    doan_ket = unit("03388", on=NEW_DAY)  # the new ward; its three predecessors reach it through the lineage only
    scoped = Engine(within=[doan_ket.path])
    figures = scoped.figures(rate, years=[2024, 2026], on=NEW_DAY)
    assert figures[(doan_ket.pk, 2024)] == everything[(doan_ket.pk, 2024)]
    assert figures[(doan_ket.pk, 2024)].units_counted == 3
    assert figures[(doan_ket.pk, 2026)] == everything[(doan_ket.pk, 2026)]
    binh_lu = unit("03390", on=NEW_DAY)  # another commune: outside the subtree, so never read
    assert binh_lu.pk not in (scoped.relevant_units or set())
    assert all(area_id != binh_lu.pk for area_id, _year in figures)
    assert figures[(unit("12", on=NEW_DAY).pk, 2024)].numerator == 35  # only what lies inside the subtree


def test_an_engine_within_the_country_or_within_nothing(rate: Indicator) -> None:
    put(rate.numerator_id, "03386", 2024, 10)
    put(rate.denominator_id, "03386", 2024, 40)
    assert Engine(within=["/"]).relevant_units is None  # the whole country: every unit, no filter
    assert Engine(within=["/"]).figures(rate, years=[2024]) == Engine().figures(rate, years=[2024])
    assert Engine(within=[]).figures(rate, years=[2024]) == {}  # no scope reads nothing
