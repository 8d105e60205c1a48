"""The cross-checks a schema cannot express: unique codes, references between sections, verbatim wordings,
targets consistent with the indicator's direction, agency codes and dates against the agencies file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from treem.plans.planfile.places import field_name, locate, placed_message, shown
from treem.plans.planfile.problems import Problem
from treem.plans.planfile.types import COORDINATOR, LOCALITY, PERCENT, AgenciesFile, Agency, PlanFile
from treem.plans.planfile.yaml_lines import YamlMapping

# Coarser levels rank higher: an indicator is collected at the coarsest level of its two data elements.
_LEVEL_RANK: dict[str, int] = {"commune": 0, "district": 1, "province": 2}
_COMPARISONS_AGAINST: dict[str, frozenset[str]] = {
    "higher_is_better": frozenset({"lt", "lte"}),
    "lower_is_better": frozenset({"gt", "gte"}),
}


# ------------------------------------------------------------------------------------------------------------
# Cross-checks shared by both files
# ------------------------------------------------------------------------------------------------------------


class Checker:
    """Collects problems found by the cross-checks, each placed at the line of the field it concerns."""

    def __init__(self, document: YamlMapping, file_name: str) -> None:
        self.document = document
        self.file_name = file_name
        self.problems: list[Problem] = []

    def add(self, path: Sequence[str | int], text: str) -> None:
        place = locate(self.document, path)
        self.problems.append(Problem(self.file_name, place.line, placed_message(place, text)))

    def field(self, path: Sequence[str | int]) -> str:
        return field_name(locate(self.document, path))

    def unique(self, entries: Iterable[tuple[Sequence[str | int], str]], what: str) -> None:
        first_lines: dict[str, int | None] = {}
        for path, value in entries:
            if value in first_lines:
                self.add(path, f'{what} "{value}" bị trùng (đã dùng ở dòng {first_lines[value]})')
            else:
                first_lines[value] = locate(self.document, path).line




def vn_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def enumerated(items: Sequence[Any] | None) -> Iterable[tuple[int, Any]]:
    return enumerate(items or [])


def check_plan(checker: Checker, plan: PlanFile) -> None:
    document = checker.document
    period = plan.document
    if period.start_year > period.end_year:
        checker.add(["document", "period", "end_year"], '"end_year" không được nhỏ hơn "start_year"')
    checker.unique(
        ((["data_elements", index, "code"], entry.code) for index, entry in enumerate(plan.data_elements)),
        "mã",
    )
    checker.unique(
        ((["indicators", index, "code"], entry.code) for index, entry in enumerate(plan.indicators)), "mã"
    )
    checker.unique(
        ((["task_groups", index, "code"], group.code) for index, group in enumerate(plan.task_groups)), "mã"
    )
    checker.unique(
        (
            (["task_groups", group_index, "tasks", task_index, "code"], task.code)
            for group_index, group in enumerate(plan.task_groups)
            for task_index, task in enumerate(group.tasks)
        ),
        "mã",
    )
    assignment_paths: list[tuple[list[str | int], YamlMapping]] = [
        (["assignments", section_index, "tasks", task_index], task)
        for section_index, section in enumerated(document["assignments"])
        for task_index, task in enumerated(section["tasks"])
    ]
    checker.unique((([*path, "code"], task["code"]) for path, task in assignment_paths), "mã")
    checker.unique(
        (
            (["assignments", index, "section"], section["section"])
            for index, section in enumerated(document["assignments"])
        ),
        "mục",
    )
    for key in ("funding_sources", "legal_bases", "referenced_documents"):
        checker.unique(
            ((([key, index, "code"]), entry["code"]) for index, entry in enumerated(document.get(key))), "mã"
        )
    checker.unique(
        (
            (["specific_objectives", "items", index, "section"], item.section)
            for index, item in enumerate(plan.objective_items)
        ),
        "mục",
    )
    _check_data_elements(checker, plan)
    _check_indicators(checker, plan)
    _check_task_groups(checker, plan)
    _check_assignments(checker, plan, assignment_paths)


def _check_data_elements(checker: Checker, plan: PlanFile) -> None:
    for index, element in enumerate(plan.data_elements):
        here: list[str | int] = ["data_elements", index]
        raw = checker.document["data_elements"][index]
        if element.source == "derived":
            if element.derived_from is None:
                checker.add(here, 'nguồn "derived" cần trường "derived_from" (tên hàm đếm từ hồ sơ)')
            if "reporter" in raw:
                checker.add(
                    [*here, "reporter"],
                    'nguồn "derived" không dùng "reporter"; dùng "entered_fallback" để chỉ ai được nhập thay',
                )
        else:
            if element.reporter is None:
                checker.add(here, 'nguồn "entered" cần trường "reporter" (mã cơ quan hoặc locality)')
            for key in ("derived_from", "entered_fallback"):
                if key in raw:
                    checker.add([*here, key], f'nguồn "entered" không dùng "{key}"')


def _check_indicators(checker: Checker, plan: PlanFile) -> None:
    elements = {element.code: element for element in plan.data_elements}
    items = {item.section: item for item in plan.objective_items}
    start, end = plan.document.start_year, plan.document.end_year
    for index, indicator in enumerate(plan.indicators):
        here: list[str | int] = ["indicators", index]
        for key in ("numerator", "denominator"):
            code = getattr(indicator, key)
            if code not in elements:
                checker.add(
                    [*here, key],
                    f'"{key}" tham chiếu phần tử dữ liệu "{code}" chưa khai báo trong "data_elements"',
                )
        if indicator.numerator == indicator.denominator:
            checker.add(
                [*here, "denominator"], '"numerator" và "denominator" không được là cùng một phần tử dữ liệu'
            )
        numerator, denominator = elements.get(indicator.numerator), elements.get(indicator.denominator)
        if numerator and denominator:
            coarsest = max(
                numerator.collection_level, denominator.collection_level, key=_LEVEL_RANK.__getitem__
            )
            if indicator.collection_level != coarsest:
                checker.add(
                    [*here, "collection_level"],
                    f'"collection_level" phải là "{coarsest}", cấp thu thập cao nhất của tử số và mẫu số '
                    f'(nhận được "{indicator.collection_level}")',
                )
        if indicator.unit == PERCENT and indicator.factor != 100:
            checker.add(
                [*here, "factor"], f'"factor" phải là 100 khi "unit" là "%" (nhận được {indicator.factor})'
            )
        if items and not any(indicator.wording in item.text for item in items.values()):
            checker.add(
                [*here, "wording"], '"wording" phải được chép nguyên văn từ một mục của "specific_objectives"'
            )
        for position, entry in enumerate(indicator.responsible_agencies[1:], start=1):
            if entry.valid_from <= indicator.responsible_agencies[position - 1].valid_from:
                checker.add(
                    [*here, "responsible_agencies", position, "valid_from"],
                    '"valid_from" trong "responsible_agencies" phải tăng dần',
                )
        years: set[int] = set()
        for position, target in enumerate(indicator.targets):
            at: list[str | int] = [*here, "targets", position]
            if target.year in years:
                checker.add([*at, "year"], f"năm mục tiêu {target.year} bị lặp lại")
            years.add(target.year)
            if not start <= target.year <= end:
                checker.add(
                    [*at, "year"],
                    f'"year" phải nằm trong thời kỳ của kế hoạch {start}–{end} (nhận được {target.year})',
                )
            if indicator.unit == PERCENT and target.value > 100:
                checker.add(
                    [*at, "value"],
                    f'"value" của một tỷ lệ phần trăm không được lớn hơn 100 (nhận được {target.value})',
                )
            if target.comparison in _COMPARISONS_AGAINST[indicator.direction]:
                checker.add(
                    [*at, "comparison"],
                    f'"comparison" "{target.comparison}" mâu thuẫn với "direction" {indicator.direction}',
                )
            if target.section is not None:
                item = items.get(target.section)
                if item is None:
                    checker.add(
                        [*at, "section"], f'"section" "{target.section}" không có trong "specific_objectives"'
                    )
                else:
                    if item.year != target.year:
                        checker.add(
                            [*at, "year"],
                            f'"year" {target.year} không khớp năm {item.year} của mục {item.section}',
                        )
                    if target.wording not in item.text:
                        checker.add(
                            [*at, "wording"],
                            f'"wording" {shown(target.wording)} không có nguyên văn trong mục {item.section}',
                        )


def _check_task_groups(checker: Checker, plan: PlanFile) -> None:
    for group_index, group in enumerate(plan.task_groups):
        number = group.code[1:]
        for task_index, task in enumerate(group.tasks):
            if task.code.split(".")[0] != f"T{number}":
                checker.add(
                    ["task_groups", group_index, "tasks", task_index, "code"],
                    f'"code" phải có dạng T{number}.<số thứ tự> vì nhiệm vụ thuộc nhóm {group.code} '
                    f'(nhận được "{task.code}")',
                )


def _check_assignments(
    checker: Checker, plan: PlanFile, assignment_paths: Sequence[tuple[list[str | int], YamlMapping]]
) -> None:
    references = {group.code for group in plan.task_groups} | {task.code for task in plan.tasks}
    for (path, _raw), assignment in zip(assignment_paths, plan.assignments, strict=True):
        expected = assignment.assignee_agency or ("LOCALITY" if assignment.assignee_level else "AGENCIES")
        if assignment.code.split(".")[1] != expected:
            checker.add(
                [*path, "code"],
                f'"code" phải có dạng A.{expected}.<số thứ tự> theo đối tượng được giao '
                f'(nhận được "{assignment.code}")',
            )
        for position, reference in enumerate(assignment.serves):
            if reference not in references:
                checker.add(
                    [*path, "serves", position],
                    f'"serves" tham chiếu "{reference}" không phải nhóm nhiệm vụ hay nhiệm vụ nào '
                    'trong "task_groups"',
                )
        if assignment.assignee_agency and assignment.assignee_agency in assignment.partners:
            checker.add([*path, "partners"], '"partners" không được chứa chính cơ quan được giao')
        for position, reassignment in enumerate(assignment.reassignments[1:], start=1):
            if reassignment.effective_on <= assignment.reassignments[position - 1].effective_on:
                checker.add(
                    [*path, "reassigned_to", position, "effective_on"],
                    '"effective_on" trong "reassigned_to" phải tăng dần',
                )


def check_plan_agencies(checker: Checker, plan: PlanFile, agencies_file: AgenciesFile) -> None:
    document = checker.document
    by_code = {agency.code: agency for agency in agencies_file.agencies}
    source = agencies_file.source_path.name

    def known(path: Sequence[str | int], code: str) -> Agency | None:
        agency = by_code.get(code)
        if agency is None:
            checker.add(path, f'{checker.field(path) or "mã"}: mã cơ quan "{code}" không có trong {source}')
        return agency

    def still_open(path: Sequence[str | int], code: str) -> None:
        agency = known(path, code)
        if agency is not None and agency.valid_to is not None:
            checker.add(
                path,
                f"{checker.field(path)}: cơ quan {code} đã chấm dứt hoạt động sau ngày "
                f"{vn_date(agency.valid_to)}; hãy dùng cơ quan kế thừa",
            )

    def covered(path: Sequence[str | int], agency: Agency, next_start: date | None, what: str) -> None:
        # An agency that ended must hand over to a next entry starting no later than the day after it ended.
        if agency.valid_to is None:
            return
        handover = agency.valid_to + timedelta(days=1)
        if next_start is None or next_start > handover:
            checker.add(
                path,
                f"cơ quan {agency.code} chấm dứt hoạt động sau ngày {vn_date(agency.valid_to)} nhưng "
                f"{what} chưa có cơ quan tiếp nhận từ ngày {vn_date(handover)}",
            )

    if plan.document.issuer_agency:
        known(["document", "issuer_agency"], plan.document.issuer_agency)
    for index, element in enumerate(plan.data_elements):
        if element.reporter and element.reporter != LOCALITY:
            still_open(["data_elements", index, "reporter"], element.reporter)
        if element.fallback_reporter and element.fallback_reporter != LOCALITY:
            still_open(["data_elements", index, "entered_fallback", "reporter"], element.fallback_reporter)
    for index, indicator in enumerate(plan.indicators):
        entries = indicator.responsible_agencies
        for position, entry in enumerate(entries):
            path: list[str | int] = ["indicators", index, "responsible_agencies", position, "agency"]
            agency = known(path, entry.agency)
            if agency is None:
                continue
            if not agency.is_valid_on(entry.valid_from):
                checker.add(path, f"cơ quan {agency.code} không hoạt động vào ngày {vn_date(entry.valid_from)}")
            next_start = entries[position + 1].valid_from if position + 1 < len(entries) else None
            covered(path, agency, next_start, '"responsible_agencies"')
    assignment_paths: list[list[str | int]] = [
        ["assignments", section_index, "tasks", task_index]
        for section_index, section in enumerated(document["assignments"])
        for task_index, _task in enumerated(section["tasks"])
    ]
    for section_index, section in enumerated(document["assignments"]):
        assignee = section["assignee"].get("agency")
        if assignee is not None:
            known(["assignments", section_index, "assignee", "agency"], assignee)
    for path, assignment in zip(assignment_paths, plan.assignments, strict=True):
        agency = by_code.get(assignment.assignee_agency or "")
        if agency is not None:
            first = assignment.reassignments[0].effective_on if assignment.reassignments else None
            covered([*path, "code"], agency, first, '"reassigned_to"')
        for position, partner in enumerate(assignment.partners):
            known([*path, "partners", position], partner)
        reassignments = assignment.reassignments
        for position, reassignment in enumerate(reassignments):
            at: list[str | int] = [*path, "reassigned_to", position, "agency"]
            agency = known(at, reassignment.agency)
            if agency is None:
                continue
            if not agency.is_valid_on(reassignment.effective_on):
                checker.add(
                    at, f"cơ quan {agency.code} không hoạt động vào ngày {vn_date(reassignment.effective_on)}"
                )
            next_start = (
                reassignments[position + 1].effective_on if position + 1 < len(reassignments) else None
            )
            covered(at, agency, next_start, '"reassigned_to"')
    if plan.reporting.through != COORDINATOR:
        known(["reporting", "through"], plan.reporting.through)
    if plan.reporting.to_agency:
        known(["reporting", "to_agency"], plan.reporting.to_agency)
