"""WHO reference curves for the growth charts."""

from __future__ import annotations

import numpy as np
import pytest

from treem.nutrition.growth_curves import STANDARD_DEVIATIONS, Chart, reference_curves
from treem.nutrition.zscores import Sex, compute_zscores


def test_weight_for_age_curves_match_who_published_values_at_sixty_months() -> None:
    curves = reference_curves(Chart.WEIGHT_FOR_AGE, Sex.MALE)
    assert curves.x[0] == 0.0
    assert curves.x[-1] == pytest.approx(60.0, abs=0.01)
    # WHO's weight-for-age chart for boys, 60 months: -3 SD 12.4, median 18.3, +3 SD 27.9 kg
    assert [round(curves.lines[k][-1], 1) for k in (-3, 0, 3)] == [12.4, 18.3, 27.9]


def test_a_point_on_a_curve_scores_that_many_standard_deviations() -> None:
    for chart, key in ((Chart.WEIGHT_FOR_AGE, "weight_kg"), (Chart.LENGTH_HEIGHT_FOR_AGE, "length_cm")):
        curves = reference_curves(chart, Sex.FEMALE)
        index = 52  # 364 days
        age_days = round(curves.x[index] * 30.4375)
        for deviations in STANDARD_DEVIATIONS:
            value = curves.lines[deviations][index]
            inputs = {"weight_kg": [np.nan], "length_cm": [np.nan], key: [value]}
            scores = compute_zscores(sex=[2], age_days=[age_days], measured=[1], **inputs)
            score = scores.waz[0] if key == "weight_kg" else scores.haz[0]
            assert score == pytest.approx(deviations, abs=0.011)


def test_weight_for_length_and_height_cover_their_tables_every_half_centimetre() -> None:
    length = reference_curves(Chart.WEIGHT_FOR_LENGTH, Sex.MALE)
    height = reference_curves(Chart.WEIGHT_FOR_HEIGHT, Sex.MALE)
    assert (length.x[0], length.x[-1], len(length.x)) == (45.0, 110.0, 131)
    assert (height.x[0], height.x[-1], len(height.x)) == (65.0, 120.0, 111)
    assert all(len(line) == len(length.x) for line in length.lines.values())


def test_curves_need_a_known_sex() -> None:
    with pytest.raises(ValueError, match="giới tính"):
        reference_curves(Chart.WEIGHT_FOR_AGE, Sex.UNKNOWN)
