"""Validation against the JSON Schemas beside this package (draft 2020-12, strict), with each error turned
into a Vietnamese message at the line of the field it concerns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema

from treem.plans.planfile.places import field_name, locate, placed_message, shown
from treem.plans.planfile.problems import Problem
from treem.plans.planfile.yaml_lines import YamlMapping

PLAN_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "plan_schema.json"
AGENCIES_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "agencies_schema.json"


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
def load_schema(path: Path) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))


def schema_problems(document: YamlMapping, *, schema: Mapping[str, Any], file_name: str) -> list[Problem]:
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


def _describe(error: jsonschema.ValidationError, document: YamlMapping) -> list[tuple[int | None, str]]:
    path = list(error.absolute_path)
    place = locate(document, path)
    instance = error.instance
    validator = error.validator
    expected = error.validator_value
    name = field_name(place)
    subject = name or "giá trị"
    # An object outside any named entry is named by its path, e.g. "reporting.deadline": thiếu trường…
    owner = f"{name}: " if name and place.context is None else ""
    if validator == "required":
        missing = [key for key in expected if isinstance(instance, dict) and key not in instance]
        return [(place.line, placed_message(place, f'{owner}thiếu trường bắt buộc "{key}"')) for key in missing]
    if validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extras = [key for key in instance if key not in allowed] if isinstance(instance, dict) else []
        results = []
        for key in extras:
            key_place = locate(document, [*path, key])
            results.append((key_place.line, placed_message(place, f'{owner}trường "{key}" không được phép ở đây')))
        return results
    if validator == "enum":
        choices = ", ".join(str(choice) for choice in expected)
        text = f"{subject} phải là một trong {choices} (nhận được {shown(instance)})"
    elif validator == "const":
        text = f"{subject} phải bằng {shown(expected)} (nhận được {shown(instance)})"
    elif validator == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        wanted = " hoặc ".join(_TYPE_NAMES.get(kind, kind) for kind in types)
        text = f"{subject} phải là {wanted} (nhận được {shown(instance)})"
    elif validator == "pattern":
        described = _PATTERN_NAMES.get(expected, f"mẫu {expected}")
        text = f"{subject} phải là {described} (nhận được {shown(instance)})"
    elif validator == "format":
        text = f"{subject} phải là một ngày có thật dạng YYYY-MM-DD (nhận được {shown(instance)})"
    elif validator == "minLength":
        text = f"{subject} không được để trống"
    elif validator == "maxLength":
        text = f"{subject} dài quá {expected} ký tự"
    elif validator == "minItems":
        text = f"{subject} phải có ít nhất {expected} phần tử"
    elif validator == "uniqueItems":
        text = f"{subject} có phần tử trùng lặp"
    elif validator == "minimum":
        text = f"{subject} phải lớn hơn hoặc bằng {expected} (nhận được {shown(instance)})"
    elif validator == "exclusiveMinimum":
        text = f"{subject} phải lớn hơn {expected} (nhận được {shown(instance)})"
    elif validator == "maximum":
        text = f"{subject} phải nhỏ hơn hoặc bằng {expected} (nhận được {shown(instance)})"
    elif validator in ("minProperties", "maxProperties"):
        text = f"{subject} phải có đúng một trong các trường {', '.join(error.schema.get('properties', {}))}"
    else:
        text = f"{subject} không hợp lệ: {error.message}"
    return [(place.line, placed_message(place, text))]
