"""The status rule of docs/indicators.md, on its worked examples and its edges."""

from __future__ import annotations

from fractions import Fraction

import pytest

from treem.indicators.progress import Status, assess, headline_target
from treem.plans.models import Target


def F(text: str) -> Fraction:
    return Fraction(text)


@pytest.mark.parametrize(
    ("comparison", "target", "target_year", "reporting_year", "values", "expected", "projection"),
    [
        # the worked examples of docs/indicators.md, in its order
        ("lt", "15", 2025, 2024, {2022: "17.0", 2023: "16.2", 2024: "15.6"}, Status.ON_TRACK, "223/15"),
        ("gt", "99.1", 2025, 2024, {2023: "98.0", 2024: "98.5"}, Status.AT_RISK, "99"),
        ("eq", "100", 2030, 2025, {2024: "90.0", 2025: "91.0"}, Status.OFF_TRACK, "96"),
        ("lt", "12", 2030, 2025, {2025: "13.0"}, Status.AT_RISK, "13"),
        ("gte", "99.9", 2030, 2025, {2024: "98.0", 2025: "99.5"}, Status.ON_TRACK, "100"),
        ("lt", "20", 2025, 2025, {2024: "21.0", 2025: "20.0"}, Status.OFF_TRACK, None),
        ("eq", "100", 2030, 2025, {2025: "100"}, Status.ACHIEVED, None),
        ("eq", "100", 2030, 2025, {}, Status.NO_DATA, None),
    ],
)
def test_the_worked_examples_of_the_documentation(
    comparison: str, target: str, target_year: int, reporting_year: int, values: dict[int, str],
    expected: Status, projection: str | None,
) -> None:
    result = assess(target_year=target_year, comparison=comparison, target_value=F(target),
                    values={year: F(value) for year, value in values.items()}, reporting_year=reporting_year)
    assert result.status == expected
    assert result.projection == (F(projection) if projection is not None else None)


def test_the_gap_and_tolerance_are_given_with_an_at_risk_status() -> None:
    result = assess(target_year=2025, comparison="gt", target_value=F("99.1"),
                    values={2023: F("98.0"), 2024: F("98.5")}, reporting_year=2024)
    assert result.gap == F("0.1")
    assert result.tolerance == 2  # min(2 points, 10 % of 99.1)


def test_a_low_target_uses_ten_percent_of_the_target_as_tolerance() -> None:
    result = assess(target_year=2030, comparison="lt", target_value=F("12"), values={2025: F("13.3")},
                    reporting_year=2025)
    assert result.tolerance == F("1.2")
    assert result.status == Status.OFF_TRACK  # 1,3 points above, more than 1,2


def test_years_after_the_reporting_year_or_the_target_year_are_not_points() -> None:
    result = assess(target_year=2025, comparison="gte", target_value=F("90"),
                    values={2024: F("80"), 2025: F("85"), 2026: F("95")}, reporting_year=2025)
    assert [year for year, _ in result.points] == [2024, 2025]
    assert result.status == Status.OFF_TRACK  # the target year has a value and it misses


def test_strictly_below_is_not_met_by_the_target_value_itself() -> None:
    result = assess(target_year=2030, comparison="lt", target_value=F("15"), values={2026: F("15")},
                    reporting_year=2026)
    assert result.status != Status.ACHIEVED


def test_values_are_compared_exactly_without_rounding() -> None:
    nearly_all = Fraction(100 * 2499, 2500)  # 99,96 %
    result = assess(target_year=2030, comparison="eq", target_value=F("100"), values={2026: nearly_all},
                    reporting_year=2026)
    assert result.status == Status.AT_RISK  # not achieved, although it displays as 100,0


def test_a_projection_below_zero_is_clamped() -> None:
    result = assess(target_year=2030, comparison="lt", target_value=F("12"),
                    values={2024: F("10"), 2025: F("5")}, reporting_year=2025)
    assert result.status == Status.ACHIEVED
    result = assess(target_year=2030, comparison="gte", target_value=F("30"),
                    values={2024: F("10"), 2025: F("5")}, reporting_year=2025)
    assert result.projection == 0


def test_the_headline_target_is_the_next_one_and_the_last_once_all_have_passed() -> None:
    targets = [Target(year=2025, comparison="lt", value=15), Target(year=2030, comparison="lt", value=12)]
    assert headline_target(targets, 2024).year == 2025  # type: ignore[union-attr]
    assert headline_target(targets, 2025).year == 2025  # type: ignore[union-attr]
    assert headline_target(targets, 2026).year == 2030  # type: ignore[union-attr]
    assert headline_target(targets[:1], 2026).year == 2025  # type: ignore[union-attr]
    assert headline_target([], 2026) is None
