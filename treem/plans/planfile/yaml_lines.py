"""YAML with line numbers: a safe loader that remembers the line of every mapping, key and list item, keeps
dates as text (so the schema sees exactly what was written) and normalises every string to Unicode NFC."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, cast

import yaml

from treem.plans.planfile.problems import PlanFileError, Problem


class YamlMapping(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each of its keys."""

    line: int
    key_lines: dict[str, int]


class YamlSequence(list[Any]):
    """A YAML sequence that remembers its own line and the line of each of its items."""

    line: int
    item_lines: list[int]


class LineLoader(yaml.SafeLoader):
    """SafeLoader recording lines, keeping timestamps as strings, normalising strings to NFC."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []


# Dates stay strings so that the schema's "format: date" sees what was written and reports it with its line.
LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> YamlMapping:
    loader.flatten_mapping(node)
    mapping = YamlMapping()
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


def _construct_sequence(loader: LineLoader, node: yaml.SequenceNode) -> YamlSequence:
    sequence = YamlSequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


def _construct_string(loader: LineLoader, node: yaml.ScalarNode) -> str:
    return unicodedata.normalize("NFC", loader.construct_scalar(node))


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_string)


def load_yaml(path: Path) -> YamlMapping:
    file_name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlanFileError([Problem(file_name, None, f"không đọc được tệp ({error.strerror})")]) from error
    except UnicodeDecodeError as error:
        raise PlanFileError([Problem(file_name, None, "tệp phải được lưu bằng bảng mã UTF-8")]) from error
    loader = LineLoader(text)
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
    elif not isinstance(document, YamlMapping):
        problems.append(Problem(file_name, 1, "nội dung tệp phải là một bảng khóa – giá trị (mapping)"))
    if problems:
        raise PlanFileError(problems)
    return cast(YamlMapping, document)
