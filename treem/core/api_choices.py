"""Choice fields of the API: an enum in the OpenAPI document, with each value's Vietnamese label in its description.

A schema field whose values come from a Django ``TextChoices`` is annotated with that class (django-ninja turns it
into an ``enum``) and described with ``choices_text``, so a client reads both the values and what the pages call
them. ``choice_field`` does both at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import TextChoices
from ninja import Field

ChoiceList = type[TextChoices] | Iterable[tuple[Any, Any]]


def _pairs(choices: ChoiceList) -> list[tuple[str, str]]:
    rows = choices.choices if isinstance(choices, type) and issubclass(choices, TextChoices) else choices
    return [(str(value), str(label)) for value, label in rows]


def choices_text(choices: ChoiceList, *, blank: str = "") -> str:
    """``"`M`: Nam; `F`: Nữ"`` — the values of a choice field with their Vietnamese labels; ``blank`` explains an
    empty value where one is allowed."""
    text = "; ".join(f"`{value}`: {label}" for value, label in _pairs(choices) if value)
    return f"{text}; rỗng: {blank}" if blank else text


def choice_field(choices: ChoiceList, default: Any = ..., *, note: str = "", blank: str = "") -> Any:
    """A schema field documenting its values and labels (``note`` comes first, e.g. the rule that requires it)."""
    text = choices_text(choices, blank=blank)
    return Field(default, description=f"{note}: {text}" if note else text)
