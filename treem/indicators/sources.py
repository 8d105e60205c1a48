"""Where figures come from: the registry of *derived* data-element functions.

A derived data element is counted from records (the child registry, measurements, cases…) by a function that the
owning domain registers here under a name; the plan file names that function in the element's ``derived_from``.
Domains above ``indicators`` import this module and register in their ``AppConfig.ready``::

    @register_derived("registry.children_under_5")
    def children_under_5(*, year: int) -> Iterable[DerivedCell]:
        ...

A function returns the finest cells it knows for the year: one per lowest-level org unit × sex × ethnic group,
with the count. The engine sums cells for totals and for any disaggregation, so a function never returns totals.
``sex`` is ``"M"``, ``"F"`` or ``""`` (unknown); ``ethnic_group_code`` is the 2-digit code of Decision 121 or ``""``
(unknown). ``org_unit_id`` is the primary key of the commune-level ``OrgUnit`` the records belong to — for years
before 2025 either an old commune (valid that year) or, where only the current commune is known, a new one; the
engine uses the lineage to place it.

**Sources and stored counts.** A function may name its *source* (``register_derived(name, source="registry")``), a
set of models registered with ``register_source``. The engine then keeps what the function counted for a year in
``DerivedCount`` and reads it back while the source's *token* is unchanged (``treem.indicators.counts``): a
dashboard does not count 200,000 records again while none changed. The token is the source's version — raised after
every committed change to one of its models, by the models' save and delete signals or, for bulk writes that send
no signal, by an explicit ``records_changed(Model, …)`` — together with each model's highest id and latest
``updated_at``, so that a bulk insert, or a bulk update that keeps ``updated_at`` current, is still seen when it
forgot to call ``records_changed``. (Deletes send signals, ``QuerySet.delete()`` included; treem deletes these
records softly anyway.) The rule for new code: a write that bypasses ``save()`` calls ``records_changed``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router, transaction
from django.db.models import F, Model
from django.db.models.signals import post_delete, post_save


@dataclass(frozen=True)
class DerivedCell:
    org_unit_id: int
    year: int
    value: int
    sex: str = ""
    ethnic_group_code: str = ""


DerivedFunction = Callable[..., Iterable[DerivedCell]]

DERIVED_FUNCTIONS: dict[str, DerivedFunction] = {}
FUNCTION_SOURCES: dict[str, str] = {}


def register_derived(name: str, *, source: str | None = None) -> Callable[[DerivedFunction], DerivedFunction]:
    """Register ``function(*, year) -> Iterable[DerivedCell]`` under ``name`` (as named in plan files).

    With ``source`` (registered by ``register_source``), the engine stores what the function counts and reuses it
    while the source's records are unchanged; without, the function is called for every request.
    """

    def decorator(function: DerivedFunction) -> DerivedFunction:
        DERIVED_FUNCTIONS[name] = function
        if source is not None:
            FUNCTION_SOURCES[name] = source
        else:
            FUNCTION_SOURCES.pop(name, None)
        return function

    return decorator


def derived_function(name: str) -> DerivedFunction | None:
    return DERIVED_FUNCTIONS.get(name)


def source_of(name: str) -> str | None:
    """The source of a registered function whose counts are stored, or None."""
    return FUNCTION_SOURCES.get(name) if name in DERIVED_FUNCTIONS else None


# -- sources: the records a group of functions counts, and whether they changed ---------------------------------

SOURCES: dict[str, tuple[type[Model], ...]] = {}


def register_source(name: str, *, models: Iterable[type[Model]]) -> None:
    """Declare the source ``name`` and the models its functions count (each has ``updated_at``). A save or delete
    of any of them raises the source's version once the transaction commits."""
    SOURCES[name] = tuple(models)
    for model in SOURCES[name]:
        for signal, kind in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(_record_signal, sender=model, weak=False,
                           dispatch_uid=f"treem-records-changed-{kind}-{model._meta.label_lower}")


def _record_signal(sender: type[Model], **kwargs: Any) -> None:
    records_changed(sender, using=kwargs.get("using"))


class _RaiseVersion:
    """An on-commit callback raising one source's version (at most one is queued per source and transaction)."""

    def __init__(self, source: str, using: str) -> None:
        self.source, self.using = source, using

    def __call__(self) -> None:
        from treem.indicators.models import SourceVersion

        versions = SourceVersion.objects.using(self.using)
        if not versions.filter(name=self.source).update(version=F("version") + 1):
            _, created = versions.get_or_create(name=self.source, defaults={"version": 1})
            if not created:
                versions.filter(name=self.source).update(version=F("version") + 1)


