"""Tests of the WHO z-score engine against WHO's own output and hand-checked cases.

Hand-checked expectations were worked out from the named rows of ``reference_data/who/*.csv`` with
50-digit decimal arithmetic: z = ((y/M)^L - 1)/(S·L); beyond ±3 for weight-based scores
z = ±3 + (y - SD3)/(SD3 - SD2) with SDk = M·(1 + L·S·k)^(1/L); rounded half away from zero.
"""

from __future__ import annotations

import csv
import datetime
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from treem.nutrition.zscore_csv import score_csv
from treem.nutrition.zscores import (
    Convention,
    Position,
    Sex,
    ZScores,
    compute_zscores,
    parse_oedema,
    parse_position,
    parse_sex,
    round_half_away_from_zero,
)

DATA = Path(__file__).resolve().parent / "data"
NAN = float("nan")
L, H, U = Position.RECUMBENT, Position.STANDING, Position.UNKNOWN
BOY, GIRL = Sex.MALE, Sex.FEMALE


def score(
    *,
    sex: int,
    age_days: float,
    weight_kg: float = NAN,
    length_cm: float = NAN,
    measured: int = Position.UNKNOWN,
    oedema: bool = False,
    convention: Convention = Convention.ANTHRO,
) -> ZScores:
    return compute_zscores(
        sex=[sex],
        age_days=[age_days],
        weight_kg=[weight_kg],
        length_cm=[length_cm],
        measured=[measured],
        oedema=[oedema],
        convention=convention,
    )


def numbers(rows: list[dict[str, str]], column: str) -> NDArray[np.float64]:
    return np.array([float(row[column]) if row[column] not in ("", ".") else NAN for row in rows])


def assert_cells_agree(ours: NDArray[np.float64], theirs: NDArray[np.float64], *, label: str) -> None:
    both_blank = np.isnan(ours) & np.isnan(theirs)
    within = np.abs(ours - theirs) <= 0.01 + 1e-9
    disagreeing = np.flatnonzero(~(both_blank | within))
    assert disagreeing.size == 0, f"{label}: rows {disagreeing[:10].tolist()} disagree"


# --- WHO's own output ------------------------------------------------------------------------------


def read_who_example_survey() -> list[dict[str, str]]:
    with open(DATA / "who_igrowup_mysurvey_z_st.csv", newline="") as source:
        return list(csv.DictReader(source))


def score_who_example_survey(rows: list[dict[str, str]], convention: Convention) -> ZScores:
    return compute_zscores(
        sex=parse_sex([row["GENDER"] for row in rows]),
        age_days=numbers(rows, "age.days"),
        weight_kg=numbers(rows, "WEIGHT"),
        length_cm=numbers(rows, "HEIGHT"),
        measured=parse_position([row["measure"] for row in rows]),
        oedema=parse_oedema([row["oedema"] for row in rows]),
        convention=convention,
    )


def test_every_cell_of_who_example_survey_agrees_with_who_igrowup_to_a_hundredth() -> None:
    rows = read_who_example_survey()
    scores = score_who_example_survey(rows, Convention.IGROWUP)
    assert len(rows) == 498
    for ours, who in (("haz", "zlen"), ("waz", "zwei"), ("whz", "zwfl")):
        assert_cells_agree(getattr(scores, ours), numbers(rows, who), label=ours)
    for ours, who in (("flag_haz", "flen"), ("flag_waz", "fwei"), ("flag_whz", "fwfl")):
        who_flags = numbers(rows, who)
        given = ~np.isnan(who_flags)
        assert np.array_equal(getattr(scores, ours)[given], who_flags[given] == 1), ours
    assert_cells_agree(scores.adjusted_length_cm, numbers(rows, "clenhei"), label="clenhei")


