"""Stored counts: what a derived function counted for a year, kept while the records it counts are unchanged.

A derived function registered with a source (``treem.indicators.sources``) counts records — 200,000 children,
tens of thousands of measurements — which takes a second or more. Its cells for a year are stored in
``DerivedCount`` with the source's token taken *before* counting; a later request whose token is the same reads
them back (one query for every function and year it needs). A change committed during a count changes the token,
so a count can never be stored as current for records it did not see.

``refresh_counts`` (a management command; also the last step of ``seed_demo`` and of a child import) counts ahead
of the first request, so that nobody waits on a dashboard.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from treem.indicators.models import DerivedCount
from treem.indicators.sources import (
    FUNCTION_SOURCES,
    DerivedCell,
    demo_check,
    derived_function,
    source_of,
    source_tokens,
)


@dataclass(frozen=True)
class Counted:
    cells: list[DerivedCell]
    includes_demo: bool
    stored: bool  # read back from DerivedCount (False: counted now)
    seconds: float = 0.0  # how long counting took (0 when read back)


def counted(
    wanted: Iterable[tuple[str, int]], *, tokens: dict[str, str] | None = None
) -> dict[tuple[str, int], Counted]:
    """The cells of each ``(function name, year)`` whose function has a source: read back when the stored count is
    current, otherwise counted now and stored. Pairs of functions without a source are left out.

    ``tokens`` memoises the sources' tokens (one engine per request passes its own dictionary).
    """
    pairs = sorted({(name, year) for name, year in wanted if source_of(name) is not None})
    if not pairs:
        return {}
    tokens = {} if tokens is None else tokens
    missing = {FUNCTION_SOURCES[name] for name, _ in pairs} - tokens.keys()  # registered: see source_of
    if missing:
        tokens.update(source_tokens(missing))
    rows = DerivedCount.objects.filter(function__in=sorted({name for name, _ in pairs}),
                                       year__in=sorted({year for _, year in pairs}))
    stored = {(function, year): (token, includes_demo) for function, year, token, includes_demo
              in rows.values_list("function", "year", "token", "includes_demo")}
    result: dict[tuple[str, int], Counted] = {}
    unread: list[tuple[str, int, str, bool]] = []
    for name, year in pairs:
        token = tokens[FUNCTION_SOURCES[name]]
        row = stored.get((name, year))
        if row is None or row[0] != token:
            result[(name, year)] = count_and_store(name, year, token=token)
        elif (kept := _READ_BACK.get((name, year, token))) is not None:
            result[(name, year)] = kept
        else:
            unread.append((name, year, token, row[1]))
    if unread:
        cells_of = {(function, year, token): cells for function, year, token, cells in rows.filter(
            function__in=sorted({name for name, *_ in unread}), year__in=sorted({year for _, year, *_ in unread}))
            .values_list("function", "year", "token", "cells")}
        for name, year, token, includes_demo in unread:
            if (name, year, token) not in cells_of:  # recounted by another request since the first read
                result[(name, year)] = count_and_store(name, year, token=token)
                continue
            counted_back = Counted(
                cells=[DerivedCell(org_unit_id=unit_id, year=year, value=value, sex=sex, ethnic_group_code=code)
                       for unit_id, sex, code, value in cells_of[(name, year, token)]],
                includes_demo=includes_demo, stored=True)
            _keep_read_back((name, year, token), counted_back)
            result[(name, year)] = counted_back
    return result


# Stored counts already read back by this process, by (function, year, token). A token names one state of the
# records counted, so the cells read under it stay right for as long as anyone asks with that token: the next
# request of the same dashboard reads four small columns instead of decoding every cell again (about a third of a
# dashboard's CPU on the demo province). Bounded: the oldest entries go first.
_READ_BACK: dict[tuple[str, int, str], Counted] = {}
_READ_BACK_LIMIT = 256


def forget_read_back() -> None:
    """Forget the counts read back in this process (what a new process starts with). A token names the records'
    state, so the memo is exact as long as the database only moves forward; tests roll each one back, and a test
    that replaces a derived function under the same token would otherwise be handed the previous test's cells."""
    _READ_BACK.clear()


def _keep_read_back(key: tuple[str, int, str], value: Counted) -> None:
    while len(_READ_BACK) >= _READ_BACK_LIMIT:
        _READ_BACK.pop(next(iter(_READ_BACK)))
    _READ_BACK[key] = value


def count_and_store(name: str, year: int, *, token: str) -> Counted:
    """Call the function, and store its cells under ``token`` (the source's token taken before the call)."""
    function = derived_function(name)
    if function is None:
        raise KeyError(name)
    started = time.perf_counter()
    cells = [cell for cell in function(year=year) if cell.year == year]
    check = demo_check(name)
    includes_demo = bool(check()) if check is not None else False
    seconds = time.perf_counter() - started
    try:
        with transaction.atomic():
            DerivedCount.objects.update_or_create(
                function=name, year=year,
                defaults={"token": token, "includes_demo": includes_demo, "counted_at": timezone.now(),
                          "seconds": seconds,
                          "cells": [[cell.org_unit_id, cell.sex, cell.ethnic_group_code, cell.value]
                                    for cell in cells]})
    except (IntegrityError, DatabaseError):
        pass  # another request stored the same count meanwhile, or the database is read-only: the figures stand
    return Counted(cells=cells, includes_demo=includes_demo, stored=False, seconds=seconds)


@dataclass(frozen=True)
class Refreshed:
    function: str
    year: int
    was_current: bool
    cells: int
    seconds: float


def refresh(*, names: Iterable[str], years: Sequence[int], sources: Sequence[str] | None = None) -> list[Refreshed]:
    """Count ahead: each of the functions ``names`` that has a source (of ``sources``, or any), for every year in
    ``years``, whose stored count is missing or out of date is counted and stored; the others are left as they
    are."""
    chosen = [name for name in set(names)
              if source_of(name) is not None and (sources is None or FUNCTION_SOURCES[name] in sources)]
    results = counted((name, year) for year in years for name in chosen)
    return [Refreshed(function=name, year=year, was_current=result.stored, cells=len(result.cells),
                      seconds=result.seconds) for (name, year), result in results.items()]
