"""Reads of indicator figures for pages, exports and the API, scoped to the requesting user.

A user sees the figures of the areas inside their assignments (``indicators.view``): a leader of the province sees
the province and every unit under it; a commune officer sees their commune only — including the years before
the 2025 reorganisation, shown on their commune through the lineage. Every read here goes through one
:class:`~treem.indicators.engine.Engine`, so a page costs the same few queries whatever the number of units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from django.http import Http404

from treem.core.access import NOT_FOUND_MESSAGE, UserLike, scope_paths
from treem.indicators.engine import (
    ETHNICITY,
    KINH,
    MINORITIES,
    MINORITY,
    SEX,
    Breakdown,
    Engine,
    Figure,
    Unit,
    data_years,
    reference_date,
)
from treem.indicators.permissions import VIEW_INDICATORS
from treem.indicators.progress import Assessment, assess_target, headline_target
from treem.plans.models import Indicator, Plan, Target
from treem.plans.selectors import indicator_of, indicators_of

MAX_TREND_YEARS = 15
SEX_LABELS = {"M": "Nam", "F": "Nữ"}
MINORITY_LABELS = {KINH: "Kinh", MINORITIES: "Dân tộc thiểu số"}


# ------------------------------------------------------------------------------------------------------------
# Scope
# ------------------------------------------------------------------------------------------------------------


class Scope:
    """The units a user may see figures for, over one engine (one per request)."""

    def __init__(self, user: UserLike, *, engine: Engine | None = None) -> None:
        self.roots = scope_paths(user, capability=VIEW_INDICATORS)
        self.engine = engine or Engine(within=self.roots)

    def can_see(self, unit: Unit) -> bool:
        return any(unit.path.startswith(root) for root in self.roots)

    def unit(self, uid: str) -> Unit:
        """The unit with ``uid`` if the user may see it; the same 404 for missing and not yours."""
        if self.roots:
            for unit in self.engine.hierarchy.units.values():
                if unit.uid == uid and self.can_see(unit):
                    return unit
        raise Http404(NOT_FOUND_MESSAGE)

    def unit_with_code(self, code: str, *, on: date) -> Unit:
        """The visible unit carrying ``code`` on ``on`` (codes are reused, so the date matters); else 404."""
        unit = next((candidate for candidate in self.engine.hierarchy.by_path_on(on).values()
                     if candidate.code == code), None)
        if unit is None or not self.can_see(unit):
            raise Http404(NOT_FOUND_MESSAGE)
        return unit

    def default_area(self, *, today: date) -> Unit:
        """The widest unit of the user's scope, as it exists today (or most recently)."""
        if not self.roots:
            raise Http404(NOT_FOUND_MESSAGE)
        candidates = [unit for unit in self.engine.hierarchy.units.values() if unit.path in self.roots]
        if not candidates:
            raise Http404(NOT_FOUND_MESSAGE)
        candidates.sort(key=lambda unit: (len(unit.path), not unit.is_valid_on(today),
                                          -(unit.valid_to or date.max).toordinal()))
        return candidates[0]

    def area(self, uid: str | None, *, today: date) -> Unit:
        return self.unit(uid) if uid else self.default_area(today=today)

    def choices(self, *, on: date) -> list[Unit]:
        """Visible units valid on ``on`` down to communes (for pickers)."""
        return [unit for unit in self.engine.hierarchy.valid_on(on) if self.can_see(unit)]

    def ancestors(self, unit: Unit) -> list[Unit]:
        chain: list[Unit] = []
        units = self.engine.hierarchy.units
        current = units.get(unit.parent_id) if unit.parent_id else None
        while current is not None:
            if self.can_see(current):
                chain.append(current)
            current = units.get(current.parent_id) if current.parent_id else None
        return list(reversed(chain))


def trend_date(area: Unit, *, today: date) -> date:
    """The date whose hierarchy an area's trend is shown on: today while the unit exists, else its last day."""
    if area.valid_to is not None and area.valid_to < today:
        return area.valid_to
    if area.valid_from is not None and area.valid_from > today:
        return area.valid_from
    return today


def default_year(*, today: date, bounds: tuple[int | None, int | None] | None = None) -> int:
    """The latest year (not after this one) holding entered figures; this year when there are none."""
    _first, last = bounds or data_years()
    return min(last, today.year) if last is not None else today.year


