"""Stored counts: what a derived function counted for a year, kept while the records it counts are unchanged.

A derived function registered with a source (``treem.indicators.sources``) counts records — 200,000 children,
tens of thousands of measurements — which takes a second or more. Its cells for a year are stored in
``DerivedCount`` with the source's token taken *before* counting, split by province (``DerivedCountPart``: the
cells of the units under one top-level unit); a later request whose token is the same reads them back — a scoped
engine only its provinces' parts — in two queries for every function and year it needs (the headers with the
parts asked for, then the cells of the parts not already read by this process). A change committed during a count
changes the token, so a count can never be stored as current for records it did not see.

``refresh_counts`` (a management command; also the last step of ``seed_demo`` and of a child import) counts ahead
of the first request, so that nobody waits on a dashboard.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone

from treem.hierarchy.models import OrgUnit
from treem.indicators.models import DerivedCount, DerivedCountPart
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


def province_of(path: str) -> str:
    """The part a unit's cells are stored in: the path of its top-level unit ("/12/105/03386/" → "/12/"), or "/"
    for the country itself."""
    segments = path.split("/", 2)
    return f"/{segments[1]}/" if len(segments) > 2 and segments[1] else "/"


def counted(
    wanted: Iterable[tuple[str, int]], *, tokens: dict[str, str] | None = None,
    provinces: Iterable[str] | None = None,
) -> dict[tuple[str, int], Counted]:
    """The cells of each ``(function name, year)`` whose function has a source: read back when the stored count is
    current, otherwise counted now and stored. Pairs of functions without a source are left out.

    ``provinces`` (paths of top-level units, see :func:`province_of`; None: all) limits the cells returned to those
    of units under them: a scoped engine reads its provinces' parts of the stored counts, not the nation's. Whether
    a count is current is the same for every province (its header's token).

    ``tokens`` memoises the sources' tokens (one engine per request passes its own dictionary).
    """
    # Year by year: the functions of one year share its read of the records (``sources.YearReads``).
    pairs = sorted({(name, year) for name, year in wanted if source_of(name) is not None},
                   key=lambda pair: (pair[1], pair[0]))
    if not pairs:
        return {}
    chosen = None if provinces is None else sorted(set(provinces))
    tokens = {} if tokens is None else tokens
    missing = {FUNCTION_SOURCES[name] for name, _ in pairs} - tokens.keys()  # registered: see source_of
    if missing:
        tokens.update(source_tokens(missing))
    headers = DerivedCount.objects.filter(function__in=sorted({name for name, _ in pairs}),
                                          year__in=sorted({year for _, year in pairs})).order_by()
    # One statement: each header with the ids and provinces of its parts that are asked for (none: no cells there).
    listing: Iterable[tuple[str, int, str, bool, int | None, str | None]]
    if chosen is None:
        listing = headers.values_list("function", "year", "token", "includes_demo", "parts__id", "parts__province")
    elif chosen:
        listing = headers.annotate(
            chosen=FilteredRelation("parts", condition=Q(parts__province__in=chosen))
        ).values_list("function", "year", "token", "includes_demo", "chosen__id", "chosen__province")
    else:  # no province: whether each count is current, and no cells
        listing = [(*header, None, None) for header in headers.values_list("function", "year", "token",
                                                                           "includes_demo")]
    stored: dict[tuple[str, int], tuple[str, bool, list[tuple[int, str]]]] = {}
    for function, year, token, includes_demo, part_id, province in listing:
        parts = stored.setdefault((function, year), (token, includes_demo, []))[2]
        if part_id is not None and province is not None:
            parts.append((part_id, province))
    result: dict[tuple[str, int], Counted] = {}
    unread: list[tuple[str, int, str, bool, list[tuple[int, str]]]] = []
    kept: dict[tuple[str, int, str, str], list[DerivedCell]] = {}
    to_read: list[int] = []
    paths: dict[int, str] = {}  # the units' paths, read once if anything is counted
    for name, year in pairs:
        token = tokens[FUNCTION_SOURCES[name]]
        row = stored.get((name, year))
        if row is None or row[0] != token:
            result[(name, year)] = count_and_store(name, year, token=token, provinces=chosen, paths=paths)
            continue
        unread.append((name, year, token, row[1], row[2]))
        for part_id, province in row[2]:
            key = (name, year, token, province)
            if (already := _READ_BACK.get(key)) is not None:
                kept[key] = already
            else:
                to_read.append(part_id)
    cells_of = dict(DerivedCountPart.objects.filter(id__in=sorted(to_read)).values_list("id", "cells")
                    ) if to_read else {}
    for name, year, token, includes_demo, parts in unread:
        cells: list[DerivedCell] = []
        for part_id, province in sorted(parts, key=lambda part: part[1]):
            key = (name, year, token, province)
            if (of_part := kept.get(key)) is None:
                if part_id not in cells_of:  # recounted by another request since the first read
                    break
                of_part = [DerivedCell(org_unit_id=unit_id, year=year, value=value, sex=sex, ethnic_group_code=code)
                           for unit_id, sex, code, value in cells_of[part_id]]
                _keep_read_back(key, of_part)
            cells.extend(of_part)
        else:
            result[(name, year)] = Counted(cells=cells, includes_demo=includes_demo, stored=True)
            continue
        result[(name, year)] = count_and_store(name, year, token=token, provinces=chosen, paths=paths)
    return result


# The parts of stored counts already read back by this process, by (function, year, token, province). A token
# names one state of the records counted, so the cells read under it stay right for as long as anyone asks with
# that token: the next request of the same dashboard reads four small columns per part instead of decoding every
# cell again (about a third of a dashboard's CPU on the demo province). Bounded: the oldest entries go first (256
# function-years of a nation of 32 provinces).
_READ_BACK: dict[tuple[str, int, str, str], list[DerivedCell]] = {}
_READ_BACK_LIMIT = 256 * 32


def forget_read_back() -> None:
    """Forget the counts read back in this process (what a new process starts with). A token names the records'
    state, so the memo is exact as long as the database only moves forward; tests roll each one back, and a test
    that replaces a derived function under the same token would otherwise be handed the previous test's cells."""
    _READ_BACK.clear()


def _keep_read_back(key: tuple[str, int, str, str], value: list[DerivedCell]) -> None:
    while len(_READ_BACK) >= _READ_BACK_LIMIT:
        _READ_BACK.pop(next(iter(_READ_BACK)))
    _READ_BACK[key] = value


def count_and_store(name: str, year: int, *, token: str, provinces: Iterable[str] | None = None,
                    paths: dict[int, str] | None = None) -> Counted:
    """Call the function, and store its cells under ``token`` (the source's token taken before the call), split by
    province: the header and its parts replace the previous ones in one transaction. The cells returned are those
    of ``provinces`` (None: all). ``paths`` (unit id → path) is read when empty and can be shared between calls."""
    function = derived_function(name)
    if function is None:
        raise KeyError(name)
    started = time.perf_counter()
    cells = [cell for cell in function(year=year) if cell.year == year]
    check = demo_check(name)
    includes_demo = bool(check()) if check is not None else False
    seconds = time.perf_counter() - started
    paths = {} if paths is None else paths
    if not paths:
        paths.update(OrgUnit.objects.order_by().values_list("id", "path"))
    by_province: dict[str, list[DerivedCell]] = defaultdict(list)
    for cell in cells:
        by_province[province_of(paths.get(cell.org_unit_id, "/"))].append(cell)
    try:
        with transaction.atomic():
            # Deleted and created anew (not updated): a reader that listed the previous parts finds them gone, and
            # counts again rather than take newer cells for its older token.
            DerivedCount.objects.filter(function=name, year=year).delete()
            header = DerivedCount.objects.create(function=name, year=year, token=token, includes_demo=includes_demo,
                                                 counted_at=timezone.now(), seconds=seconds)
            DerivedCountPart.objects.bulk_create(
                [DerivedCountPart(count=header, province=province,
                                  cells=[[cell.org_unit_id, cell.sex, cell.ethnic_group_code, cell.value]
                                         for cell in of_province])
                 for province, of_province in sorted(by_province.items())], batch_size=100)
    except (IntegrityError, DatabaseError):
        pass  # another request stored the same count meanwhile, or the database is read-only: the figures stand
    if provinces is not None:
        cells = [cell for province in sorted(set(provinces)) for cell in by_province.get(province, ())]
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
