"""The errors a protection service raises besides ``ValidationError`` and ``PermissionDenied``."""

from __future__ import annotations

from typing import Any

from treem.core.audit import changed_fields, field_label
from treem.core.models import AuditEvent
from treem.protection.models import (
    Case,
)


class StaleVersionError(Exception):
    """The case changed since the version the editor started from; nothing was saved.

    ``changes`` lists what the others changed since then (who, when, field, before, after), so the editor can see
    it and re-apply their own input on top of the current version.
    """

    def __init__(self, *, case: Case, expected_version: int, changes: list[dict[str, Any]]) -> None:
        self.case = case
        self.expected_version = expected_version
        self.current_version = case.version
        self.changes = changes
        super().__init__(
            f"Hồ sơ {case.number} đã được người khác sửa (phiên bản {case.version}, bạn đang sửa phiên bản "
            f"{expected_version}). Thay đổi của bạn chưa được lưu; xem thay đổi của họ rồi nhập lại."
        )


class StepAlreadyDoneError(Exception):
    """The step was completed in the meantime (by someone else, or by a second click)."""


def changes_since(case: Case, version: int) -> list[dict[str, Any]]:
    """What changed in ``case`` after ``version``: one entry per changed field of each later edit."""
    changes: list[dict[str, Any]] = []
    events = (AuditEvent.objects.for_object(case)
              .filter(verb__in=[AuditEvent.Verb.UPDATE, AuditEvent.Verb.TRANSITION]).order_by("at", "id"))
    for event in events:
        after = event.after or {}
        if int(after.get("version", 0)) <= version:
            continue
        for name in changed_fields(event.before, event.after):
            if name in {"version", "updated_at"}:
                continue
            changes.append({"at": event.at, "by": event.actor_username, "field": name,
                            "label": _field_label(name), "before": (event.before or {}).get(name),
                            "after": after.get(name)})
    return changes


def _field_label(attname: str) -> str:
    return field_label(Case, attname, {"workers": "người quản lý trường hợp"})


def ensure_version(locked: Case, expected_version: int | None) -> None:
    """Refuse a write made from an old ``expected_version`` of the locked case (None: the caller did not ask)."""
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(case=locked, expected_version=expected_version,
                                changes=changes_since(locked, expected_version))
