"""The validation rules, kept as data (``ValidationRule`` rows), applied by ``check_cells`` to figures about to be
stored, together with what is already stored around them; ``blocking`` says which findings stop a submission."""

from __future__ import annotations

from decimal import Decimal

import pytest

from treem.accounts.tests.factories import unit
from treem.indicators.models import DataValue
from treem.plans.models import DataElement
from treem.reporting.models import ValidationRule
from treem.reporting.validation import CellInput, Finding, blocking, check_cells, format_value

pytestmark = pytest.mark.django_db

TOTAL, SUPPORTED = "DE_SCHOOL_TOTAL", "DE_SCHOOL_PSYCH_SUPPORT"
YEAR = 2026
Kind, Severity = ValidationRule.Kind, ValidationRule.Severity


@pytest.fixture(autouse=True)
def only_the_rules_of_each_test() -> None:
    """The province's own rules are switched off, so that each test sees the rules it writes."""
    ValidationRule.objects.update(is_active=False)


def rule(code: str, kind: str, *, element: str = SUPPORTED, severity: str = Severity.ERROR, message: str = "",
         **fields: object) -> ValidationRule:
    return ValidationRule.objects.create(code=code, kind=kind, severity=severity, element_code=element,
                                         message=message or f"{code}: {{element}} = {{value}}", **fields)


def cell(value: int | str | None, *, element: str = SUPPORTED, commune: str = "03390", sex: str = "",
         comment: str = "") -> CellInput:
    return CellInput(element_code=element, org_unit_id=unit(commune).pk, sex=sex, comment=comment,
                     value=None if value is None else Decimal(value))


def store(element: str, value: int, *, commune: str = "03390", year: int = YEAR, sex: str = "") -> None:
    DataValue.objects.create(data_element=DataElement.objects.get(code=element), org_unit=unit(commune), year=year,
                             sex=sex, value=value)


def messages(findings: dict[tuple[str, int, str, str], list[Finding]]) -> list[str]:
    return sorted(finding.message for found in findings.values() for finding in found)


def name(element: str) -> str:
    return DataElement.objects.get(code=element).name


def test_a_required_figure_is_reported_missing_only_when_asked_for_at_submission() -> None:
    rule("REQ", Kind.REQUIRED, message="Chưa nhập {element}.")
    assert check_cells([cell(None)], year=YEAR) == {}
    assert messages(check_cells([cell(None)], year=YEAR, include_required=True)) == [f"Chưa nhập {name(SUPPORTED)}."]
    assert check_cells([cell(3)], year=YEAR, include_required=True) == {}


@pytest.mark.parametrize(("value", "expected"), [
    ("4", []), ("10", []), ("1", ["RANGE: 1 ngoài khoảng 2–10"]), ("12", ["RANGE: 12 ngoài khoảng 2–10"]),
])
def test_a_range_rule_reports_a_value_outside_its_bounds(value: str, expected: list[str]) -> None:
    rule("RANGE", Kind.RANGE, min_value=Decimal(2), max_value=Decimal(10), message="RANGE: {value} ngoài khoảng "
         "{min}–{max}")
    assert messages(check_cells([cell(value)], year=YEAR)) == expected


def test_a_numerator_greater_than_the_stored_denominator_is_an_error_on_the_numerator() -> None:
    rule("NUM_LE_DEN", Kind.NOT_GREATER_THAN, other_element_code=TOTAL, message="{element} ({value}) > {other} "
         "({other_value})")
    store(TOTAL, 4)
    findings = check_cells([cell(5)], year=YEAR)
    assert list(findings) == [cell(5).key]
    assert messages(findings) == [f"{name(SUPPORTED)} (5) > {name(TOTAL)} (4)"]
    assert check_cells([cell(4)], year=YEAR) == {}


def test_lowering_the_denominator_under_the_stored_numerator_is_reported_on_the_denominator() -> None:
    rule("NUM_LE_DEN", Kind.NOT_GREATER_THAN, other_element_code=TOTAL, message="{element} ({value}) > {other} "
         "({other_value})")
    store(SUPPORTED, 3)
    findings = check_cells([cell(2, element=TOTAL)], year=YEAR)
    assert list(findings) == [cell(2, element=TOTAL).key]
    assert messages(findings) == [f"{name(SUPPORTED)} (3) > {name(TOTAL)} (2)"]


