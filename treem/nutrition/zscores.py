"""WHO 2006 Child Growth Standards z-scores, computed over NumPy arrays.

A z-score says how many standard deviations a child's measurement lies from the median of the WHO
standard for children of the same sex and age (or length). Three indicators serve the plan's targets:

- **WAZ**, weight-for-age: below -2 is *underweight* (suy dinh dưỡng thể nhẹ cân);
- **HAZ**, length/height-for-age: below -2 is *stunting* (suy dinh dưỡng thể thấp còi);
- **WHZ**, weight-for-length/height: below -2 is *wasting* (suy dinh dưỡng thể gầy còm).

The engine follows the rules of WHO's own software (the ``anthro`` R package and the older ``igrowup``
macros), listed in ``docs/zscores.md``: the LMS formula with the restricted tails for weight-based
indicators, the ±0.7 cm conversion between recumbent length and standing height at 731 days, linear
interpolation of weight-for-length/height between 0.1 cm rows, the plausibility flags, and rounding to two
decimals half away from zero. Flags and any classification use the rounded score, as WHO's software does.

Every input is an array with one element per measurement; nothing loops over rows in Python. Missing
values are NaN (numbers), 0 (sex and position codes) or False (oedema). A blank score comes back as NaN with
its flag False.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, IntEnum
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

REFERENCE_DIRECTORY: Final = Path(__file__).resolve().parents[2] / "reference_data" / "who"

DAYS_PER_MONTH: Final = 30.4375
LAST_TABLE_DAY: Final = 1856
AGE_LIMIT_MONTHS: Final = 60.0
LENGTH_HEIGHT_SWITCH_DAY: Final = 731
POSITION_ADJUSTMENT_CM: Final = 0.7
EARLIEST_STANDING_MONTHS: Final = 9.0
NO_AGE_LENGTH_CUTOFF_CM: Final = 87.0
LENGTH_TABLE_RANGE_CM: Final = (45.0, 110.0)
HEIGHT_TABLE_RANGE_CM: Final = (65.0, 120.0)

WAZ_FLAG_RANGE: Final = (-6.0, 5.0)
HAZ_FLAG_RANGE: Final = (-6.0, 6.0)
WHZ_FLAG_RANGE: Final = (-5.0, 5.0)

# A length within 1e-7 cm of a 0.1 cm row is that row: 102.39999999999999 is 102.4
# reached through float arithmetic, not a measurement finer than a millimetre.
_ON_ROW_TOLERANCE_TENTHS: Final = 1e-6

_DAY_COUNT: Final = LAST_TABLE_DAY + 1
_LENGTH_ROWS: Final = 651
_HEIGHT_ROWS: Final = 551
_LENGTH_FIRST_TENTH: Final = 450
_HEIGHT_FIRST_TENTH: Final = 650


class Sex(IntEnum):
    """Sex codes as WHO's software uses them; 0 means unknown, which leaves every score blank."""

    UNKNOWN = 0
    MALE = 1
    FEMALE = 2


class Position(IntEnum):
    """How the length was measured: lying down (recumbent length, "L") or standing (height, "H")."""

    UNKNOWN = 0
    RECUMBENT = 1
    STANDING = 2


class Convention(Enum):
    """Which edition of WHO's software the engine reproduces where the two differ.

    ``ANTHRO`` is the current ``anthro`` R package: scores only below 60 months of age (age in days
    ÷ 30.4375 < 60), and a standing height before 9 months is treated as of unknown position (no
    +0.7 cm). ``IGROWUP`` is the 2013 ``igrowup`` macros, which scored every age covered by the tables
    (0-1856 days) and adjusted any standing height below 731 days.
    """

    ANTHRO = "anthro"
    IGROWUP = "igrowup"


@dataclass(frozen=True)
class ZScores:
    """Scores for a batch of measurements, one element per input row.

    Scores are rounded to two decimals; NaN means blank (the score cannot or must not be computed).
    A flag is True when the rounded score lies outside WHO's plausible range; a flagged score is still
    reported. ``adjusted_length_cm`` is the length after the ±0.7 cm position conversion, the value
    both HAZ and WHZ use. ``position_implausible`` marks a standing height recorded before 9 months.
    """

    waz: NDArray[np.float64]
    haz: NDArray[np.float64]
    whz: NDArray[np.float64]
    flag_waz: NDArray[np.bool_]
    flag_haz: NDArray[np.bool_]
    flag_whz: NDArray[np.bool_]
    adjusted_length_cm: NDArray[np.float64]
    position_implausible: NDArray[np.bool_]


