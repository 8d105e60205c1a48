"""Effective-dated entries: of entries that each take effect on a date (a coordinating agency from 1 March 2025, a
duty reassigned from a date, an indicator's responsible agency from a date), the one in force on a given day."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

T = TypeVar("T")


def in_force_on(entries: Iterable[T], day: date, *, starts: Callable[[T], date]) -> T | None:
    """The entry that started last on or before ``day`` (of two starting the same day, the later one given), or
    None when none had started."""
    current: T | None = None
    for entry in sorted(entries, key=starts):
        if starts(entry) > day:
            break
        current = entry
    return current
