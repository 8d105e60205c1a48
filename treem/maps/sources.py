"""What a map can show: the *sources* of its values.

A source gives, for the units of one level in force on a date, a value with its numerator, denominator and the
number of communes counted, and the page a click on a unit opens. Every indicator of the plan is a source, read
through the one engine (:class:`~treem.indicators.engine.Engine`, via the user's
:class:`~treem.indicators.selectors.Scope`), so a map shows exactly the figures of the indicator pages. Other
domains add theirs with :func:`register_map_source` (a factory called with the plan), from the maps app's
``ready``, since they sit below maps in the layers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from django.urls import reverse

from treem.indicators.engine import Unit
from treem.indicators.selectors import Scope
from treem.plans.models import Indicator, Plan
from treem.plans.selectors import indicators_of


@dataclass(frozen=True)
class MapValue:
    value: Fraction | None
    numerator: Decimal | None
    denominator: Decimal | None
    units_counted: int
    includes_demo: bool = False


class MapSource(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def unit(self) -> str:
        """The unit of the values ("%")."""
        ...

    def values(self, scope: Scope, *, units: Sequence[Unit], year: int, on: date) -> dict[int, MapValue]:
        """``{unit id: value}`` for those of ``units`` that have one (missing stays missing)."""
        ...

    def unit_url(self, unit: Unit, *, year: int) -> str:
        """The page a click on ``unit`` opens."""
        ...


@dataclass(frozen=True)
class IndicatorSource:
    """An indicator of the plan, figures from the engine."""

    indicator: Indicator

    @property
    def key(self) -> str:
        return f"indicator:{self.indicator.code}"

    @property
    def label(self) -> str:
        return f"{self.indicator.code} – {self.indicator.name}"

    @property
    def unit(self) -> str:
        return self.indicator.unit

    def values(self, scope: Scope, *, units: Sequence[Unit], year: int, on: date) -> dict[int, MapValue]:
        table = scope.engine.figures(self.indicator, years=[year], on=on, areas=[unit.id for unit in units])
        return {unit_id: MapValue(value=figure.value, numerator=figure.numerator, denominator=figure.denominator,
                                  units_counted=figure.units_counted, includes_demo=figure.includes_demo)
                for (unit_id, _year), figure in table.items()}

    def unit_url(self, unit: Unit, *, year: int) -> str:
        return f"{reverse('indicators:detail', args=[self.indicator.code])}?unit={unit.uid}&year={year}"


SourceFactory = Callable[[Plan], Sequence[MapSource]]
_FACTORIES: list[SourceFactory] = []


def register_map_source(factory: SourceFactory) -> None:
    """Add the sources a domain offers (called with the plan shown)."""
    if factory not in _FACTORIES:
        _FACTORIES.append(factory)


def sources_for(plan: Plan) -> list[MapSource]:
    """The plan's indicators, then every registered source."""
    found: list[MapSource] = [IndicatorSource(indicator) for indicator in indicators_of(plan)]
    for factory in _FACTORIES:
        found.extend(factory(plan))
    return found
