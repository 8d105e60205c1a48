"""The indicator engine: every figure of a plan's indicators comes through here.

1. **Cells.** For each data element, commune (or whatever unit the value was given for) and year, the engine
   reads the entered values (one SQL aggregation, grain-aware, see ``_entered``) and the derived ones (the
   functions registered in :mod:`treem.indicators.sources`, called once per element and year, or read back from
   their stored counts while the records are unchanged, see :mod:`treem.indicators.counts`). Where a unit has a
   derived value for an element and year, it wins over an entered one; the entered one is kept as a discrepancy.
2. **Pairs.** For an indicator, a unit enters the sums for a year only when it has both a numerator and a
   denominator value (``docs/indicators.md``). Missing stays missing: no value is ever taken as zero.
3. **Placement.** Each unit's pair is placed on the hierarchy the figures are shown on: the hierarchy valid on the
   year's *reference date* (31 December of the year) by default, or any other date (today's communes for years
   before 2025). A unit that is not valid on that date is carried through the lineage to the units that are:
   forward to its successors (a merge sums), backward to its predecessors; when it lands on several units its
   figures count only at their nearest common ancestor (they cannot be apportioned).
4. **Roll-up.** A placed pair counts in every area above it: numerators and denominators are summed, never
   percentages averaged. value = factor × Σ numerator ÷ Σ denominator, an exact fraction.

Everything is set-based: the number of queries does not depend on the number of units, values or years shown
(the hierarchy in two queries, entered values in one per kind of read, one call per derived element and year).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from treem.core.models import EthnicGroup
from treem.hierarchy.models import Lineage, OrgUnit
from treem.indicators import stored as stored_figures
from treem.indicators.counts import counted, province_of
from treem.indicators.models import DataValue
from treem.indicators.sources import (
    SOURCES,
    DerivedCell,
    demo_check,
    derived_function,
    register_derived,
    register_source,
    source_of,
    source_tokens,
)
from treem.plans.models import DataElement, Indicator

# Breakdown dimensions and the category keys they use.
SEX = "sex"  # "M", "F"
ETHNICITY = "ethnicity"  # an ethnic group's code
MINORITY = "minority"  # "kinh", "minority"
DIMENSIONS = (SEX, ETHNICITY, MINORITY)
KINH, MINORITIES = "kinh", "minority"

CellKey = tuple[int, int, int]  # (data element id, org unit id, year)


def reference_date(year: int) -> date:
    """The day whose hierarchy a year's figures are shown on by default: 31 December (for 2025: the 38 communes
    in force from 1 July 2025, which report the year's results before 1 December)."""
    return date(year, 12, 31)


# ------------------------------------------------------------------------------------------------------------
# The hierarchy in memory
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    uid: str
    code: str
    name: str
    level: str
    path: str
    parent_id: int | None
    valid_from: date | None
    valid_to: date | None

    def is_valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


def _path_prefixes(path: str) -> list[str]:
    """"/12/105/03386/" → ["/12/105/03386/", "/12/105/", "/12/", "/"] (longest first; the country's path "/" is
    the prefix of every path, so figures roll up to the country too)."""
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[:size]) + "/" for size in range(len(parts), 0, -1)] + ["/"]


