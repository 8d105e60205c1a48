"""Stored figures: read back equal to the figures computed, for every indicator and level; computed again after a
change (through the service, through a bulk write, during a computation); never handed out beyond a user's scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.roles import Role
from treem.hierarchy.models import OrgUnit
from treem.indicators import engine as engine_module
from treem.indicators.engine import Engine, count_communes, reference_date
from treem.indicators.models import DataValue, StoredFigure
from treem.indicators.selectors import indicator_detail, indicator_values, plan_progress
from treem.indicators.services import ValueInput, enter_data_values, refresh_stored_figures
from treem.indicators.sources import DERIVED_FUNCTIONS, DerivedCell, source_of
from treem.indicators.tests.helpers import fill
from treem.plans.models import Indicator, Plan
from treem.plans.selectors import indicators_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)
YEARS = list(range(2021, 2027))


@pytest.fixture
def plan(lai_chau_plan: Plan, monkeypatch: pytest.MonkeyPatch) -> Iterator[Plan]:
    """The Lai Châu plan with entered values for every commune and year, and every derived element whose counts
    are stored counting 200 per commune in force (so that both kinds of element, and their mix, are covered)."""
    fill(years=range(2021, 2027))
    for indicator in indicators_of(lai_chau_plan):
        for element in (indicator.numerator, indicator.denominator):
            if element.is_derived and source_of(element.derived_from) is not None:
                monkeypatch.setitem(DERIVED_FUNCTIONS, element.derived_from, _two_hundred_per_commune)
    yield lai_chau_plan


def _two_hundred_per_commune(*, year: int) -> list[DerivedCell]:
    communes = OrgUnit.objects.valid_on(reference_date(year)).of_level("commune").values_list("id", flat=True)
    return [DerivedCell(org_unit_id=unit_id, year=year, value=200, sex="F", ethnic_group_code="01")
            for unit_id in communes]


def indicators(plan: Plan) -> list[Indicator]:
    return list(indicators_of(plan))


def no_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any read of entered values fail: what follows must come from the store."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("entered values were read: the figures were computed, not read back")

    monkeypatch.setattr(engine_module, "_entered", refuse)


@pytest.mark.parametrize("on", [None, TODAY, date(2024, 12, 31)], ids=["each year's units", "today's", "old"])
def test_figures_read_back_equal_the_figures_computed_for_every_indicator_and_level(
    plan: Plan, on: date | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    wanted = indicators(plan)
    computed = Engine(stored=False).figures_many(wanted, years=YEARS, on=on)
    assert Engine().figures_many(wanted, years=YEARS, on=on) == computed  # computed now, and stored
    levels = {unit.level for unit in OrgUnit.objects.filter(pk__in={area for by_area in computed.values()
                                                                    for area, _year in by_area})}
    assert levels == {"country", "province", "district", "commune"} if on != TODAY else \
        levels == {"country", "province", "commune"}
    assert all(computed[indicator.pk] for indicator in wanted)  # every indicator has figures to compare
    assert StoredFigure.objects.exists()

    no_computing(monkeypatch)
    assert Engine().figures_many(wanted, years=YEARS, on=on) == computed
    some = [unit("12", on=on or TODAY).pk, unit("03390").pk]
    assert Engine().figures_many(wanted, years=YEARS, on=on, areas=some) == {
        indicator.pk: {key: figure for key, figure in by_area.items() if key[0] in some}
        for indicator, by_area in ((indicator, computed[indicator.pk]) for indicator in wanted)}


def test_a_day_of_the_same_span_reads_the_same_stored_figures(plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures on any day on which the same units are in force are the same: stored once for the span."""
    wanted = indicators(plan)
    first = Engine().figures_many(wanted, years=YEARS, on=TODAY)
    no_computing(monkeypatch)
    assert Engine().figures_many(wanted, years=YEARS, on=date(2026, 3, 1)) == first


