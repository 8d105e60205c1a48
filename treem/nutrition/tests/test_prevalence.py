"""Who counts, and how, in the prevalence of undernutrition (over arrays, without a database)."""

from __future__ import annotations

import math

import numpy as np

from treem.nutrition.prevalence import Indicator, MeasurementArrays, is_under_five, latest_valid

NAN = math.nan


def arrays(rows: list[dict[str, object]]) -> MeasurementArrays:
    """Rows of (child, day, score…); missing keys take harmless defaults."""

    def column(name: str, default: object) -> list[object]:
        return [row.get(name, default) for row in rows]

    return MeasurementArrays.build(
        measurement_id=list(range(1, len(rows) + 1)),
        child_id=column("child", 0),
        measured_on=column("day", 0),
        age_days=column("age", 400),
        waz=column("waz", None),
        haz=column("haz", None),
        whz=column("whz", None),
        flag_waz=column("flag_waz", False),
        flag_haz=column("flag_haz", False),
        flag_whz=column("flag_whz", False),
        has_oedema=column("oedema", False),
    )


def test_each_child_counts_once_at_its_latest_valid_measurement() -> None:
    data = arrays([
        {"child": 1, "day": 10, "waz": -2.5},
        {"child": 1, "day": 20, "waz": -1.0},   # latest: not underweight
        {"child": 2, "day": 20, "waz": -1.0},
        {"child": 2, "day": 10, "waz": -2.5},   # earlier, listed later: the date decides
        {"child": 3, "day": 5, "waz": -2.01},
    ])
    result = latest_valid(data, Indicator.WEIGHT_FOR_AGE)
    assert result.children == 3
    assert result.below_minus_two == 1
    assert sorted(data.child_id[result.rows].tolist()) == [1, 2, 3]


def test_minus_two_exactly_is_not_below_minus_two() -> None:
    data = arrays([{"child": 1, "haz": -2.00}, {"child": 2, "haz": -2.01}, {"child": 3, "haz": -3.00},
                   {"child": 4, "haz": -3.01}])
    result = latest_valid(data, Indicator.HEIGHT_FOR_AGE)
    assert (result.children, result.below_minus_two, result.below_minus_three) == (4, 3, 1)


def test_classification_uses_the_score_rounded_to_two_decimals() -> None:
    data = arrays([{"child": 1, "waz": -2.004}, {"child": 2, "waz": -2.005}])
    result = latest_valid(data, Indicator.WEIGHT_FOR_AGE)
    assert result.moderate_or_severe.tolist() == [False, True]


def test_a_flagged_or_blank_later_score_leaves_the_child_at_its_last_valid_one() -> None:
    data = arrays([
        {"child": 1, "day": 1, "waz": -2.5},
        {"child": 1, "day": 2, "waz": -6.5, "flag_waz": True},
        {"child": 1, "day": 3},  # blank
        {"child": 2, "day": 1, "waz": -6.1, "flag_waz": True},  # only a flagged score: not counted
    ])
    result = latest_valid(data, Indicator.WEIGHT_FOR_AGE)
    assert result.children == 1
    assert data.measured_on[result.rows].tolist() == [1]
    assert result.below_minus_two == 1


def test_only_children_under_sixty_months_count() -> None:
    assert is_under_five(np.array([0.0, 1826.0, 1826.2, 1827.0, NAN, -1.0])).tolist() == [
        True, True, True, False, False, False]
    data = arrays([{"child": 1, "age": 1827, "waz": -3.0}, {"child": 2, "age": None, "waz": -3.0}])
    assert latest_valid(data, Indicator.WEIGHT_FOR_AGE).children == 0


def test_oedema_counts_as_severe_on_the_weight_based_indicators_only() -> None:
    data = arrays([{"child": 1, "oedema": True, "haz": -1.0}])
    for indicator in (Indicator.WEIGHT_FOR_AGE, Indicator.WEIGHT_FOR_HEIGHT):
        result = latest_valid(data, indicator)
        assert (result.children, result.below_minus_two, result.below_minus_three) == (1, 1, 1)
    stunting = latest_valid(data, Indicator.HEIGHT_FOR_AGE)
    assert (stunting.children, stunting.below_minus_two) == (1, 0)


def test_on_the_same_day_the_measurement_recorded_last_represents_the_child() -> None:
    data = arrays([{"child": 7, "day": 3, "whz": -2.5}, {"child": 7, "day": 3, "whz": -1.5}])
    result = latest_valid(data, Indicator.WEIGHT_FOR_HEIGHT)
    assert result.rows.tolist() == [1]
    assert result.below_minus_two == 0


def test_no_child_gives_no_share_rather_than_zero() -> None:
    result = latest_valid(arrays([]), Indicator.WEIGHT_FOR_AGE)
    assert result.children == 0
    assert result.share_below_minus_two() is None
