"""Reading a measurement's values and judging them before they are saved: errors block, warnings ask to confirm.

Errors (the value cannot be saved): a weight or length that is not a number or lies outside 0–150 kg / 0–250 cm,
neither weight nor length, a measuring date in the future or before the birth date, an unknown position code.

Warnings (the value is saved only once the officer confirms it):
- a score outside WHO's plausible range (flagged: WAZ < −6 or > 5, HAZ < −6 or > 6, WHZ < −5 or > 5);
- a standing height before 9 months of age (WHO: children under 9 months are measured lying down);
- against the previous measurement of the child: a weight loss of more than ``MAX_WEIGHT_LOSS_SHARE``; a change of
  the weight-for-age z-score of more than ``MAX_WAZ_CHANGE`` (or, without an age, a weight gain of more than
  ``MAX_WEIGHT_GAIN_SHARE`` within ``WEIGHT_GAIN_WINDOW_DAYS`` days); a length/height shorter than the previous one
  by more than ``MAX_LENGTH_LOSS_CM`` after the lying/standing conversion;
- a length given without saying whether it was measured lying or standing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from treem.nutrition.scoring import RowInput, RowScores, score_rows
from treem.nutrition.zscores import EARLIEST_STANDING_MONTHS, HAZ_FLAG_RANGE, WAZ_FLAG_RANGE, WHZ_FLAG_RANGE

MAX_WEIGHT_KG: Final = Decimal("150")
MAX_LENGTH_CM: Final = Decimal("250")
MAX_WEIGHT_LOSS_SHARE: Final = 0.10
MAX_WAZ_CHANGE: Final = 2.0
MAX_WEIGHT_GAIN_SHARE: Final = 0.30
WEIGHT_GAIN_WINDOW_DAYS: Final = 92
MAX_LENGTH_LOSS_CM: Final = 1.5
POSITIONS: Final = ("", "L", "H")


def format_number(value: float | Decimal, decimals: int = 1) -> str:
    """A number the Vietnamese way: decimal comma, dot between thousands, a real minus sign."""
    text = f"{abs(float(value)):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("−" if float(value) < 0 and text.strip("0,.") else "") + text


def parse_decimal(text: str | None, *, places: int = 2) -> tuple[Decimal | None, str | None]:
    """A decimal from a typed value ("12,5", "12.5", " 12 "), rounded to ``places``; (None, None) when empty."""
    raw = (text or "").strip().replace(" ", "")
    if not raw:
        return None, None
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, f"'{text}' không phải là một số."
    if not value.is_finite():
        return None, f"'{text}' không phải là một số."
    return value.quantize(Decimal(1).scaleb(-places)), None


@dataclass(frozen=True)
class PreviousMeasurement:
    """What a new measurement is compared with: the child's latest earlier measurement."""

    measured_on: date
    weight_kg: Decimal | None
    waz: Decimal | None
    adjusted_length_cm: float | None


@dataclass(frozen=True)
class MeasurementValues:
    """The values of one measurement as typed or imported, before checking."""

    measured_on: date
    weight_kg: Decimal | None
    length_cm: Decimal | None
    position: str = ""
    has_oedema: bool = False


@dataclass(frozen=True)
class Assessment:
    """Scores of the values (None when they cannot be computed), blocking errors by field, and warnings."""

    scores: RowScores | None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings)


