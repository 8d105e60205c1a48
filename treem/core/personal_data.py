"""What treem holds on one person, gathered from every domain for a subject access request (Decree 13/2023/NĐ-CP,
Article 9 and 14: the data subject's right to know and to obtain a copy of their data).

Each domain registers the *sections* it holds on a child (``register_personal_data_section``) in its
``AppConfig.ready``, as for navigation; the registry app, which owns the child's record, puts them together
(``treem.registry.subject_access``). A section collects only what the requesting user may see, so a commune officer
gets the protection cases they work on and not others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone


@dataclass(frozen=True)
class PersonalDataTable:
    """One section's rows: a title, column headers, and rows of plain values; ``note`` says what is left out."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""


SectionCollector = Callable[..., PersonalDataTable]


@dataclass(frozen=True)
class PersonalDataSection:
    name: str
    collect: SectionCollector
    order: int


SECTIONS: dict[str, PersonalDataSection] = {}


def register_personal_data_section(name: str, collect: SectionCollector, *, order: int) -> None:
    """``collect(user=…, child=…)`` returns the section's table for ``child`` as ``user`` may see it."""
    SECTIONS[name] = PersonalDataSection(name=name, collect=collect, order=order)


def personal_data_sections() -> list[PersonalDataSection]:
    return sorted(SECTIONS.values(), key=lambda section: section.order)


def plain(value: Any) -> Any:
    """A value as a person reads it: dates as dd/mm/yyyy (times local), booleans as Có/Không, objects by name."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if timezone.is_aware(value) else \
            value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float | str | Decimal):
        return value
    return str(value)


def model_table(title: str, objects: Iterable[models.Model], model: type[models.Model], *,
                exclude: Iterable[str] = (), note: str = "") -> PersonalDataTable:
    """Every stored field of ``objects`` under its Vietnamese label, choices shown by their label."""
    skipped = set(exclude)
    fields = [field for field in model._meta.concrete_fields if field.name not in skipped]
    rows = []
    for obj in objects:
        row = []
        for field in fields:
            if field.choices:
                row.append(plain(getattr(obj, f"get_{field.name}_display")()))
            elif field.is_relation:
                row.append(plain(getattr(obj, field.name)))
            else:
                row.append(plain(getattr(obj, field.attname)))
        rows.append(row)
    return PersonalDataTable(title=title, headers=[str(field.verbose_name) for field in fields], rows=rows,
                             note=note)