@dataclass(frozen=True)
class _LmsTable:
    """Box-Cox power (L), median (M) and coefficient of variation (S), one flat array each."""

    power: NDArray[np.float64]
    median: NDArray[np.float64]
    variation: NDArray[np.float64]


@dataclass(frozen=True)
class _ReferenceTables:
    weight_for_age: _LmsTable
    length_for_age: _LmsTable
    weight_for_length_height: _LmsTable


def _read_table(file_name: str, *, expected_keys: NDArray[np.float64]) -> _LmsTable:
    path = REFERENCE_DIRECTORY / file_name
    rows = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    rows_per_sex = expected_keys.shape[0]
    expected_sex = np.repeat([float(Sex.MALE), float(Sex.FEMALE)], rows_per_sex)
    if (
        rows.shape != (2 * rows_per_sex, 5)
        or not np.array_equal(rows[:, 0], expected_sex)
        or not np.allclose(rows[:, 1], np.tile(expected_keys, 2), rtol=0.0, atol=1e-9)
    ):
        raise ValueError(f"Bảng chuẩn WHO không đầy đủ hoặc sai thứ tự: {path}")
    return _LmsTable(
        power=np.ascontiguousarray(rows[:, 2]),
        median=np.ascontiguousarray(rows[:, 3]),
        variation=np.ascontiguousarray(rows[:, 4]),
    )


@cache
def _reference_tables() -> _ReferenceTables:
    """Load WHO's LMS tables once per process from ``reference_data/who/``."""
    days = np.arange(_DAY_COUNT, dtype=np.float64)
    lengths = np.arange(_LENGTH_FIRST_TENTH, _LENGTH_FIRST_TENTH + _LENGTH_ROWS) / 10.0
    heights = np.arange(_HEIGHT_FIRST_TENTH, _HEIGHT_FIRST_TENTH + _HEIGHT_ROWS) / 10.0
    weight_for_length = _read_table("weight_for_length.csv", expected_keys=lengths)
    weight_for_height = _read_table("weight_for_height.csv", expected_keys=heights)
    # One flat array for both weight-for-length and weight-for-height lets a single gather serve
    # rows that use either table: [length boys, length girls, height boys, height girls].
    combined = _LmsTable(
        power=np.concatenate([weight_for_length.power, weight_for_height.power]),
        median=np.concatenate([weight_for_length.median, weight_for_height.median]),
        variation=np.concatenate([weight_for_length.variation, weight_for_height.variation]),
    )
    return _ReferenceTables(
        weight_for_age=_read_table("weight_for_age.csv", expected_keys=days),
        length_for_age=_read_table("length_height_for_age.csv", expected_keys=days),
        weight_for_length_height=combined,
    )


def _normalise_word(value: object) -> str:
    return unicodedata.normalize("NFC", str(value)).strip().casefold()


def _codes_from_words(values: Iterable[object], *, words: Mapping[str, int], unknown: int) -> NDArray[np.int8]:
    learned: dict[object, int] = {}

    def code_of(value: object) -> int:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return unknown
        code = words.get(_normalise_word(value), unknown)
        learned[value] = code
        return code

    return np.fromiter((learned[value] if value in learned else code_of(value) for value in values), dtype=np.int8)


_SEX_WORDS: Final[Mapping[str, int]] = {
    **dict.fromkeys(("1", "m", "male", "nam", "trai"), Sex.MALE),
    **dict.fromkeys(("2", "f", "female", "nữ", "nu", "gái"), Sex.FEMALE),
}
_POSITION_WORDS: Final[Mapping[str, int]] = {
    **dict.fromkeys(("l", "length", "recumbent", "lying", "nằm"), Position.RECUMBENT),
    **dict.fromkeys(("h", "height", "standing", "đứng"), Position.STANDING),
}
_OEDEMA_WORDS: Final[Mapping[str, int]] = dict.fromkeys(("y", "yes", "1", "true", "có", "co"), 1)


