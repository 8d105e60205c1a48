"""WHO reference curves (−3 to +3 SD) for growth charts, computed from the same LMS tables as the z-scores.

A curve at k standard deviations is the measurement whose z-score is k: ``M·(1 + L·S·k)^(1/L)`` (``M·exp(S·k)``
when L is 0), the formula of the WHO Technical Report §7 that the engine inverts. Age-based curves run from
birth to 60 months (day 1826), sampled every week and at the last day; weight-for-length runs over 45–110 cm and
weight-for-height over 65–120 cm, sampled every 0.5 cm.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Final

import numpy as np
from django.utils.translation import gettext_lazy
from numpy.typing import NDArray

from treem.nutrition.zscores import DAYS_PER_MONTH, REFERENCE_DIRECTORY, Sex

STANDARD_DEVIATIONS: Final = (-3, -2, -1, 0, 1, 2, 3)
LAST_CHART_DAY: Final = 1826
AGE_STEP_DAYS: Final = 7
LENGTH_STEP_CM: Final = 0.5


class Chart(Enum):
    """The four WHO charts: what is on each axis and which table draws the curves."""

    WEIGHT_FOR_AGE = "weight_for_age"
    LENGTH_HEIGHT_FOR_AGE = "length_height_for_age"
    WEIGHT_FOR_LENGTH = "weight_for_length"
    WEIGHT_FOR_HEIGHT = "weight_for_height"

    @property
    def title(self) -> str:
        return str(_TITLES[self])

    @property
    def is_age_based(self) -> bool:
        return self in (Chart.WEIGHT_FOR_AGE, Chart.LENGTH_HEIGHT_FOR_AGE)


_TITLES: Final = {
    Chart.WEIGHT_FOR_AGE: gettext_lazy("Cân nặng theo tuổi"),
    Chart.LENGTH_HEIGHT_FOR_AGE: gettext_lazy("Chiều dài/chiều cao theo tuổi"),
    Chart.WEIGHT_FOR_LENGTH: gettext_lazy("Cân nặng theo chiều dài (dưới 2 tuổi, đo nằm)"),
    Chart.WEIGHT_FOR_HEIGHT: gettext_lazy("Cân nặng theo chiều cao (từ 2 tuổi, đo đứng)"),
}


@dataclass(frozen=True)
class ReferenceCurves:
    """The x values (age in months, or length/height in cm) and one y list per SD line, keyed −3…3."""

    chart: Chart
    sex: Sex
    x: tuple[float, ...]
    lines: dict[int, tuple[float, ...]]


def _lms_rows(chart: Chart, sex: Sex) -> NDArray[np.float64]:
    rows = np.loadtxt(REFERENCE_DIRECTORY / f"{chart.value}.csv", delimiter=",", skiprows=1, ndmin=2)
    return rows[rows[:, 0] == float(sex)]


def _sample(rows: NDArray[np.float64], chart: Chart) -> NDArray[np.float64]:
    keys = rows[:, 1]
    if chart.is_age_based:
        wanted = np.append(np.arange(0, LAST_CHART_DAY, AGE_STEP_DAYS), LAST_CHART_DAY)
        selected = np.isin(np.rint(keys).astype(np.int64), wanted)
    else:
        tenths = np.rint(keys * 10).astype(np.int64)
        selected = tenths % int(LENGTH_STEP_CM * 10) == 0
    return rows[selected]


def sd_value(power: NDArray[np.float64], median: NDArray[np.float64], variation: NDArray[np.float64],
             deviations: float) -> NDArray[np.float64]:
    """The measurement at ``deviations`` SD for each row's L, M and S."""
    with np.errstate(divide="ignore", invalid="ignore"):
        box_cox = median * np.power(1.0 + power * variation * deviations, 1.0 / np.where(power == 0, 1.0, power))
    result: NDArray[np.float64] = np.where(power == 0, median * np.exp(variation * deviations), box_cox)
    return result


@cache
def reference_curves(chart: Chart, sex: Sex) -> ReferenceCurves:
    """WHO's −3…+3 SD curves of ``chart`` for boys (``Sex.MALE``) or girls (``Sex.FEMALE``)."""
    if sex not in (Sex.MALE, Sex.FEMALE):
        raise ValueError("Biểu đồ tăng trưởng cần giới tính của trẻ (nam hoặc nữ).")
    rows = _sample(_lms_rows(chart, sex), chart)
    x = rows[:, 1] / DAYS_PER_MONTH if chart.is_age_based else rows[:, 1]
    lines = {
        deviations: tuple(np.round(sd_value(rows[:, 2], rows[:, 3], rows[:, 4], deviations), 3).tolist())
        for deviations in STANDARD_DEVIATIONS
    }
    return ReferenceCurves(chart=chart, sex=sex, x=tuple(np.round(x, 3).tolist()), lines=lines)
