"""Registries through which each domain plugs into the shared shell without the shell importing it.

- ``register_navigation``: a menu entry (URL name, label, capability, order), shown to users holding the capability;
  ``badge`` (optional) counts what awaits the user there, shown beside the label when not zero (unread notices).
- ``register_demo_seeder``: a function that seeds the domain's clearly-labelled demo data; ``seed_demo`` runs them
  in order with the requested size.

Apps register in their ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class NavigationEntry:
    url_name: str
    label: Any
    capability: str
    order: int
    badge: Callable[[Any], int] | None = None


NAVIGATION: dict[str, NavigationEntry] = {}


def register_navigation(
    url_name: str, *, label: Any, capability: str, order: int, badge: Callable[[Any], int] | None = None,
) -> None:
    NAVIGATION[url_name] = NavigationEntry(url_name=url_name, label=label, capability=capability, order=order,
                                           badge=badge)


def navigation_entries() -> list[NavigationEntry]:
    return sorted(NAVIGATION.values(), key=lambda entry: entry.order)


class DemoSeeder(Protocol):
    def __call__(self, *, size: str, stdout: Callable[[str], None]) -> None: ...


@dataclass(frozen=True)
class DemoSeederEntry:
    name: str
    seeder: DemoSeeder
    order: int


DEMO_SEEDERS: dict[str, DemoSeederEntry] = {}


def register_demo_seeder(name: str, seeder: DemoSeeder, *, order: int) -> None:
    DEMO_SEEDERS[name] = DemoSeederEntry(name=name, seeder=seeder, order=order)


def demo_seeders() -> list[DemoSeederEntry]:
    return sorted(DEMO_SEEDERS.values(), key=lambda entry: entry.order)