class HierarchyIndex:
    """Every org unit and lineage link, read in two queries, with placement on any date memoised."""

    def __init__(self, units: Iterable[Unit], links: Iterable[tuple[int, int]]) -> None:
        self.units: dict[int, Unit] = {unit.id: unit for unit in units}
        self.successors: dict[int, list[int]] = defaultdict(list)
        self.predecessors: dict[int, list[int]] = defaultdict(list)
        for predecessor_id, successor_id in links:
            self.successors[predecessor_id].append(successor_id)
            self.predecessors[successor_id].append(predecessor_id)
        self._by_path: dict[date, dict[str, Unit]] = {}
        self._areas: dict[tuple[int, date], tuple[int, ...]] = {}

    @classmethod
    def load(cls) -> HierarchyIndex:
        units = [
            Unit(*row)
            for row in OrgUnit.objects.values_list(
                "id", "uid", "code", "name", "level", "path", "parent_id", "valid_from", "valid_to"
            )
        ]
        links = Lineage.objects.order_by().values_list("predecessor_id", "successor_id")
        return cls(units, links)

    def by_path_on(self, on: date) -> dict[str, Unit]:
        found = self._by_path.get(on)
        if found is None:
            found = {unit.path: unit for unit in self.units.values() if unit.is_valid_on(on)}
            self._by_path[on] = found
        return found

    def valid_on(self, on: date) -> list[Unit]:
        return sorted(self.by_path_on(on).values(), key=lambda unit: unit.path)

    def children_on(self, unit: Unit, on: date) -> list[Unit]:
        return [candidate for candidate in self.valid_on(on) if candidate.parent_id == unit.id]

    def _related_on(self, unit: Unit, on: date) -> list[Unit]:
        """The units valid on ``on`` that ``unit``'s territory went to (or came from), through the lineage."""
        forward = unit.valid_to is not None and unit.valid_to < on
        edges = self.successors if forward else self.predecessors
        found: dict[int, Unit] = {}
        frontier, seen = [unit.id], set()
        while frontier:
            current = frontier.pop()
            if current in seen:
                continue
            seen.add(current)
            for other_id in edges.get(current, ()):
                other = self.units[other_id]
                if other.is_valid_on(on):
                    found[other.id] = other
                else:
                    frontier.append(other.id)
        return list(found.values())

    def placement(self, unit_id: int, on: date) -> str | None:
        """The path, among units valid on ``on``, under which the figures of ``unit_id`` count."""
        unit = self.units.get(unit_id)
        if unit is None:
            return None
        valid = self.by_path_on(on)
        if unit.is_valid_on(on):
            return unit.path
        related = self._related_on(unit, on)
        candidates = [_path_prefixes(other.path) for other in related]
        if len(candidates) == 1:
            return related[0].path
        if candidates:
            common = set(candidates[0]).intersection(*candidates[1:])
            for prefix in candidates[0]:
                if prefix in common and prefix in valid:
                    return prefix
        for prefix in _path_prefixes(unit.path):  # no lineage: the nearest ancestor that exists on that day
            if prefix in valid:
                return prefix
        return None

    def connected_to(self, roots: Iterable[str]) -> set[int]:
        """Ids of the units whose figures can count inside the subtrees ``roots`` on some date: the units under
        them, and every unit linked to one of those by lineage, transitively (an old commune merged into a commune
        of the subtree, or the successor of one). Any other unit is placed outside every root on every date."""
        prefixes = tuple(roots)
        found = {unit.id for unit in self.units.values() if unit.path.startswith(prefixes)}
        frontier = list(found)
        while frontier:
            current = frontier.pop()
            for other in (*self.successors.get(current, ()), *self.predecessors.get(current, ())):
                if other not in found:
                    found.add(other)
                    frontier.append(other)
        return found

    def areas_of(self, unit_id: int, on: date) -> tuple[int, ...]:
        """Ids of the units valid on ``on`` whose figures include those of ``unit_id`` (itself first, if valid)."""
        key = (unit_id, on)
        found = self._areas.get(key)
        if found is None:
            place = self.placement(unit_id, on)
            valid = self.by_path_on(on)
            found = tuple(valid[prefix].id for prefix in _path_prefixes(place) if prefix in valid) if place else ()
            self._areas[key] = found
        return found


# ------------------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """An indicator for one area and year (and possibly one category of a breakdown)."""

    numerator: Decimal | None
    denominator: Decimal | None
    units_counted: int
    factor: Decimal = Decimal(100)
    includes_demo: bool = False
    # Set when the figure is a stored one computed before the latest changes (``TREEM_FIGURES_MAX_AGE``): when.
    as_of: datetime | None = None

    @property
    def value(self) -> Fraction | None:
        """factor × numerator ÷ denominator as an exact fraction; None when missing (never 0 for missing)."""
        if self.numerator is None or self.denominator is None or self.denominator == 0:
            return None
        return Fraction(self.factor) * Fraction(self.numerator) / Fraction(self.denominator)

    @property
    def has_value(self) -> bool:
        return self.value is not None


MISSING = Figure(numerator=None, denominator=None, units_counted=0)


@dataclass
class _Sum:
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    units: int = 0
    demo: bool = False

    def add(self, numerator: Decimal, denominator: Decimal, demo: bool) -> None:
        self.numerator += numerator
        self.denominator += denominator
        self.units += 1
        self.demo = self.demo or demo

    def figure(self, factor: Decimal) -> Figure:
        return Figure(numerator=self.numerator, denominator=self.denominator, units_counted=self.units,
                      factor=factor, includes_demo=self.demo)


@dataclass
class Breakdown:
    """An area's figures by category for each dimension: ``{"sex": {"M": Figure, "F": Figure}, …}``."""

    figures: dict[str, dict[str, Figure]] = field(default_factory=dict)

    def category(self, dimension: str, key: str) -> Figure:
        return self.figures.get(dimension, {}).get(key, MISSING)

    def minority_gap(self) -> Fraction | None:
        """Ethnic-minority value minus Kinh value (percentage points), when both exist."""
        minority = self.category(MINORITY, MINORITIES).value
        kinh = self.category(MINORITY, KINH).value
        return None if minority is None or kinh is None else minority - kinh


