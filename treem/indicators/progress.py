"""Progress against a target: the status rule of ``docs/indicators.md``, in exact fractions.

For one target ``(T, comparison, v)`` and the reporting year ``R``: the points are the values of the years
``y ≤ min(R, T)``; the latest value meeting the target is *achieved*; a missed value in the target year is *off
track*; otherwise the least-squares line through the points (one point: that value) is projected to ``T``, clamped
to [0, 100] for a percentage, and the projection decides *on track*, *at risk* (missing by no more than
min(2 points, 10 % of v)) or *off track*. No point at all is *no data*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _

from treem.plans.models import Comparison, Target, comparison_holds

TOLERANCE_POINTS = Fraction(2)
TOLERANCE_SHARE = Fraction(1, 10)


class Status(models.TextChoices):
    ACHIEVED = "achieved", _("Đã đạt")
    ON_TRACK = "on_track", _("Đúng tiến độ")
    AT_RISK = "at_risk", _("Có nguy cơ không đạt")
    OFF_TRACK = "off_track", _("Chậm tiến độ")
    NO_DATA = "no_data", _("Chưa có số liệu")


@dataclass(frozen=True, slots=True)
class Assessment:
    """The status of one target, with what it was decided from (shown beside the status)."""

    status: Status
    target_year: int
    comparison: str
    target_value: Fraction
    reporting_year: int
    points: tuple[tuple[int, Fraction], ...]
    latest_year: int | None = None
    latest_value: Fraction | None = None
    projection: Fraction | None = None
    slope: Fraction | None = None
    intercept: Fraction | None = None
    gap: Fraction | None = None
    tolerance: Fraction | None = None

    @property
    def label(self) -> str:
        return str(self.status.label)

    def projected_line(self) -> list[tuple[int, Fraction]]:
        """The trend from the first point to the target year (for charts); empty without a projection."""
        if self.projection is None or not self.points:
            return []
        first = self.points[0][0]
        if self.slope is None or self.intercept is None:
            return [(self.points[-1][0], self.points[-1][1]), (self.target_year, self.projection)]
        return [(year, self.intercept + self.slope * year) for year in (first, self.target_year)]


def meets(comparison: str, value: Fraction, target: Fraction) -> bool:
    return comparison_holds(comparison, value, target)


def assess(
    *,
    target_year: int,
    comparison: str,
    target_value: Fraction,
    values: Mapping[int, Fraction],
    reporting_year: int,
    is_percentage: bool = True,
) -> Assessment:
    """Apply the rule of ``docs/indicators.md`` to the values by year (years without a value are absent)."""
    last_year = min(reporting_year, target_year)
    points = tuple(sorted((year, Fraction(value)) for year, value in values.items() if year <= last_year))
    result = Assessment(status=Status.NO_DATA, target_year=target_year, comparison=comparison,
                        target_value=target_value, reporting_year=reporting_year, points=points)
    if not points:
        return result
    latest_year, latest_value = points[-1]
    result = replace(result, latest_year=latest_year, latest_value=latest_value)
    if meets(comparison, latest_value, target_value):
        return replace(result, status=Status.ACHIEVED)
    if latest_year == target_year:
        return replace(result, status=Status.OFF_TRACK)
    slope, intercept = _least_squares(points)
    projection = latest_value if slope is None or intercept is None else intercept + slope * target_year
    if is_percentage:
        projection = min(max(projection, Fraction(0)), Fraction(100))
    result = replace(result, projection=projection, slope=slope, intercept=intercept)
    if meets(comparison, projection, target_value):
        return replace(result, status=Status.ON_TRACK)
    if comparison in (Comparison.GT, Comparison.GTE):
        gap = target_value - projection
    elif comparison in (Comparison.LT, Comparison.LTE):
        gap = projection - target_value
    else:
        gap = abs(target_value - projection)
    tolerance = min(TOLERANCE_POINTS, TOLERANCE_SHARE * target_value)
    status = Status.AT_RISK if gap <= tolerance else Status.OFF_TRACK
    return replace(result, status=status, gap=gap, tolerance=tolerance)


def _least_squares(points: Sequence[tuple[int, Fraction]]) -> tuple[Fraction | None, Fraction | None]:
    """Slope and intercept of x = a + b·y by ordinary least squares; (None, None) for fewer than two points."""
    if len(points) < 2:
        return None, None
    count = len(points)
    mean_year = Fraction(sum(year for year, _ in points), count)
    mean_value = sum((value for _, value in points), Fraction(0)) / count
    spread = sum(((year - mean_year) ** 2 for year, _ in points), Fraction(0))
    covariance = sum(((year - mean_year) * (value - mean_value) for year, value in points), Fraction(0))
    slope = covariance / spread
    return slope, mean_value - slope * mean_year


def headline_target(targets: Sequence[Target], reporting_year: int) -> Target | None:
    """The earliest target whose year is not before the reporting year; when all have passed, the last one."""
    ordered = sorted(targets, key=lambda target: target.year)
    for target in ordered:
        if target.year >= reporting_year:
            return target
    return ordered[-1] if ordered else None


def assess_target(
    target: Target, *, values: Mapping[int, Fraction], reporting_year: int, is_percentage: bool = True
) -> Assessment:
    return assess(target_year=target.year, comparison=target.comparison, target_value=Fraction(target.value),
                  values=values, reporting_year=reporting_year, is_percentage=is_percentage)