def test_who_example_survey_has_oedema_missing_lengths_and_position_changes_to_exercise() -> None:
    rows = read_who_example_survey()
    assert sum(row["oedema"] == "y" for row in rows) == 6
    assert sum(row["HEIGHT"] == "" for row in rows) == 23
    assert sum(row["measure"] == "l" and int(row["age.days"]) >= 731 for row in rows) > 30
    assert sum(row["measure"] == "h" and int(row["age.days"]) < 731 for row in rows) == 2


def test_anthro_convention_matches_who_example_survey_but_blanks_children_past_60_months() -> None:
    rows = read_who_example_survey()
    scores = score_who_example_survey(rows, Convention.ANTHRO)
    past_60_months = numbers(rows, "age.days") / 30.4375 >= 60
    assert [row["id"] for row, past in zip(rows, past_60_months, strict=True) if past] == [
        "4",
        "44",
        "95",
        "343",
    ]
    for ours, who in (("haz", "zlen"), ("waz", "zwei"), ("whz", "zwfl")):
        values = getattr(scores, ours)
        assert np.isnan(values[past_60_months]).all(), ours
        assert_cells_agree(values[~past_60_months], numbers(rows, who)[~past_60_months], label=ours)


def test_every_cell_of_who_stata_dataset_agrees_with_who_igrowup_to_a_hundredth() -> None:
    with open(DATA / "who_igrowup_stata_spoon_z.csv", newline="") as source:
        rows = list(csv.DictReader(source))

    def us_date(text: str) -> datetime.date:
        month, day, year = (int(part) for part in text.split("/"))
        return datetime.date(year, month, day)

    ages = [(us_date(row["screen_date"]) - us_date(row["dob"])).days for row in rows]
    scores = compute_zscores(
        sex=parse_sex([row["sex"] for row in rows]),
        age_days=np.array(ages, dtype=np.float64),
        weight_kg=numbers(rows, "weight"),
        length_cm=numbers(rows, "height"),
        convention=Convention.IGROWUP,
    )
    assert len(rows) == 5704
    for ours, flag, who in (
        ("haz", "flag_haz", "_zlen"),
        ("waz", "flag_waz", "_zwei"),
        ("whz", "flag_whz", "_zwfl"),
    ):
        values = np.where(getattr(scores, flag), NAN, getattr(scores, ours))
        assert_cells_agree(values, numbers(rows, who), label=ours)
    assert scores.flag_haz.sum() > 50


# --- the formula and the restricted tails ----------------------------------------------------------


def test_weight_for_age_above_three_uses_the_restricted_rule() -> None:
    """Boy, day 0 (L 0.3487, M 3.3464, S 0.14602), 6.0 kg: plain LMS 4.43, restricted 4.59."""
    assert score(sex=BOY, age_days=0, weight_kg=6.0).waz[0] == pytest.approx(4.59)


def test_weight_for_age_below_minus_three_uses_the_restricted_rule() -> None:
    """Boy, day 0, 1.5 kg: plain LMS -4.79, restricted -4.53."""
    assert score(sex=BOY, age_days=0, weight_kg=1.5).waz[0] == pytest.approx(-4.53)


def test_length_for_age_beyond_three_is_not_restricted() -> None:
    """Boy, day 0 (L 1, M 49.8842, S 0.03795): 56.0 cm is 3.23 and 43.0 cm is -3.64 by plain LMS."""
    result = compute_zscores(sex=[BOY, BOY], age_days=[0, 0], weight_kg=[NAN, NAN], length_cm=[56.0, 43.0])
    assert result.haz.tolist() == pytest.approx([3.23, -3.64])


def test_weight_for_height_beyond_three_uses_the_restricted_rule() -> None:
    """README example of WHO's anthro package: boy, 1010 days, 10 kg, 100 cm → WHZ -5.19, flagged."""
    result = score(sex=BOY, age_days=1010, weight_kg=10.0, length_cm=100.0)
    assert result.whz[0] == pytest.approx(-5.19)
    assert result.flag_whz[0]


