"""The recognition rule of Decision 06/QĐ-TTg, as a pure function over an assessment's points.

A commune is recognised when (1) every criterion is met — each of its sub-items assessed and its points at least
the criterion's minimum (``Criterion.min_points``, data of the version) —, (2) no criterion scored 0, and (3) the
total reaches the threshold of the commune's band (800, 850 or 900 in the 2019 version).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class CriterionResult:
    number: int
    name: str
    points: Decimal
    max_points: int
    min_points: int
    is_assessed: bool

    @property
    def is_zero(self) -> bool:
        return self.points == 0

    @property
    def is_met(self) -> bool:
        return self.is_assessed and not self.is_zero and self.points >= self.min_points


@dataclass(frozen=True)
class Recognition:
    total: Decimal
    threshold: int | None
    criteria: list[CriterionResult] = field(default_factory=list)

    @property
    def unmet(self) -> list[CriterionResult]:
        return [criterion for criterion in self.criteria if not criterion.is_met]

    @property
    def zero(self) -> list[CriterionResult]:
        return [criterion for criterion in self.criteria if criterion.is_zero]

    @property
    def reaches_threshold(self) -> bool:
        return self.threshold is not None and self.total >= self.threshold

    @property
    def is_recognisable(self) -> bool:
        return bool(self.criteria) and not self.unmet and not self.zero and self.reaches_threshold

    def reasons(self) -> list[str]:
        """Why the rule is not met, in Vietnamese (empty when it is)."""
        reasons = []
        for criterion in self.zero:
            reasons.append(f"Tiêu chí {criterion.number} bị 0 điểm.")
        for criterion in self.unmet:
            if criterion.is_zero:
                continue
            if not criterion.is_assessed:
                reasons.append(f"Tiêu chí {criterion.number} chưa chấm đủ các mục.")
            else:
                reasons.append(f"Tiêu chí {criterion.number} chưa đạt (cần ít nhất {criterion.min_points} điểm).")
        if self.threshold is None:
            reasons.append("Xã chưa được xác định nhóm điểm chuẩn.")
        elif not self.reaches_threshold:
            reasons.append(f"Tổng điểm {format_points(self.total)} thấp hơn điểm chuẩn {self.threshold}.")
        return reasons


@dataclass(frozen=True)
class CriterionInput:
    number: int
    name: str
    max_points: int
    min_points: int
    sub_item_codes: Sequence[str]


def recognition(criteria: Sequence[CriterionInput], points: Mapping[str, Decimal | None],
                *, threshold: int | None) -> Recognition:
    """Apply the rule: ``points`` maps each sub-item code to its points (None or absent: not assessed)."""
    results = []
    for criterion in criteria:
        given = [points.get(code) for code in criterion.sub_item_codes]
        total = sum((value for value in given if value is not None), Decimal(0))
        results.append(CriterionResult(
            number=criterion.number, name=criterion.name, points=total, max_points=criterion.max_points,
            min_points=criterion.min_points, is_assessed=all(value is not None for value in given)))
    return Recognition(total=sum((result.points for result in results), Decimal(0)), threshold=threshold,
                       criteria=results)


def format_points(value: Decimal) -> str:
    """Points as officials write them: ``800`` or ``812,5``."""
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}".rstrip("0")
    return text.replace(".", ",")
