"""Reading the plan and agencies files: the real files parse with the plan's content, broken ones are refused.

Expected values were checked by hand against the signed plan (Kế hoạch thực hiện Chỉ thị 28-CT/TW, Lai Châu,
2024) and against the 2025 reorganisation of the provincial departments.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import cast

import jsonschema
import pytest

from treem.plans.planfile import AgenciesFile, PlanFile, PlanFileError, read_agencies_file, read_plan_file
from treem.plans.planfile.schema import AGENCIES_SCHEMA_PATH, PLAN_SCHEMA_PATH
from treem.plans.planfile.types import Comparison, Target

REPOSITORY = Path(__file__).resolve().parents[3]
PLAN_PATH = REPOSITORY / "reference_data" / "plans" / "lai-chau-2024.yaml"
AGENCIES_PATH = REPOSITORY / "reference_data" / "agencies.yaml"


@pytest.fixture(scope="module")
def agencies() -> AgenciesFile:
    return read_agencies_file(AGENCIES_PATH)


@pytest.fixture(scope="module")
def plan(agencies: AgenciesFile) -> PlanFile:
    return read_plan_file(PLAN_PATH, agencies=agencies)


def _edited(tmp_path: Path, source: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of ``source``, same file name, with each (old, new) replaced once; ``old`` must be unique."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"the edit target must occur exactly once: {old!r}"
        text = text.replace(old, new)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    """1-based number of the only line of ``path`` containing ``fragment``."""
    lines = [
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if fragment in line
    ]
    assert len(lines) == 1, f"{fragment!r} must be on exactly one line, found {lines}"
    return lines[0]


def _problems(path: Path, *, agencies: AgenciesFile | None = None) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path, agencies=agencies)
    return [str(problem) for problem in caught.value.problems]


def _agency_problems(path: Path) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        read_agencies_file(path)
    return [str(problem) for problem in caught.value.problems]


# --- the schemas --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("schema_path", [PLAN_SCHEMA_PATH, AGENCIES_SCHEMA_PATH], ids=["plan", "agencies"])
def test_schemas_are_valid_draft_2020_12(schema_path: Path) -> None:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False


# --- the real agencies file ---------------------------------------------------------------------------------


def test_agencies_file_lists_every_agency_of_section_v_and_their_successors(agencies: AgenciesFile) -> None:
    codes = {agency.code for agency in agencies.agencies}
    assert {
        "SLDTBXH",
        "SGDDT",
        "SVHTTDL",
        "STTTT",
        "SYT",
        "STP",
        "SKHDT",
        "STC",
        "CAT",
        "SNV",
        "SNNPTNT",
        "MTTQ",
    } <= codes
    assert {"SKHCN", "SNNMT", "UBNDT"} <= codes


@pytest.mark.parametrize(
    ("code", "successors"),
    [
        ("SLDTBXH", {"SYT", "SNV", "SGDDT", "SNNMT"}),
        ("STTTT", {"SKHCN", "SVHTTDL"}),
        ("SKHDT", {"STC"}),
        ("SNNPTNT", {"SNNMT"}),
    ],
)
def test_agencies_ended_in_february_2025_hand_over_on_1_march(
    agencies: AgenciesFile, code: str, successors: set[str]
) -> None:
    agency = agencies.agency(code)
    assert agency is not None
    assert agency.valid_to == date(2025, 2, 28)
    assert {successor.code for successor in agency.successors} == successors
    assert {successor.effective_on for successor in agency.successors} == {date(2025, 3, 1)}


def test_agencies_that_continue_have_no_end_date(agencies: AgenciesFile) -> None:
    for code in ("SGDDT", "SVHTTDL", "SYT", "STP", "STC", "CAT", "SNV", "MTTQ", "SKHCN", "SNNMT"):
        agency = agencies.agency(code)
        assert agency is not None and agency.valid_to is None, code


def test_police_and_front_have_their_own_kinds(agencies: AgenciesFile) -> None:
    police, front = agencies.agency("CAT"), agencies.agency("MTTQ")
    assert police is not None and police.kind == "police"
    assert front is not None and front.kind == "front"


def test_coordinator_is_the_labour_department_until_february_2025_then_health(agencies: AgenciesFile) -> None:
    assert agencies.coordinator_on(date(2023, 12, 31)) is None
    assert agencies.coordinator_on(date(2024, 6, 1)) == "SLDTBXH"
    assert agencies.coordinator_on(date(2025, 2, 28)) == "SLDTBXH"
    assert agencies.coordinator_on(date(2025, 3, 1)) == "SYT"


# --- the real plan file -------------------------------------------------------------------------------------


def test_plan_identity_keeps_the_blank_number(plan: PlanFile) -> None:
    assert plan.code == "LAICHAU-2024-CT28"
    assert plan.document.number is None
    assert plan.document.symbol == "KH-UBND"
    assert plan.document.number_as_printed == "Số: /KH-UBND"
    assert plan.document.year == 2024
    assert plan.document.issuer == "Ủy ban nhân dân tỉnh Lai Châu"
    assert plan.document.signer is not None and plan.document.signer.title == "PHÓ CHỦ TỊCH"
    assert (plan.document.start_year, plan.document.end_year) == (2024, 2030)


def test_legal_bases_are_directive_28_and_action_programme_48(plan: PlanFile) -> None:
    assert [(basis.number, basis.issued_on, basis.issuer) for basis in plan.legal_bases] == [
        ("28-CT/TW", date(2023, 12, 25), "Bộ Chính trị"),
        ("48-CTr/TU", date(2024, 4, 17), "Tỉnh ủy Lai Châu"),
    ]


def test_objective_items_are_copied_verbatim(plan: PlanFile) -> None:
    items = {item.section: item for item in plan.objective_items}
    assert len(items) == 10
    assert items["II.2.1(4)"].year == 2025
    assert items["II.2.1(4)"].text == (
        "(4). Tỷ lệ huy động trẻ em 5 tuổi đi học mẫu giáo đạt trên 99,1%; tỷ lệ trẻ em hoàn thành cấp "
        "tiểu học đạt 98%; tỷ lệ trẻ em tốt nghiệp cấp trung học cơ sở đạt 88%."
    )
    # A page break splits this paragraph in the source; the typo "can thiệt" is the plan's own.
    assert "khi phát hiện được can thiệt, hỗ trợ và xử lý nghiêm minh" in items["II.2.2(2)"].text


def test_the_fourteen_indicators_are_in_the_plans_order(plan: PlanFile) -> None:
    assert [indicator.code for indicator in plan.indicators] == [f"I{number:02d}" for number in range(1, 15)]


EXPECTED_TARGETS: dict[str, list[tuple[int, str, str]]] = {
    "I01": [(2025, "gte", "84.3"), (2030, "gte", "85.0")],
    "I02": [(2025, "gte", "30.0"), (2030, "gte", "35.0")],
    "I03": [(2025, "eq", "100.0")],
    "I04": [(2025, "eq", "100.0")],
    "I05": [(2025, "lt", "15.0"), (2030, "lt", "12.0")],
    "I06": [(2025, "lt", "20.0"), (2030, "lt", "18.0")],
    "I07": [(2025, "gt", "99.1"), (2030, "gte", "99.9")],
    "I08": [(2025, "gte", "98.0"), (2030, "gte", "99.0")],
    "I09": [(2025, "gte", "88.0"), (2030, "gte", "90.0")],
    "I10": [(2025, "gte", "85.0"), (2030, "gte", "90.0")],
    "I11": [(2025, "gte", "30.0"), (2030, "gte", "35.0")],
    "I12": [(2030, "eq", "100.0")],
    "I13": [(2030, "eq", "100.0")],
    "I14": [(2030, "eq", "100.0")],
}


@pytest.mark.parametrize("code", sorted(EXPECTED_TARGETS))
def test_targets_have_the_plans_years_comparisons_and_values(plan: PlanFile, code: str) -> None:
    indicator = plan.indicator(code)
    actual = [(target.year, target.comparison, target.value) for target in indicator.targets]
    assert actual == [
        (year, comparison, Decimal(value)) for year, comparison, value in EXPECTED_TARGETS[code]
    ]
    assert indicator.unit == "%"
    assert indicator.factor == 100


@pytest.mark.parametrize(
    ("code", "year", "wording"),
    [
        ("I01", 2025, "84,3%"),
        ("I05", 2025, "xuống dưới 15%"),
        ("I07", 2025, "đạt trên 99,1%"),
        ("I07", 2030, "đạt 99,9%"),
        ("I10", 2030, "Phần đầu 90%"),
        ("I12", 2030, "Phấn đấu 100%"),
    ],
)
def test_target_wording_keeps_the_plans_words(plan: PlanFile, code: str, year: int, wording: str) -> None:
    target = plan.indicator(code).target_for(year)
    assert target is not None and target.wording == wording


def test_only_the_two_malnutrition_indicators_are_lower_is_better(plan: PlanFile) -> None:
    lower = [indicator.code for indicator in plan.indicators if indicator.direction == "lower_is_better"]
    assert lower == ["I05", "I06"]


@pytest.mark.parametrize(
    ("code", "numerator", "denominator"),
    [
        ("I01", "DE_COMMUNE_CHILD_FRIENDLY", "DE_COMMUNE_TOTAL"),
        ("I05", "DE_U5_UNDERWEIGHT", "DE_U5_MEASURED_WAZ"),
        ("I06", "DE_U5_STUNTED", "DE_U5_MEASURED_HAZ"),
        ("I07", "DE_AGE5_IN_KINDERGARTEN", "DE_AGE5_TOTAL"),
        ("I13", "DE_ABUSED_SUPPORTED", "DE_ABUSED_DETECTED"),
        ("I14", "DE_U5_BIRTH_REGISTERED", "DE_U5_TOTAL"),
    ],
)
def test_indicators_divide_the_right_data_elements(
    plan: PlanFile, code: str, numerator: str, denominator: str
) -> None:
    indicator = plan.indicator(code)
    assert (indicator.numerator, indicator.denominator) == (numerator, denominator)
    assert indicator.collection_level == "commune"


def test_childrens_affairs_indicators_pass_to_health_on_1_march_2025(plan: PlanFile) -> None:
    indicator = plan.indicator("I13")
    assert indicator.responsible_agency_on(date(2025, 2, 28)) == "SLDTBXH"
    assert indicator.responsible_agency_on(date(2025, 3, 1)) == "SYT"
    assert plan.indicator("I14").responsible_agency_on(date(2026, 1, 1)) == "STP"


def test_under_five_totals_are_derived_from_the_registry_with_health_as_fallback(plan: PlanFile) -> None:
    element = plan.data_element("DE_U5_TOTAL")
    assert element.is_derived
    assert element.derived_from == "registry.count_children_under_5"
    assert element.entered_by == "SYT"
    assert element.disaggregations == ("sex", "ethnicity")


def test_entered_elements_name_their_reporter(plan: PlanFile) -> None:
    kindergarten = plan.data_element("DE_AGE5_IN_KINDERGARTEN")
    play_space = plan.data_element("DE_COMMUNE_PLAY_SPACE")
    assert (kindergarten.source, kindergarten.reporter) == ("entered", "SGDDT")
    assert (play_space.source, play_space.reporter) == ("entered", "locality")
    assert all(
        element.entered_by is not None for element in plan.data_elements if element.code != "DE_COMMUNE_TOTAL"
    )


def test_six_task_groups_with_one_task_per_paragraph(plan: PlanFile) -> None:
    assert [(group.code, group.section, len(group.tasks)) for group in plan.task_groups] == [
        ("G1", "III.1", 4),
        ("G2", "III.2", 3),
        ("G3", "III.3", 2),
        ("G4", "III.4", 3),
        ("G5", "III.5", 2),
        ("G6", "III.6", 3),
    ]
    assert plan.tasks[0].text.startswith("Phát huy vai trò lãnh đạo, chỉ đạo của cấp ủy đảng")


def test_assignments_follow_section_v_paragraph_by_paragraph(plan: PlanFile) -> None:
    per_section: dict[str, int] = {}
    for assignment in plan.assignments:
        per_section[assignment.section] = per_section.get(assignment.section, 0) + 1
    assert per_section == {
        "V.1": 4,
        "V.2": 4,
        "V.3": 5,
        "V.4": 2,
        "V.5": 4,
        "V.6": 1,
        "V.7": 1,
        "V.8": 1,
        "V.9": 3,
        "V.10": 1,
        "V.11": 1,
        "V.12": 1,
        "V.13": 1,
        "V.14": 4,
    }


def test_only_paragraphs_opening_with_phoi_hop_are_cooperation(plan: PlanFile) -> None:
    cooperating = [assignment.code for assignment in plan.assignments if assignment.role == "cooperate"]
    assert cooperating == ["A.SYT.2", "A.STP.1", "A.CAT.1"]
    assert all(
        assignment.text.startswith("Phối hợp")
        for assignment in plan.assignments
        if assignment.role == "cooperate"
    )


def test_localities_are_a_level_and_the_front_is_requested(plan: PlanFile) -> None:
    locality = [assignment for assignment in plan.assignments if assignment.section == "V.14"]
    assert {(assignment.assignee_level, assignment.assignee_agency) for assignment in locality} == {
        ("locality", None)
    }
    front = [assignment for assignment in plan.assignments if assignment.section == "V.13"]
    assert [(assignment.assignee_agency, assignment.is_request) for assignment in front] == [("MTTQ", True)]


@pytest.mark.parametrize(
    ("code", "before", "after"),
    [
        ("A.SLDTBXH.1", "SLDTBXH", "SYT"),
        ("A.SKHDT.1", "SKHDT", "STC"),
        ("A.STTTT.2", "STTTT", "SVHTTDL"),
        ("A.SNNPTNT.1", "SNNPTNT", "SNNMT"),
        ("A.SGDDT.1", "SGDDT", "SGDDT"),
    ],
)
def test_duties_of_merged_departments_pass_to_their_successor(
    plan: PlanFile, code: str, before: str, after: str
) -> None:
    assignment = next(assignment for assignment in plan.assignments if assignment.code == code)
    assert assignment.agency_on(date(2025, 2, 28)) == before
    assert assignment.agency_on(date(2025, 3, 1)) == after


def test_every_assignment_serves_an_existing_task(plan: PlanFile) -> None:
    references = {group.code for group in plan.task_groups} | {task.code for task in plan.tasks}
    assert all(set(assignment.serves) <= references for assignment in plan.assignments)


def test_reporting_is_yearly_before_1_december_through_the_coordinator(plan: PlanFile) -> None:
    rule = plan.reporting
    assert (rule.frequency, rule.through, rule.to) == ("yearly", "coordinator", "UBND tỉnh")
    assert rule.last_day_to_submit(2025) == date(2025, 11, 30)


def test_funding_is_the_state_budget_and_socialisation(plan: PlanFile) -> None:
    assert [source.code for source in plan.funding_sources] == ["NSNN", "XHH"]


def test_every_agency_the_plan_uses_is_in_the_agencies_file(plan: PlanFile, agencies: AgenciesFile) -> None:
    assert plan.agency_codes() <= {agency.code for agency in agencies.agencies}


# --- comparing a value with a target ------------------------------------------------------------------------


def _target(comparison: str, value: str) -> Target:
    return Target(
        year=2025,
        comparison=cast(Comparison, comparison),
        value=Decimal(value),
        wording="",
        section=None,
        line=1,
    )


@pytest.mark.parametrize(
    ("comparison", "target", "value", "is_met"),
    [
        ("lt", "15", Decimal("14.99"), True),
        ("lt", "15", Decimal("15"), False),
        ("lte", "15", Decimal("15"), True),
        ("gt", "99.1", Decimal("99.1"), False),
        ("gt", "99.1", Decimal("99.11"), True),
        ("gte", "84.3", Decimal("84.3"), True),
        ("gte", "84.3", Decimal("84.29"), False),
        ("eq", "100", Fraction(100 * 250, 250), True),
        ("eq", "100", Fraction(100 * 2499, 2500), False),
    ],
)
def test_target_is_met_by_exact_comparison(
    comparison: str, target: str, value: Decimal | Fraction, is_met: bool
) -> None:
    assert _target(comparison, target).is_met_by(value) is is_met


# --- broken plan files --------------------------------------------------------------------------------------


# Each broken file: one edit of the real file, the text of the line the problem is reported at, and the message.
BROKEN_PLANS = [
    pytest.param(
        ("{year: 2025, comparison: lt, value: 15.0", "{year: 2025, comparison: below, value: 15.0"),
        "comparison: below",
        'chỉ tiêu I05: "comparison" phải là một trong gt, gte, lt, lte, eq (nhận được "below")',
        id="bad comparison names the line the field and the allowed values",
    ),
    pytest.param(
        ("    numerator: DE_U5_STUNTED\n", "    numerator: DE_U5_SHORT\n"),
        "numerator: DE_U5_SHORT",
        'chỉ tiêu I06: "numerator" tham chiếu phần tử dữ liệu "DE_U5_SHORT" chưa khai báo trong '
        '"data_elements"',
        id="unknown data element in a numerator is caught",
    ),
    pytest.param(
        ("    factor: 100\n    numerator: DE_U5_UNDERWEIGHT\n", "    numerator: DE_U5_UNDERWEIGHT\n"),
        "  - code: I05",
        'chỉ tiêu I05: thiếu trường bắt buộc "factor"',
        id="missing field is reported at the start of its entry",
    ),
    pytest.param(
        ("    numerator: DE_U5_UNDERWEIGHT\n", "    numerator: DE_U5_UNDERWEIGHT\n    colour: red\n"),
        "colour: red",
        'chỉ tiêu I05: trường "colour" không được phép ở đây',
        id="unknown field is refused",
    ),
    pytest.param(
        (
            "        reassigned_to: [{agency: STC, effective_on: 2025-03-01}]\n",
            "        reassigned_to: [{agency: STC, effective_on: 2025-02-30}]\n",
        ),
        "effective_on: 2025-02-30",
        'phân công A.SKHDT.1: "effective_on" phải là một ngày có thật dạng YYYY-MM-DD (nhận được '
        '"2025-02-30")',
        id="impossible date is refused",
    ),
    pytest.param(
        ("rule: before}", "rule: earlier}"),
        "rule: earlier}",
        '"reporting.deadline.rule" phải là một trong before, on_or_before (nhận được "earlier")',
        id="field outside any named entry is named by its path",
    ),
    pytest.param(
        (
            "    name: Tỷ lệ trẻ em dưới 5 tuổi được đăng ký khai sinh\n",
            "    name: Tỷ lệ trẻ em dưới 5 tuổi được đăng ký khai sinh\n    name: x\n",
        ),
        "    name: x",
        'khóa "name" bị lặp lại trong cùng một bảng',
        id="repeated key in one mapping is caught",
    ),
    pytest.param(
        ("{year: 2030, comparison: lt, value: 12.0", "{year: 2030, comparison: gt, value: 12.0"),
        "comparison: gt, value: 12.0",
        'chỉ tiêu I05: "comparison" "gt" mâu thuẫn với "direction" lower_is_better',
        id="comparison contradicting the direction is caught",
    ),
    pytest.param(
        ('wording: "xuống dưới 12%"', 'wording: "xuống dưới 13%"'),
        "xuống dưới 13%",
        'chỉ tiêu I05: "wording" "xuống dưới 13%" không có nguyên văn trong mục II.2.2(3)',
        id="target wording that is not in the plan text is caught",
    ),
    pytest.param(
        (
            '{year: 2030, comparison: eq, value: 100.0, wording: "100%", section: '
            "II.2.2(2)}  # every child under 5",
            '{year: 2035, comparison: eq, value: 100.0, wording: "100%"}',
        ),
        "year: 2035",
        'chỉ tiêu I14: "year" phải nằm trong thời kỳ của kế hoạch 2024–2030 (nhận được 2035)',
        id="target year outside the plan period is caught",
    ),
    pytest.param(
        ("        serves: [T6.1]\n", "        serves: [T6.9]\n"),
        "serves: [T6.9]",
        'phân công A.SNV.1: "serves" tham chiếu "T6.9" không phải nhóm nhiệm vụ hay nhiệm vụ nào '
        'trong "task_groups"',
        id="assignment serving an unknown task is caught",
    ),
    pytest.param(
        ("    derived_from: registry.count_children_under_5\n", ""),
        "  - code: DE_U5_TOTAL",
        'phần tử dữ liệu DE_U5_TOTAL: nguồn "derived" cần trường "derived_from" (tên hàm đếm từ '
        'hồ sơ)',
        id="derived element without its function is caught",
    ),
]


@pytest.mark.parametrize(("replacement", "marker", "message"), BROKEN_PLANS)
def test_a_broken_plan_file_is_refused_with_the_line_and_a_vietnamese_message(
    tmp_path: Path, replacement: tuple[str, str], marker: str, message: str
) -> None:
    path = _edited(tmp_path, PLAN_PATH, replacement)
    line = _line_of(path, marker)
    assert _problems(path) == [f"lai-chau-2024.yaml, dòng {line}: {message}"]


def test_duplicate_indicator_code_is_caught_with_the_first_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, PLAN_PATH, ("  - code: I14\n", "  - code: I13\n"))
    lines = [
        number
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if text == "  - code: I13"
    ]
    assert len(lines) == 2
    assert _problems(path) == [
        f'lai-chau-2024.yaml, dòng {lines[1]}: chỉ tiêu I13: mã "I13" bị trùng (đã dùng ở dòng {lines[0]})'
    ]


def test_unknown_agency_is_caught_when_the_agencies_file_is_given(
    tmp_path: Path, agencies: AgenciesFile
) -> None:
    path = _edited(
        tmp_path,
        PLAN_PATH,
        (
            "        partners: [SLDTBXH]\n        text: >-\n          Chủ trì, phối hợp "
            "với Sở Lao động – Thương binh và Xã hội và",
            "        partners: [SLDTBX]\n        text: >-\n          Chủ trì, phối hợp "
            "với Sở Lao động – Thương binh và Xã hội và",
        ),
    )
    assert read_plan_file(path).code == "LAICHAU-2024-CT28"  # without agencies, codes are not looked up
    line = _line_of(path, "partners: [SLDTBX]")
    assert _problems(path, agencies=agencies) == [
        f'lai-chau-2024.yaml, dòng {line}: phân công A.STC.1: "partners": mã cơ quan "SLDTBX" không có trong '
        "agencies.yaml"
    ]


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, PLAN_PATH, ("  - code: I05\n", "  - code: [I05\n"))
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith("lai-chau-2024.yaml, dòng ")
    assert "lỗi cú pháp YAML" in problems[0]


def test_duty_of_an_ended_agency_without_reassignment_is_caught(
    tmp_path: Path, agencies: AgenciesFile
) -> None:
    path = _edited(
        tmp_path, PLAN_PATH, ("        reassigned_to: [{agency: STC, effective_on: 2025-03-01}]\n", "")
    )
    read_plan_file(path)  # valid on its own: only the agencies file knows that SKHDT ended
    line = _line_of(path, "- code: A.SKHDT.1")
    assert _problems(path, agencies=agencies) == [
        f"lai-chau-2024.yaml, dòng {line}: phân công A.SKHDT.1: cơ quan SKHDT chấm dứt hoạt động sau ngày "
        '28/02/2025 nhưng "reassigned_to" chưa có cơ quan tiếp nhận từ ngày 01/03/2025'
    ]


def test_every_problem_is_reported_at_once_in_line_order(tmp_path: Path) -> None:
    path = _edited(
        tmp_path,
        PLAN_PATH,
        ("    numerator: DE_U5_STUNTED\n", "    numerator: DE_U5_SHORT\n"),
        ("        serves: [T6.1]\n", "        serves: [T6.9]\n"),
    )
    problems = _problems(path)
    assert len(problems) == 2
    assert "DE_U5_SHORT" in problems[0] and "T6.9" in problems[1]


# --- broken agencies files ----------------------------------------------------------------------------------


BROKEN_AGENCIES = [
    pytest.param(
        ("{code: STC, effective_on", "{code: STCC, effective_on"),
        "code: STCC",
        'cơ quan SKHDT: cơ quan kế thừa "STCC" không có trong danh sách "agencies"',
        id="unknown successor is caught",
    ),
    pytest.param(
        ("{code: STC, effective_on: 2025-03-01", "{code: STC, effective_on: 2025-04-01"),
        "code: STC, effective_on: 2025-04-01",
        'cơ quan SKHDT: "effective_on" phải là ngày liền sau "valid_to" của cơ quan, tức '
        '01/03/2025 (nhận được 01/04/2025)',
        id="successor must start the day after the agency ended",
    ),
    pytest.param(
        ("  - {agency: SYT, valid_from: 2025-03-01}\n", ""),
        "{agency: SLDTBXH, valid_from: 2024-01-01}",
        'cơ quan điều phối SLDTBXH: cơ quan SLDTBXH chấm dứt hoạt động sau ngày 28/02/2025 nhưng '
        'chưa có cơ quan điều phối tiếp theo từ ngày 01/03/2025',
        id="coordinator that ends without a next one is caught",
    ),
    pytest.param(
        ("    kind: police\n", "    kind: army\n"),
        "kind: army",
        'cơ quan CAT: "kind" phải là một trong department, police, front, people_committee, '
        'other (nhận được "army")',
        id="unknown agency kind is refused",
    ),
]


@pytest.mark.parametrize(("replacement", "marker", "message"), BROKEN_AGENCIES)
def test_a_broken_agencies_file_is_refused_with_the_line_and_a_vietnamese_message(
    tmp_path: Path, replacement: tuple[str, str], marker: str, message: str
) -> None:
    path = _edited(tmp_path, AGENCIES_PATH, replacement)
    line = _line_of(path, marker)
    assert _agency_problems(path) == [f"agencies.yaml, dòng {line}: {message}"]