def trend_years(plan: Plan, *, year: int, bounds: tuple[int | None, int | None] | None = None) -> list[int]:
    """The years of a trend: from the first year with data (or the plan's start) to ``year``."""
    first, _last = bounds or data_years()
    start = min(first if first is not None else year, plan.start_year, year)
    return list(range(max(start, year - MAX_TREND_YEARS + 1), year + 1))


# ------------------------------------------------------------------------------------------------------------
# Progress of indicators for one area
# ------------------------------------------------------------------------------------------------------------


def oldest_as_of(figures: Iterable[Figure | None]) -> datetime | None:
    """The computation time of the oldest stored figure among ``figures`` that stood in for a current one
    (``settings.TREEM_FIGURES_MAX_AGE``), or None when every figure is current."""
    moments = [figure.as_of for figure in figures if figure is not None and figure.as_of is not None]
    return min(moments) if moments else None


@dataclass
class IndicatorProgress:
    """An indicator for one area: the figure of the reporting year, the trend, each target's status."""

    indicator: Indicator
    area: Unit
    year: int
    trend: list[tuple[int, Figure | None]]
    assessments: list[tuple[Target, Assessment]]
    headline: tuple[Target, Assessment] | None

    @property
    def figure(self) -> Figure | None:
        return next((figure for year, figure in self.trend if year == self.year), None)

    @property
    def latest(self) -> tuple[int, Figure] | None:
        """The latest year up to the reporting year with a value, and its figure."""
        for year, figure in reversed(self.trend):
            if figure is not None and figure.has_value:
                return year, figure
        return None

    @property
    def values(self) -> dict[int, Fraction]:
        return {year: figure.value for year, figure in self.trend
                if figure is not None and figure.value is not None}

    @property
    def includes_demo(self) -> bool:
        return any(figure is not None and figure.includes_demo for _year, figure in self.trend)

    @property
    def as_of(self) -> datetime | None:
        """When the oldest figure shown was computed, if any is a stored one older than the latest changes."""
        return oldest_as_of(figure for _year, figure in self.trend)

    def target_for(self, year: int) -> tuple[Target, Assessment] | None:
        return next((pair for pair in self.assessments if pair[0].year == year), None)


def _progress(indicator: Indicator, area: Unit, *, year: int, trend: list[tuple[int, Figure | None]]
              ) -> IndicatorProgress:
    values = {y: figure.value for y, figure in trend if figure is not None and figure.value is not None}
    targets = list(indicator.targets.all())
    is_percentage = indicator.unit == "%"
    assessments = [(target, assess_target(target, values=values, reporting_year=year, is_percentage=is_percentage))
                   for target in targets]
    chosen = headline_target(targets, year)
    headline = next((pair for pair in assessments if chosen is not None and pair[0].pk == chosen.pk), None)
    return IndicatorProgress(indicator=indicator, area=area, year=year, trend=trend, assessments=assessments,
                             headline=headline)


@dataclass
class PlanProgress:
    plan: Plan
    area: Unit
    year: int
    years: list[int]
    items: list[IndicatorProgress]
    choices: list[Unit] = field(default_factory=list)
    ancestors: list[Unit] = field(default_factory=list)

    @property
    def includes_demo(self) -> bool:
        return any(item.includes_demo for item in self.items)

    @property
    def as_of(self) -> datetime | None:
        return oldest_as_of(figure for item in self.items for _year, figure in item.trend)


def plan_progress(user: UserLike, *, plan: Plan, unit_uid: str | None, year: int | None, today: date
                  ) -> PlanProgress:
    """Every indicator of ``plan`` for one area the user may see (default: the widest one) and reporting year."""
    scope = Scope(user)
    area = scope.area(unit_uid, today=today)
    bounds = data_years()
    year = year or default_year(today=today, bounds=bounds)
    years = trend_years(plan, year=year, bounds=bounds)
    indicators = list(indicators_of(plan))
    on = trend_date(area, today=today)
    figures = scope.engine.figures_many(indicators, years=years, on=on, areas=[area.id])
    items = [
        _progress(indicator, area, year=year,
                  trend=[(y, figures[indicator.pk].get((area.id, y))) for y in years])
        for indicator in indicators
    ]
    return PlanProgress(plan=plan, area=area, year=year, years=years, items=items,
                        choices=scope.choices(on=today), ancestors=scope.ancestors(area))


