"""Field records as a device sends them: reading one from JSON, and comparing its fields with the server's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from treem.fieldwork.selectors import MEASUREMENT_FIELDS, REPORT_VALUE_FIELDS
from treem.reporting.services import parse_figure

MAX_KEY_LENGTH = 64


class RecordUnreadable(ValueError):
    """The record cannot be read at all (no usable key): nothing can be answered under its key."""


@dataclass(frozen=True)
class FieldRecord:
    """One record of the device: its idempotency key, what it is about, the values typed, and the values of the
    server's copy it was based on (``base``; None: the server had no such record when the device took its copy)."""

    key: str
    kind: str
    device_at: datetime | None
    child_id: int | None
    measured_on: date | None
    values: dict[str, Any]
    base: dict[str, Any] | None
    problem: str = ""
    submission_id: int | None = None
    element_id: int | None = None
    org_unit_id: int | None = None

    @property
    def field_names(self) -> tuple[str, ...]:
        return REPORT_VALUE_FIELDS if self.kind == "report_value" else MEASUREMENT_FIELDS


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _figure(value: object) -> Decimal | str | None:
    try:
        return parse_figure(None if value is None else str(value))
    except ValueError:
        return str(value)


def same_value(name: str, first: object, second: object) -> bool:
    """Whether two values of a field are the same (decimals by value: "9.6" is "9.60"; a report's figure as
    typed, "1.234" is 1234)."""
    if name in ("weight_kg", "length_cm"):
        return _decimal(first) == _decimal(second)
    if name == "value":
        return _figure(first) == _figure(second)
    if name == "has_oedema":
        return bool(first) == bool(second)
    return (first or "") == (second or "")


def _fields(raw: object) -> dict[str, Any]:
    data = raw if isinstance(raw, dict) else {}
    return {
        "weight_kg": None if data.get("weight_kg") in (None, "") else str(data["weight_kg"]),
        "length_cm": None if data.get("length_cm") in (None, "") else str(data["length_cm"]),
        "position": str(data.get("position") or ""),
        "has_oedema": bool(data.get("has_oedema")),
    }


def _report_fields(raw: object) -> dict[str, Any]:
    data = raw if isinstance(raw, dict) else {}
    value = data.get("value")
    return {"value": None if value in (None, "") else str(value), "comment": str(data.get("comment") or "")}


def _identifier(raw: object) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def _moment(raw: object) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def read_record(raw: object) -> FieldRecord:
    """A record from its JSON; a record with a key but unusable content carries the reason in ``problem``."""
    if not isinstance(raw, dict):
        raise RecordUnreadable("not an object")
    key = raw.get("key")
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise RecordUnreadable("no usable key")
    kind = str(raw.get("kind") or "")
    device_at = _moment(raw.get("device_at"))
    if kind == "report_value":
        return _read_report_value(raw, key=key, device_at=device_at)
    child_id = raw.get("child_id")
    measured_on: date | None
    try:
        measured_on = date.fromisoformat(str(raw.get("measured_on")))
    except ValueError:
        measured_on = None
    problem = ""
    if kind != "measurement":
        problem = "Loại bản ghi không được hỗ trợ."
    elif not isinstance(child_id, int) or isinstance(child_id, bool):
        problem = "Thiếu mã trẻ."
    elif measured_on is None:
        problem = "Ngày cân không đọc được."
    elif device_at is None:
        problem = "Thiếu thời điểm lưu trên máy."
    base_raw = raw.get("base")
    return FieldRecord(
        key=key, kind=kind, device_at=device_at, child_id=child_id if isinstance(child_id, int) else None,
        measured_on=measured_on, values=_fields(raw.get("values")),
        base=None if base_raw is None else _fields(base_raw), problem=problem,
    )


def _read_report_value(raw: dict[str, Any], *, key: str, device_at: datetime | None) -> FieldRecord:
    ids = {name: _identifier(raw.get(name)) for name in ("submission_id", "element_id", "org_unit_id")}
    problem = ""
    if None in ids.values():
        problem = "Thiếu mã báo cáo, chỉ tiêu hoặc đơn vị."
    elif device_at is None:
        problem = "Thiếu thời điểm lưu trên máy."
    base_raw = raw.get("base")
    return FieldRecord(key=key, kind="report_value", device_at=device_at, child_id=None, measured_on=None,
                       values=_report_fields(raw.get("values")),
                       base=None if base_raw is None else _report_fields(base_raw), problem=problem, **ids)


def empty_values(fields: tuple[str, ...] = MEASUREMENT_FIELDS) -> dict[str, Any]:
    if fields == REPORT_VALUE_FIELDS:
        return {"value": None, "comment": ""}
    return {"weight_kg": None, "length_cm": None, "position": "", "has_oedema": False}


def compare(*, device: dict[str, Any], base: dict[str, Any] | None, server: dict[str, Any] | None,
            fields: tuple[str, ...] = MEASUREMENT_FIELDS) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The values to save and the conflicting fields, field by field.

    A field the device left as it found it keeps the server's value (which may have changed meanwhile); a field
    the device changed takes the device's value unless the server changed it too, to something else: that field is
    a conflict, with both values, and nothing is saved.
    """
    base_values = base or empty_values(fields)
    server_values = server or empty_values(fields)
    merged: dict[str, Any] = {}
    conflicts: dict[str, dict[str, Any]] = {}
    for name in fields:
        device_changed = not same_value(name, device[name], base_values[name])
        server_changed = not same_value(name, server_values[name], base_values[name])
        if not device_changed:
            merged[name] = server_values[name]
        elif server_changed and not same_value(name, device[name], server_values[name]):
            conflicts[name] = {"server": server_values[name], "device": device[name]}
        else:
            merged[name] = device[name]
    return merged, conflicts
