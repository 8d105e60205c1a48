"""Reading plan files and the agencies file: YAML in, validated frozen dataclasses out.

A *plan file* (``reference_data/plans/*.yaml``) holds a province's plan for children as data: the
document's identity, its objectives, the data elements and indicators with their targets, the task groups,
the assignments of those tasks to agencies and localities, the funding sources and the reporting rule. The
*agencies file* (``reference_data/agencies.yaml``) lists the provincial agencies with their validity, their
lineage (successors after a reorganisation) and the coordinating agency by date. Both formats are described
in ``docs/plan-format.md`` and fixed by the JSON Schemas beside this module.

Reading happens in three steps, and a file is accepted only when all three pass:

1. YAML is parsed with a loader that remembers the line of every mapping, key and list item, keeps dates
   as text (so the schema sees exactly what was written) and normalises every string to Unicode NFC;
2. the document is validated against the JSON Schema (draft 2020-12, strict: unknown fields are errors);
3. cross-checks the schema cannot express: unique codes, references between sections, verbatim wordings,
   targets consistent with the indicator's direction, agency codes and dates against the agencies file.

Every problem found is reported at once in :class:`PlanFileError`, each with the file name, the line and a
Vietnamese message naming the field, so the person editing the file can fix them in one pass. The module
is pure Python (no Django): the ``load_plan`` command builds database rows from the dataclasses returned
here.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

import jsonschema
import yaml

from treem.core.effective import in_force_on

__all__ = [
    "AgenciesFile",
    "Agency",
    "AgencySuccessor",
    "Assignment",
    "Comparison",
    "Coordinator",
    "DataElement",
    "Direction",
    "FundingSource",
    "Indicator",
    "LegalBasis",
    "ObjectiveItem",
    "PlanDocument",
    "PlanFile",
    "PlanFileError",
    "Problem",
    "Reassignment",
    "ReferencedDocument",
    "ReportingRule",
    "ResponsibleAgency",
    "Signer",
    "Target",
    "Task",
    "TaskGroup",
    "read_agencies_file",
    "read_plan_file",
]

PLAN_SCHEMA_PATH = Path(__file__).resolve().parent / "plan_schema.json"
AGENCIES_SCHEMA_PATH = Path(__file__).resolve().parent / "agencies_schema.json"

Comparison = Literal["gt", "gte", "lt", "lte", "eq"]
Direction = Literal["higher_is_better", "lower_is_better"]
Source = Literal["entered", "derived"]
Level = Literal["commune", "district", "province"]
Role = Literal["lead", "cooperate"]
AgencyKind = Literal["department", "police", "front", "people_committee", "other"]

LOCALITY = "locality"
COORDINATOR = "coordinator"
PERCENT = "%"

# Coarser levels rank higher: an indicator is collected at the coarsest level of its two data elements.
_LEVEL_RANK: dict[str, int] = {"commune": 0, "district": 1, "province": 2}
_COMPARISONS_AGAINST: dict[str, frozenset[str]] = {
    "higher_is_better": frozenset({"lt", "lte"}),
    "lower_is_better": frozenset({"gt", "gte"}),
}


# ------------------------------------------------------------------------------------------------------------
# Problems
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file: where (file name and 1-based line, when known) and what, in Vietnamese."""

    file_name: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file_name}: {self.message}"
        return f"{self.file_name}, dòng {self.line}: {self.message}"


class PlanFileError(Exception):
    """A plan or agencies file that cannot be accepted; ``problems`` lists every problem found, by line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(
            dict.fromkeys(problems),
            key=lambda problem: (problem.file_name, problem.line or 0, problem.message),
        )
        super().__init__("\n".join(str(problem) for problem in self.problems))


# ------------------------------------------------------------------------------------------------------------
# Dataclasses returned to callers
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgencySuccessor:
    """Part or all of an agency's functions passed to the agency ``code`` from ``effective_on``."""

    code: str
    effective_on: date
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class Agency:
    """A provincial body a plan assigns tasks to, valid from ``valid_from`` to ``valid_to`` (inclusive).

    ``None`` for ``valid_from`` means "since before the period the system covers"; ``None`` for ``valid_to``
    means the agency still exists.
    """

    code: str
    name: str
    short_name: str
    kind: AgencyKind
    valid_from: date | None
    valid_to: date | None
    successors: tuple[AgencySuccessor, ...]
    note: str
    line: int

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class Coordinator:
    """From ``valid_from`` until the next entry starts, ``agency`` coordinates children's affairs."""

    agency: str
    valid_from: date
    line: int


@dataclass(frozen=True, slots=True)
class AgenciesFile:
    """The agencies file: agencies with their lineage, and the coordinating agency by date."""

    source_path: Path
    provenance: str
    agencies: tuple[Agency, ...]
    coordinators: tuple[Coordinator, ...]

    def agency(self, code: str) -> Agency | None:
        return next((agency for agency in self.agencies if agency.code == code), None)

    def coordinator_on(self, day: date) -> str | None:
        """The code of the coordinating agency on ``day``, or None before the first entry."""
        entry = in_force_on(self.coordinators, day, starts=lambda coordinator: coordinator.valid_from)
        return entry.agency if entry is not None else None


