"""Stored counts split by province: a scoped engine reads only the parts of its provinces (and of the old provinces
linked into its scope by lineage), with the same figures as an engine reading the nation; a count read back is the
count stored; a change to the source makes every province's part out of date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from treem.accounts.tests.factories import unit
from treem.core.tests.migrations import migrate
from treem.hierarchy.models import Level, Lineage, LineageKind, OrgUnit, UnitKind
from treem.indicators.counts import counted, forget_read_back, province_of, refresh
from treem.indicators.engine import Engine
from treem.indicators.models import DataValue, DerivedCount, DerivedCountPart
from treem.indicators.sources import DERIVED_FUNCTIONS, FUNCTION_SOURCES, DerivedCell, source_token
from treem.indicators.stored import ENTERED
from treem.plans.models import Indicator
from treem.plans.tests.factories import make_element, make_indicator, make_plan

pytestmark = pytest.mark.django_db

NUMERATOR, DENOMINATOR = "test.count_weighed", "test.count_children"
OLD_DAY, NEW_DAY = date(2024, 12, 31), date(2026, 1, 1)
YEARS = [2024, 2026]


def _unit(code: str, path: str, level: str, parent: OrgUnit | None, *, valid_from: date | None = None,
          valid_to: date | None = None) -> OrgUnit:
    kind = {Level.PROVINCE: UnitKind.PROVINCE, Level.COMMUNE: UnitKind.COMMUNE}[Level(level)]
    return OrgUnit.objects.create(uid=f"T{code:0>10}", code=code, name=f"Đơn vị {code}", kind=kind, level=level,
                                  parent=parent, path=path, valid_from=valid_from, valid_to=valid_to)


@pytest.fixture
def others() -> dict[str, OrgUnit]:
    """Beside Lai Châu: another province with one commune (both kept across the reform), and an old province whose
    one commune merged into Lai Châu's ward 03388 on 1 July 2025 (its cells lie under the old province's path,
    outside Lai Châu's)."""
    country = unit("12").parent
    assert country is not None
    new_province = _unit("98", "/98/", Level.PROVINCE, country)
    old_province = _unit("97", "/97/", Level.PROVINCE, country, valid_to=date(2025, 6, 30))
    old_commune = _unit("97001", "/97/97001/", Level.COMMUNE, old_province, valid_to=date(2025, 6, 30))
    Lineage.objects.create(predecessor=old_commune, successor=unit("03388", on=NEW_DAY), kind=LineageKind.MERGE,
                           effective_on=date(2025, 7, 1))
    return {"country": country, "new_province": new_province, "new_commune": _unit(
        "98001", "/98/98001/", Level.COMMUNE, new_province),
        "old_province": old_province, "old_commune": old_commune}