def test_scores_match_the_example_published_with_who_anthro_package() -> None:
    result = compute_zscores(
        sex=[1, 2, 1, 1],
        age_days=[1001, 1000, 1010, 1000],
        weight_kg=[18, 15, 10, 15],
        length_cm=[120, 80, 100, 100],
    )
    assert result.haz.tolist() == pytest.approx([7.31, -3.50, 1.62, 1.70])
    assert result.flag_haz.tolist() == [True, False, False, False]
    assert result.waz.tolist() == pytest.approx([2.20, 0.95, -2.76, 0.69])
    assert result.whz.tolist() == pytest.approx([-2.39, 4.13, -5.19, -0.29])
    assert result.flag_whz.tolist() == [False, False, True, False]


def test_a_median_measurement_scores_exactly_zero() -> None:
    """Boy, day 365: the WFA median is 9.646 kg and the LHFA median 75.7391 cm."""
    result = score(sex=BOY, age_days=365, weight_kg=9.646, length_cm=75.7391, measured=L)
    assert result.waz[0] == 0.0
    assert result.haz[0] == 0.0


# --- length or height: the 731-day switch and the position --------------------------------------------


def test_recumbent_length_before_731_days_is_used_as_measured() -> None:
    """Boy, 730 days, lying 85.0 cm: LHFA day 730 (M 87.8018, S 0.03479) → -0.92; WFL 85.0 → -0.55."""
    result = score(sex=BOY, age_days=730, weight_kg=11.0, length_cm=85.0, measured=L)
    assert result.adjusted_length_cm[0] == 85.0
    assert result.haz[0] == pytest.approx(-0.92)
    assert result.whz[0] == pytest.approx(-0.55)


def test_recumbent_length_from_731_days_loses_seven_millimetres_for_both_scores() -> None:
    """Boy, 731 days, lying 85.0 cm → 84.3 cm: LHFA day 731 (M 87.1303, S 0.03508) → -0.93;
    WFH 84.3 → -0.55."""
    result = score(sex=BOY, age_days=731, weight_kg=11.0, length_cm=85.0, measured=L)
    assert result.adjusted_length_cm[0] == 84.3
    assert result.haz[0] == pytest.approx(-0.93)
    assert result.whz[0] == pytest.approx(-0.55)


def test_standing_height_before_731_days_gains_seven_millimetres() -> None:
    """Boy, 730 days, standing 84.3 cm → 85.0 cm, the same scores as lying 85.0 cm."""
    result = score(sex=BOY, age_days=730, weight_kg=11.0, length_cm=84.3, measured=H)
    assert result.adjusted_length_cm[0] == 85.0
    assert result.haz[0] == pytest.approx(-0.92)
    assert result.whz[0] == pytest.approx(-0.55)


def test_unknown_position_is_not_adjusted_and_the_age_picks_the_weight_table() -> None:
    """Boy, 85.0 cm, 11 kg, position unknown: WFL 85.0 at 730 days (-0.55), WFH 85.0 at 731 days (-0.73)."""
    result = compute_zscores(
        sex=[BOY, BOY], age_days=[730, 731], weight_kg=[11.0, 11.0], length_cm=[85.0, 85.0], measured=[U, U]
    )
    assert result.adjusted_length_cm.tolist() == [85.0, 85.0]
    assert result.whz.tolist() == pytest.approx([-0.55, -0.73])
    assert result.haz[1] == pytest.approx(-0.70)


def test_half_a_day_rounds_up_to_the_next_day_as_who_does() -> None:
    """730.5 days is day 731 (anthro 0.9.2): a lying 85.7 cm becomes 85.0 cm, HAZ -0.70 on day 731."""
    result = score(sex=BOY, age_days=730.5, length_cm=85.7, measured=L)
    assert result.adjusted_length_cm[0] == 85.0
    assert result.haz[0] == pytest.approx(-0.70)


