"""DHIS2's metadata query language over objects held in memory: the field filter (``fields=id,name,parent[id]``,
``:all``, ``*``, ``:identifiable``, ``:nameable``, ``!code``), the object filter (``filter=code:eq:X``,
``filter=id:in:[a,b]``, ``filter=name:ilike:xã``, dotted paths such as ``parent.id``, ``rootJunction=OR``) and
paging (``page``, ``pageSize``, ``paging=false``).

An object is a dict of plain values, embedded dicts, :class:`Ref` (a reference to another object, shown as
``{"id": …}`` unless sub-fields are asked for) and lists of those. References are resolved through a ``Lookup``.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from treem.reporting.dhis2.formats import ExchangeError

Object = dict[str, Any]


@dataclass(frozen=True)
class Ref:
    """A reference to the object ``uid`` of the collection ``kind`` (e.g. ``organisationUnits``)."""

    kind: str
    uid: str


Lookup = Callable[[Ref], Object | None]

IDENTIFIABLE = ("id", "code", "name", "displayName", "created", "lastUpdated")
NAMEABLE = (*IDENTIFIABLE, "shortName", "displayShortName", "description")
PRESETS: dict[str, tuple[str, ...] | None] = {
    ":all": None, "*": None, ":owner": None, ":persisted": None, ":simple": None,
    ":identifiable": IDENTIFIABLE, ":nameable": NAMEABLE,
}
DEFAULT_COLLECTION_FIELDS = "id,displayName"


@dataclass(frozen=True)
class FieldItem:
    name: str
    sub: tuple[FieldItem, ...] | None = None
    exclude: bool = False


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for character in text:
        if character in "[(":
            depth += 1
        elif character in "])":
            depth -= 1
            if depth < 0:
                raise ExchangeError(f"Tham số fields không hợp lệ: thừa dấu đóng ngoặc trong `{text}`.", status=400)
        if character == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    if depth != 0:
        raise ExchangeError(f"Tham số fields không hợp lệ: thiếu dấu đóng ngoặc trong `{text}`.", status=400)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def parse_fields(text: str) -> tuple[FieldItem, ...]:
    """``id,name,parent[id,name],!code`` as field items (brackets or parentheses nest)."""
    items = []
    for part in _split_top_level(text):
        exclude = part.startswith("!")
        part = part.lstrip("!")
        opening = next((index for index, character in enumerate(part) if character in "[("), -1)
        if opening >= 0:
            name, inner = part[:opening].strip(), part[opening + 1:-1]
            items.append(FieldItem(name=name, sub=parse_fields(inner), exclude=exclude))
        else:
            items.append(FieldItem(name=part, exclude=exclude))
    return tuple(items)


def select(obj: Object, fields: Sequence[FieldItem], lookup: Lookup) -> Object:
    """The fields of ``obj`` asked for, references rendered as ``{"id"}`` or resolved for their sub-fields."""
    names: list[str] = []
    subs: dict[str, tuple[FieldItem, ...] | None] = {}
    excluded = {item.name for item in fields if item.exclude}
    for item in fields:
        if item.exclude:
            continue
        if item.name in PRESETS:
            preset = PRESETS[item.name]
            names.extend(obj if preset is None else [name for name in preset if name in obj])
            continue
        names.append(item.name)
        if item.sub is not None:
            subs[item.name] = item.sub
    selected: Object = {}
    for name in dict.fromkeys(names):
        if name in excluded or name not in obj:
            continue
        selected[name] = _render(obj[name], subs.get(name), lookup)
    return selected


def _render(value: Any, sub: tuple[FieldItem, ...] | None, lookup: Lookup) -> Any:
    if isinstance(value, Ref):
        if sub is None:
            return {"id": value.uid}
        return select(lookup(value) or {"id": value.uid}, sub, lookup)
    if isinstance(value, list):
        return [_render(item, sub, lookup) for item in value]
    if isinstance(value, dict):
        if sub is None:
            return {key: _render(item, None, lookup) for key, item in value.items()}
        return select(value, sub, lookup)
    return value


# ---- filters -----------------------------------------------------------------------------------------------------

def _fold(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).casefold()


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value))


def _comparable(actual: Any, wanted: str) -> tuple[Any, Any]:
    if isinstance(actual, bool):
        return actual, wanted.strip().lower() == "true"
    if isinstance(actual, int | float):
        try:
            return actual, float(wanted)
        except ValueError:
            return str(actual), wanted
    return _text(actual), _text(wanted)


def _in_values(wanted: str) -> list[str]:
    inner = wanted.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    return [_text(part.strip()) for part in inner.split(",") if part.strip()]


def _match_one(actual: Any, operator: str, wanted: str) -> bool:
    if operator == "null":
        return actual is None or actual == ""
    if operator == "!null":
        return not (actual is None or actual == "")
    if actual is None:
        return operator.startswith("!") or operator == "ne"
    if operator in ("eq", "!eq", "ne"):
        left, right = _comparable(actual, wanted)
        return (left == right) == (operator == "eq")
    if operator in ("ieq", "!ieq"):
        return (_fold(actual) == _fold(wanted)) == (operator == "ieq")
    if operator in ("like", "!like"):
        return (_text(wanted) in _text(actual)) == (operator == "like")
    if operator in ("ilike", "!ilike"):
        return (_fold(wanted) in _fold(actual)) == (operator == "ilike")
    if operator in ("^like", "!^like"):
        return _text(actual).startswith(_text(wanted)) == (operator == "^like")
    if operator in ("$like", "like$", "!like$", "!$like"):
        return _text(actual).endswith(_text(wanted)) == (not operator.startswith("!"))
    if operator in ("in", "!in"):
        return (_text(actual) in _in_values(wanted)) == (operator == "in")
    if operator in ("gt", "ge", "lt", "le"):
        left, right = _comparable(actual, wanted)
        try:
            return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[operator]
        except TypeError:
            return False
    raise ExchangeError(f"Toán tử lọc `{operator}` không được hỗ trợ.", status=400, error_code="E2014")


OPERATORS_WITHOUT_VALUE = ("null", "!null", "empty", "!empty")


@dataclass(frozen=True)
class Filter:
    path: tuple[str, ...]
    operator: str
    value: str


def parse_filter(text: str) -> Filter:
    """``property:operator:value`` (the value may itself hold colons); ``property:null`` needs no value."""
    parts = text.split(":", 2)
    if len(parts) == 2 and parts[1] in OPERATORS_WITHOUT_VALUE:
        parts.append("")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise ExchangeError(f"Không đọc được bộ lọc `{text}`: dùng thuộc_tính:toán_tử:giá_trị, ví dụ code:eq:03390.",
                            status=400, error_code="E2014")
    operator = {"empty": "null", "!empty": "!null"}.get(parts[1], parts[1])
    return Filter(path=tuple(parts[0].split(".")), operator=operator, value=parts[2])


def _values_at(obj: Any, path: Sequence[str], lookup: Lookup) -> list[Any]:
    if not path:
        return [obj]
    if isinstance(obj, list):
        return [value for item in obj for value in _values_at(item, path, lookup)]
    if isinstance(obj, Ref):
        if path[0] == "id":
            return _values_at(obj.uid, path[1:], lookup)
        resolved = lookup(obj)
        return [] if resolved is None else _values_at(resolved, path, lookup)
    if isinstance(obj, dict):
        if path[0] not in obj:
            return []
        return _values_at(obj[path[0]], path[1:], lookup)
    return []


def matches(obj: Object, filters: Sequence[Filter], lookup: Lookup, *, any_of: bool = False) -> bool:
    """Whether ``obj`` passes every filter (or, with ``any_of`` — ``rootJunction=OR`` — one of them)."""
    if not filters:
        return True
    results = []
    for condition in filters:
        values = _values_at(obj, condition.path, lookup) or [None]
        if condition.operator.startswith("!") or condition.operator == "ne":
            results.append(all(_match_one(value, condition.operator, condition.value) for value in values))
        else:
            results.append(any(_match_one(value, condition.operator, condition.value) for value in values))
    return any(results) if any_of else all(results)


# ---- paging ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Paging:
    enabled: bool = True
    page: int = 1
    page_size: int = 50


def parse_paging(params: dict[str, str]) -> Paging:
    enabled = params.get("paging", "true").strip().lower() != "false"
    try:
        page = int(params.get("page") or 1)
        page_size = int(params.get("pageSize") or 50)
    except ValueError as error:
        raise ExchangeError("page và pageSize phải là số nguyên.", status=400) from error
    if page < 1 or page_size < 1:
        raise ExchangeError("page và pageSize phải lớn hơn 0.", status=400)
    return Paging(enabled=enabled, page=page, page_size=min(page_size, 10_000))


def collection(*, kind: str, objects: Iterable[Object], params: dict[str, str], filters: Sequence[str],
               lookup: Lookup, page_url: Callable[[int], str]) -> Object:
    """A metadata list as DHIS2 answers it: filtered, paged (``pager`` first) and cut to the fields asked for."""
    objects = list(objects)
    conditions = [parse_filter(text) for text in filters]
    known = {name for obj in objects for name in obj}
    for condition in conditions:
        if objects and condition.path[0] not in known:
            raise ExchangeError(f"Không có thuộc tính `{condition.path[0]}` để lọc.", status=400,
                                error_code="E2014")
    any_of = params.get("rootJunction", "AND").strip().upper() == "OR"
    chosen = [obj for obj in objects if matches(obj, conditions, lookup, any_of=any_of)]
    fields = parse_fields(params.get("fields") or DEFAULT_COLLECTION_FIELDS)
    paging = parse_paging(params)
    answer: Object = {}
    if paging.enabled:
        total = len(chosen)
        page_count = math.ceil(total / paging.page_size)
        pager: Object = {"page": paging.page, "total": total, "pageSize": paging.page_size, "pageCount": page_count}
        if paging.page < page_count:
            pager["nextPage"] = page_url(paging.page + 1)
        if paging.page > 1:
            pager["prevPage"] = page_url(paging.page - 1)
        answer["pager"] = pager
        start = (paging.page - 1) * paging.page_size
        chosen = chosen[start:start + paging.page_size]
    answer[kind] = [select(obj, fields, lookup) for obj in chosen]
    return answer