@dataclass(frozen=True, slots=True)
class Signer:
    on_behalf_of: str
    authority: str
    title: str
    name: str


@dataclass(frozen=True, slots=True)
class PlanDocument:
    """The identity of the signed document; ``number`` is None while it is left blank ("Số: /KH-UBND")."""

    type: str
    number: int | None
    number_as_printed: str
    symbol: str
    year: int
    date_as_printed: str
    issued_on: date | None
    place: str
    issuer: str
    issuer_agency: str | None
    signer: Signer | None
    title: str
    start_year: int
    end_year: int


@dataclass(frozen=True, slots=True)
class LegalBasis:
    code: str
    kind: str
    number: str
    issued_on: date | None
    issuer: str
    title: str
    line: int


@dataclass(frozen=True, slots=True)
class ReferencedDocument:
    code: str
    title: str
    sections: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ObjectiveItem:
    """One numbered paragraph of the specific objectives, verbatim (e.g. section ``II.2.1(3)``, year 2025)."""

    section: str
    year: int
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class DataElement:
    """A countable thing. ``entered`` values are typed in by ``reporter`` (an agency code or ``locality``);
    ``derived`` values are counted by the registered function ``derived_from``, and ``fallback_reporter`` (if
    any) may type the same figure for a unit and year that the records do not cover."""

    code: str
    name: str
    definition: str
    unit: str
    value_type: Literal["integer"]
    source: Source
    derived_from: str | None
    reporter: str | None
    fallback_reporter: str | None
    disaggregations: tuple[str, ...]
    collection_level: Level
    line: int

    @property
    def is_derived(self) -> bool:
        return self.source == "derived"

    @property
    def can_be_entered(self) -> bool:
        return self.source == "entered" or self.fallback_reporter is not None

    @property
    def entered_by(self) -> str | None:
        """Who types values in: the reporter of an entered element, the fallback reporter of a derived one."""
        return self.reporter if self.source == "entered" else self.fallback_reporter


@dataclass(frozen=True, slots=True)
class Target:
    """The plan's target for one year: the indicator's value must satisfy ``value`` under ``comparison``."""

    year: int
    comparison: Comparison
    value: Decimal
    wording: str
    section: str | None
    line: int

    def is_met_by(self, value: Decimal | Fraction | int) -> bool:
        """Whether an indicator value meets the target, compared exactly (no rounding)."""
        actual = Fraction(value)
        target = Fraction(self.value)
        if self.comparison == "gt":
            return actual > target
        if self.comparison == "gte":
            return actual >= target
        if self.comparison == "lt":
            return actual < target
        if self.comparison == "lte":
            return actual <= target
        return actual == target


@dataclass(frozen=True, slots=True)
class ResponsibleAgency:
    agency: str
    valid_from: date
    line: int


@dataclass(frozen=True, slots=True)
class Indicator:
    """factor × numerator ÷ denominator over two data elements, with a direction and yearly targets."""

    code: str
    name: str
    wording: str
    unit: str
    factor: Decimal
    numerator: str
    denominator: str
    direction: Direction
    responsible_agencies: tuple[ResponsibleAgency, ...]
    collection_level: Level
    targets: tuple[Target, ...]
    line: int

    def target_for(self, year: int) -> Target | None:
        return next((target for target in self.targets if target.year == year), None)

    def responsible_agency_on(self, day: date) -> str | None:
        entry = in_force_on(self.responsible_agencies, day, starts=lambda responsible: responsible.valid_from)
        return entry.agency if entry is not None else None