def test_standing_height_before_nine_months_is_flagged_and_left_unadjusted_under_anthro() -> None:
    """Boy, 200 days, standing 65.0 cm: anthro keeps 65.0 (HAZ -1.63); igrowup adds 0.7 (65.7, HAZ -1.31)."""
    anthro = score(sex=BOY, age_days=200, length_cm=65.0, measured=H)
    igrowup = score(sex=BOY, age_days=200, length_cm=65.0, measured=H, convention=Convention.IGROWUP)
    assert anthro.position_implausible[0]
    assert igrowup.position_implausible[0]
    assert anthro.adjusted_length_cm[0] == 65.0
    assert anthro.haz[0] == pytest.approx(-1.63)
    assert igrowup.adjusted_length_cm[0] == pytest.approx(65.7)
    assert igrowup.haz[0] == pytest.approx(-1.31)


def test_standing_at_nine_months_is_plausible_and_adjusted() -> None:
    """WHO anthro's own test: boy, 8 and 9 months, standing 60 cm → 60.0 / 60.7 cm, HAZ -4.81 / -5.02."""
    result = compute_zscores(
        sex=[BOY, BOY],
        age_days=[8 * 30.4375, 9 * 30.4375],
        weight_kg=[NAN, NAN],
        length_cm=[60.0, 60.0],
        measured=[H, H],
    )
    assert result.position_implausible.tolist() == [True, False]
    assert result.adjusted_length_cm.tolist() == pytest.approx([60.0, 60.7])
    assert result.haz.tolist() == pytest.approx([-4.81, -5.02])


# --- oedema ------------------------------------------------------------------------------------------


def test_oedema_blanks_weight_scores_but_keeps_length_for_age() -> None:
    result = score(sex=BOY, age_days=365, weight_kg=9.646, length_cm=75.7391, measured=L, oedema=True)
    assert np.isnan(result.waz[0])
    assert np.isnan(result.whz[0])
    assert not result.flag_waz[0]
    assert not result.flag_whz[0]
    assert result.haz[0] == 0.0


# --- ranges --------------------------------------------------------------------------------------------


def test_weight_for_length_covers_45_to_110_cm_before_731_days() -> None:
    """Girl, 300 days, weighing the WFL median at 45.0 (2.4607 kg) and 110.0 cm (18.3324 kg)."""
    result = compute_zscores(
        sex=[GIRL] * 4,
        age_days=[300] * 4,
        weight_kg=[2.4607, 18.3324, 2.4607, 18.3324],
        length_cm=[45.0, 110.0, 44.9, 110.1],
        measured=[L] * 4,
    )
    assert result.whz[:2].tolist() == [0.0, 0.0]
    assert np.isnan(result.whz[2:]).all()


def test_weight_for_height_covers_65_to_120_cm_from_731_days() -> None:
    """Boy, 1000 days, weighing the WFH median at 65.0 (7.4327 kg) and 120.0 cm (22.353 kg)."""
    result = compute_zscores(
        sex=[BOY] * 4,
        age_days=[1000] * 4,
        weight_kg=[7.4327, 22.353, 7.4327, 22.353],
        length_cm=[65.0, 120.0, 64.9, 120.1],
        measured=[H] * 4,
    )
    assert result.whz[:2].tolist() == [0.0, 0.0]
    assert np.isnan(result.whz[2:]).all()


def test_a_range_edge_reached_through_float_arithmetic_is_still_inside() -> None:
    """119.9 + 0.1 is 120.00000000000001 in floating point: it is the 120.0 cm row, not out of range."""
    result = score(sex=BOY, age_days=1000, weight_kg=22.353, length_cm=119.9 + 0.1, measured=H)
    assert result.whz[0] == 0.0
    assert result.adjusted_length_cm[0] == 120.0