def test_a_pair_entered_together_is_compared_once_on_the_proposed_values() -> None:
    rule("NUM_LE_DEN", Kind.NOT_GREATER_THAN, other_element_code=TOTAL)
    store(SUPPORTED, 1)
    store(TOTAL, 100)
    findings = check_cells([cell(6), cell(5, element=TOTAL)], year=YEAR)
    assert list(findings) == [cell(6).key]  # against the proposed 5, not the stored 100; once, on the numerator
    assert check_cells([cell(5), cell(6, element=TOTAL)], year=YEAR) == {}


def test_a_comparison_stays_within_one_category_and_one_unit() -> None:
    rule("NUM_LE_DEN", Kind.NOT_GREATER_THAN, other_element_code=TOTAL)
    store(TOTAL, 2, sex="F")
    store(TOTAL, 9, sex="M")
    store(TOTAL, 1, commune="03408")
    assert check_cells([cell(5, sex="M")], year=YEAR) == {}
    assert list(check_cells([cell(5, sex="F")], year=YEAR)) == [cell(5, sex="F").key]


@pytest.mark.parametrize(("last_year", "value", "warned"), [
    (100, "150", False), (100, "151", True), (100, "49", True), (100, "50", False), (0, "1000", False),
])
def test_a_change_from_last_year_beyond_the_share_is_a_warning(last_year: int, value: str, warned: bool) -> None:
    rule("CHANGE", Kind.CHANGE_FROM_LAST_YEAR, severity=Severity.WARNING, max_change_share=Decimal("0.5"),
         message="{value} so với {last_value} năm trước: thay đổi quá {share}")
    store(SUPPORTED, last_year, year=YEAR - 1)
    found = messages(check_cells([cell(value)], year=YEAR))
    assert found == ([f"{value} so với {last_year} năm trước: thay đổi quá 50%"] if warned else [])


def test_without_last_years_figure_there_is_nothing_to_compare() -> None:
    rule("CHANGE", Kind.CHANGE_FROM_LAST_YEAR, max_change_share=Decimal("0.1"))
    assert check_cells([cell(1000)], year=YEAR) == {}


def test_rules_are_data_an_inactive_rule_is_ignored_and_an_edited_one_applies_at_once() -> None:
    range_rule = rule("RANGE", Kind.RANGE, max_value=Decimal(10))
    assert check_cells([cell(12)], year=YEAR)
    range_rule.max_value = Decimal(20)
    range_rule.save()
    assert check_cells([cell(12)], year=YEAR) == {}
    range_rule.max_value, range_rule.is_active = Decimal(5), False
    range_rule.save()
    assert check_cells([cell(12)], year=YEAR) == {}


def test_a_cell_gets_every_finding_of_every_rule_it_breaks() -> None:
    rule("RANGE", Kind.RANGE, max_value=Decimal(3))
    rule("NUM_LE_DEN", Kind.NOT_GREATER_THAN, other_element_code=TOTAL, severity=Severity.WARNING)
    store(TOTAL, 4)
    findings = check_cells([cell(5)], year=YEAR)[cell(5).key]
    assert sorted((finding.rule_code, finding.severity) for finding in findings) == [
        ("NUM_LE_DEN", Severity.WARNING), ("RANGE", Severity.ERROR)]


def test_errors_always_block_and_warnings_block_until_explained() -> None:
    error = Finding("E", Severity.ERROR, "lỗi", cell(1).key)
    warning = Finding("W", Severity.WARNING, "cảnh báo", cell(1).key)
    assert blocking([error, warning], comments={}) == [error, warning]
    assert blocking([error, warning], comments={cell(1).key: "Có thêm 2 trường mới."}) == [error]
    assert blocking([warning], comments={cell(1).key: "   "}) == [warning]


def test_figures_in_messages_are_written_the_vietnamese_way_and_a_broken_template_is_shown_as_written() -> None:
    assert format_value(Decimal("1234567.50")) == "1.234.567,5"
    assert format_value(None) == "(trống)"
    rule("RANGE", Kind.RANGE, max_value=Decimal(10), message="{element} vượt {khong_co}")
    assert messages(check_cells([cell(12)], year=YEAR)) == ["{element} vượt {khong_co}"]
