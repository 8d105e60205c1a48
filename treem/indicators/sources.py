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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class DerivedCell:
    org_unit_id: int
    year: int
    value: int
    sex: str = ""
    ethnic_group_code: str = ""


DerivedFunction = Callable[..., Iterable[DerivedCell]]

DERIVED_FUNCTIONS: dict[str, DerivedFunction] = {}


def register_derived(name: str) -> Callable[[DerivedFunction], DerivedFunction]:
    """Register ``function(*, year) -> Iterable[DerivedCell]`` under ``name`` (as named in plan files)."""

    def decorator(function: DerivedFunction) -> DerivedFunction:
        DERIVED_FUNCTIONS[name] = function
        return function

    return decorator


def derived_function(name: str) -> DerivedFunction | None:
    return DERIVED_FUNCTIONS.get(name)


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