# ------------------------------------------------------------------------------------------------------------
# One indicator in detail
# ------------------------------------------------------------------------------------------------------------


@dataclass
class UnitRow:
    unit: Unit
    figure: Figure | None
    headline: tuple[Target, Assessment] | None
    can_drill: bool


@dataclass
class Extreme:
    unit: Unit
    value: Fraction


@dataclass
class Equity:
    """The spread between communes for a year, and the gap between ethnic-minority and Kinh children."""

    communes_with_value: int
    lowest: Extreme | None
    highest: Extreme | None
    kinh: Figure | None
    minorities: Figure | None

    @property
    def spread(self) -> Fraction | None:
        return None if self.lowest is None or self.highest is None else self.highest.value - self.lowest.value

    @property
    def minority_gap(self) -> Fraction | None:
        if self.kinh is None or self.minorities is None:
            return None
        kinh, minorities = self.kinh.value, self.minorities.value
        return None if kinh is None or minorities is None else minorities - kinh


@dataclass
class CategoryRow:
    dimension: str
    key: str
    label: str
    figure: Figure


@dataclass
class IndicatorDetail:
    plan: Plan
    indicator: Indicator
    area: Unit
    year: int
    years: list[int]
    display_on: date
    on_current_units: bool
    progress: IndicatorProgress
    rows: list[UnitRow]
    breakdown: list[CategoryRow]
    equity: Equity
    ancestors: list[Unit]
    discrepancies: int
    can_show_current: bool

    @property
    def includes_demo(self) -> bool:
        return self.progress.includes_demo or any(row.figure is not None and row.figure.includes_demo
                                                  for row in self.rows)

    @property
    def as_of(self) -> datetime | None:
        return oldest_as_of([*(figure for _year, figure in self.progress.trend), *(row.figure for row in self.rows)])


def indicator_detail(
    user: UserLike,
    *,
    plan: Plan,
    code: str,
    unit_uid: str | None,
    year: int | None,
    current_units: bool,
    today: date,
) -> IndicatorDetail:
    """An indicator for an area and year: trend and targets; the table by the units under the area (on the year's
    hierarchy, or on today's units through the lineage); breakdowns; the spread between communes."""
    scope = Scope(user)
    engine = scope.engine
    indicator = indicator_of(plan, code=code)
    area = scope.area(unit_uid, today=today)
    bounds = data_years()
    year = year or default_year(today=today, bounds=bounds)
    years = trend_years(plan, year=year, bounds=bounds)

    area_trend_on = trend_date(area, today=today)
    own = engine.figures(indicator, years=years, on=area_trend_on, areas=[area.id])
    progress = _progress(indicator, area, year=year, trend=[(y, own.get((area.id, y))) for y in years])

    year_on = reference_date(year)
    can_show_current = (area.is_valid_on(today) and area.is_valid_on(year_on)
                        and _hierarchy_differs(scope, year_on, today))
    on_year_units = area.is_valid_on(year_on) and not (current_units and can_show_current)
    display_on = year_on if on_year_units else area_trend_on
    children = engine.hierarchy.children_on(area, display_on)
    listed = [unit for unit in children if scope.can_see(unit)] or [area]
    listed_ids = [unit.id for unit in listed]
    in_area = [unit for unit in engine.hierarchy.valid_on(display_on)
               if unit.path.startswith(area.path) and unit.level == "commune"]
    wanted = set(listed_ids) | {unit.id for unit in in_area}
    table = engine.figures(indicator, years=years, on=display_on, areas=wanted)
    rows = []
    for unit in listed:
        trend = [(y, table.get((unit.id, y))) for y in years]
        unit_progress = _progress(indicator, unit, year=year, trend=trend)
        rows.append(UnitRow(unit=unit, figure=table.get((unit.id, year)), headline=unit_progress.headline,
                            can_drill=unit.id != area.id))

    breakdowns = engine.breakdowns(indicator, year=year, on=area_trend_on, areas=[area.id])
    breakdown = _category_rows(engine, breakdowns.get(area.id, Breakdown()))
    equity = _equity(table, in_area, year=year, breakdown=breakdowns.get(area.id, Breakdown()))
    return IndicatorDetail(
        plan=plan, indicator=indicator, area=area, year=year, years=years, display_on=display_on,
        on_current_units=display_on != year_on, progress=progress, rows=rows, breakdown=breakdown, equity=equity,
        ancestors=scope.ancestors(area), discrepancies=len(engine.discrepancies(indicator, year=year)),
        can_show_current=can_show_current,
    )