@pytest.fixture
def cells(others: dict[str, OrgUnit], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[int, int]]]:
    """Two counted elements (under the entered values' source, whose token a new value changes), with counts in
    Lai Châu's old and new communes, in the other province, in the old province's commune and for the country
    itself. The test may change the counts (``cells[name][unit id] = n``) before changing the source."""
    counts: dict[str, dict[int, int]] = {NUMERATOR: {}, DENOMINATOR: {}}
    for position, code in enumerate(("03386", "03389", "03390")):
        counts[NUMERATOR][unit(code, on=OLD_DAY).pk] = 10 + position
        counts[DENOMINATOR][unit(code, on=OLD_DAY).pk] = 40 + position
    for code in ("03388", "03390"):
        counts[NUMERATOR][unit(code, on=NEW_DAY).pk] = 7
        counts[DENOMINATOR][unit(code, on=NEW_DAY).pk] = 20
    for name, value in ((NUMERATOR, 3), (DENOMINATOR, 5)):
        counts[name][others["old_commune"].pk] = value
        counts[name][others["new_commune"].pk] = value * 100
        counts[name][others["country"].pk] = value * 1000

    def function_of(name: str) -> Any:
        def count(*, year: int) -> list[DerivedCell]:  # the units in force at the end of the year
            valid = set(OrgUnit.objects.valid_on(date(year, 12, 31)).values_list("id", flat=True))
            return [DerivedCell(org_unit_id=unit_id, year=year, value=value, sex=sex, ethnic_group_code="01")
                    for unit_id, total in sorted(counts[name].items()) if unit_id in valid
                    for sex, value in (("F", total - total // 2), ("M", total // 2)) if value]
        return count

    for name in (NUMERATOR, DENOMINATOR):
        monkeypatch.setitem(DERIVED_FUNCTIONS, name, function_of(name))
        monkeypatch.setitem(FUNCTION_SOURCES, name, ENTERED)
    forget_read_back()
    yield counts
    forget_read_back()


@pytest.fixture
def indicator(cells: dict[str, dict[int, int]]) -> Indicator:
    plan = make_plan()
    return make_indicator(plan, "TC", make_element(plan, "DE_T_WEIGHED", source="derived", derived_from=NUMERATOR),
                          make_element(plan, "DE_T_CHILDREN", source="derived", derived_from=DENOMINATOR))


def lai_chau() -> str:
    return unit("12", on=NEW_DAY).path


def change_the_source() -> None:
    """A new entered value: the entered values' token (highest id, latest change) is no longer the same."""
    element = make_element(make_plan(), "DE_T_OTHER")
    DataValue.objects.create(data_element=element, org_unit=unit("03390", on=NEW_DAY), year=2026, value=Decimal(1))


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of cells in each stored count's part decoded from the database, in order."""
    sizes: list[int] = []
    original = models.JSONField.from_db_value

    def counting(self: models.JSONField, value: Any, expression: Any, connection: Any) -> Any:
        result = original(self, value, expression, connection)
        if self.model is DerivedCountPart:
            sizes.append(len(result))
        return result

    monkeypatch.setattr(models.JSONField, "from_db_value", counting)
    return sizes


def test_the_province_of_a_path_is_its_first_segment() -> None:
    assert province_of("/12/105/03386/") == "/12/"
    assert province_of("/12/") == "/12/"
    assert province_of("/") == "/"


def test_a_count_is_stored_in_one_part_per_province_and_read_back_the_same(cells: dict[str, dict[int, int]],
                                                                            others: dict[str, OrgUnit]) -> None:
    first = counted([(NUMERATOR, 2024)])[(NUMERATOR, 2024)]
    assert not first.stored
    [header] = DerivedCount.objects.filter(function=NUMERATOR, year=2024)
    assert header.token == source_token(ENTERED)
    assert sorted(header.parts.values_list("province", flat=True)) == ["/", "/12/", "/97/", "/98/"]
    assert DerivedCountPart.objects.filter(count__year=2024, count__function=DENOMINATOR).count() == 0
    assert header.parts.get(province="/98/").cells == [[others["new_commune"].pk, "F", "01", 150],
                                                       [others["new_commune"].pk, "M", "01", 150]]
    forget_read_back()  # a new process: read from the database
    again = counted([(NUMERATOR, 2024)])[(NUMERATOR, 2024)]
    assert again.stored
    assert sorted(again.cells, key=repr) == sorted(first.cells, key=repr)
    assert sorted(counted([(NUMERATOR, 2024)])[(NUMERATOR, 2024)].cells, key=repr) == sorted(first.cells, key=repr)
    paths = dict(OrgUnit.objects.values_list("id", "path"))
    for provinces in (["/12/"], ["/97/", "/98/"], ["/"], [], ["/55/"]):
        some = counted([(NUMERATOR, 2024)], provinces=provinces)[(NUMERATOR, 2024)]
        assert some.stored
        assert sorted(some.cells, key=repr) == sorted(
            (cell for cell in first.cells if province_of(paths[cell.org_unit_id]) in provinces), key=repr)


def test_a_province_asked_for_first_gets_only_its_cells_from_a_count_made_now(cells: dict[str, dict[int, int]]
                                                                                ) -> None:
    result = counted([(NUMERATOR, 2024)], provinces=["/12/"])[(NUMERATOR, 2024)]
    assert not result.stored
    lai_chau_units = set(OrgUnit.objects.filter(path__startswith="/12/").values_list("id", flat=True))
    assert result.cells and {cell.org_unit_id for cell in result.cells} <= lai_chau_units
    assert DerivedCountPart.objects.filter(count__function=NUMERATOR, count__year=2024).count() == 4  # all stored
    assert not counted([(NUMERATOR, 2026)], provinces=[])[(NUMERATOR, 2026)].cells  # counted, none asked for
    assert counted([(NUMERATOR, 2026)], provinces=[])[(NUMERATOR, 2026)].stored


@pytest.mark.parametrize("on", [None, NEW_DAY], ids=["each year's units", "today's units"])
def test_a_scoped_engine_gives_the_figures_of_an_unscoped_one_in_its_scope(indicator: Indicator,
                                                                           on: date | None) -> None:
    refresh(names=[NUMERATOR, DENOMINATOR], years=YEARS)
    forget_read_back()
    everything = Engine(stored=False).figures(indicator, years=YEARS, on=on)
    forget_read_back()
    scoped = Engine(stored=False, within=[lai_chau()])
    areas = [unit_id for unit_id, one in scoped.hierarchy.units.items() if one.path.startswith(lai_chau())]
    figures = scoped.figures(indicator, years=YEARS, on=on, areas=areas)
    inside = {key: figure for key, figure in everything.items() if key[0] in areas}
    assert figures == inside
    assert len(inside) >= 6  # Lai Châu and 2 wards (and in 2024 on its units, 2 districts and 3 communes)
    # and with the stored figures on, the same again (computed, then read back)
    assert Engine(within=[lai_chau()]).figures(indicator, years=YEARS, on=on, areas=areas) == inside
    assert Engine(within=[lai_chau()]).figures(indicator, years=YEARS, on=on, areas=areas) == inside


def test_an_old_unit_of_another_province_linked_into_the_scope_still_counts(indicator: Indicator,
                                                                            others: dict[str, OrgUnit]) -> None:
    refresh(names=[NUMERATOR, DENOMINATOR], years=YEARS)
    forget_read_back()
    scoped = Engine(stored=False, within=[unit("03388", on=NEW_DAY).path])
    figures = scoped.figures(indicator, years=[2024], on=NEW_DAY)
    ward = figures[(unit("03388", on=NEW_DAY).pk, 2024)]
    # 03388's old communes (03386, 03389) and the old province's commune, carried forward by the lineage
    assert (ward.numerator, ward.denominator) == (Decimal(10 + 11 + 3), Decimal(40 + 41 + 5))
    assert others["old_commune"].pk in (scoped.relevant_units or set())
    forget_read_back()
    assert Engine(stored=False).figures(indicator, years=[2024], on=NEW_DAY)[(unit("03388", on=NEW_DAY).pk, 2024)] \
        == ward


def test_a_scoped_engine_decodes_only_its_provinces_parts(indicator: Indicator, decoded: list[int]) -> None:
    refresh(names=[NUMERATOR, DENOMINATOR], years=YEARS)
    sizes = dict(DerivedCountPart.objects.filter(count__year=2024, count__function=NUMERATOR)
                 .values_list("province", "cells"))
    assert sorted(sizes) == ["/", "/12/", "/97/", "/98/"]
    decoded.clear()
    forget_read_back()
    with CaptureQueriesContext(connection) as queries:
        Engine(stored=False, within=[lai_chau()]).figures(indicator, years=[2024])
    # Lai Châu's part and the old province's (linked by lineage), not the other province's nor the country's
    assert sorted(decoded) == sorted([len(sizes["/12/"]), len(sizes["/97/"])] * 2)
    reads = [query["sql"] for query in queries.captured_queries if "indicators_derivedcountpart" in query["sql"]]
    assert len(reads) == 2  # the headers with the parts asked for, then those parts' cells
    decoded.clear()
    forget_read_back()
    Engine(stored=False).figures(indicator, years=[2024])
    assert sorted(decoded) == sorted([len(cells) for cells in sizes.values()] * 2)  # unscoped: every part
    decoded.clear()
    Engine(stored=False, within=[lai_chau()]).figures(indicator, years=[2024])
    assert decoded == []  # the parts read back by this process are not decoded again


def test_a_change_to_the_source_makes_every_provinces_part_out_of_date(cells: dict[str, dict[int, int]],
                                                                       others: dict[str, OrgUnit]) -> None:
    refresh(names=[NUMERATOR], years=[2026])
    assert counted([(NUMERATOR, 2026)], provinces=["/98/"])[(NUMERATOR, 2026)].stored
    old_token = DerivedCount.objects.get(function=NUMERATOR, year=2026).token
    cells[NUMERATOR][unit("03390", on=NEW_DAY).pk] = 9
    change_the_source()
    assert source_token(ENTERED) != old_token
    # a read of another province counts again, and stores every province's part under the new token
    assert not counted([(NUMERATOR, 2026)], provinces=["/98/"])[(NUMERATOR, 2026)].stored
    header = DerivedCount.objects.get(function=NUMERATOR, year=2026)
    assert header.token == source_token(ENTERED)
    lai_chau_cells = counted([(NUMERATOR, 2026)], provinces=["/12/"])[(NUMERATOR, 2026)]
    assert lai_chau_cells.stored
    assert sum(cell.value for cell in lai_chau_cells.cells if cell.org_unit_id == unit("03390", on=NEW_DAY).pk) == 9
    assert [result.was_current for result in refresh(names=[NUMERATOR], years=[2026])] == [True]
    assert DerivedCountPart.objects.filter(count__function=NUMERATOR).count() == 3  # "/", "/12/", "/98/" in 2026


BEFORE_PARTS = [("indicators", "0004_stored_figure_basis")]
WITH_PARTS = [("indicators", "0005_stored_count_parts")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_counts_cells_into_its_provinces_parts_and_back(reference_data: None) -> None:
    old = migrate(BEFORE_PARTS).loader.project_state(BEFORE_PARTS).apps
    country, commune, ward = unit("VN"), unit("03386", on=OLD_DAY), unit("03388", on=NEW_DAY)
    cells = [[commune.pk, "F", "01", 4], [ward.pk, "", "", 2], [country.pk, "M", "", 1], [987654, "", "", 5]]
    old.get_model("indicators", "DerivedCount").objects.create(
        function=NUMERATOR, year=2024, token="7|x", includes_demo=True, cells=cells, counted_at=timezone.now())
    old.get_model("indicators", "DerivedCount").objects.create(
        function=DENOMINATOR, year=2024, token="7|x", cells=[], counted_at=timezone.now())

    migrate(WITH_PARTS)

    header = DerivedCount.objects.get(function=NUMERATOR)
    assert (header.token, header.includes_demo) == ("7|x", True)
    assert dict(header.parts.values_list("province", "cells")) == {
        "/12/": [[commune.pk, "F", "01", 4], [ward.pk, "", "", 2]],
        "/": [[country.pk, "M", "", 1], [987654, "", "", 5]]}  # a unit no longer known: the country's part
    assert not DerivedCount.objects.get(function=DENOMINATOR).parts.exists()

    back = migrate(BEFORE_PARTS).loader.project_state(BEFORE_PARTS).apps
    rows = back.get_model("indicators", "DerivedCount").objects.order_by("function")
    assert sorted(map(tuple, rows.get(function=NUMERATOR).cells)) == sorted(map(tuple, cells))
    assert rows.get(function=DENOMINATOR).cells == []
    migrate(WITH_PARTS)