def test_an_entered_value_changed_through_the_service_is_shown_at_the_next_read(plan: Plan) -> None:
    school = next(indicator for indicator in indicators(plan) if indicator.numerator.code == "DE_SCHOOL_PSYCH_SUPPORT")
    province = unit("12")
    before = Engine().figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    enter_data_values(actor=None, org_unit=unit("03390"), year=2026,
                      values=[ValueInput("DE_SCHOOL_PSYCH_SUPPORT", 100)])  # was 70 of 100
    after = Engine().figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    assert after.numerator == before.numerator + 30
    assert after == Engine(stored=False).figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]


def test_a_bulk_write_and_a_hierarchy_change_are_seen(plan: Plan) -> None:
    school = next(indicator for indicator in indicators(plan) if indicator.numerator.code == "DE_SCHOOL_PSYCH_SUPPORT")
    province = unit("12")
    before = Engine().figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    DataValue.objects.filter(data_element=school.numerator, org_unit=unit("03390"), year=2026).delete()
    DataValue.objects.bulk_create([DataValue(data_element=school.numerator, org_unit=unit("03390"), year=2026,
                                             value=Decimal(5))])  # no signal: the table's highest id changed
    after = Engine().figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    assert after.numerator == before.numerator - 70 + 5

    commune = unit("03390")
    assert (commune.pk, 2026) in Engine().figures(school, years=[2026], areas=[commune.pk])
    commune.valid_to = date(2026, 6, 30)  # the commune leaves the hierarchy mid-year (saved: a signal)
    commune.save()
    assert Engine().figures(school, years=[2026], areas=[commune.pk]) == {}  # not in force on 31 December
    moved = Engine().figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    assert moved == Engine(stored=False).figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]


