"""The entry in force on a day, of entries that each take effect on a date."""

from __future__ import annotations

from datetime import date

from treem.core.effective import in_force_on

ENTRIES = [("SYT", date(2025, 3, 1)), ("SLDTBXH", date(2024, 1, 1)), ("SYT-2", date(2025, 3, 1))]


def starts(entry: tuple[str, date]) -> date:
    return entry[1]


def test_the_entry_that_started_last_on_or_before_the_day_is_in_force() -> None:
    assert in_force_on(ENTRIES, date(2023, 12, 31), starts=starts) is None
    assert in_force_on(ENTRIES, date(2025, 2, 28), starts=starts) == ("SLDTBXH", date(2024, 1, 1))
    assert in_force_on(ENTRIES, date(2025, 3, 1), starts=starts) == ("SYT-2", date(2025, 3, 1))  # the later given
    assert in_force_on([], date(2025, 3, 1), starts=starts) is None