MEASUREMENT_RULES: Final[dict[str, Any]] = {
    "errors": {
        "weight_kg": {"label": "Cân nặng", "unit": "kg", "minimum_exclusive": 0, "maximum": float(MAX_WEIGHT_KG)},
        "length_cm": {"label": "Chiều dài/chiều cao", "unit": "cm", "minimum_exclusive": 0,
                      "maximum": float(MAX_LENGTH_CM)},
        "positions": list(POSITIONS),
    },
    "messages": {
        "not_positive": "{label} phải lớn hơn 0.",
        "over_maximum": "{label} {value} {unit} vượt quá {maximum} {unit}.",
        "nothing_measured": "Cần ít nhất cân nặng hoặc chiều dài/chiều cao.",
        "bad_position": "Cách đo phải là đo nằm (L) hoặc đo đứng (H).",
        "in_future": "Ngày cân {measured_on} ở tương lai.",
        "before_birth": "Ngày cân {measured_on} trước ngày sinh {birth_date}.",
        "flagged_score": "{label} = {score} nằm ngoài khoảng hợp lý ({low} đến +{high}): kiểm tra lại {what}.",
        "standing_too_young": "Trẻ dưới {months} tháng tuổi được ghi là đo đứng: trẻ nhỏ như vậy phải đo nằm; "
                              "kiểm tra lại cách đo (số đo không được cộng 0,7 cm).",
        "no_position": "Chưa ghi cách đo (nằm hay đứng): chiều dài/chiều cao không được hiệu chỉnh 0,7 cm.",
        "previous": "lần cân ngày {measured_on}",
        "weight_loss": "Cân nặng giảm {change} kg ({share}%) so với {when} ({previous_weight} kg).",
        "waz_change": "Chỉ số WAZ thay đổi {change} so với {when} ({previous_weight} kg, WAZ {previous_waz}): "
                      "thay đổi lớn bất thường.",
        "weight_gain": "Cân nặng tăng {change} kg ({share}%) trong {days} ngày so với {when}.",
        "length_loss": "Chiều dài/chiều cao thấp hơn {shorter} cm so với {when} ({previous_length} cm sau hiệu "
                       "chỉnh nằm/đứng).",
    },
    "changes": {
        "max_weight_loss_share": MAX_WEIGHT_LOSS_SHARE, "max_waz_change": MAX_WAZ_CHANGE,
        "max_weight_gain_share": MAX_WEIGHT_GAIN_SHARE, "weight_gain_window_days": WEIGHT_GAIN_WINDOW_DAYS,
        "max_length_loss_cm": MAX_LENGTH_LOSS_CM,
    },
    "scores": [
        {"name": "waz", "label": "WAZ (cân nặng theo tuổi)", "range": list(WAZ_FLAG_RANGE),
         "what": "cân nặng và ngày sinh"},
        {"name": "haz", "label": "HAZ (chiều cao theo tuổi)", "range": list(HAZ_FLAG_RANGE),
         "what": "chiều dài/cao và ngày sinh"},
        {"name": "whz", "label": "WHZ (cân nặng theo chiều cao)", "range": list(WHZ_FLAG_RANGE),
         "what": "cân nặng và chiều dài/cao"},
    ],
    "earliest_standing_months": EARLIEST_STANDING_MONTHS,
}
"""The blocking checks of a measurement as data: ``value_errors`` applies them on the server and the offline field
page applies the same definition in the browser (served as JSON by ``treem.fieldwork``)."""


def _range_error(value: Decimal | None, *, rule: dict[str, Any]) -> str | None:
    messages = MEASUREMENT_RULES["messages"]
    if value is None:
        return None
    if value <= rule["minimum_exclusive"]:
        return str(messages["not_positive"]).format(label=rule["label"])
    if value > Decimal(str(rule["maximum"])):
        return str(messages["over_maximum"]).format(label=rule["label"], value=format_number(value),
                                                     unit=rule["unit"], maximum=format_number(rule["maximum"], 0))
    return None


def value_errors(values: MeasurementValues, *, birth_date: date, today: date) -> dict[str, str]:
    """Errors that stop a measurement from being saved, keyed by the field they concern (``MEASUREMENT_RULES``)."""
    rules, messages = MEASUREMENT_RULES["errors"], MEASUREMENT_RULES["messages"]
    errors: dict[str, str] = {}
    if message := _range_error(values.weight_kg, rule=rules["weight_kg"]):
        errors["weight_kg"] = message
    if message := _range_error(values.length_cm, rule=rules["length_cm"]):
        errors["length_cm"] = message
    if values.weight_kg is None and values.length_cm is None and not errors:
        errors["weight_kg"] = messages["nothing_measured"]
    if values.position not in rules["positions"]:
        errors["position"] = messages["bad_position"]
    if values.measured_on > today:
        errors["measured_on"] = messages["in_future"].format(measured_on=f"{values.measured_on:%d/%m/%Y}")
    elif values.measured_on < birth_date:
        errors["measured_on"] = messages["before_birth"].format(measured_on=f"{values.measured_on:%d/%m/%Y}",
                                                                birth_date=f"{birth_date:%d/%m/%Y}")
    return errors