def test_a_change_committed_during_a_computation_is_not_stored_as_current(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = next(indicator for indicator in indicators(plan) if indicator.numerator.code == "DE_SCHOOL_PSYCH_SUPPORT")
    province = unit("12")
    read_entered = engine_module._entered

    def entered_then_a_change(*args: Any, **kwargs: Any) -> Any:
        rows = read_entered(*args, **kwargs)  # what this computation sees …
        # … and another request's commit just after: a new value in a commune without one
        DataValue.objects.create(data_element=school.numerator, org_unit=unit("03408"), year=2026,
                                 sex="", value=Decimal(1))
        return rows

    DataValue.objects.filter(data_element=school.numerator, org_unit=unit("03408"), year=2026).delete()
    monkeypatch.setattr(engine_module, "_entered", entered_then_a_change)
    during = Engine().figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    monkeypatch.setattr(engine_module, "_entered", read_entered)

    row = StoredFigure.objects.get(indicator=school, org_unit=province, year=2026)
    assert row.numerator == str(during.numerator)  # stored, under the tokens taken before the computation
    after = Engine().figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    # the new value makes the commune's pair (its denominator was there): counted at once
    assert (after.numerator, after.units_counted) == (during.numerator + 1, during.units_counted + 1)
    row.refresh_from_db()
    assert row.numerator == str(after.numerator)


def test_an_engine_within_a_subtree_never_serves_a_stored_figure_of_an_area_outside_it(plan: Plan) -> None:
    """A district's engine computes the province's figure from the district only; the store (filled for the whole
    province) must not hand it the province's figure, nor store the partial one as the province's."""
    refresh_stored_figures(today=TODAY, years=[2024])
    wanted = indicators(plan)
    district, province = unit("105", on=date(2024, 12, 31)), unit("12", on=date(2024, 12, 31))
    scoped = Engine(within=[district.path]).figures_many(wanted, years=[2024], areas=[province.pk, district.pk])
    assert scoped == Engine(stored=False, within=[district.path]).figures_many(
        wanted, years=[2024], areas=[province.pk, district.pk])
    whole = Engine().figures_many(wanted, years=[2024], areas=[province.pk])
    school = next(indicator for indicator in wanted if indicator.numerator.code == "DE_SCHOOL_PSYCH_SUPPORT")
    assert scoped[school.pk][(province.pk, 2024)] != whole[school.pk][(province.pk, 2024)]
    assert whole == Engine(stored=False).figures_many(wanted, years=[2024], areas=[province.pk])


def test_a_commune_officer_gets_no_other_units_figure_through_any_selector(plan: Plan) -> None:
    refresh_stored_figures(today=TODAY)  # every area's figures are stored
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    own = plan_progress(officer, plan=plan, unit_uid=None, year=2026, today=TODAY)
    assert own.area.code == "03390"
    assert [unit.code for unit in own.choices] == ["03390"]
    computed = Engine(stored=False, within=[unit("03390").path]).figures_many(
        indicators(plan), years=own.years, on=TODAY, areas=[own.area.id])
    assert {item.indicator.pk: {(own.area.id, year): figure for year, figure in item.trend if figure is not None}
            for item in own.items} == computed
    others = [unit("12"), unit("03408")]
    for other in others:
        with pytest.raises(Http404):
            plan_progress(officer, plan=plan, unit_uid=other.uid, year=2026, today=TODAY)
        with pytest.raises(Http404):
            indicator_detail(officer, plan=plan, code="I05", unit_uid=other.uid, year=2026, current_units=False,
                             today=TODAY)
        with pytest.raises(Http404):
            indicator_values(officer, plan=plan, code="I05", year=2026, org_unit_code=other.code, level=None,
                             on=None, today=TODAY)
    _indicator, rows, _on = indicator_values(officer, plan=plan, code="I05", year=2026, org_unit_code="03390",
                                             level="commune", on=None, today=TODAY)
    assert [row.unit.code for row in rows] == ["03390"]
    detail = indicator_detail(officer, plan=plan, code="I05", unit_uid=None, year=2026, current_units=False,
                              today=TODAY)
    assert [row.unit.code for row in detail.rows] == ["03390"]


def test_refreshing_computes_ahead_so_that_the_overview_computes_nothing(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = refresh_stored_figures(today=TODAY)
    assert report and report[0].figures > 0
    leader = user_with_role(Role.LEADER, "12")
    no_computing(monkeypatch)
    progress = plan_progress(leader, plan=plan, unit_uid=None, year=2026, today=TODAY)
    assert any(item.figure is not None for item in progress.items)


def test_a_read_from_the_store_runs_a_fixed_number_of_queries_whatever_the_number_of_communes(
    plan: Plan, django_assert_max_num_queries: Any
) -> None:
    wanted = indicators(plan)
    Engine().figures_many(wanted, years=YEARS, on=TODAY)
    with django_assert_max_num_queries(4):  # the tokens, the hierarchy (two), the stored figures
        Engine().figures_many(wanted, years=YEARS, on=TODAY)


def test_a_changed_definition_or_an_unstored_derived_function_is_computed(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = next(indicator for indicator in indicators(plan) if indicator.numerator.code == "DE_SCHOOL_PSYCH_SUPPORT")
    province = unit("12")
    before = Engine().figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    school.factor = Decimal(1000)
    school.save()
    after = Engine().figures(school, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    assert after.value == before.value * 10

    communes = next(indicator for indicator in indicators(plan)
                    if count_communes in (DERIVED_FUNCTIONS.get(indicator.denominator.derived_from),
                                          DERIVED_FUNCTIONS.get(indicator.numerator.derived_from)))
    assert Engine()._digests([communes])  # the hierarchy's own count: stored
    name = next(element.derived_from for element in (communes.numerator, communes.denominator) if element.is_derived)
    monkeypatch.setitem(DERIVED_FUNCTIONS, name, lambda *, year: [])  # a function without a source
    assert not Engine()._digests([communes])  # counted anew for every request: never stored
