"""The errors a protection service raises besides ``ValidationError`` and ``PermissionDenied``."""

from __future__ import annotations

from typing import Any

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