def test_anthro_convention_scores_until_60_months_and_igrowup_until_day_1856() -> None:
    """Boys weighing the WFA median: day 1826 (18.3352 kg, 59.99 months), 1827, 1856 (18.4968 kg), 1857."""
    ages = [1826, 1827, 1856, 1857]
    weights = [18.3352, 18.3352, 18.4968, 18.4968]
    common = {"sex": [BOY] * 4, "age_days": ages, "weight_kg": weights, "length_cm": [NAN] * 4}
    anthro = compute_zscores(**common)  # type: ignore[arg-type]
    igrowup = compute_zscores(**common, convention=Convention.IGROWUP)  # type: ignore[arg-type]
    assert anthro.waz[0] == 0.0
    assert np.isnan(anthro.waz[1:]).all()
    assert igrowup.waz[2] == 0.0
    assert np.isnan(igrowup.waz[3])
    assert not np.isnan(igrowup.waz[1])


def test_scores_stop_at_60_months_as_in_who_anthro_tests() -> None:
    result = compute_zscores(
        sex=[BOY] * 3,
        age_days=[59.9 * 30.4375, 60 * 30.4375, 60.1 * 30.4375],
        weight_kg=[20.0] * 3,
        length_cm=[80.0] * 3,
        measured=[H] * 3,
    )
    for values in (result.waz, result.haz, result.whz):
        assert not np.isnan(values[0])
        assert np.isnan(values[1:]).all()


def test_an_absurd_age_is_out_of_range_under_both_conventions() -> None:
    for convention in Convention:
        result = score(sex=BOY, age_days=1e300, weight_kg=9.0, length_cm=75.0, measured=H, convention=convention)
        assert np.isnan([result.waz[0], result.haz[0], result.whz[0]]).all()


def test_weight_for_height_past_60_months_is_blank_even_though_it_needs_no_age() -> None:
    result = score(sex=BOY, age_days=1900, weight_kg=15.3576, length_cm=100.0, measured=H)
    assert np.isnan(result.whz[0])


# --- interpolation and tenths in disguise ----------------------------------------------------------


def test_length_between_tenths_interpolates_l_m_s_linearly() -> None:
    """Girl, 300 days, 70.05 cm, 8.0 kg: halfway between WFL 70.0 (-0.22) and 70.1 (-0.25) rows of L, M, S
    gives L -0.3833, M 8.17325, S 0.090675 → -0.24."""
    result = compute_zscores(
        sex=[GIRL] * 3,
        age_days=[300] * 3,
        weight_kg=[8.0] * 3,
        length_cm=[70.0, 70.05, 70.1],
        measured=[L] * 3,
    )
    assert result.whz.tolist() == pytest.approx([-0.22, -0.24, -0.25])


def test_a_tenth_in_disguise_is_that_tenth_and_is_not_interpolated() -> None:
    """Boy, 1000 days, lying 103.1 cm: 103.1 - 0.7 is 102.39999999999999 in floating point. It must be the
    102.4 cm row (WFH L -0.3521, M 16.0503, S 0.08349 → 16 kg is -0.04; HAZ day 1000 → 2.37)."""
    assert 103.1 - 0.7 != 102.4
    lying = score(sex=BOY, age_days=1000, weight_kg=16.0, length_cm=103.1, measured=L)
    direct = score(sex=BOY, age_days=1000, weight_kg=16.0, length_cm=102.3 + 0.1, measured=H)
    assert lying.adjusted_length_cm[0] == 102.4
    assert direct.adjusted_length_cm[0] == 102.4
    assert lying.whz[0] == pytest.approx(-0.04)
    assert direct.whz[0] == pytest.approx(-0.04)
    assert lying.haz[0] == pytest.approx(2.37)


# --- non-positive, missing and unknown values ------------------------------------------------------------


def test_non_positive_weight_leaves_weight_scores_blank() -> None:
    result = compute_zscores(
        sex=[BOY, BOY], age_days=[365, 365], weight_kg=[0.0, -1.0], length_cm=[75.0, 75.0], measured=[L, L]
    )
    assert np.isnan(result.waz).all()
    assert np.isnan(result.whz).all()
    assert not np.isnan(result.haz).any()