def _is_numeric_array(values: object) -> bool:
    return isinstance(values, np.ndarray) and values.dtype.kind in "biuf"


def parse_sex(values: Iterable[object]) -> NDArray[np.int8]:
    """Sex codes (1 male, 2 female, 0 unknown) from 1/2, M/F, male/female or Nam/Nữ, any case."""
    if _is_numeric_array(values):
        numbers = np.asarray(values)
        return np.where(numbers == 1, Sex.MALE, np.where(numbers == 2, Sex.FEMALE, Sex.UNKNOWN)).astype(np.int8)
    return _codes_from_words(values, words=_SEX_WORDS, unknown=Sex.UNKNOWN)


def parse_position(values: Iterable[object]) -> NDArray[np.int8]:
    """Position codes (1 recumbent "L", 2 standing "H", 0 unknown or blank), any case."""
    if _is_numeric_array(values):
        numbers = np.asarray(values)
        return np.where(
            numbers == 1, Position.RECUMBENT, np.where(numbers == 2, Position.STANDING, Position.UNKNOWN)
        ).astype(np.int8)
    return _codes_from_words(values, words=_POSITION_WORDS, unknown=Position.UNKNOWN)


def parse_oedema(values: Iterable[object]) -> NDArray[np.bool_]:
    """Bilateral pitting oedema: y/yes/1/có is True; n, blank and anything else is False, as WHO does."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "b":
        return values.astype(np.bool_)
    if _is_numeric_array(values):
        is_yes: NDArray[np.bool_] = np.asarray(values) == 1
        return is_yes
    return _codes_from_words(values, words=_OEDEMA_WORDS, unknown=0).astype(np.bool_)


def round_half_away_from_zero(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Round to two decimals, halves away from zero, as WHO's ``rounde`` does; NaN stays NaN."""
    hundredths = np.abs(values) * 100.0
    whole = np.floor(hundredths)
    rounded = whole + (hundredths - whole >= 0.5)
    # Adding 0.0 turns a negative zero into zero, so -0.004 is reported as 0.00.
    result: NDArray[np.float64] = np.copysign(rounded, values) / 100.0 + 0.0
    return result


def _lms_zscore(
    measurement: NDArray[np.float64],
    power: NDArray[np.float64],
    median: NDArray[np.float64],
    variation: NDArray[np.float64],
    *,
    restricted: bool,
) -> NDArray[np.float64]:
    zscore: NDArray[np.float64] = (np.power(measurement / median, power) - 1.0) / (variation * power)
    if not restricted:
        return zscore
    for side in (1.0, -1.0):
        beyond = np.flatnonzero(zscore * side > 3.0)
        if beyond.size == 0:
            continue
        y = measurement[beyond]
        l_value, m_value, s_value = power[beyond], median[beyond], variation[beyond]
        sd3 = m_value * np.power(1.0 + l_value * s_value * 3.0 * side, 1.0 / l_value)
        sd2 = m_value * np.power(1.0 + l_value * s_value * 2.0 * side, 1.0 / l_value)
        # Beyond ±3 SD the distance is counted in units of the gap between the 2 SD and 3 SD curves,
        # which keeps the skewed weight distributions from compressing the tails.
        zscore[beyond] = side * 3.0 + (y - sd3) / ((sd3 - sd2) * side)
    return zscore


def _flag(scores: NDArray[np.float64], bounds: tuple[float, float]) -> NDArray[np.bool_]:
    flagged: NDArray[np.bool_] = (scores < bounds[0]) | (scores > bounds[1])
    return flagged


