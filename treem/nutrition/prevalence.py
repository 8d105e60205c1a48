"""Prevalence of undernutrition over arrays of measurements: who is counted, and at which measurement.

The rule, as WHO's software applies it and as the plan's data elements define it (``docs/nutrition.md``):

- only measurements of children under five count: age known and age in days ÷ 30.4375 < 60;
- a measurement is *valid* for an indicator when its rounded score exists and is not flagged (WAZ outside −6…5,
  HAZ outside −6…6, WHZ outside −5…5); for the weight-based indicators (WAZ, WHZ) a child with bilateral oedema is
  valid and counted as severely undernourished although the score is blank, as WHO's ``prevnh`` does;
- each child is counted once per indicator, at its **latest valid measurement** (latest date; on the same date the
  one recorded last): a later blank or flagged score leaves the child counted at its last valid one;
- the classification uses the rounded score: below −2 (moderate or severe) and below −3 (severe); −2.00 is not
  below −2.

Everything here is NumPy over whole arrays; the database code that fills the arrays is in ``derived.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from enum import Enum
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from treem.nutrition.zscores import AGE_LIMIT_MONTHS, DAYS_PER_MONTH, round_half_away_from_zero

MODERATE_CUTOFF: Final = -2.0
SEVERE_CUTOFF: Final = -3.0


class Indicator(Enum):
    """The three anthropometric indicators, by the score they use."""

    WEIGHT_FOR_AGE = "waz"
    HEIGHT_FOR_AGE = "haz"
    WEIGHT_FOR_HEIGHT = "whz"

    @property
    def counts_oedema(self) -> bool:
        """WHO counts a child with oedema as severely undernourished on the weight-based indicators."""
        return self is not Indicator.HEIGHT_FOR_AGE


@dataclass(frozen=True)
class MeasurementArrays:
    """One element per measurement. ``measured_on`` is any sortable day number (e.g. a date ordinal); scores are
    the stored rounded scores (NaN = blank) with their flags."""

    measurement_id: NDArray[np.int64]
    child_id: NDArray[np.int64]
    measured_on: NDArray[np.int64]
    age_days: NDArray[np.float64]
    waz: NDArray[np.float64]
    haz: NDArray[np.float64]
    whz: NDArray[np.float64]
    flag_waz: NDArray[np.bool_]
    flag_haz: NDArray[np.bool_]
    flag_whz: NDArray[np.bool_]
    has_oedema: NDArray[np.bool_]

    @classmethod
    def build(
        cls,
        *,
        measurement_id: ArrayLike,
        child_id: ArrayLike,
        measured_on: ArrayLike,
        age_days: ArrayLike,
        waz: ArrayLike,
        haz: ArrayLike,
        whz: ArrayLike,
        flag_waz: ArrayLike,
        flag_haz: ArrayLike,
        flag_whz: ArrayLike,
        has_oedema: ArrayLike,
    ) -> MeasurementArrays:
        """Arrays from sequences; ``None`` in a number column becomes NaN and in a flag column False. Numbers may
        be decimals; ``measured_on`` may be day numbers, dates or ISO date strings."""

        def numbers(values: ArrayLike) -> NDArray[np.float64]:
            return np.array(values, dtype=np.float64).reshape(-1)

        def booleans(values: ArrayLike) -> NDArray[np.bool_]:
            return np.array(values, dtype=np.bool_).reshape(-1)

        days = np.asarray(measured_on)
        if days.dtype.kind in "OUSM":
            days = days.astype("datetime64[D]").astype(np.int64)

        return cls(
            measurement_id=np.asarray(measurement_id, dtype=np.int64),
            child_id=np.asarray(child_id, dtype=np.int64),
            measured_on=days.astype(np.int64).reshape(-1),
            age_days=numbers(age_days),
            waz=numbers(waz),
            haz=numbers(haz),
            whz=numbers(whz),
            flag_waz=booleans(flag_waz),
            flag_haz=booleans(flag_haz),
            flag_whz=booleans(flag_whz),
            has_oedema=booleans(has_oedema),
        )

    @classmethod
    def concatenate(cls, parts: Sequence[MeasurementArrays]) -> MeasurementArrays:
        """The measurements of ``parts`` one after the other (built chunk by chunk from a long read)."""
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return cls.build(measurement_id=[], child_id=[], measured_on=np.array([], dtype=np.int64), age_days=[],
                             waz=[], haz=[], whz=[], flag_waz=[], flag_haz=[], flag_whz=[], has_oedema=[])
        return cls(**{item.name: np.concatenate([getattr(part, item.name) for part in parts])
                      for item in fields(cls)})

    def __len__(self) -> int:
        return int(self.child_id.shape[0])

    def score(self, indicator: Indicator) -> NDArray[np.float64]:
        scores: NDArray[np.float64] = getattr(self, indicator.value)
        return scores

    def flag(self, indicator: Indicator) -> NDArray[np.bool_]:
        flags: NDArray[np.bool_] = getattr(self, f"flag_{indicator.value}")
        return flags


@dataclass(frozen=True)
class LatestValid:
    """For one indicator: the row of each counted child's latest valid measurement and its classification."""

    rows: NDArray[np.int64]
    moderate_or_severe: NDArray[np.bool_]
    severe: NDArray[np.bool_]

    @property
    def children(self) -> int:
        return int(self.rows.shape[0])

    @property
    def below_minus_two(self) -> int:
        return int(self.moderate_or_severe.sum())

    @property
    def below_minus_three(self) -> int:
        return int(self.severe.sum())

    def share_below_minus_two(self) -> float | None:
        """The prevalence (0–1) of z < −2, or None when no child was counted."""
        return self.below_minus_two / self.children if self.children else None