def test_non_positive_length_leaves_length_scores_blank() -> None:
    result = compute_zscores(
        sex=[BOY, BOY], age_days=[365, 365], weight_kg=[9.0, 9.0], length_cm=[0.0, -75.0], measured=[U, U]
    )
    assert np.isnan(result.haz).all()
    assert np.isnan(result.whz).all()
    assert not np.isnan(result.waz).any()


def test_negative_age_leaves_every_score_blank() -> None:
    result = score(sex=BOY, age_days=-1, weight_kg=9.0, length_cm=75.0, measured=L)
    assert np.isnan([result.waz[0], result.haz[0], result.whz[0]]).all()


def test_unknown_sex_leaves_every_score_blank() -> None:
    result = score(sex=Sex.UNKNOWN, age_days=365, weight_kg=9.0, length_cm=75.0, measured=L)
    assert np.isnan([result.waz[0], result.haz[0], result.whz[0]]).all()


def test_without_age_only_weight_for_length_height_is_scored_by_position_then_by_87_cm() -> None:
    """Boys weighing the median of the table WHO's rule picks: lying 100 cm → WFL 100.0 (15.1637 kg),
    standing 80 cm → WFH 80.0 (10.5781 kg), unknown 86.9 cm → WFL 86.9 (11.9668 kg), unknown 87.0 cm →
    WFH 87.0 (12.1645 kg)."""
    result = compute_zscores(
        sex=[BOY] * 4,
        age_days=[NAN] * 4,
        weight_kg=[15.1637, 10.5781, 11.9668, 12.1645],
        length_cm=[100.0, 80.0, 86.9, 87.0],
        measured=[L, H, U, U],
    )
    assert result.whz.tolist() == [0.0, 0.0, 0.0, 0.0]
    assert result.adjusted_length_cm.tolist() == [100.0, 80.0, 86.9, 87.0]
    assert np.isnan(result.waz).all()
    assert np.isnan(result.haz).all()


# --- rounding, -2.00 and flags -----------------------------------------------------------------------


def test_rounding_is_half_away_from_zero_without_negative_zero() -> None:
    """Like WHO's ``rounde``, the halves are judged on |x| x 100 in floating point: 2.675 x 100 is 267.5."""
    rounded = round_half_away_from_zero(np.array([1.625, -1.625, 0.125, -0.125, -0.004, 2.675, NAN]))
    assert rounded[:6].tolist() == [1.63, -1.63, 0.13, -0.13, 0.0, 2.68]
    assert not np.signbit(rounded[4])
    assert np.isnan(rounded[6])


def test_a_score_of_exactly_minus_two_is_not_below_minus_two() -> None:
    """HAZ -2 for a boy on day 0 is 49.8842 x (1 - 2 x 0.03795) = 46.09798922 cm; WAZ -2 on day 365 is
    9.646 x (1 - 2 x 0.0645 x 0.10925)^(1/0.0645) = 7.74067593 kg. Neither child is stunted or underweight."""
    result = compute_zscores(
        sex=[BOY, BOY],
        age_days=[0, 365],
        weight_kg=[NAN, 7.7406759304],
        length_cm=[46.09798922, NAN],
        measured=[L, L],
    )
    assert result.haz[0] == -2.0
    assert not result.haz[0] < -2
    assert result.waz[1] == -2.0
    assert not result.waz[1] < -2
    slightly_short = score(sex=BOY, age_days=0, length_cm=46.05, measured=L)
    assert slightly_short.haz[0] == pytest.approx(-2.03)
    assert slightly_short.haz[0] < -2


def test_weight_for_age_is_flagged_above_five_and_below_minus_six() -> None:
    """Boy, day 365 (L 0.0645, M 9.646, S 0.10925): +5.00 at 16.05770998 kg, +5.01 at 16.07129118,
    -6.00 at 4.48188821, -6.01 at 4.47374124."""
    result = compute_zscores(
        sex=[BOY] * 4,
        age_days=[365] * 4,
        weight_kg=[16.05770998, 16.07129118, 4.48188821, 4.47374124],
        length_cm=[NAN] * 4,
    )
    assert result.waz.tolist() == pytest.approx([5.00, 5.01, -6.00, -6.01])
    assert result.flag_waz.tolist() == [False, True, False, True]