@dataclass(frozen=True, slots=True)
class Task:
    """One paragraph of a task group of the plan (code ``T<group>.<n>``), its text verbatim."""

    code: str
    group_code: str
    title: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class TaskGroup:
    code: str
    section: str
    title: str
    tasks: tuple[Task, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Reassignment:
    """From ``effective_on``, the duty is carried by ``agency`` (the plan's text stays as signed)."""

    agency: str
    effective_on: date
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class Assignment:
    """One duty the plan gives to an assignee, its text verbatim.

    Exactly one of ``assignee_agency`` (an agency code), ``assignee_level`` (``locality``: the People's
    Committees of the level in force) and ``assignee_group`` (``all_agencies``) is set.
    """

    code: str
    section: str
    heading: str
    assignee_agency: str | None
    assignee_level: str | None
    assignee_group: str | None
    is_request: bool
    role: Role
    title: str
    text: str
    serves: tuple[str, ...]
    partners: tuple[str, ...]
    reassignments: tuple[Reassignment, ...]
    line: int

    def agency_on(self, day: date) -> str | None:
        """The agency carrying the duty on ``day``, after reassignments; None for localities and groups."""
        reassignment = in_force_on(self.reassignments, day, starts=lambda entry: entry.effective_on)
        return reassignment.agency if reassignment is not None else self.assignee_agency


@dataclass(frozen=True, slots=True)
class FundingSource:
    code: str
    name: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class ReportingRule:
    """How often results are reported, by when, through whom and to whom."""

    frequency: Literal["yearly", "half_yearly", "quarterly", "monthly"]
    deadline_month: int
    deadline_day: int
    deadline_rule: Literal["before", "on_or_before"]
    through: str
    to: str
    to_agency: str | None
    reporters: tuple[str, ...]
    text: str
    line: int

    def last_day_to_submit(self, year: int) -> date:
        """The last day a yearly report for ``year`` is on time ("trước ngày 01/12" → 30 November)."""
        deadline = date(year, self.deadline_month, self.deadline_day)
        return deadline - timedelta(days=1) if self.deadline_rule == "before" else deadline


@dataclass(frozen=True, slots=True)
class PlanFile:
    """A whole plan file, validated."""

    source_path: Path
    format_version: int
    code: str
    document: PlanDocument
    legal_bases: tuple[LegalBasis, ...]
    referenced_documents: tuple[ReferencedDocument, ...]
    preamble: str
    purposes: tuple[str, ...]
    requirements: tuple[str, ...]
    general_objective: str
    objectives_intro: str
    objective_items: tuple[ObjectiveItem, ...]
    data_elements: tuple[DataElement, ...]
    indicators: tuple[Indicator, ...]
    task_groups: tuple[TaskGroup, ...]
    assignments: tuple[Assignment, ...]
    funding_sources: tuple[FundingSource, ...]
    reporting: ReportingRule

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(task for group in self.task_groups for task in group.tasks)

    def data_element(self, code: str) -> DataElement:
        """The data element ``code``; KeyError if the plan has none."""
        for element in self.data_elements:
            if element.code == code:
                return element
        raise KeyError(code)

    def indicator(self, code: str) -> Indicator:
        """The indicator ``code``; KeyError if the plan has none."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def agency_codes(self) -> frozenset[str]:
        """Every agency code the plan mentions (assignees, partners, reporters, responsible agencies…)."""
        codes: set[str] = set()
        if self.document.issuer_agency:
            codes.add(self.document.issuer_agency)
        for element in self.data_elements:
            codes.update(
                code for code in (element.reporter, element.fallback_reporter) if code and code != LOCALITY
            )
        for indicator in self.indicators:
            codes.update(entry.agency for entry in indicator.responsible_agencies)
        for assignment in self.assignments:
            if assignment.assignee_agency:
                codes.add(assignment.assignee_agency)
            codes.update(assignment.partners)
            codes.update(reassignment.agency for reassignment in assignment.reassignments)
        if self.reporting.through != COORDINATOR:
            codes.add(self.reporting.through)
        if self.reporting.to_agency:
            codes.add(self.reporting.to_agency)
        return frozenset(codes)


# ------------------------------------------------------------------------------------------------------------
# YAML with line numbers
# ------------------------------------------------------------------------------------------------------------


class _Mapping(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each of its keys."""

    line: int
    key_lines: dict[str, int]


class _Sequence(list[Any]):
    """A YAML sequence that remembers its own line and the line of each of its items."""

    line: int
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader recording lines, keeping timestamps as strings, normalising strings to NFC."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []


# Dates stay strings so that the schema's "format: date" sees what was written and reports it with its line.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key_value = loader.construct_object(key_node, deep=True)
        key = key_value if isinstance(key_value, str) else str(key_value)
        key_line = key_node.start_mark.line + 1
        if key in mapping:
            loader.duplicate_keys.append((key_line, key))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_line
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Sequence:
    sequence = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


def _construct_string(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    return unicodedata.normalize("NFC", loader.construct_scalar(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_string)


def _load_yaml(path: Path) -> _Mapping:
    file_name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanFileError([Problem(file_name, None, f"không đọc được tệp ({error.strerror})")]) from error
    except UnicodeDecodeError as error:
        raise PlanFileError([Problem(file_name, None, "tệp phải được lưu bằng bảng mã UTF-8")]) from error
    loader = _LineLoader(text)
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = error.problem or error.context or "không rõ"
        raise PlanFileError([Problem(file_name, line, f"lỗi cú pháp YAML: {detail}")]) from error
    except yaml.YAMLError as error:
        raise PlanFileError([Problem(file_name, None, f"lỗi cú pháp YAML: {error}")]) from error
    finally:
        loader.dispose()
    problems = [
        Problem(file_name, line, f'khóa "{key}" bị lặp lại trong cùng một bảng')
        for line, key in loader.duplicate_keys
    ]
    if document is None:
        problems.append(Problem(file_name, None, "tệp rỗng"))
    elif not isinstance(document, _Mapping):
        problems.append(Problem(file_name, 1, "nội dung tệp phải là một bảng khóa – giá trị (mapping)"))
    if problems:
        raise PlanFileError(problems)
    return cast(_Mapping, document)


# ------------------------------------------------------------------------------------------------------------
# Locating a place in the document, naming it in messages
# ------------------------------------------------------------------------------------------------------------

_LABELS: dict[str, tuple[str, str]] = {
    # list key → (label, the field that names the entry)
    "indicators": ("chỉ tiêu", "code"),
    "data_elements": ("phần tử dữ liệu", "code"),
    "task_groups": ("nhóm nhiệm vụ", "code"),
    "assignments": ("mục", "section"),
    "funding_sources": ("nguồn kinh phí", "code"),
    "legal_bases": ("căn cứ", "code"),
    "referenced_documents": ("văn bản dẫn chiếu", "code"),
    "items": ("mục tiêu cụ thể", "section"),
    "agencies": ("cơ quan", "code"),
    "coordinators": ("cơ quan điều phối", "agency"),
}


def _label(list_key: str, outer_key: str | None, entry: Any, index: int) -> str | None:
    if list_key == "tasks":
        label, name_field = ("phân công", "code") if outer_key == "assignments" else ("nhiệm vụ", "code")
    elif list_key in _LABELS:
        label, name_field = _LABELS[list_key]
    else:
        return None
    name = entry.get(name_field) if isinstance(entry, dict) else None
    return f"{label} {name}" if isinstance(name, str) and name else f"{label} thứ {index + 1}"


@dataclass(frozen=True, slots=True)
class _Place:
    line: int | None
    context: str | None
    keys_since_context: tuple[str, ...]


def _locate(document: _Mapping, path: Sequence[str | int]) -> _Place:
    """The line of ``path`` in the document, the innermost named entry on the way, and the keys after it."""
    node: Any = document
    line: int | None = document.line
    context: str | None = None
    keys: list[str] = []
    keys_on_path: list[str] = []
    for part in path:
        if isinstance(node, _Mapping) and isinstance(part, str):
            line = node.key_lines.get(part, node.line)
            keys.append(part)
            keys_on_path.append(part)
            node = node.get(part)
        elif isinstance(node, _Sequence) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            list_key = keys_on_path[-1] if keys_on_path else ""
            outer_key = next(
                (key for key in reversed(keys_on_path[:-1]) if key in _LABELS or key == "tasks"), None
            )
            entry_label = _label(list_key, outer_key, node[part], part)
            if entry_label is not None:
                context = entry_label
                keys = []
            else:
                keys.append(f"[{part + 1}]")
            node = node[part]
        else:
            break
    return _Place(line=line, context=context, keys_since_context=tuple(keys))


def _field_name(place: _Place) -> str:
    """The field in quotes: its own key inside a named entry, else its path from the top ("reporting.to")."""
    keys = place.keys_since_context
    named = [key for key in keys if not key.startswith("[")]
    if not named:
        return ""
    if place.context is not None:
        return f'"{named[-1]}"'
    return '"' + ".".join(keys).replace(".[", "[") + '"'


def _message(place: _Place, text: str) -> str:
    return f"{place.context}: {text}" if place.context else text


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "một bảng khóa – giá trị"
    if isinstance(value, list):
        return "một danh sách"
    return str(value)


# ------------------------------------------------------------------------------------------------------------
# Schema validation, with Vietnamese messages
# ------------------------------------------------------------------------------------------------------------

_TYPE_NAMES: dict[str, str] = {
    "string": "chuỗi ký tự",
    "integer": "số nguyên",
    "number": "số",
    "boolean": "true hoặc false",
    "array": "danh sách",
    "object": "bảng khóa – giá trị",
    "null": "null (để trống)",
}

_PATTERN_NAMES: dict[str, str] = {
    "^[A-Z0-9][A-Z0-9._-]*$": "mã gồm chữ in hoa không dấu, chữ số và các dấu . _ -",
    "^[A-Z][A-Z0-9_]*$": "mã cơ quan gồm chữ in hoa không dấu, chữ số và dấu _ (ví dụ SGDDT)",
    "^DE_[A-Z0-9_]+$": "mã phần tử dữ liệu dạng DE_... (ví dụ DE_U5_TOTAL)",
    "^I[0-9]{2,3}$": "mã chỉ tiêu dạng I01",
    "^G[0-9]+$": "mã nhóm nhiệm vụ dạng G1",
    "^T[0-9]+\\.[0-9]+$": "mã nhiệm vụ dạng T1.2",
    "^A\\.[A-Z0-9_]+\\.[0-9]+$": "mã phân công dạng A.SGDDT.1",
    "^(G[0-9]+|T[0-9]+\\.[0-9]+)$": "mã nhóm nhiệm vụ (G1) hoặc nhiệm vụ (T1.2)",
    "^(locality|[A-Z][A-Z0-9_]*)$": "mã cơ quan hoặc locality",
    "^(coordinator|[A-Z][A-Z0-9_]*)$": "coordinator hoặc mã cơ quan",
    "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$": "tên hàm đã đăng ký, ví dụ registry.count_children",
}


@cache
def _schema(path: Path) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))


def _schema_problems(document: _Mapping, *, schema: Mapping[str, Any], file_name: str) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problems: list[Problem] = []
    seen: set[tuple[int | None, str]] = set()
    for error in validator.iter_errors(document):
        for line, message in _describe(error, document):
            if (line, message) not in seen:
                seen.add((line, message))
                problems.append(Problem(file_name, line, message))
    return problems


def _describe(error: jsonschema.ValidationError, document: _Mapping) -> list[tuple[int | None, str]]:
    path = list(error.absolute_path)
    place = _locate(document, path)
    instance = error.instance
    validator = error.validator
    expected = error.validator_value
    name = _field_name(place)
    subject = name or "giá trị"
    # An object outside any named entry is named by its path, e.g. "reporting.deadline": thiếu trường…
    owner = f"{name}: " if name and place.context is None else ""
    if validator == "required":
        missing = [key for key in expected if isinstance(instance, dict) and key not in instance]
        return [(place.line, _message(place, f'{owner}thiếu trường bắt buộc "{key}"')) for key in missing]
    if validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extras = [key for key in instance if key not in allowed] if isinstance(instance, dict) else []
        results = []
        for key in extras:
            key_place = _locate(document, [*path, key])
            results.append((key_place.line, _message(place, f'{owner}trường "{key}" không được phép ở đây')))
        return results
    if validator == "enum":
        choices = ", ".join(str(choice) for choice in expected)
        text = f"{subject} phải là một trong {choices} (nhận được {_show(instance)})"
    elif validator == "const":
        text = f"{subject} phải bằng {_show(expected)} (nhận được {_show(instance)})"
    elif validator == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        wanted = " hoặc ".join(_TYPE_NAMES.get(kind, kind) for kind in types)
        text = f"{subject} phải là {wanted} (nhận được {_show(instance)})"
    elif validator == "pattern":
        described = _PATTERN_NAMES.get(expected, f"mẫu {expected}")
        text = f"{subject} phải là {described} (nhận được {_show(instance)})"
    elif validator == "format":
        text = f"{subject} phải là một ngày có thật dạng YYYY-MM-DD (nhận được {_show(instance)})"
    elif validator == "minLength":
        text = f"{subject} không được để trống"
    elif validator == "maxLength":
        text = f"{subject} dài quá {expected} ký tự"
    elif validator == "minItems":
        text = f"{subject} phải có ít nhất {expected} phần tử"
    elif validator == "uniqueItems":
        text = f"{subject} có phần tử trùng lặp"
    elif validator == "minimum":
        text = f"{subject} phải lớn hơn hoặc bằng {expected} (nhận được {_show(instance)})"
    elif validator == "exclusiveMinimum":
        text = f"{subject} phải lớn hơn {expected} (nhận được {_show(instance)})"
    elif validator == "maximum":
        text = f"{subject} phải nhỏ hơn hoặc bằng {expected} (nhận được {_show(instance)})"
    elif validator in ("minProperties", "maxProperties"):
        text = f"{subject} phải có đúng một trong các trường {', '.join(error.schema.get('properties', {}))}"
    else:
        text = f"{subject} không hợp lệ: {error.message}"
    return [(place.line, _message(place, text))]


# ------------------------------------------------------------------------------------------------------------
# Cross-checks shared by both files
# ------------------------------------------------------------------------------------------------------------


class _Checker:
    """Collects problems found by the cross-checks, each placed at the line of the field it concerns."""

    def __init__(self, document: _Mapping, file_name: str) -> None:
        self.document = document
        self.file_name = file_name
        self.problems: list[Problem] = []

    def add(self, path: Sequence[str | int], text: str) -> None:
        place = _locate(self.document, path)
        self.problems.append(Problem(self.file_name, place.line, _message(place, text)))

    def field(self, path: Sequence[str | int]) -> str:
        return _field_name(_locate(self.document, path))

    def unique(self, entries: Iterable[tuple[Sequence[str | int], str]], what: str) -> None:
        first_lines: dict[str, int | None] = {}
        for path, value in entries:
            if value in first_lines:
                self.add(path, f'{what} "{value}" bị trùng (đã dùng ở dòng {first_lines[value]})')
            else:
                first_lines[value] = _locate(self.document, path).line


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _optional_day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _vn(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _enumerated(items: Sequence[Any] | None) -> Iterable[tuple[int, Any]]:
    return enumerate(items or [])


# ------------------------------------------------------------------------------------------------------------
# The agencies file
# ------------------------------------------------------------------------------------------------------------


def read_agencies_file(path: str | Path) -> AgenciesFile:
    """Read and validate an agencies file; raise :class:`PlanFileError` listing every problem found."""
    path = Path(path)
    document = _load_yaml(path)
    problems = _schema_problems(document, schema=_schema(AGENCIES_SCHEMA_PATH), file_name=path.name)
    if problems:
        raise PlanFileError(problems)
    agencies_file = _build_agencies(document, path)
    checker = _Checker(document, path.name)
    _check_agencies(checker, agencies_file)
    if checker.problems:
        raise PlanFileError(checker.problems)
    return agencies_file


def _build_agencies(document: _Mapping, path: Path) -> AgenciesFile:
    agencies = tuple(
        Agency(
            code=entry["code"],
            name=entry["name"],
            short_name=entry.get("short_name", ""),
            kind=entry["kind"],
            valid_from=_optional_day(entry["valid_from"]),
            valid_to=_optional_day(entry["valid_to"]),
            successors=tuple(
                AgencySuccessor(
                    code=successor["code"],
                    effective_on=_day(successor["effective_on"]),
                    note=successor.get("note", ""),
                    line=successor.line,
                )
                for successor in entry.get("successors", [])
            ),
            note=entry.get("note", ""),
            line=entry.line,
        )
        for entry in document["agencies"]
    )
    coordinators = tuple(
        Coordinator(agency=entry["agency"], valid_from=_day(entry["valid_from"]), line=entry.line)
        for entry in document["coordinators"]
    )
    return AgenciesFile(
        source_path=path, provenance=document["provenance"], agencies=agencies, coordinators=coordinators
    )


def _check_agencies(checker: _Checker, agencies_file: AgenciesFile) -> None:
    agencies = agencies_file.agencies
    checker.unique(
        ((["agencies", index, "code"], agency.code) for index, agency in enumerate(agencies)), "mã"
    )
    by_code = {agency.code: agency for agency in agencies}
    for index, agency in enumerate(agencies):
        here: list[str | int] = ["agencies", index]
        if agency.valid_from and agency.valid_to and agency.valid_to < agency.valid_from:
            checker.add(
                [*here, "valid_to"],
                f'"valid_to" ({_vn(agency.valid_to)}) không được trước '
                f'"valid_from" ({_vn(agency.valid_from)})',
            )
        if agency.successors and agency.valid_to is None:
            checker.add([*here, "successors"], 'cơ quan có "successors" phải có "valid_to" (ngày chấm dứt)')
        seen: set[str] = set()
        for position, successor in enumerate(agency.successors):
            at: list[str | int] = [*here, "successors", position]
            if successor.code in seen:
                checker.add([*at, "code"], f'cơ quan kế thừa "{successor.code}" bị lặp lại')
            seen.add(successor.code)
            if successor.code == agency.code:
                checker.add([*at, "code"], "cơ quan không thể kế thừa chính nó")
                continue
            target = by_code.get(successor.code)
            if target is None:
                checker.add(
                    [*at, "code"], f'cơ quan kế thừa "{successor.code}" không có trong danh sách "agencies"'
                )
                continue
            if agency.valid_to is not None and successor.effective_on != agency.valid_to + timedelta(days=1):
                checker.add(
                    [*at, "effective_on"],
                    f'"effective_on" phải là ngày liền sau "valid_to" của cơ quan, tức '
                    f"{_vn(agency.valid_to + timedelta(days=1))} (nhận được {_vn(successor.effective_on)})",
                )
            if not target.is_valid_on(successor.effective_on):
                checker.add(
                    [*at, "effective_on"],
                    f"cơ quan kế thừa {target.code} không hoạt động vào ngày {_vn(successor.effective_on)}",
                )
    coordinators = agencies_file.coordinators
    for index, coordinator in enumerate(coordinators):
        here = ["coordinators", index]
        coordinating = by_code.get(coordinator.agency)
        if coordinating is None:
            checker.add(
                [*here, "agency"], f'cơ quan "{coordinator.agency}" không có trong danh sách "agencies"'
            )
            continue
        if index and coordinator.valid_from <= coordinators[index - 1].valid_from:
            checker.add([*here, "valid_from"], '"valid_from" của các cơ quan điều phối phải tăng dần')
        if not coordinating.is_valid_on(coordinator.valid_from):
            checker.add(
                [*here, "valid_from"],
                f"cơ quan {coordinating.code} không hoạt động vào ngày {_vn(coordinator.valid_from)}",
            )
        following = coordinators[index + 1].valid_from if index + 1 < len(coordinators) else None
        if coordinating.valid_to is not None:
            handover = coordinating.valid_to + timedelta(days=1)
            if following is None or following > handover:
                checker.add(
                    [*here, "agency"],
                    f"cơ quan {coordinating.code} chấm dứt hoạt động sau ngày {_vn(coordinating.valid_to)} "
                    f"nhưng chưa có cơ quan điều phối tiếp theo từ ngày {_vn(handover)}",
                )


# ------------------------------------------------------------------------------------------------------------
# The plan file
# ------------------------------------------------------------------------------------------------------------


def read_plan_file(path: str | Path, *, agencies: AgenciesFile | None = None) -> PlanFile:
    """Read and validate a plan file; raise :class:`PlanFileError` listing every problem found.

    When ``agencies`` is given, every agency code the plan uses must exist there, and dated references
    (responsible agencies, reassignments, reporters) must agree with the agencies' validity.
    """
    path = Path(path)
    document = _load_yaml(path)
    problems = _schema_problems(document, schema=_schema(PLAN_SCHEMA_PATH), file_name=path.name)
    if problems:
        raise PlanFileError(problems)
    plan = _build_plan(document, path)
    checker = _Checker(document, path.name)
    _check_plan(checker, plan)
    if agencies is not None:
        _check_plan_agencies(checker, plan, agencies)
    if checker.problems:
        raise PlanFileError(checker.problems)
    return plan


def _build_plan(document: _Mapping, path: Path) -> PlanFile:
    raw_document = document["document"]
    raw_signer = raw_document.get("signer")
    plan_document = PlanDocument(
        type=raw_document["type"],
        number=raw_document["number"],
        number_as_printed=raw_document.get("number_as_printed", ""),
        symbol=raw_document["symbol"],
        year=raw_document["year"],
        date_as_printed=raw_document.get("date_as_printed", ""),
        issued_on=_optional_day(raw_document.get("issued_on")),
        place=raw_document.get("place", ""),
        issuer=raw_document["issuer"],
        issuer_agency=raw_document.get("issuer_agency"),
        signer=None
        if raw_signer is None
        else Signer(
            on_behalf_of=raw_signer.get("on_behalf_of", ""),
            authority=raw_signer.get("authority", ""),
            title=raw_signer["title"],
            name=raw_signer.get("name", ""),
        ),
        title=raw_document["title"],
        start_year=raw_document["period"]["start_year"],
        end_year=raw_document["period"]["end_year"],
    )
    data_elements = tuple(_build_data_element(entry) for entry in document["data_elements"])
    indicators = tuple(_build_indicator(entry) for entry in document["indicators"])
    task_groups = tuple(
        TaskGroup(
            code=group["code"],
            section=group["section"],
            title=group["title"],
            tasks=tuple(
                Task(
                    code=task["code"],
                    group_code=group["code"],
                    title=task["title"],
                    text=task["text"],
                    line=task.line,
                )
                for task in group["tasks"]
            ),
            line=group.line,
        )
        for group in document["task_groups"]
    )
    assignments = tuple(
        _build_assignment(section, task) for section in document["assignments"] for task in section["tasks"]
    )
    raw_reporting = document["reporting"]
    reporting = ReportingRule(
        frequency=raw_reporting["frequency"],
        deadline_month=raw_reporting["deadline"]["month"],
        deadline_day=raw_reporting["deadline"]["day"],
        deadline_rule=raw_reporting["deadline"]["rule"],
        through=raw_reporting["through"],
        to=raw_reporting["to"],
        to_agency=raw_reporting.get("to_agency"),
        reporters=tuple(raw_reporting.get("reporters", [])),
        text=raw_reporting.get("text", ""),
        line=raw_reporting.line,
    )
    objectives = document["specific_objectives"]
    return PlanFile(
        source_path=path,
        format_version=document["format_version"],
        code=document["code"],
        document=plan_document,
        legal_bases=tuple(
            LegalBasis(
                code=entry["code"],
                kind=entry["kind"],
                number=entry["number"],
                issued_on=_optional_day(entry.get("issued_on")),
                issuer=entry["issuer"],
                title=entry["title"],
                line=entry.line,
            )
            for entry in document.get("legal_bases", [])
        ),
        referenced_documents=tuple(
            ReferencedDocument(
                code=entry["code"], title=entry["title"], sections=tuple(entry["sections"]), line=entry.line
            )
            for entry in document.get("referenced_documents", [])
        ),
        preamble=document.get("preamble", ""),
        purposes=tuple(document.get("purposes", [])),
        requirements=tuple(document.get("requirements", [])),
        general_objective=document.get("general_objective", ""),
        objectives_intro=objectives.get("intro", ""),
        objective_items=tuple(
            ObjectiveItem(section=item["section"], year=item["year"], text=item["text"], line=item.line)
            for item in objectives["items"]
        ),
        data_elements=data_elements,
        indicators=indicators,
        task_groups=task_groups,
        assignments=assignments,
        funding_sources=tuple(
            FundingSource(code=entry["code"], name=entry["name"], text=entry["text"], line=entry.line)
            for entry in document.get("funding_sources", [])
        ),
        reporting=reporting,
    )


def _build_data_element(entry: _Mapping) -> DataElement:
    fallback = entry.get("entered_fallback")
    return DataElement(
        code=entry["code"],
        name=entry["name"],
        definition=entry["definition"],
        unit=entry["unit"],
        value_type=entry["value_type"],
        source=entry["source"],
        derived_from=entry.get("derived_from"),
        reporter=entry.get("reporter"),
        fallback_reporter=None if fallback is None else fallback["reporter"],
        disaggregations=tuple(entry["disaggregations"]),
        collection_level=entry["collection_level"],
        line=entry.line,
    )


def _decimal(value: int | float) -> Decimal:
    # Through str, so that 84.3 in the file is Decimal("84.3"), not the binary float's expansion.
    return Decimal(str(value))


def _build_indicator(entry: _Mapping) -> Indicator:
    return Indicator(
        code=entry["code"],
        name=entry["name"],
        wording=entry["wording"],
        unit=entry["unit"],
        factor=_decimal(entry["factor"]),
        numerator=entry["numerator"],
        denominator=entry["denominator"],
        direction=entry["direction"],
        responsible_agencies=tuple(
            ResponsibleAgency(agency=item["agency"], valid_from=_day(item["valid_from"]), line=item.line)
            for item in entry["responsible_agencies"]
        ),
        collection_level=entry["collection_level"],
        targets=tuple(
            Target(
                year=target["year"],
                comparison=target["comparison"],
                value=_decimal(target["value"]),
                wording=target["wording"],
                section=target.get("section"),
                line=target.line,
            )
            for target in entry["targets"]
        ),
        line=entry.line,
    )


def _build_assignment(section: _Mapping, task: _Mapping) -> Assignment:
    assignee = section["assignee"]
    return Assignment(
        code=task["code"],
        section=section["section"],
        heading=section["heading"],
        assignee_agency=assignee.get("agency"),
        assignee_level=assignee.get("level"),
        assignee_group=assignee.get("group"),
        is_request=section.get("is_request", False),
        role=task["role"],
        title=task["title"],
        text=task["text"],
        serves=tuple(task["serves"]),
        partners=tuple(task.get("partners", [])),
        reassignments=tuple(
            Reassignment(
                agency=item["agency"],
                effective_on=_day(item["effective_on"]),
                note=item.get("note", ""),
                line=item.line,
            )
            for item in task.get("reassigned_to", [])
        ),
        line=task.line,
    )


def _check_plan(checker: _Checker, plan: PlanFile) -> None:
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
    assignment_paths: list[tuple[list[str | int], _Mapping]] = [
        (["assignments", section_index, "tasks", task_index], task)
        for section_index, section in _enumerated(document["assignments"])
        for task_index, task in _enumerated(section["tasks"])
    ]
    checker.unique((([*path, "code"], task["code"]) for path, task in assignment_paths), "mã")
    checker.unique(
        (
            (["assignments", index, "section"], section["section"])
            for index, section in _enumerated(document["assignments"])
        ),
        "mục",
    )
    for key in ("funding_sources", "legal_bases", "referenced_documents"):
        checker.unique(
            ((([key, index, "code"]), entry["code"]) for index, entry in _enumerated(document.get(key))), "mã"
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


def _check_data_elements(checker: _Checker, plan: PlanFile) -> None:
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


def _check_indicators(checker: _Checker, plan: PlanFile) -> None:
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
                            f'"wording" {_show(target.wording)} không có nguyên văn trong mục {item.section}',
                        )


def _check_task_groups(checker: _Checker, plan: PlanFile) -> None:
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
    checker: _Checker, plan: PlanFile, assignment_paths: Sequence[tuple[list[str | int], _Mapping]]
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


def _check_plan_agencies(checker: _Checker, plan: PlanFile, agencies_file: AgenciesFile) -> None:
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
                f"{_vn(agency.valid_to)}; hãy dùng cơ quan kế thừa",
            )

    def covered(path: Sequence[str | int], agency: Agency, next_start: date | None, what: str) -> None:
        # An agency that ended must hand over to a next entry starting no later than the day after it ended.
        if agency.valid_to is None:
            return
        handover = agency.valid_to + timedelta(days=1)
        if next_start is None or next_start > handover:
            checker.add(
                path,
                f"cơ quan {agency.code} chấm dứt hoạt động sau ngày {_vn(agency.valid_to)} nhưng "
                f"{what} chưa có cơ quan tiếp nhận từ ngày {_vn(handover)}",
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
                checker.add(path, f"cơ quan {agency.code} không hoạt động vào ngày {_vn(entry.valid_from)}")
            next_start = entries[position + 1].valid_from if position + 1 < len(entries) else None
            covered(path, agency, next_start, '"responsible_agencies"')
    assignment_paths: list[list[str | int]] = [
        ["assignments", section_index, "tasks", task_index]
        for section_index, section in _enumerated(document["assignments"])
        for task_index, _task in _enumerated(section["tasks"])
    ]
    for section_index, section in _enumerated(document["assignments"]):
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
                    at, f"cơ quan {agency.code} không hoạt động vào ngày {_vn(reassignment.effective_on)}"
                )
            next_start = (
                reassignments[position + 1].effective_on if position + 1 < len(reassignments) else None
            )
            covered(at, agency, next_start, '"reassigned_to"')
    if plan.reporting.through != COORDINATOR:
        known(["reporting", "through"], plan.reporting.through)
    if plan.reporting.to_agency:
        known(["reporting", "to_agency"], plan.reporting.to_agency)
