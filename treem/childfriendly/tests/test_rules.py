"""The recognition rule on its boundaries: the band's total, a criterion scored 0, a criterion not assessed."""

from __future__ import annotations

from decimal import Decimal

from treem.childfriendly.rules import CriterionInput, recognition

CRITERIA = [CriterionInput(number=number, name=f"Tiêu chí {number}", max_points=100, min_points=0,
                           sub_item_codes=[f"{number}.1", f"{number}.2"]) for number in range(1, 11)]


def points_totalling(total: int, *, zero: int | None = None) -> dict[str, Decimal | None]:
    """Points spread over the ten criteria (at most 50 a sub-item) adding up to ``total``."""
    points: dict[str, Decimal | None] = {}
    remaining = total
    numbers = [number for number in range(1, 11) if number != zero]
    for index, number in enumerate(numbers):
        share = remaining // (len(numbers) - index)
        points[f"{number}.1"] = Decimal(share - share // 2)
        points[f"{number}.2"] = Decimal(share // 2)
        remaining -= share
    if zero is not None:
        points[f"{zero}.1"] = points[f"{zero}.2"] = Decimal(0)
    return points


def test_800_points_recognise_a_mountainous_commune_and_799_do_not() -> None:
    at_threshold = recognition(CRITERIA, points_totalling(800), threshold=800)
    below = recognition(CRITERIA, points_totalling(799), threshold=800)
    assert at_threshold.total == 800 and at_threshold.is_recognisable
    assert below.total == 799 and not below.is_recognisable
    assert below.reasons() == ["Tổng điểm 799 thấp hơn điểm chuẩn 800."]


def test_the_threshold_is_the_bands_850_and_900() -> None:
    assert not recognition(CRITERIA, points_totalling(849), threshold=850).is_recognisable
    assert recognition(CRITERIA, points_totalling(850), threshold=850).is_recognisable
    assert not recognition(CRITERIA, points_totalling(899), threshold=900).is_recognisable
    assert recognition(CRITERIA, points_totalling(900), threshold=900).is_recognisable


def test_a_criterion_scored_zero_refuses_recognition_even_with_950_points() -> None:
    points = points_totalling(950, zero=4)
    result = recognition(CRITERIA, points, threshold=800)
    assert result.total == 950
    assert not result.is_recognisable
    assert [criterion.number for criterion in result.zero] == [4]
    assert result.reasons() == ["Tiêu chí 4 bị 0 điểm."]


def test_a_criterion_with_a_sub_item_not_assessed_is_not_met() -> None:
    points = points_totalling(900)
    points["2.2"] = None
    result = recognition(CRITERIA, points, threshold=800)
    assert [criterion.number for criterion in result.unmet] == [2]
    assert not result.is_recognisable
    assert "Tiêu chí 2 chưa chấm đủ các mục." in result.reasons()


def test_a_criterion_below_its_minimum_is_not_met() -> None:
    criteria = [CriterionInput(number=1, name="Một", max_points=100, min_points=60, sub_item_codes=["1.1"])]
    assert not recognition(criteria, {"1.1": Decimal(59)}, threshold=50).is_recognisable
    assert recognition(criteria, {"1.1": Decimal(60)}, threshold=50).is_recognisable


def test_a_commune_without_a_band_is_not_recognised() -> None:
    result = recognition(CRITERIA, points_totalling(1000), threshold=None)
    assert not result.is_recognisable
    assert result.reasons() == ["Xã chưa được xác định nhóm điểm chuẩn."]