def test_length_for_age_is_flagged_beyond_six() -> None:
    """Boy, day 365 (M 75.7391, S 0.03137): +6.00 at 89.9947134 cm, +6.01 at 90.01847276,
    -6.01 at 61.45972724."""
    result = compute_zscores(
        sex=[BOY] * 3,
        age_days=[365] * 3,
        weight_kg=[NAN] * 3,
        length_cm=[89.9947134, 90.01847276, 61.45972724],
        measured=[L] * 3,
    )
    assert result.haz.tolist() == pytest.approx([6.00, 6.01, -6.01])
    assert result.flag_haz.tolist() == [False, True, True]


def test_weight_for_height_is_flagged_beyond_five_and_still_reported() -> None:
    """Boy, 1000 days, 100.0 cm (WFH L -0.3521, M 15.3576, S 0.08229): +5.00 at 23.25942162 kg, +5.01 at
    23.27630273, -5.01 at 10.17730494."""
    result = compute_zscores(
        sex=[BOY] * 3,
        age_days=[1000] * 3,
        weight_kg=[23.25942162, 23.27630273, 10.17730494],
        length_cm=[100.0] * 3,
        measured=[H] * 3,
    )
    assert result.whz.tolist() == pytest.approx([5.00, 5.01, -5.01])
    assert result.flag_whz.tolist() == [False, True, True]


# --- parsing and the engine's interface ---------------------------------------------------------------


def test_sex_is_read_from_codes_letters_and_english_or_vietnamese_words() -> None:
    decomposed_nu = "Nu\u031b\u0303"
    values = ["1", "2", "M", "f", "Nam", "Nữ", decomposed_nu, " male ", "FEMALE", "", None, "x"]
    assert parse_sex(values).tolist() == [1, 2, 1, 2, 1, 2, 2, 1, 2, 0, 0, 0]
    assert parse_sex(np.array([1, 2, 3, 0])).tolist() == [1, 2, 0, 0]


def test_position_is_read_from_l_h_or_blank() -> None:
    values = ["L", "l", "H", " h ", "", None, "nằm", "đứng", "?"]
    assert parse_position(values).tolist() == [1, 1, 2, 2, 0, 0, 1, 2, 0]


def test_oedema_is_true_only_for_yes_values() -> None:
    assert parse_oedema(["y", "Y", "n", "", "1", "2", "có", None]).tolist() == [
        True,
        True,
        False,
        False,
        True,
        False,
        True,
        False,
    ]


def test_engine_accepts_words_directly() -> None:
    result = compute_zscores(
        sex=np.array(["Nam"]),
        age_days=[365],
        weight_kg=[9.646],
        length_cm=[75.7391],
        measured=np.array(["L"]),
        oedema=np.array(["n"]),
    )
    assert result.waz[0] == 0.0
    assert result.haz[0] == 0.0


def test_arrays_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="age_days"):
        compute_zscores(sex=[1, 2], age_days=[1], weight_kg=[1.0, 2.0], length_cm=[50.0, 50.0])


def test_engine_runs_without_pygrowup_imported() -> None:
    score(sex=BOY, age_days=100, weight_kg=6.0, length_cm=60.0)
    assert "pygrowup" not in sys.modules


# --- the CSV scorer ----------------------------------------------------------------------------------


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as source:
        return list(csv.DictReader(source, delimiter=delimiter))