# ------------------------------------------------------------------------------------------------------------
# Reading cells
# ------------------------------------------------------------------------------------------------------------


@dataclass
class _Cells:
    totals: dict[CellKey, Decimal] = field(default_factory=dict)
    demo: set[CellKey] = field(default_factory=set)
    # the cells whose total was counted from records
    derived: set[CellKey] = field(default_factory=set)
    # the entered value of a cell that a derived value overrode (shown beside it as a discrepancy to review, and
    # used to pair with an entered value of the other element: see ``Engine._pair``), and whether it was demo
    overridden: dict[CellKey, Decimal] = field(default_factory=dict)
    overridden_demo: set[CellKey] = field(default_factory=set)
    by_category: dict[str, dict[tuple[int, int, int, str], Decimal]] = field(
        default_factory=lambda: {SEX: {}, ETHNICITY: {}}
    )
    # the entered breakdowns of derived cells (used with the overridden totals)
    entered_by_category: dict[str, dict[tuple[int, int, int, str], Decimal]] = field(
        default_factory=lambda: {SEX: {}, ETHNICITY: {}}
    )


class Engine:
    """One request's engine: reads are memoised for the life of the object (create one per request).

    ``within`` (org-unit paths, e.g. a user's scope) limits what the engine reads to the units whose figures can
    count inside those subtrees (:meth:`HierarchyIndex.connected_to`): a province's page reads that province's
    values and counts, not the nation's. Figures of areas inside ``within`` are the same as without it; areas
    outside get none. ``None`` or the country's path reads everything.
    """

    def __init__(self, *, hierarchy: HierarchyIndex | None = None, within: Iterable[str] | None = None,
                 stored: bool = True) -> None:
        self._hierarchy = hierarchy
        # Stored figures need the hierarchy's token taken before the hierarchy is read: not for one handed in.
        self._store = stored and hierarchy is None
        self._spans_of: stored_figures.Spans | None = None
        roots = None if within is None else sorted(set(within))
        self._within = None if roots is None or "/" in roots else roots
        self._relevant: set[int] | None = None
        self._provinces_of: set[str] | None = None
        self._derived: dict[tuple[str, int], list[DerivedCell]] = {}
        self._derived_demo: dict[tuple[str, int], bool] = {}
        self._tokens: dict[str, str] = {}
        self._totals_read: set[tuple[int, int]] = set()
        self._categories_read: set[tuple[int, int]] = set()
        self._cells = _Cells()
        self._majority_codes: set[str] | None = None
        self._group_names: dict[str, str] = {}

    @property
    def hierarchy(self) -> HierarchyIndex:
        if self._hierarchy is None:
            if self._store:
                self._take_tokens()
            self._hierarchy = HierarchyIndex.load()
        return self._hierarchy

    @property
    def relevant_units(self) -> set[int] | None:
        """The ids of the units whose values and counts are read (None: every unit)."""
        if self._within is not None and self._relevant is None:
            self._relevant = self.hierarchy.connected_to(self._within)
        return self._relevant

    def _provinces(self) -> set[str] | None:
        """The parts of the stored counts the engine reads: the provinces (:func:`counts.province_of`) of its
        relevant units — an old unit linked into the scope by lineage brings its old province's part — or None
        (every part) for an unscoped engine."""
        relevant = self.relevant_units
        if relevant is None:
            return None
        if self._provinces_of is None:
            units = self.hierarchy.units
            self._provinces_of = {province_of(units[unit_id].path) for unit_id in relevant}
        return self._provinces_of

    # -- derived values ------------------------------------------------------------------------------------------

    def _read_derived(self, wanted: Iterable[tuple[DataElement, int]]) -> None:
        """Read in one go the stored counts of the derived elements among ``wanted`` (counting those that are out
        of date, see :mod:`treem.indicators.counts`)."""
        pairs = [(element.derived_from, year) for element, year in wanted
                 if element.is_derived and (element.derived_from, year) not in self._derived]
        if not pairs:
            return
        for key, result in counted(pairs, tokens=self._tokens, provinces=self._provinces()).items():
            self._derived[key] = result.cells
            self._derived_demo[key] = result.includes_demo

    def derived_cells(self, element: DataElement, year: int) -> list[DerivedCell] | None:
        """The cells of a derived element for a year, or None when its function is not registered (yet)."""
        if not element.is_derived:
            return None
        key = (element.derived_from, year)
        if key in self._derived:
            return self._derived[key]
        function = derived_function(element.derived_from)
        if function is None:
            return None
        if function is count_communes:  # the engine's own count: from the hierarchy it already holds
            cells = [DerivedCell(org_unit_id=unit.id, year=year, value=1)
                     for unit in self.hierarchy.valid_on(reference_date(year)) if unit.level == "commune"]
        elif source_of(element.derived_from) is not None:
            self._read_derived([(element, year)])
            return self._derived[key]
        else:
            cells = [cell for cell in function(year=year) if cell.year == year]
        self._derived[key] = cells
        return cells

    def derived_includes_demo(self, element: DataElement, year: int) -> bool:
        """Whether the records counted by a derived element's function include demo records (asked once)."""
        key = (element.derived_from, year)
        if key not in self._derived_demo:
            check = demo_check(element.derived_from)
            self._derived_demo[key] = bool(check()) if check is not None else False
        return self._derived_demo[key]

    # -- entered values ------------------------------------------------------------------------------------------

    def _load_totals(self, elements: Sequence[DataElement], years: Sequence[int]) -> None:
        wanted = [(element, year) for element in elements for year in years
                  if (element.pk, year) not in self._totals_read]
        if not wanted:
            return
        if self._store:
            self._take_tokens()
        element_ids = sorted({element.pk for element, _ in wanted})
        year_list = sorted({year for _, year in wanted})
        cells = self._cells
        relevant = self.relevant_units
        rows = _entered(element_ids, year_list, unit_ids=relevant)
        for element_id, unit_id, year, total, demo in rows:
            if (element_id, year) in self._totals_read:
                continue
            key = (element_id, unit_id, year)
            cells.totals[key] = total
            if demo:
                cells.demo.add(key)
        self._read_derived(wanted)
        for element, year in wanted:
            self._totals_read.add((element.pk, year))
            derived = self.derived_cells(element, year)
            if derived is None:
                continue
            counts: dict[int, int] = defaultdict(int)  # whole counts per unit, converted once per unit below
            for cell in derived:
                if relevant is None or cell.org_unit_id in relevant:
                    counts[cell.org_unit_id] += cell.value
            element_id = element.pk
            is_demo = bool(counts) and self.derived_includes_demo(element, year)
            for unit_id, count in counts.items():
                key, total = (element_id, unit_id, year), Decimal(count)
                if key in cells.totals:
                    cells.overridden[key] = cells.totals[key]
                    if key in cells.demo:
                        cells.overridden_demo.add(key)
                cells.totals[key] = total
                cells.derived.add(key)
                if is_demo:
                    cells.demo.add(key)
                else:
                    cells.demo.discard(key)

    def _load_categories(self, elements: Sequence[DataElement], years: Sequence[int]) -> None:
        wanted = [(element, year) for element in elements for year in years
                  if (element.pk, year) not in self._categories_read]
        if not wanted:
            return
        self._load_totals(elements, years)  # takes the entered values' token first
        by_sex, by_ethnicity = self._cells.by_category[SEX], self._cells.by_category[ETHNICITY]
        derived_keys: set[CellKey] = set()
        relevant = self.relevant_units
        for element, year in wanted:
            derived = self.derived_cells(element, year)
            if derived is None:
                continue
            for cell in derived:
                if relevant is not None and cell.org_unit_id not in relevant:
                    continue
                derived_keys.add((element.pk, cell.org_unit_id, year))
                if cell.sex in ("M", "F"):
                    key = (element.pk, cell.org_unit_id, year, cell.sex)
                    by_sex[key] = by_sex.get(key, Decimal(0)) + Decimal(cell.value)
                if cell.ethnic_group_code:
                    key = (element.pk, cell.org_unit_id, year, cell.ethnic_group_code)
                    by_ethnicity[key] = by_ethnicity.get(key, Decimal(0)) + Decimal(cell.value)
        rows = (
            DataValue.objects.with_value()
            .filter(data_element_id__in=sorted({element.pk for element, _ in wanted}),
                    year__in=sorted({year for _, year in wanted}))
            .values_list("data_element_id", "org_unit_id", "year", "sex", "ethnic_group__code", "value")
        )
        if relevant is not None:
            rows = rows.filter(org_unit_id__in=sorted(relevant))
        # Per cell: a value given for the category itself wins; otherwise the sum over the finer cross cells.
        direct_sex: dict[tuple[int, int, int, str], Decimal] = {}
        direct_ethnic: dict[tuple[int, int, int, str], Decimal] = {}
        cross_sex: dict[tuple[int, int, int, str], Decimal] = defaultdict(Decimal)
        cross_ethnic: dict[tuple[int, int, int, str], Decimal] = defaultdict(Decimal)
        for element_id, unit_id, year, sex, ethnic_code, raw in rows:
            if raw is None or (element_id, year) in self._categories_read:
                continue
            value = Decimal(raw)
            if sex and ethnic_code:
                cross_sex[(element_id, unit_id, year, sex)] += value
                cross_ethnic[(element_id, unit_id, year, ethnic_code)] += value
            elif sex:
                direct_sex[(element_id, unit_id, year, sex)] = value
            elif ethnic_code:
                direct_ethnic[(element_id, unit_id, year, ethnic_code)] = value
        entered = self._cells.entered_by_category
        for dimension, direct, cross in ((SEX, direct_sex, cross_sex), (ETHNICITY, direct_ethnic, cross_ethnic)):
            covered = {key[:3] for key in direct}
            values = {**direct, **{key: value for key, value in cross.items() if key[:3] not in covered}}
            for key, value in values.items():  # an entered breakdown of a derived cell is kept aside
                (entered if key[:3] in derived_keys else self._cells.by_category)[dimension][key] = value
        self._categories_read.update((element.pk, year) for element, year in wanted)

    # -- ethnic groups -------------------------------------------------------------------------------------------

    def _ethnic_groups(self) -> tuple[set[str], dict[str, str]]:
        if self._majority_codes is None:
            rows = list(EthnicGroup.objects.values_list("code", "name", "is_majority"))
            self._majority_codes = {code for code, _name, majority in rows if majority}
            self._group_names = {code: name for code, name, _majority in rows}
        return self._majority_codes, self._group_names

    def ethnic_group_name(self, code: str) -> str:
        return self._ethnic_groups()[1].get(code, code)

    # -- figures -----------------------------------------------------------------------------------------------

    def figures(
        self,
        indicator: Indicator,
        *,
        years: Sequence[int],
        on: date | None = None,
        areas: Iterable[int] | None = None,
    ) -> dict[tuple[int, int], Figure]:
        """``{(area id, year): Figure}`` for every area (unit valid on the display date) with a value.

        ``on`` is the date whose hierarchy the figures are shown on; by default each year's reference date.
        ``areas`` limits the result to those unit ids (the computation is the same).
        """
        return self.figures_many([indicator], years=years, on=on, areas=areas)[indicator.pk]

    def figures_many(
        self,
        indicators: Sequence[Indicator],
        *,
        years: Sequence[int],
        on: date | None = None,
        areas: Iterable[int] | None = None,
    ) -> dict[int, dict[tuple[int, int], Figure]]:
        """:meth:`figures` for several indicators, reading every element in one go.

        Figures computed before are read back from the stored figures (:mod:`treem.indicators.stored`) while
        nothing they were computed from has changed; the others are computed and stored."""
        indicators, years = list(indicators), list(dict.fromkeys(years))
        wanted = set(areas) if areas is not None else None
        if not self._store or not indicators or not years:
            return self._compute_figures(indicators, years=years, on=on, wanted=wanted)
        hierarchy = self.hierarchy  # first: its token is taken before it is read
        digests = self._digests(indicators)
        if not digests:
            return self._compute_figures(indicators, years=years, on=on, wanted=wanted)
        # The areas each year's figures can be served for: in force on the display date and inside the engine's
        # scope (an engine within a province holds only part of the country's figure). A wanted area outside the
        # scope sends its year to the computation; an area not in force on that date has no figure at all.
        shown: dict[int, date] = {}
        served: dict[int, list[int]] = {}
        uncovered: set[int] = set()
        for year in years:
            display_on = on or reference_date(year)
            shown[year] = self._spans().start_of(display_on)
            if wanted is None:  # every area: an engine within a scope gives areas above it partial figures
                in_force = hierarchy.by_path_on(display_on).values()
                served[year] = [unit.id for unit in in_force if self._inside(unit.path)]
                if len(served[year]) < len(in_force):
                    uncovered.add(year)
                continue
            served[year] = []
            for area_id in wanted:
                unit = hierarchy.units.get(area_id)
                if unit is None or not unit.is_valid_on(display_on):
                    continue
                if self._inside(unit.path):
                    served[year].append(area_id)
                else:
                    uncovered.add(year)
        kept = stored_figures.read(sorted(digests), years, sorted(set(shown.values())),
                                   None if wanted is None else {area for ids in served.values() for area in ids})
        result: dict[int, dict[tuple[int, int], Figure]] = {indicator.pk: {} for indicator in indicators}
        stale: list[tuple[Indicator, int]] = []
        now = timezone.now()
        for indicator in indicators:
            stamp = digests.get(indicator.pk)
            factor = Decimal(indicator.factor)
            for year in years:
                found = [kept.get((indicator.pk, area_id, year, shown[year])) for area_id in served[year]]
                if stamp is None or year in uncovered:
                    stale.append((indicator, year))
                    continue
                as_of = None
                if any(row is None or row[0].token != stamp.token for row in found):
                    # Changed since: computed again, unless figures of the same definition and hierarchy computed
                    # within the window may stand in (settings.TREEM_FIGURES_MAX_AGE; the page says when).
                    as_of = stored_figures.may_serve_older([row[0] if row else None for row in found],
                                                           [row[1] if row else None for row in found],
                                                           basis=stamp.basis, now=now)
                    if as_of is None:
                        stale.append((indicator, year))
                        continue
                for area_id, row in zip(served[year], found, strict=True):
                    back = row[1] if row is not None else None
                    if back is not None and back.numerator is not None:
                        result[indicator.pk][(area_id, year)] = Figure(
                            numerator=back.numerator, denominator=back.denominator,
                            units_counted=back.units_counted, factor=factor, includes_demo=back.includes_demo,
                            as_of=as_of)
        if not stale:
            return result
        to_compute = list({indicator.pk: indicator for indicator, _ in stale}.values())
        computed = self._compute_figures(to_compute, years=sorted({year for _, year in stale}), on=on,
                                         wanted=wanted)
        stale_years: dict[int, set[int]] = defaultdict(set)
        for indicator, year in stale:
            stale_years[indicator.pk].add(year)
        for indicator_id, by_area in computed.items():
            for (area_id, year), one in by_area.items():
                if year in stale_years[indicator_id]:
                    result[indicator_id][(area_id, year)] = one
        to_store: dict[stored_figures.StoreKey, tuple[stored_figures.Stamp, stored_figures.Kept]] = {}
        nothing = stored_figures.Kept(numerator=None, denominator=None, units_counted=0, includes_demo=False)
        for indicator, year in stale:
            token = digests.get(indicator.pk)
            if token is None or year in uncovered:
                continue
            of_indicator = computed[indicator.pk]
            for area_id in served[year]:
                new = of_indicator.get((area_id, year))
                to_store[(indicator.pk, area_id, year, shown[year])] = (token, nothing if new is None else
                    stored_figures.Kept(numerator=new.numerator, denominator=new.denominator,
                                        units_counted=new.units_counted, includes_demo=new.includes_demo))
        stored_figures.write(to_store)
        return result

    # -- what a stored figure is computed from ---------------------------------------------------------------

    def _inside(self, path: str) -> bool:
        return self._within is None or path.startswith(tuple(self._within))

    def _spans(self) -> stored_figures.Spans:
        if self._spans_of is None:
            units = self.hierarchy.units.values()
            self._spans_of = stored_figures.Spans((unit.valid_from, unit.valid_to) for unit in units)
        return self._spans_of

    def _take_tokens(self) -> None:
        """Take the tokens of every source, once per engine and in one statement, before anything they cover is
        read (the hierarchy, entered values, stored counts): what the engine reads afterwards is at least as new as
        the tokens say, so a figure stored under them is never newer in its token than in its data."""
        missing = SOURCES.keys() - self._tokens.keys()
        if missing:
            self._tokens.update(source_tokens(missing))

    def _digests(self, indicators: Sequence[Indicator]) -> dict[int, stored_figures.Stamp]:
        """The digest of what each indicator's figures are computed from (see :mod:`treem.indicators.stored`);
        indicators with a derived function whose counts are not stored (called anew for every request) have none,
        and are always computed."""
        described: dict[int, tuple[list[str], set[str]]] = {}
        for indicator in indicators:
            parts = [f"indicator:{indicator.pk}:{indicator.numerator_id}:{indicator.denominator_id}:"
                     f"{Decimal(indicator.factor)}"]
            sources = {stored_figures.ENTERED, stored_figures.HIERARCHY}
            for element in (indicator.numerator, indicator.denominator):
                name = element.derived_from if element.is_derived else ""
                function = derived_function(name) if name else None
                if not name:
                    kind = "entered"
                elif function is None:
                    kind = "unregistered"  # no cells until its domain registers it
                elif function is count_communes:
                    kind = "communes"  # from the hierarchy
                elif (source := source_of(name)) is not None:
                    kind = f"source:{source}"
                    sources.add(source)
                else:
                    break  # counted anew for every request: nothing to compare a stored figure with
                parts.append(f"element:{element.pk}:{name}:{kind}")
            else:
                described[indicator.pk] = (parts, sources)
        self._take_tokens()
        hierarchy = f"{stored_figures.HIERARCHY}={self._tokens[stored_figures.HIERARCHY]}"
        return {pk: stored_figures.Stamp(
                    token=stored_figures.digest([*parts, *(f"{source}={self._tokens[source]}"
                                                           for source in sorted(sources))]),
                    basis=stored_figures.digest([*parts, hierarchy]))
                for pk, (parts, sources) in described.items()}

    def _compute_figures(
        self,
        indicators: Sequence[Indicator],
        *,
        years: Sequence[int],
        on: date | None,
        wanted: set[int] | None,
    ) -> dict[int, dict[tuple[int, int], Figure]]:
        """The figures computed from the cells (what :meth:`figures_many` does when nothing is stored)."""
        elements = _elements_of(indicators)
        self._load_totals(elements, years)
        index = _TotalsByElementYear(self._cells.totals)
        result: dict[int, dict[tuple[int, int], Figure]] = {}
        areas_of = self.hierarchy.areas_of
        for indicator in indicators:
            sums: dict[tuple[int, int], _Sum] = defaultdict(_Sum)
            for year in years:
                display_on = on or reference_date(year)
                numerators = index.get(indicator.numerator_id, year)
                denominators = index.get(indicator.denominator_id, year)
                for unit_id in numerators.keys() & denominators.keys():
                    targets = areas_of(unit_id, display_on)
                    if wanted is not None:
                        targets = tuple(area_id for area_id in targets if area_id in wanted)
                        if not targets:
                            continue
                    numerator, denominator, demo = self._pair(indicator, unit_id, year)
                    for area_id in targets:
                        sums[(area_id, year)].add(numerator, denominator, demo)
            factor = Decimal(indicator.factor)
            result[indicator.pk] = {key: total.figure(factor) for key, total in sums.items()}
        return result

    def _uses_entered(self, indicator: Indicator, element_id: int, unit_id: int, year: int) -> bool:
        """Whether a unit's figure takes the *entered* value of a derived element: when the other element of the
        indicator has only an entered value there, the pair is taken from the same source — the report that gave
        that value also gave this one — rather than an entered count over a count of records (an education
        department's enrolled 5-year-olds over the registry's 5-year-olds, when the registry is incomplete, can
        exceed 100 %). The records' value stays beside it as a discrepancy."""
        cells = self._cells
        key = (element_id, unit_id, year)
        if key not in cells.overridden:  # the common case, and the cheapest test first
            return False
        other_id = indicator.denominator_id if element_id == indicator.numerator_id else indicator.numerator_id
        return key in cells.derived and (other_id, unit_id, year) not in cells.derived

    def _pair(self, indicator: Indicator, unit_id: int, year: int) -> tuple[Decimal, Decimal, bool]:
        """A unit's numerator and denominator for a year, from the same source where possible, and whether either
        is demo data. Both exist (the caller checks)."""
        values: list[Decimal] = []
        demo = False
        for element_id in (indicator.numerator_id, indicator.denominator_id):
            key = (element_id, unit_id, year)
            if self._uses_entered(indicator, element_id, unit_id, year):
                values.append(self._cells.overridden[key])
                demo = demo or key in self._cells.overridden_demo
            else:
                values.append(self._cells.totals[key])
                demo = demo or key in self._cells.demo
        return values[0], values[1], demo

    def breakdowns(
        self,
        indicator: Indicator,
        *,
        year: int,
        on: date | None = None,
        areas: Iterable[int] | None = None,
    ) -> dict[int, Breakdown]:
        """``{area id: Breakdown}``: the figures by sex, by ethnic group and Kinh vs minorities, where the data
        carries them (a unit enters a category's sums only when it has both values for that category)."""
        numerator, denominator = indicator.numerator, indicator.denominator
        self._load_categories([numerator, denominator], [year])
        majority, _names = self._ethnic_groups()
        display_on = on or reference_date(year)
        wanted = set(areas) if areas is not None else None
        factor = Decimal(indicator.factor)
        sums: dict[tuple[int, str, str], _Sum] = defaultdict(_Sum)
        for dimension, source in ((SEX, SEX), (ETHNICITY, ETHNICITY), (MINORITY, ETHNICITY)):
            if (dimension == SEX and not (numerator.by_sex and denominator.by_sex)) or (
                dimension != SEX and not (numerator.by_ethnicity and denominator.by_ethnicity)
            ):
                continue
            numerators: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
            denominators: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
            for cells, is_entered in ((self._cells.by_category[source], False),
                                      (self._cells.entered_by_category[source], True)):
                for (element_id, unit_id, cell_year, category), value in cells.items():
                    if cell_year != year or element_id not in (numerator.pk, denominator.pk):
                        continue
                    if self._uses_entered(indicator, element_id, unit_id, year) != is_entered:
                        continue
                    if dimension == MINORITY:
                        category = KINH if category in majority else MINORITIES
                    target = numerators if element_id == numerator.pk else denominators
                    target[(unit_id, category)] += value
            for (unit_id, category), value in numerators.items():
                other = denominators.get((unit_id, category))
                if other is None:
                    continue
                demo = self._pair(indicator, unit_id, year)[2]
                for area_id in self.hierarchy.areas_of(unit_id, display_on):
                    if wanted is None or area_id in wanted:
                        sums[(area_id, dimension, category)].add(value, other, demo)
        result: dict[int, Breakdown] = defaultdict(Breakdown)
        for (area_id, dimension, category), total in sorted(sums.items()):
            result[area_id].figures.setdefault(dimension, {})[category] = total.figure(factor)
        return dict(result)

    def discrepancies(self, indicator: Indicator, *, year: int) -> dict[CellKey, tuple[Decimal, Decimal]]:
        """Cells of the indicator's elements where a derived value overrode an entered one: (derived, entered)."""
        self._load_totals(_elements_of([indicator]), [year])
        return {
            key: (self._cells.totals[key], entered)
            for key, entered in self._cells.overridden.items()
            if key[2] == year and key[0] in (indicator.numerator_id, indicator.denominator_id)
        }


