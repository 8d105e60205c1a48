"""The reference data the field page computes with, as JSON: WHO's LMS tables with the engine's constants, and the
validation rules of measurements and report values — the very definitions the server applies, never a copy."""

from __future__ import annotations

import csv
from functools import cache
from typing import Any

from treem.nutrition import zscores
from treem.nutrition.checks import MEASUREMENT_RULES
from treem.nutrition.models import MONTH_PRECISION_DAY_OFFSET
from treem.reporting.selectors import active_validation_rules

TABLE_FILES = {
    "weight_for_age": "weight_for_age.csv",
    "length_for_age": "length_height_for_age.csv",
    "weight_for_length": "weight_for_length.csv",
    "weight_for_height": "weight_for_height.csv",
}


def _read_lms(file_name: str) -> dict[str, dict[str, list[float]]]:
    by_sex: dict[str, dict[str, list[float]]] = {}
    with (zscores.REFERENCE_DIRECTORY / file_name).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            columns = by_sex.setdefault(row["sex"], {"l": [], "m": [], "s": []})
            for name in ("l", "m", "s"):
                columns[name].append(float(row[name]))
    return by_sex


@cache
def who_tables() -> dict[str, Any]:
    """The four LMS tables by sex (1 boys, 2 girls), one value per day or per 0.1 cm, and the engine's constants."""
    return {
        "tables": {name: _read_lms(file_name) for name, file_name in TABLE_FILES.items()},
        "constants": {
            "days_per_month": zscores.DAYS_PER_MONTH,
            "last_table_day": zscores.LAST_TABLE_DAY,
            "age_limit_months": zscores.AGE_LIMIT_MONTHS,
            "length_height_switch_day": zscores.LENGTH_HEIGHT_SWITCH_DAY,
            "position_adjustment_cm": zscores.POSITION_ADJUSTMENT_CM,
            "earliest_standing_months": zscores.EARLIEST_STANDING_MONTHS,
            "no_age_length_cutoff_cm": zscores.NO_AGE_LENGTH_CUTOFF_CM,
            "length_table_range_cm": list(zscores.LENGTH_TABLE_RANGE_CM),
            "height_table_range_cm": list(zscores.HEIGHT_TABLE_RANGE_CM),
            "flag_ranges": {"waz": list(zscores.WAZ_FLAG_RANGE), "haz": list(zscores.HAZ_FLAG_RANGE),
                            "whz": list(zscores.WHZ_FLAG_RANGE)},
            "month_precision_day_offset": MONTH_PRECISION_DAY_OFFSET,
        },
    }


def validation_rules() -> dict[str, Any]:
    """The measurement checks (``nutrition.checks.MEASUREMENT_RULES``) and the active rules on report figures."""
    return {"measurement": MEASUREMENT_RULES, "report_values": active_validation_rules()}