def _hierarchy_differs(scope: Scope, first: date, second: date) -> bool:
    index = scope.engine.hierarchy
    return set(index.by_path_on(first)) != set(index.by_path_on(second))


def _category_rows(engine: Engine, breakdown: Breakdown) -> list[CategoryRow]:
    rows: list[CategoryRow] = []
    for key in ("M", "F"):
        figure = breakdown.figures.get(SEX, {}).get(key)
        if figure is not None:
            rows.append(CategoryRow(SEX, key, SEX_LABELS[key], figure))
    for key in (KINH, MINORITIES):
        figure = breakdown.figures.get(MINORITY, {}).get(key)
        if figure is not None:
            rows.append(CategoryRow(MINORITY, key, MINORITY_LABELS[key], figure))
    for key, figure in sorted(breakdown.figures.get(ETHNICITY, {}).items()):
        rows.append(CategoryRow(ETHNICITY, key, engine.ethnic_group_name(key), figure))
    return rows


def _equity(table: dict[tuple[int, int], Figure], communes: Sequence[Unit], *, year: int,
            breakdown: Breakdown) -> Equity:
    valued = [(unit, figure.value) for unit in communes
              if (figure := table.get((unit.id, year))) is not None and figure.value is not None]
    lowest = min(valued, key=lambda pair: (pair[1], pair[0].path), default=None)
    highest = max(valued, key=lambda pair: (pair[1], pair[0].path), default=None)
    minority = breakdown.figures.get(MINORITY, {})
    return Equity(
        communes_with_value=len(valued),
        lowest=Extreme(*lowest) if lowest else None,
        highest=Extreme(*highest) if highest else None,
        kinh=minority.get(KINH),
        minorities=minority.get(MINORITIES),
    )


# ------------------------------------------------------------------------------------------------------------
# The API's read: figures for a unit, or for the units of a level under it
# ------------------------------------------------------------------------------------------------------------


@dataclass
class UnitFigures:
    unit: Unit
    year: int
    figure: Figure | None
    progress: IndicatorProgress
    breakdown: list[CategoryRow]
    minority_gap: Fraction | None


def indicator_values(
    user: UserLike,
    *,
    plan: Plan,
    code: str,
    year: int,
    org_unit_code: str,
    level: str | None,
    on: date | None,
    today: date,
    scope: Scope | None = None,
) -> tuple[Indicator, list[UnitFigures], date]:
    """The figures of one indicator for a year: for ``org_unit_code`` (resolved on the display date), or — with
    ``level`` — for each unit of that level under it. The display date is ``on``, by default the year's reference
    date; units are looked up on it, so codes reused by the 2025 reorganisation resolve to the right unit.
    ``scope`` lets a caller asking for several indicators share one (one engine, one read of the hierarchy)."""
    scope = scope or Scope(user)
    engine = scope.engine
    indicator = indicator_of(plan, code=code)
    display_on = on or reference_date(year)
    root = scope.unit_with_code(org_unit_code, on=display_on)
    if level:
        units = [unit for unit in engine.hierarchy.valid_on(display_on)
                 if unit.path.startswith(root.path) and unit.level == level and scope.can_see(unit)]
    else:
        units = [root]
    years = [y for y in trend_years(plan, year=year) if y <= year]
    ids = [unit.id for unit in units]
    table = engine.figures(indicator, years=years, on=display_on, areas=ids)
    breakdowns = engine.breakdowns(indicator, year=year, on=display_on, areas=ids)
    result = []
    for unit in units:
        trend = [(y, table.get((unit.id, y))) for y in years]
        breakdown = breakdowns.get(unit.id, Breakdown())
        result.append(UnitFigures(
            unit=unit, year=year, figure=table.get((unit.id, year)),
            progress=_progress(indicator, unit, year=year, trend=trend),
            breakdown=_category_rows(engine, breakdown), minority_gap=breakdown.minority_gap(),
        ))
    return indicator, result, display_on
