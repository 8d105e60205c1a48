"""Locating a place of a document by its path (``["indicators", 3, "targets", 0]``) and naming it in a
Vietnamese message ("chỉ tiêu I04, mục tiêu 1: …"), with the line it starts on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from treem.plans.planfile.yaml_lines import YamlMapping, YamlSequence

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
class Place:
    line: int | None
    context: str | None
    keys_since_context: tuple[str, ...]


def locate(document: YamlMapping, path: Sequence[str | int]) -> Place:
    """The line of ``path`` in the document, the innermost named entry on the way, and the keys after it."""
    node: Any = document
    line: int | None = document.line
    context: str | None = None
    keys: list[str] = []
    keys_on_path: list[str] = []
    for part in path:
        if isinstance(node, YamlMapping) and isinstance(part, str):
            line = node.key_lines.get(part, node.line)
            keys.append(part)
            keys_on_path.append(part)
            node = node.get(part)
        elif isinstance(node, YamlSequence) and isinstance(part, int) and 0 <= part < len(node):
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
    return Place(line=line, context=context, keys_since_context=tuple(keys))


def field_name(place: Place) -> str:
    """The field in quotes: its own key inside a named entry, else its path from the top ("reporting.to")."""
    keys = place.keys_since_context
    named = [key for key in keys if not key.startswith("[")]
    if not named:
        return ""
    if place.context is not None:
        return f'"{named[-1]}"'
    return '"' + ".".join(keys).replace(".[", "[") + '"'


def placed_message(place: Place, text: str) -> str:
    return f"{place.context}: {text}" if place.context else text


def shown(value: Any) -> str:
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