def _score_warnings(scores: RowScores) -> list[str]:
    warnings = []
    template = str(MEASUREMENT_RULES["messages"]["flagged_score"])
    for rule in MEASUREMENT_RULES["scores"]:
        score, flagged = getattr(scores, rule["name"]), getattr(scores, f"flag_{rule['name']}")
        if flagged and score is not None:
            low, high = rule["range"]
            warnings.append(template.format(label=rule["label"], score=format_number(score, 2),
                                            low=format_number(low, 0), high=format_number(high, 0),
                                            what=rule["what"]))
    return warnings


def _change_warnings(values: MeasurementValues, scores: RowScores, previous: PreviousMeasurement) -> list[str]:
    messages, limits = MEASUREMENT_RULES["messages"], MEASUREMENT_RULES["changes"]
    warnings = []
    when = messages["previous"].format(measured_on=f"{previous.measured_on:%d/%m/%Y}")
    days = (values.measured_on - previous.measured_on).days
    if values.weight_kg is not None and previous.weight_kg is not None and previous.weight_kg > 0:
        change = float(values.weight_kg - previous.weight_kg)
        share = change / float(previous.weight_kg)
        if share < -limits["max_weight_loss_share"]:
            warnings.append(messages["weight_loss"].format(
                change=format_number(-change), share=format_number(-share * 100, 0), when=when,
                previous_weight=format_number(previous.weight_kg)))
        elif scores.waz is not None and previous.waz is not None and not scores.flag_waz:
            waz_change = scores.waz - float(previous.waz)
            if abs(waz_change) > limits["max_waz_change"]:
                warnings.append(messages["waz_change"].format(
                    change=format_number(waz_change, 2), when=when, previous_weight=format_number(previous.weight_kg),
                    previous_waz=format_number(previous.waz, 2)))
        elif (scores.waz is None and 0 <= days <= limits["weight_gain_window_days"]
              and share > limits["max_weight_gain_share"]):
            warnings.append(messages["weight_gain"].format(
                change=format_number(change), share=format_number(share * 100, 0), days=days, when=when))
    adjusted = scores.adjusted_length_cm
    if adjusted is not None and previous.adjusted_length_cm is not None:
        shorter = previous.adjusted_length_cm - adjusted
        if shorter > limits["max_length_loss_cm"]:
            warnings.append(messages["length_loss"].format(
                shorter=format_number(shorter), when=when, previous_length=format_number(previous.adjusted_length_cm)))
    return warnings


def assess(
    values: MeasurementValues,
    *,
    sex: str,
    birth_date: date,
    age_days: int | None,
    previous: PreviousMeasurement | None,
    today: date,
) -> Assessment:
    """Score ``values`` and judge them: errors by field, then warnings (only when there is no error)."""
    errors = value_errors(values, birth_date=birth_date, today=today)
    if errors:
        return Assessment(scores=None, errors=errors)
    scores = score_rows([RowInput(
        sex=sex,
        age_days=None if age_days is None else float(age_days),
        weight_kg=values.weight_kg,
        length_cm=values.length_cm,
        measured=values.position,
        oedema=values.has_oedema,
    )])[0]
    warnings = _score_warnings(scores)
    if scores.position_implausible:
        warnings.append(MEASUREMENT_RULES["messages"]["standing_too_young"].format(
            months=f"{EARLIEST_STANDING_MONTHS:.0f}"))
    if values.length_cm is not None and not values.position:
        warnings.append(MEASUREMENT_RULES["messages"]["no_position"])
    if previous is not None:
        warnings.extend(_change_warnings(values, scores, previous))
    return Assessment(scores=scores, warnings=tuple(warnings))


def previous_from_scores(
    *, measured_on: date, weight_kg: Decimal | None, waz: Decimal | None, length_cm: Decimal | None,
    position: str, sex: str, age_days: int | None,
) -> PreviousMeasurement:
    """A stored measurement as the comparison point, with its length converted like the new one's."""
    adjusted: float | None = None
    if length_cm is not None:
        scored = score_rows([RowInput(sex=sex, age_days=None if age_days is None else float(age_days),
                                      length_cm=length_cm, measured=position)])[0]
        adjusted = scored.adjusted_length_cm
        if adjusted is not None and math.isnan(adjusted):
            adjusted = None
    return PreviousMeasurement(measured_on=measured_on, weight_kg=weight_kg, waz=waz, adjusted_length_cm=adjusted)