def test_csv_scoring_reproduces_who_example_survey_cell_for_cell(tmp_path: Path) -> None:
    rows = read_who_example_survey()
    source = tmp_path / "survey.csv"
    with open(source, "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(["id", "sex", "age_days", "weight_kg", "length_cm", "measured", "oedema"])
        for row in rows:
            writer.writerow(
                [
                    row["id"],
                    row["GENDER"],
                    row["age.days"],
                    row["WEIGHT"],
                    row["HEIGHT"],
                    row["measure"],
                    row["oedema"],
                ]
            )
    output = tmp_path / "scored.csv"
    assert score_csv(input_path=source, output_path=output, convention=Convention.IGROWUP, chunk_rows=64) == 498
    scored = read_csv(output)
    for ours, who in (("haz", "zlen"), ("waz", "zwei"), ("whz", "zwfl")):
        for mine, theirs in zip(scored, rows, strict=True):
            expected = "" if theirs[who] == "" else f"{float(theirs[who]):.2f}"
            assert mine[ours] == expected, (mine["id"], ours)
    for mine, theirs in zip(scored, rows, strict=True):
        assert mine["flag_haz"] == theirs["flen"]


def test_csv_keeps_every_input_column_and_reads_iso_and_day_first_dates(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "child,sex,birth_date,measured_on,weight_kg,length_cm,measured,oedema,commune\n"
        "a,Nam,2023-01-01,2024-01-01,9.646,75.7391,L,n,Bình Lư\n"
        "b,1,01/01/2023,01/01/2024,9.646,75.7391,L,y,Bình Lư\n"
        "c,Nữ,2020-01-01,2024-01-01,,,,n,Tam Đường\n"
        "d,x,2023-01-01,2024-01-01,9.646,75.7391,L,n,Tam Đường\n",
        encoding="utf-8",
    )
    output = tmp_path / "out.csv"
    assert score_csv(input_path=source, output_path=output) == 4
    rows = read_csv(output)
    assert list(rows[0]) == [
        *("child", "sex", "birth_date", "measured_on", "weight_kg", "length_cm", "measured", "oedema"),
        *("commune", "waz", "haz", "whz", "flag_waz", "flag_haz", "flag_whz"),
    ]
    assert rows[0]["commune"] == "Bình Lư"
    assert [rows[0][name] for name in ("waz", "haz", "flag_waz", "flag_haz")] == ["0.00", "0.00", "0", "0"]
    assert [rows[1][name] for name in ("waz", "haz", "whz", "flag_waz", "flag_whz")] == [
        "",
        "0.00",
        "",
        "",
        "",
    ]
    assert all(rows[2][name] == "" for name in ("waz", "haz", "whz", "flag_waz", "flag_haz", "flag_whz"))
    assert all(rows[3][name] == "" for name in ("waz", "haz", "whz"))


def test_csv_chunk_size_does_not_change_the_output(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    lines = ["sex,age_days,weight_kg,length_cm,measured,oedema"]
    lines += [f"{1 + index % 2},{30 * index},{3 + index * 0.7:.1f},{50 + index * 1.3:.2f},L,n" for index in range(25)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    score_csv(input_path=source, output_path=tmp_path / "one.csv", chunk_rows=1000)
    score_csv(input_path=source, output_path=tmp_path / "many.csv", chunk_rows=4)
    assert (tmp_path / "one.csv").read_text() == (tmp_path / "many.csv").read_text()


def test_csv_with_semicolons_and_decimal_commas_is_read_and_written_the_same_way(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("sex;age_days;weight_kg;length_cm;measured;oedema\n1;365;9,646;75,7391;L;n\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    score_csv(input_path=source, output_path=output)
    assert read_csv(output, delimiter=";")[0]["waz"] == "0.00"


def test_csv_without_an_age_column_is_refused_with_a_vietnamese_message(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("sex,weight_kg,length_cm\n1,9,75\n", encoding="utf-8")
    with pytest.raises(ValueError, match="thiếu cột: age_days"):
        score_csv(input_path=source, output_path=tmp_path / "out.csv")


def test_csv_row_longer_than_the_header_is_refused_with_its_line_number(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("sex,age_days,weight_kg,length_cm\n1,365,9,75\n1,365,9,75,extra\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Dòng 3"):
        score_csv(input_path=source, output_path=tmp_path / "out.csv")
