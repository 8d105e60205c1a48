"""Stored figures: what the engine computed for an indicator, an area and a year, kept while nothing it was computed
from has changed.

An overview asks for 14 indicators over six trend years; computing them means reading every entered value of the
units in scope and every commune's derived cells, and rolling them up — at national size ~20 s per request,
whatever the number of children. The engine (:meth:`treem.indicators.engine.Engine.figures_many`) therefore keeps
each figure it computes in ``StoredFigure`` under a *digest* of everything it was computed from:

- the tokens (``treem.indicators.sources``) of the entered values (``entered``: ``DataValue``), of the hierarchy
  (``hierarchy``: org units and lineage) and of the source of every derived element of the indicator, each taken
  *before* the engine read what it covers, so that a change committed during a computation gives a different digest
  and the figure is never read back as current;
- the indicator's definition (its elements, their derived functions, the factor) and ``FORMAT``.

A later request computes the digest again (one statement for the tokens) and reads the figures whose digest is the
same; anything else — a missing row, another digest, an indicator with a derived function that has no source, an
area outside the engine's scope — is computed as before. Scoping is unchanged: the selectors ask the engine for
the areas of the user's scope, and the engine serves only those from the store.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from treem.indicators.models import StoredFigure

# Raised when what a stored figure means changes (the engine's rules, the columns): every stored figure is then
# out of date at once.
FORMAT = "figures-1"

ENTERED = "entered"  # the source of the entered values (DataValue)
HIERARCHY = "hierarchy"  # the source of the org units and their lineage

WRITE_BATCH = 2000
FIRST_DAY = date(1, 1, 1)


@dataclass(frozen=True, slots=True)
class Kept:
    """A stored figure as read back: ``numerator`` None when the area had no figure."""

    numerator: Decimal | None
    denominator: Decimal | None
    units_counted: int
    includes_demo: bool
    computed_at: datetime | None = None  # when it was computed (set on the figures read back)


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a stored figure was computed under: ``token``, the digest of every source's token and the definition
    (the figure is current while it is the same); ``basis``, the digest of the definition and the hierarchy alone
    (a figure of another basis is never served, however recent)."""

    token: str
    basis: str


StoreKey = tuple[int, int, int, date]  # (indicator id, area id, year, shown_on)


def digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\x1f".join([FORMAT, *parts]).encode()).hexdigest()


class Spans:
    """The days on which the set of units in force changes; a day's figures are those of the first day of its
    span (the same units are in force on every day of a span, so they are placed the same way)."""

    def __init__(self, periods: Iterable[tuple[date | None, date | None]]) -> None:
        starts: set[date] = set()
        for valid_from, valid_to in periods:
            if valid_from is not None:
                starts.add(valid_from)
            if valid_to is not None and valid_to < date.max:
                starts.add(valid_to + timedelta(days=1))
        self._starts = sorted(starts)

    def start_of(self, day: date) -> date:
        position = bisect_right(self._starts, day)
        return self._starts[position - 1] if position else FIRST_DAY


def read(indicator_ids: Sequence[int], years: Sequence[int], days: Sequence[date],
         areas: Iterable[int] | None) -> dict[StoreKey, tuple[Stamp, Kept]]:
    """The stored figures of those indicators, years and spans (of ``areas``, or all), with their stamps."""
    if not indicator_ids or not years or not days:
        return {}
    rows = StoredFigure.objects.filter(indicator_id__in=sorted(set(indicator_ids)), year__in=sorted(set(years)),
                                       shown_on__in=sorted(set(days)))
    if areas is not None:
        wanted = sorted(set(areas))
        if not wanted:
            return {}
        rows = rows.filter(org_unit_id__in=wanted)
    found: dict[StoreKey, tuple[Stamp, Kept]] = {}
    for (indicator_id, unit_id, year, shown_on, numerator, denominator, units, demo, token, basis,
         computed_at) in rows.values_list("indicator_id", "org_unit_id", "year", "shown_on", "numerator",
                                          "denominator", "units_counted", "includes_demo", "token", "basis",
                                          "computed_at"):
        found[(indicator_id, unit_id, year, shown_on)] = (Stamp(token=token, basis=basis), Kept(
            numerator=Decimal(numerator) if numerator else None,
            denominator=Decimal(denominator) if denominator else None,
            units_counted=units, includes_demo=demo, computed_at=computed_at))
    return found


# Only pages read on screen opt in to older figures: reports, exports, the API and jobs always read current ones.
_ON_SCREEN: ContextVar[bool] = ContextVar("treem_figures_on_screen", default=False)


@contextmanager
def figures_on_screen() -> Iterator[None]:
    """Within: the figures are for a page on screen (an overview, an indicator's page), which may show a stored
    figure computed within ``TREEM_FIGURES_MAX_AGE`` seconds after a change and says when it was computed. Outside
    (the consolidated report, Excel exports, the API, DHIS2 exchange, jobs), every figure is current."""
    previous = _ON_SCREEN.set(True)
    try:
        yield
    finally:
        _ON_SCREEN.reset(previous)


def may_serve_older(stamps: Iterable[Stamp | None], kept: Iterable[Kept | None], *, basis: str,
                    now: datetime) -> datetime | None:
    """When figures computed under older tokens may stand in for current ones: every area has one, of the same
    basis, computed within ``settings.TREEM_FIGURES_MAX_AGE`` seconds. Returns the oldest computation time (what
    the page shows as "số liệu tính lúc …"), or None (compute them now). A window of 0 never serves older ones,
    nor does a read outside :func:`figures_on_screen`."""
    window = float(getattr(settings, "TREEM_FIGURES_MAX_AGE", 0) or 0)
    if window <= 0 or not _ON_SCREEN.get():
        return None
    oldest: datetime | None = None
    for stamp, figure in zip(stamps, kept, strict=True):
        if stamp is None or figure is None or figure.computed_at is None or stamp.basis != basis:
            return None
        if (now - figure.computed_at).total_seconds() > window:
            return None
        oldest = figure.computed_at if oldest is None else min(oldest, figure.computed_at)
    return oldest


def write(figures: dict[StoreKey, tuple[Stamp, Kept]]) -> bool:
    """Store (or replace) these figures under their digests; False when the database refused (another process
    wrote the same rows meanwhile, or it is read-only): the figures computed stand, nothing is stored."""
    if not figures:
        return True
    now = timezone.now()
    rows = [
        StoredFigure(indicator_id=indicator_id, org_unit_id=unit_id, year=year, shown_on=shown_on,
                     numerator="" if kept.numerator is None else str(kept.numerator),
                     denominator="" if kept.denominator is None else str(kept.denominator),
                     units_counted=kept.units_counted, includes_demo=kept.includes_demo, token=stamp.token,
                     basis=stamp.basis, computed_at=now)
        for (indicator_id, unit_id, year, shown_on), (stamp, kept) in sorted(figures.items())
    ]
    try:
        with transaction.atomic():
            StoredFigure.objects.bulk_create(
                rows, batch_size=WRITE_BATCH, update_conflicts=True,
                unique_fields=["indicator", "year", "shown_on", "org_unit"],
                update_fields=["numerator", "denominator", "units_counted", "includes_demo", "token",
                               "basis", "computed_at"])
    except (IntegrityError, DatabaseError):
        return False
    return True