def _as_float_array(values: ArrayLike, *, length: int, name: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (length,):
        raise ValueError(f"Cột {name} phải có {length} giá trị (có hình dạng {array.shape}).")
    return np.where(np.isfinite(array), array, np.nan)


def _as_codes(
    values: ArrayLike,
    *,
    length: int | None,
    name: str,
    parse: Callable[[Iterable[object]], NDArray[np.int8]],
) -> NDArray[np.int8]:
    array = np.asarray(values)
    codes = array.astype(np.int8) if array.dtype.kind in "biu" else parse(array.reshape(-1))
    expected = codes.shape if length is None else (length,)
    if array.ndim != 1 or codes.shape != expected:
        raise ValueError(f"Cột {name} phải là một dãy {length or ''} giá trị (có hình dạng {array.shape}).")
    return codes


def compute_zscores(
    *,
    sex: ArrayLike,
    age_days: ArrayLike,
    weight_kg: ArrayLike,
    length_cm: ArrayLike,
    measured: ArrayLike | None = None,
    oedema: ArrayLike | None = None,
    convention: Convention = Convention.ANTHRO,
) -> ZScores:
    """Compute WAZ, HAZ and WHZ with WHO's rules for every row of equally long 1-D arrays.

    ``sex`` and ``measured`` take the codes of :class:`Sex` and :class:`Position` (or words, which are
    parsed with :func:`parse_sex` and :func:`parse_position`). ``age_days`` is the age in days (NaN when
    unknown: WHZ can still be computed); fractional days are rounded half up to pick the table row, as
    WHO does. ``oedema`` is boolean (or words, see :func:`parse_oedema`); it blanks WAZ and WHZ.
    """
    sex_codes = _as_codes(sex, length=None, name="sex", parse=parse_sex)
    row_count = sex_codes.shape[0]
    age = _as_float_array(age_days, length=row_count, name="age_days")
    weight = _as_float_array(weight_kg, length=row_count, name="weight_kg")
    length = _as_float_array(length_cm, length=row_count, name="length_cm")
    if measured is None:
        position = np.zeros(row_count, dtype=np.int8)
    else:
        position = _as_codes(measured, length=row_count, name="measured", parse=parse_position)
    if oedema is None:
        has_oedema = np.zeros(row_count, dtype=np.bool_)
    else:
        has_oedema = parse_oedema(np.asarray(oedema))
        if has_oedema.shape != (row_count,):
            raise ValueError(f"Cột oedema phải có {row_count} giá trị.")

    tables = _reference_tables()
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return _compute(
            tables=tables,
            sex=sex_codes,
            age=age,
            weight=weight,
            length=length,
            position=position,
            has_oedema=has_oedema,
            convention=convention,
        )


def _compute(
    *,
    tables: _ReferenceTables,
    sex: NDArray[np.int8],
    age: NDArray[np.float64],
    weight: NDArray[np.float64],
    length: NDArray[np.float64],
    position: NDArray[np.int8],
    has_oedema: NDArray[np.bool_],
    convention: Convention,
) -> ZScores:
    has_sex = (sex == Sex.MALE) | (sex == Sex.FEMALE)
    sex_offset = np.where(sex == Sex.FEMALE, 1, 0)

    age_given = ~np.isnan(age)
    age_known = age >= 0.0
    safe_age = np.where(age_known, age, 0.0)
    age_months = safe_age / DAYS_PER_MONTH
    # Days are rounded half up, so day d covers ages [d - 0.5, d + 0.5); comparing the unrounded age
    # with those bounds also keeps absurd ages away from the integer conversion below.
    age_in_range = age_known & (safe_age < LAST_TABLE_DAY + 0.5)
    if convention is Convention.ANTHRO:
        age_in_range &= age_months < AGE_LIMIT_MONTHS
    in_range_age = np.where(age_in_range, safe_age, 0.0)
    whole_days = np.floor(in_range_age)
    table_day = (whole_days + (in_range_age - whole_days >= 0.5)).astype(np.int64)

    is_standing = position == Position.STANDING
    is_recumbent = position == Position.RECUMBENT
    position_implausible = age_known & is_standing & (age_months < EARLIEST_STANDING_MONTHS)
    if convention is Convention.ANTHRO:
        is_standing = is_standing & ~position_implausible
    position_unknown = ~is_standing & ~is_recumbent

    before_switch = age_known & (safe_age < LENGTH_HEIGHT_SWITCH_DAY - 0.5)
    from_switch = age_known & ~before_switch
    adjusted = (
        length
        + POSITION_ADJUSTMENT_CM * (before_switch & is_standing)
        - POSITION_ADJUSTMENT_CM * (from_switch & is_recumbent)
    )
    tenths = adjusted * 10.0
    nearest_tenth = np.rint(tenths)
    on_row = np.abs(tenths - nearest_tenth) <= _ON_ROW_TOLERANCE_TENTHS
    adjusted = np.where(on_row, nearest_tenth / 10.0, adjusted)

    day_index = np.where(age_in_range, sex_offset * _DAY_COUNT + table_day, 0)

    haz_valid = has_sex & age_in_range & (adjusted > 0.0)
    haz = _score(
        table=tables.length_for_age,
        index=day_index,
        measurement=adjusted,
        valid=haz_valid,
        restricted=False,
    )

    waz_valid = has_sex & age_in_range & (weight > 0.0) & ~has_oedema
    waz = _score(
        table=tables.weight_for_age,
        index=day_index,
        measurement=weight,
        valid=waz_valid,
        restricted=True,
    )

    no_age = ~age_given
    uses_length_table = (
        before_switch | (no_age & is_recumbent) | (no_age & position_unknown & (adjusted < NO_AGE_LENGTH_CUTOFF_CM))
    )
    uses_height_table = (
        from_switch | (no_age & is_standing) | (no_age & position_unknown & (adjusted >= NO_AGE_LENGTH_CUTOFF_CM))
    )
    in_table_range = (
        uses_length_table & (adjusted >= LENGTH_TABLE_RANGE_CM[0]) & (adjusted <= LENGTH_TABLE_RANGE_CM[1])
    ) | (uses_height_table & (adjusted >= HEIGHT_TABLE_RANGE_CM[0]) & (adjusted <= HEIGHT_TABLE_RANGE_CM[1]))
    whz_valid = has_sex & (weight > 0.0) & ~has_oedema & in_table_range & (no_age | age_in_range)

    safe_tenths = np.where(whz_valid, tenths, float(_HEIGHT_FIRST_TENTH))
    lower_tenth = np.where(on_row, nearest_tenth, np.floor(safe_tenths))
    lower_tenth = np.where(whz_valid, lower_tenth, float(_HEIGHT_FIRST_TENTH))
    fraction = np.where(on_row | ~whz_valid, 0.0, (adjusted - lower_tenth / 10.0) / 0.1)
    table_start = np.where(
        uses_length_table,
        sex_offset * _LENGTH_ROWS - _LENGTH_FIRST_TENTH,
        2 * _LENGTH_ROWS + sex_offset * _HEIGHT_ROWS - _HEIGHT_FIRST_TENTH,
    )
    lower_index = np.where(whz_valid, table_start + lower_tenth.astype(np.int64), 0)
    upper_index = lower_index + (fraction > 0.0)
    whz = _score_interpolated(
        table=tables.weight_for_length_height,
        lower_index=lower_index,
        upper_index=upper_index,
        fraction=fraction,
        measurement=weight,
        valid=whz_valid,
    )

    return ZScores(
        waz=waz,
        haz=haz,
        whz=whz,
        flag_waz=_flag(waz, WAZ_FLAG_RANGE),
        flag_haz=_flag(haz, HAZ_FLAG_RANGE),
        flag_whz=_flag(whz, WHZ_FLAG_RANGE),
        adjusted_length_cm=adjusted,
        position_implausible=position_implausible,
    )


def _score(
    *,
    table: _LmsTable,
    index: NDArray[np.int64],
    measurement: NDArray[np.float64],
    valid: NDArray[np.bool_],
    restricted: bool,
) -> NDArray[np.float64]:
    zscore = _lms_zscore(
        np.where(valid, measurement, 1.0),
        table.power[index],
        table.median[index],
        table.variation[index],
        restricted=restricted,
    )
    return np.where(valid, round_half_away_from_zero(zscore), np.nan)


def _score_interpolated(
    *,
    table: _LmsTable,
    lower_index: NDArray[np.int64],
    upper_index: NDArray[np.int64],
    fraction: NDArray[np.float64],
    measurement: NDArray[np.float64],
    valid: NDArray[np.bool_],
) -> NDArray[np.float64]:
    def interpolate(column: NDArray[np.float64]) -> NDArray[np.float64]:
        lower = column[lower_index]
        result: NDArray[np.float64] = lower + fraction * (column[upper_index] - lower)
        return result

    zscore = _lms_zscore(
        np.where(valid, measurement, 1.0),
        interpolate(table.power),
        interpolate(table.median),
        interpolate(table.variation),
        restricted=True,
    )
    return np.where(valid, round_half_away_from_zero(zscore), np.nan)
