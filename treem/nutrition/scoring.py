"""Scoring plain rows (dicts, form values, API bodies) with the engine: the bridge between records and arrays."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from treem.nutrition.zscores import Convention, compute_zscores, parse_oedema, parse_position, parse_sex


@dataclass(frozen=True)
class RowInput:
    """One measurement to score. ``age_days`` wins over the two dates; any value may be missing (None)."""

    sex: str | int | None
    weight_kg: float | Decimal | None = None
    length_cm: float | Decimal | None = None
    measured: str | None = None
    oedema: bool | str | None = None
    age_days: float | None = None
    birth_date: date | None = None
    measured_on: date | None = None

    def resolved_age_days(self) -> float | None:
        if self.age_days is not None:
            return float(self.age_days)
        if self.birth_date is not None and self.measured_on is not None:
            return float((self.measured_on - self.birth_date).days)
        return None


@dataclass(frozen=True)
class RowScores:
    """Rounded scores (None = blank, as WHO's software leaves it), their flags (None with a blank score), the
    length after the ±0.7 cm conversion and whether a standing height was recorded before 9 months."""

    waz: float | None
    haz: float | None
    whz: float | None
    flag_waz: bool | None
    flag_haz: bool | None
    flag_whz: bool | None
    adjusted_length_cm: float | None
    position_implausible: bool

    @property
    def is_flagged(self) -> bool:
        return bool(self.flag_waz or self.flag_haz or self.flag_whz)

    def as_decimal(self, name: str) -> Decimal | None:
        value = getattr(self, name)
        return None if value is None else Decimal(f"{value:.2f}")


def _number(value: float | Decimal | None) -> float:
    if value is None:
        return math.nan
    number = float(value)
    return number if math.isfinite(number) else math.nan


def _oedema_word(value: bool | str | None) -> str:
    if isinstance(value, bool):
        return "y" if value else "n"
    return value or ""


def score_rows(rows: Sequence[RowInput], *, convention: Convention = Convention.ANTHRO) -> list[RowScores]:
    """Score every row in one call of the engine."""
    if not rows:
        return []
    ages = [row.resolved_age_days() for row in rows]
    scores = compute_zscores(
        sex=parse_sex(["" if row.sex is None else str(row.sex) for row in rows]),
        age_days=np.array([math.nan if age is None else age for age in ages], dtype=np.float64),
        weight_kg=np.array([_number(row.weight_kg) for row in rows], dtype=np.float64),
        length_cm=np.array([_number(row.length_cm) for row in rows], dtype=np.float64),
        measured=parse_position([row.measured or "" for row in rows]),
        oedema=parse_oedema([_oedema_word(row.oedema) for row in rows]),
        convention=convention,
    )

    def optional(value: float) -> float | None:
        return None if math.isnan(value) else float(value)

    results = []
    for index in range(len(rows)):
        waz, haz, whz = (optional(float(array[index])) for array in (scores.waz, scores.haz, scores.whz))
        adjusted = float(scores.adjusted_length_cm[index])
        results.append(RowScores(
            waz=waz,
            haz=haz,
            whz=whz,
            flag_waz=None if waz is None else bool(scores.flag_waz[index]),
            flag_haz=None if haz is None else bool(scores.flag_haz[index]),
            flag_whz=None if whz is None else bool(scores.flag_whz[index]),
            adjusted_length_cm=None if math.isnan(adjusted) else round(adjusted, 2),
            position_implausible=bool(scores.position_implausible[index]),
        ))
    return results
