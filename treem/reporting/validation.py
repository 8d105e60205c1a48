"""Validation rules applied to entered figures — the same checks for the report page, the API and DHIS2 imports.

``check_cells`` takes figures about to be stored (with whatever is already stored around them: the other element
of a comparison, last year's value) and returns the findings per cell. ``blocking`` tells which findings stop a
submission or an import: every error, and every warning that has no comment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from treem.indicators.models import DataValue
from treem.plans.models import DataElement
from treem.reporting.models import ValidationRule

CellKey = tuple[str, int, str, str]  # (element code, org unit id, sex, ethnic group code)


@dataclass(frozen=True)
class CellInput:
    """A figure to check: element code, org unit, category, value (None: empty) and its comment."""

    element_code: str
    org_unit_id: int
    value: Decimal | None
    sex: str = ""
    ethnic_group_code: str = ""
    comment: str = ""

    @property
    def key(self) -> CellKey:
        return (self.element_code, self.org_unit_id, self.sex, self.ethnic_group_code)


@dataclass(frozen=True)
class Finding:
    rule_code: str
    severity: str
    message: str
    cell: CellKey

    @property
    def is_error(self) -> bool:
        return self.severity == ValidationRule.Severity.ERROR


def blocking(findings: Iterable[Finding], *, comments: dict[CellKey, str]) -> list[Finding]:
    """Errors, and warnings whose cell has no comment explaining them."""
    return [finding for finding in findings
            if finding.is_error or not comments.get(finding.cell, "").strip()]


def format_value(value: Decimal | None) -> str:
    if value is None:
        return "(trống)"
    text = f"{value.normalize():,f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def _stored(element_codes: set[str], org_unit_ids: set[int], years: Sequence[int]) -> dict[tuple[int, CellKey],
                                                                                          Decimal | None]:
    rows = DataValue.objects.filter(
        data_element__code__in=element_codes, org_unit_id__in=org_unit_ids, year__in=list(years),
    ).values_list("year", "data_element__code", "org_unit_id", "sex", "ethnic_group__code", "value")
    return {(year, (code, unit_id, sex, ethnic or "")): value for year, code, unit_id, sex, ethnic, value in rows}


def check_cells(cells: Sequence[CellInput], *, year: int, include_required: bool = False) -> dict[CellKey,
                                                                                                  list[Finding]]:
    """Findings for each cell (cells without findings are absent). ``include_required`` also reports empty
    required cells (at submission; a draft may be incomplete)."""
    if not cells:
        return {}
    codes = {cell.element_code for cell in cells}
    rules = list(ValidationRule.objects.filter(is_active=True, element_code__in=codes))
    reverse_rules = list(ValidationRule.objects.filter(is_active=True, kind=ValidationRule.Kind.NOT_GREATER_THAN,
                                                       other_element_code__in=codes))
    if not rules and not reverse_rules:
        return {}
    related = codes | {rule.other_element_code for rule in rules if rule.other_element_code} | {
        rule.element_code for rule in reverse_rules}
    stored = _stored(related, {cell.org_unit_id for cell in cells}, [year, year - 1])
    proposed = {cell.key: cell.value for cell in cells}

    def current(key: CellKey) -> Decimal | None:
        return proposed[key] if key in proposed else stored.get((year, key))

    names = dict(DataElement.objects.filter(code__in=related).values_list("code", "name"))
    by_element: dict[str, list[ValidationRule]] = defaultdict(list)
    for rule in rules:
        by_element[rule.element_code].append(rule)
    by_other: dict[str, list[ValidationRule]] = defaultdict(list)
    for rule in reverse_rules:
        by_other[rule.other_element_code].append(rule)

    findings: dict[CellKey, list[Finding]] = defaultdict(list)
    for cell in cells:
        value = cell.value
        for rule in by_element.get(cell.element_code, []):
            message = _apply(rule, cell=cell, value=value, year=year, current=current, stored=stored,
                             names=names, include_required=include_required)
            if message:
                findings[cell.key].append(Finding(rule.code, rule.severity, message, cell.key))
        for rule in by_other.get(cell.element_code, []):
            numerator_key: CellKey = (rule.element_code, cell.org_unit_id, cell.sex, cell.ethnic_group_code)
            numerator = current(numerator_key)
            if numerator is not None and value is not None and numerator > value and numerator_key not in proposed:
                message = _message(rule, element=names.get(rule.element_code, rule.element_code), value=numerator,
                                   other=names.get(cell.element_code, cell.element_code), other_value=value)
                findings[cell.key].append(Finding(rule.code, rule.severity, message, cell.key))
    return dict(findings)


def _message(rule: ValidationRule, **values: object) -> str:
    context = {"element": "", "value": "", "other": "", "other_value": "", "min": "", "max": "", "share": "",
               "last_value": ""}
    for key, item in values.items():
        context[key] = format_value(item) if isinstance(item, Decimal) or item is None else str(item)
    try:
        return rule.message.format(**context)
    except (KeyError, IndexError, ValueError):
        return rule.message


def _apply(rule: ValidationRule, *, cell: CellInput, value: Decimal | None, year: int,
           current: Callable[[CellKey], Decimal | None],
           stored: dict[tuple[int, CellKey], Decimal | None], names: dict[str, str],
           include_required: bool) -> str:
    element = names.get(rule.element_code, rule.element_code)
    kind = rule.kind
    if kind == ValidationRule.Kind.REQUIRED:
        if include_required and value is None:
            return _message(rule, element=element)
        return ""
    if value is None:
        return ""
    if kind == ValidationRule.Kind.RANGE:
        too_low = rule.min_value is not None and value < rule.min_value
        too_high = rule.max_value is not None and value > rule.max_value
        if too_low or too_high:
            return _message(rule, element=element, value=value, min=rule.min_value, max=rule.max_value)
        return ""
    if kind == ValidationRule.Kind.NOT_GREATER_THAN:
        other_key: CellKey = (rule.other_element_code, cell.org_unit_id, cell.sex, cell.ethnic_group_code)
        other_value = current(other_key)
        if other_value is not None and value > other_value:
            return _message(rule, element=element, value=value,
                            other=names.get(rule.other_element_code, rule.other_element_code),
                            other_value=other_value)
        return ""
    if kind == ValidationRule.Kind.CHANGE_FROM_LAST_YEAR and rule.max_change_share is not None:
        last = stored.get((year - 1, cell.key))
        if last is None or last == 0:
            return ""
        if abs(value - last) > rule.max_change_share * last:
            share = f"{(rule.max_change_share * 100).normalize():f}%".replace(".", ",")
            return _message(rule, element=element, value=value, last_value=last, share=share)
    return ""