class _TotalsByElementYear:
    def __init__(self, totals: dict[CellKey, Decimal]) -> None:
        self._index: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
        for (element_id, unit_id, year), value in totals.items():
            self._index[(element_id, year)][unit_id] = value

    def get(self, element_id: int, year: int) -> dict[int, Decimal]:
        return self._index.get((element_id, year), {})


def _elements_of(indicators: Sequence[Indicator]) -> list[DataElement]:
    found: dict[int, DataElement] = {}
    for indicator in indicators:
        found[indicator.numerator.pk] = indicator.numerator
        found[indicator.denominator.pk] = indicator.denominator
    return list(found.values())


def _entered(element_ids: Sequence[int], years: Sequence[int], *, unit_ids: Iterable[int] | None = None
             ) -> list[tuple[int, int, int, Decimal, bool]]:
    """Entered totals per (element, unit, year), in one aggregation (of the units ``unit_ids``, or all).

    A unit's total is its value for all children (sex and ethnic group empty) when given; otherwise the sum of its
    values by sex, else by ethnic group, else by sex × ethnic group — whichever the reporter gave.
    """
    values = DataValue.objects.with_value().filter(data_element_id__in=element_ids, year__in=years)
    if unit_ids is not None:
        units = sorted(unit_ids)
        if not units:
            return []
        values = values.filter(org_unit_id__in=units)
    query = (
        values
        .order_by()
        .values("data_element_id", "org_unit_id", "year")
        .annotate(
            total=Coalesce(
                Sum("value", filter=Q(sex="", ethnic_group__isnull=True)),
                Sum("value", filter=~Q(sex="") & Q(ethnic_group__isnull=True)),
                Sum("value", filter=Q(sex="", ethnic_group__isnull=False)),
                Sum("value", filter=~Q(sex="") & Q(ethnic_group__isnull=False)),
            ),
            demo=Count("id", filter=Q(is_demo=True)),
        )
        .values_list("data_element_id", "org_unit_id", "year", "total", "demo")
    )
    # Read through the cursor: thousands of rows, and Django's per-value converters would cost more than the query.
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (element_id, unit_id, year, total if isinstance(total, Decimal) else Decimal(str(total)), bool(demo))
        for element_id, unit_id, year, total, demo in rows
    ]


def data_years() -> tuple[int | None, int | None]:
    """The first and last year of the entered values (one query on the year index)."""
    bounds: dict[str, Any] = DataValue.objects.aggregate(first=Min("year"), last=Max("year"))
    return bounds["first"], bounds["last"]


# ------------------------------------------------------------------------------------------------------------
# The engine's own derived element: the communes in force in a year
# ------------------------------------------------------------------------------------------------------------


@register_derived("hierarchy.count_communes")
def count_communes(*, year: int) -> list[DerivedCell]:
    """1 for every commune-level unit in force on the year's reference date (31 December)."""
    communes = OrgUnit.objects.valid_on(reference_date(year)).of_level("commune").values_list("id", flat=True)
    return [DerivedCell(org_unit_id=unit_id, year=year, value=1) for unit_id in communes]


# The sources whose tokens say whether a stored figure is current (``treem.indicators.stored``): the entered values,
# and the hierarchy the figures are placed on. Their saves and deletes raise the version like any source's.
register_source(stored_figures.ENTERED, models=(DataValue,))
register_source(stored_figures.HIERARCHY, models=(OrgUnit, Lineage))
