"""A year's grouped read of a source's records (``sources.YearReads``) is shared by every function that sums it:
even when the read itself takes longer than the age limit (a national year takes a minute or two), and when many
functions are counted for several years (``counts.counted`` counts year by year); only the last years read are
kept in memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from treem.indicators.counts import counted
from treem.indicators.sources import FUNCTION_SOURCES, YearReads
from treem.registry import derived as registry_derived
from treem.registry.tests.factories import child_in

pytestmark = pytest.mark.django_db


class Clock:
    """A monotonic clock that moves only when told to (a read of the nation's year: ``slow_by`` seconds)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_years_read_that_takes_longer_than_the_age_limit_is_still_shared() -> None:
    clock, calls = Clock(), []

    def read(year: int) -> str:
        calls.append(year)
        clock.now += 120.0  # longer than the age limit
        return f"rows of {year}"

    reads = YearReads("registry", read, max_age=60.0, clock=clock)
    assert reads(2026) == "rows of 2026"
    assert reads(2026) == "rows of 2026"
    assert calls == [2026]
    clock.now += 61.0  # past the limit after the read ended: read again
    assert reads(2026) == "rows of 2026"
    assert calls == [2026, 2026]


def test_only_the_years_read_last_are_kept() -> None:
    clock, calls = Clock(), []

    def read(year: int) -> int:
        calls.append(year)
        return year

    reads = YearReads("registry", read, keep=2, clock=clock)
    for year in (2024, 2025, 2026, 2026, 2025, 2024):
        reads(year)
    assert calls == [2024, 2025, 2026, 2024]  # 2024 was forgotten when 2026 was read


def test_a_change_to_the_records_reads_the_year_again(reference_data: None) -> None:
    calls: list[int] = []

    def read(year: int) -> int:
        calls.append(year)
        return len(calls)

    reads = YearReads("registry", read, clock=Clock())
    assert reads(2026) == 1
    child_in("03390", full_name="Lò Văn Mới")  # a new child: the source's token changes
    assert reads(2026) == 2


@pytest.fixture
def slow_registry_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The registry's year reads, each taking 61 s of a fake clock (a national year's read), and the years read."""
    clock, calls = Clock(), []
    original = registry_derived.year_rows.read

    def read(year: int) -> registry_derived.YearRows:
        calls.append(year)
        clock.now += 61.0
        return original(year)

    monkeypatch.setattr(registry_derived.year_rows, "read", read)
    monkeypatch.setattr(registry_derived.year_rows, "clock", clock)
    registry_derived.year_rows.clear()
    yield calls
    registry_derived.year_rows.clear()


def test_counting_every_registry_function_for_several_years_reads_each_year_once(
        reference_data: None, slow_registry_reads: list[int]) -> None:
    child_in("03390", full_name="Lò Thị Năm")
    names = sorted(name for name, source in FUNCTION_SOURCES.items() if source == registry_derived.SOURCE)
    years = [2024, 2025, 2026]
    results = counted((name, year) for name in names for year in years)
    assert len(names) >= 3 and len(results) == len(names) * len(years)
    assert sorted(slow_registry_reads) == years  # not once per function and year