def is_under_five(age_days: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Age known and under 60 months (days ÷ 30.4375 < 60), the engine's own age limit."""
    with np.errstate(invalid="ignore"):
        under: NDArray[np.bool_] = (age_days >= 0) & (age_days / DAYS_PER_MONTH < AGE_LIMIT_MONTHS)
    return under


def valid_for(measurements: MeasurementArrays, indicator: Indicator) -> NDArray[np.bool_]:
    """Which measurements may represent their child for ``indicator`` (see the module's rule)."""
    score = measurements.score(indicator)
    valid = ~np.isnan(score) & ~measurements.flag(indicator)
    if indicator.counts_oedema:
        valid |= measurements.has_oedema
    result: NDArray[np.bool_] = valid & is_under_five(measurements.age_days)
    return result


def latest_valid(measurements: MeasurementArrays, indicator: Indicator) -> LatestValid:
    """Each child's latest valid measurement for ``indicator``, classified on its rounded score."""
    candidates = np.flatnonzero(valid_for(measurements, indicator))
    # Sort by child, then date, then id; the last row of each child's run is its latest measurement.
    order = np.lexsort((
        measurements.measurement_id[candidates],
        measurements.measured_on[candidates],
        measurements.child_id[candidates],
    ))
    sorted_rows = candidates[order]
    children = measurements.child_id[sorted_rows]
    is_last = np.ones(sorted_rows.shape[0], dtype=np.bool_)
    is_last[:-1] = children[:-1] != children[1:]
    rows = sorted_rows[is_last]
    with np.errstate(invalid="ignore"):
        rounded = round_half_away_from_zero(measurements.score(indicator)[rows])
        oedema = measurements.has_oedema[rows] if indicator.counts_oedema else np.zeros(rows.shape[0], np.bool_)
        moderate_or_severe = (rounded < MODERATE_CUTOFF) | oedema
        severe = (rounded < SEVERE_CUTOFF) | oedema
    return LatestValid(rows=rows, moderate_or_severe=moderate_or_severe, severe=severe)
