"""What reading one cell gives: the standardised value, or the reason it cannot be read, with notes and
warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

LegacyEncoding = Literal["tcvn3", "vni"]
DatePrecision = Literal["day", "month", "year"]
Sex = Literal["M", "F"]


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T]):
    """The outcome of reading one cell.

    ``value`` is the standardised value, or ``None`` when the cell is empty or cannot be read. ``error`` says
    in Vietnamese why the value was rejected; ``warnings`` point at a value that was accepted but looks
    doubtful; ``notes`` describe automatic corrections (for example a restored leading zero).
    """

    value: T | None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the value was accepted (possibly empty)."""
        return self.error is None





@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date read from a cell, with how much of it was known.

    ``precision`` is ``"day"`` for a full date, ``"month"`` when only month and year were given (the value is
    the 1st of that month) and ``"year"`` when only the year was given (the value is 1 July of that year, the
    middle of the year, or ``as_of`` when that is earlier, so that a child born "this year" is never dated in
    the future). The registry stores the precision beside the date.
    """

    value: dt.date | None
    precision: DatePrecision | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the value was accepted (possibly empty)."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class ParsedPersonalId:
    """A 12-digit personal identification number and what its digits say about the person.

    ``province_code`` is the code of the province where the birth was registered (digits 1–3),
    ``sex`` and ``birth_year`` are decoded from digits 4–6.
    """

    value: str | None
    province_code: str | None = None
    sex: Sex | None = None
    birth_year: int | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the value was accepted (possibly empty)."""
        return self.error is None