def records_changed(*models: type[Model], using: str | None = None) -> None:
    """Say that records of ``models`` were written: every source counting one of them gets a new version when the
    current transaction commits (at once outside a transaction). Saves and deletes call this through signals;
    call it after bulk writes (``bulk_create``, ``QuerySet.update``), which send none."""
    if not models:
        return
    alias = using or router.db_for_write(models[0])
    connection = connections[alias]
    names = {name for name, counted in SOURCES.items() if any(model in counted for model in models)}
    queued: set[str] = set()
    if connection.in_atomic_block:  # one callback per source and transaction is enough
        queued = {entry[1].source for entry in connection.run_on_commit if isinstance(entry[1], _RaiseVersion)}
    for name in sorted(names - queued):
        transaction.on_commit(_RaiseVersion(name, alias), using=alias)


def source_token(name: str, *, using: str = "default") -> str:
    """The source's token: its version, and each of its models' highest id and latest ``updated_at``."""
    return source_tokens([name], using=using)[name]


def source_tokens(names: Iterable[str], *, using: str = "default") -> dict[str, str]:
    """The tokens of several sources, in one statement that reads each model once (the registry's children count
    in three sources). Each part is the end of an index (the primary key's, ``updated_at``'s): a millisecond or
    two whatever the number of records."""
    from treem.indicators.models import SourceVersion

    wanted = sorted(set(names))
    models = sorted({model for name in wanted for model in SOURCES[name]}, key=lambda model: model._meta.label)
    connection = connections[using]
    quote = connection.ops.quote_name
    versions = quote(SourceVersion._meta.db_table)
    parts = [f"(SELECT version FROM {versions} WHERE name = %s)" for _ in wanted]
    for model in models:
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {table})")
        parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), wanted)
        row = cursor.fetchone()
    text = ["" if value is None else str(value) for value in row]
    version = dict(zip(wanted, text[: len(wanted)], strict=True))
    tables = {model: f"{text[len(wanted) + 2 * index]}@{text[len(wanted) + 2 * index + 1]}"
              for index, model in enumerate(models)}
    return {name: "|".join([version[name], *(tables[model] for model in SOURCES[name])]) for name in wanted}


T = TypeVar("T")


class YearReads(Generic[T]):
    """One grouped read per year of a source's records, shared by the functions that sum it (the registry's age
    bands, the nutrition elements) and kept while the source's token is unchanged, at most ``max_age`` seconds after
    the read *ended* (a national year's read takes a minute or two: timed from its start, it expired before the next
    function could use it, and every function read the year again), and only for the ``keep`` years read last (a
    national year of measurements is hundreds of MiB). ``counts.counted`` counts year by year, so the functions of
    one year follow each other."""

    def __init__(self, source: str, read: Callable[[int], T], *, max_age: float = 60.0, keep: int = 2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.source, self.read, self.max_age, self.keep, self.clock = source, read, max_age, keep, clock
        self._kept: dict[int, tuple[float, str, T]] = {}

    def __call__(self, year: int) -> T:
        token = source_token(self.source)  # before the read: a change committed during it changes the token
        kept = self._kept.get(year)
        if kept is not None and kept[1] == token and self.clock() - kept[0] < self.max_age:
            return kept[2]
        self._kept.pop(year, None)
        value = self.read(year)
        while len(self._kept) >= self.keep:
            self._kept.pop(next(iter(self._kept)))
        self._kept[year] = (self.clock(), token, value)
        return value

    def clear(self) -> None:
        """Forget every year (what a new process starts with)."""
        self._kept.clear()


DemoCheck = Callable[[], bool]

DEMO_CHECKS: dict[str, DemoCheck] = {}


def register_demo_check(name: str) -> Callable[[DemoCheck], DemoCheck]:
    """Register ``check() -> bool`` for the derived function ``name``: whether the records it counts include demo
    records. The engine asks once per request for each function it uses, and marks the figures built from that
    function's cells as demo data (pages then show "Dữ liệu trình diễn")::

        @register_demo_check("registry.count_children")
        def children_include_demo() -> bool:
            return Child.objects.filter(is_demo=True).exists()
    """

    def decorator(check: DemoCheck) -> DemoCheck:
        DEMO_CHECKS[name] = check
        return check

    return decorator


def demo_check(name: str) -> DemoCheck | None:
    return DEMO_CHECKS.get(name)
