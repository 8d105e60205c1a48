"""The demo seeder: demo measurements for demo children under five, idempotent, communes that differ."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from django.utils import timezone

from treem.nutrition.demo import (
    _commune_profile,
    child_levels,
    seed_measurements,
    synthetic_values,
    weighing_rounds,
)
from treem.nutrition.models import Measurement
from treem.nutrition.prevalence import Indicator, MeasurementArrays, latest_valid
from treem.nutrition.tests.factories import child_in
from treem.nutrition.zscores import compute_zscores

pytestmark = pytest.mark.django_db


def test_rounds_are_the_first_of_june_and_december_up_to_today() -> None:
    assert weighing_rounds(today=date(2025, 7, 15), count=3) == [date(2025, 6, 1), date(2024, 12, 1),
                                                                 date(2024, 6, 1)]


def test_seeding_twice_adds_nothing_and_marks_everything_as_demo() -> None:
    today = timezone.localdate()
    for number in range(12):
        child_in("03390" if number % 2 else "03408", birth_date=today - timedelta(days=200 + 90 * number),
                 is_demo=True)
    child_in("03390", birth_date=today - timedelta(days=400))  # not a demo child: left alone
    lines: list[str] = []
    seed_measurements(size="small", stdout=lines.append)
    created = Measurement.objects.count()
    assert created >= 12
    assert not Measurement.objects.filter(is_demo=False).exists()
    assert not Measurement.objects.filter(child__is_demo=False).exists()
    assert Measurement.objects.exclude(waz=None).exists()
    seed_measurements(size="small", stdout=lines.append)
    assert Measurement.objects.count() == created


def test_synthetic_children_show_the_communes_level_of_undernutrition() -> None:
    rng = np.random.default_rng(1)
    count = 4_000
    sex = rng.integers(1, 3, count).astype(np.int8)
    ages = rng.integers(30, 1800, count)
    shares = []
    for mean_haz, mean_whz in ((-1.7, -0.6), (-0.6, 0.0)):
        levels = np.array([child_levels(number, commune_haz=mean_haz, commune_whz=mean_whz)
                           for number in range(count)])
        weight, length, position, oedema = synthetic_values(
            sex=sex, age_days=ages, mean_haz=levels[:, 0], mean_whz=levels[:, 1], rng=rng)
        scores = compute_zscores(sex=sex, age_days=ages, weight_kg=weight, length_cm=length, measured=position,
                                 oedema=oedema)
        arrays = MeasurementArrays.build(
            measurement_id=np.arange(count), child_id=np.arange(count), measured_on=np.zeros(count),
            age_days=ages, waz=scores.waz, haz=scores.haz, whz=scores.whz, flag_waz=scores.flag_waz,
            flag_haz=scores.flag_haz, flag_whz=scores.flag_whz, has_oedema=oedema)
        shares.append((latest_valid(arrays, Indicator.HEIGHT_FOR_AGE).share_below_minus_two(),
                       latest_valid(arrays, Indicator.WEIGHT_FOR_AGE).share_below_minus_two()))
    (stunting_high, underweight_high), (stunting_low, underweight_low) = shares
    assert 0.30 < stunting_high < 0.50 and 0.05 < stunting_low < 0.20
    assert 0.12 < underweight_high < 0.35 and underweight_low < underweight_high


def test_each_commune_keeps_its_own_profile() -> None:
    assert _commune_profile("03390") == _commune_profile("03390")
    assert _commune_profile("03390") != _commune_profile("03408")
