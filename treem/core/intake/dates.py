"""Dates as officers type them: Excel serials, dd/mm/yyyy and its variants, month or year only, worded dates."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Final

from treem.core.intake.results import DatePrecision, ParsedDate
from treem.core.intake.text import cell_text, normalise_text
from treem.core.text import fold_text

_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
_EXCEL_FIRST_PLAUSIBLE_SERIAL: Final = (dt.date(1950, 1, 1) - _EXCEL_EPOCH).days
_EXCEL_LAST_PLAUSIBLE_SERIAL: Final = (dt.date(2100, 12, 31) - _EXCEL_EPOCH).days
_FIRST_PLAUSIBLE_YEAR: Final = 1900
_LAST_PLAUSIBLE_YEAR: Final = 2100

_TIME_SUFFIX = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?"
_ISO_DATE = re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})" + _TIME_SUFFIX)
_DMY_DATE = re.compile(r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})" + _TIME_SUFFIX)
_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{4})")
_YEAR_ONLY = re.compile(r"\d{4}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORDED_DATE = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_WORDED_MONTH = re.compile(r"thang (\d{1,2}) (?:nam )?(\d{4})")
_WORDED_YEAR = re.compile(r"nam (\d{4})")
_SHORT_MONTH = re.compile(r"(?:t|th|thg) ?(\d{1,2}) (?:nam )?(\d{4})")


def excel_serial_to_date(serial: float) -> dt.date:
    """The date of an Excel serial number in the 1900 date system.

    Excel counts 1900-01-01 as day 1 and wrongly treats 1900 as a leap year (day 60 is "1900-02-29"), so
    from day 61 on the serial is the number of days since 1899-12-30. A time of day (the fraction) is dropped.
    Raises ``ValueError`` for day 60 and for serials below 1.
    """
    day = math.floor(serial)
    if day < 1 or day == 60:
        raise ValueError(f"Excel serial {serial} is not a real date")
    if day < 60:
        return dt.date(1899, 12, 31) + dt.timedelta(days=day)
    return _EXCEL_EPOCH + dt.timedelta(days=day)


def _format_date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def parse_date(value: object, *, as_of: dt.date | None = None, label: str = "Ngày sinh") -> ParsedDate:
    """Read a date from a cell and say how precise it is.

    Accepted: ``date``/``datetime`` cells; Excel serial numbers between 1950 and 2100 (numbers or numeric
    text, see :func:`excel_serial_to_date`); "dd/mm/yyyy", "d/m/yyyy", "dd-mm-yyyy", "dd.mm.yyyy" (optionally
    followed by a time); "d/m/yy", where the year is 20yy unless that date is after ``as_of``, then 19yy;
    "yyyy-mm-dd"; "mm/yyyy" (month precision, day 1); "yyyy" (year precision, 1 July); and the worded forms
    "ngày 5 tháng 3 năm 2020", "tháng 3/2020", "T3/2020", "năm 2020". Dates after ``as_of`` (default: today) are
    rejected. ``label`` names the field in messages.
    """
    today = as_of or dt.date.today()
    if value is None or (isinstance(value, str) and not normalise_text(value)):
        return ParsedDate(None, error=f"{label} để trống")
    if isinstance(value, bool):
        return ParsedDate(None, error=f"{label} không đọc được: '{value}'")
    if isinstance(value, dt.datetime):
        return _checked_date(value.date(), "day", today=today, label=label)
    if isinstance(value, dt.date):
        return _checked_date(value, "day", today=today, label=label)
    if isinstance(value, (int, float)):
        return _parse_number_as_date(value, raw=cell_text(value), today=today, label=label)
    raw = normalise_text(str(value))
    unreadable = ParsedDate(None, error=f"{label} không đọc được: '{raw}'")

    if match := _ISO_DATE.fullmatch(raw):
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        return _day_precision(year, month, day, today=today, label=label)
    if match := _DMY_DATE.fullmatch(raw):
        day, month, year_text = int(match.group(1)), int(match.group(3)), match.group(4)
        if len(year_text) == 4:
            return _day_precision(int(year_text), month, day, today=today, label=label)
        return _two_digit_year_date(day, month, int(year_text), raw=raw, today=today, label=label)
    if match := _MONTH_YEAR.fullmatch(raw):
        return _month_precision(int(match.group(2)), int(match.group(1)), today=today, label=label, raw=raw)
    if _YEAR_ONLY.fullmatch(raw):
        return _year_precision(int(raw), today=today, label=label, raw=raw)
    if _NUMBER.fullmatch(raw):
        return _parse_number_as_date(float(raw.replace(",", ".")), raw=raw, today=today, label=label)

    folded = fold_text(raw)
    if match := _WORDED_DATE.fullmatch(folded):
        return _day_precision(
            int(match.group(3)), int(match.group(2)), int(match.group(1)), today=today, label=label
        )
    if match := _WORDED_MONTH.fullmatch(folded):
        return _month_precision(int(match.group(2)), int(match.group(1)), today=today, label=label, raw=raw)
    if match := _WORDED_YEAR.fullmatch(folded):
        return _year_precision(int(match.group(1)), today=today, label=label, raw=raw)
    if match := _SHORT_MONTH.fullmatch(folded):
        return _month_precision(int(match.group(2)), int(match.group(1)), today=today, label=label, raw=raw)
    return unreadable


def _parse_number_as_date(number: float, *, raw: str, today: dt.date, label: str) -> ParsedDate:
    if not math.isfinite(number):
        return ParsedDate(None, error=f"{label} không đọc được: '{raw}'")
    if number == int(number) and _FIRST_PLAUSIBLE_YEAR <= number <= _LAST_PLAUSIBLE_YEAR:
        return _year_precision(int(number), today=today, label=label, raw=raw)
    if _EXCEL_FIRST_PLAUSIBLE_SERIAL <= number <= _EXCEL_LAST_PLAUSIBLE_SERIAL:
        parsed = excel_serial_to_date(number)
        result = _checked_date(parsed, "day", today=today, label=label)
        if result.error is None:
            note = f"Số '{raw}' được hiểu là ngày {_format_date(parsed)} (số ngày kiểu Excel)"
            return ParsedDate(result.value, result.precision, notes=(note,))
        return result
    return ParsedDate(None, error=f"{label} không đọc được: '{raw}'")


def _day_precision(year: int, month: int, day: int, *, today: dt.date, label: str) -> ParsedDate:
    shown = f"{day:02d}/{month:02d}/{year:04d}"
    if not _FIRST_PLAUSIBLE_YEAR <= year <= _LAST_PLAUSIBLE_YEAR:
        return ParsedDate(None, error=f"{label} không đọc được: năm {year} không hợp lý ('{shown}')")
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        message = f"Ngày {shown} không tồn tại"
        if month > 12 and 1 <= day <= 12:
            message += " (có thể đã nhập tháng trước ngày?)"
        return ParsedDate(None, error=message)
    return _checked_date(parsed, "day", today=today, label=label)


def _two_digit_year_date(
    day: int, month: int, two_digit_year: int, *, raw: str, today: dt.date, label: str
) -> ParsedDate:
    year = 2000 + two_digit_year
    try:
        if dt.date(year, month, day) > today:
            year = 1900 + two_digit_year
    except ValueError:
        pass  # the impossible date is reported below with its full year
    result = _day_precision(year, month, day, today=today, label=label)
    if result.error is not None:
        return result
    note = f"Năm '{two_digit_year:02d}' trong '{raw}' được hiểu là {year}"
    return ParsedDate(result.value, result.precision, warnings=result.warnings, notes=(note,))


def _month_precision(year: int, month: int, *, today: dt.date, label: str, raw: str) -> ParsedDate:
    if not 1 <= month <= 12 or not _FIRST_PLAUSIBLE_YEAR <= year <= _LAST_PLAUSIBLE_YEAR:
        return ParsedDate(None, error=f"{label} không đọc được: '{raw}'")
    return _checked_date(dt.date(year, month, 1), "month", today=today, label=label)


def _year_precision(year: int, *, today: dt.date, label: str, raw: str) -> ParsedDate:
    if not _FIRST_PLAUSIBLE_YEAR <= year <= _LAST_PLAUSIBLE_YEAR:
        return ParsedDate(None, error=f"{label} không đọc được: '{raw}'")
    middle = dt.date(year, 7, 1)
    if year == today.year and today < middle:
        middle = today
    return _checked_date(middle, "year", today=today, label=label)


def _checked_date(value: dt.date, precision: DatePrecision, *, today: dt.date, label: str) -> ParsedDate:
    if value > today:
        shown = {"day": _format_date(value), "month": value.strftime("%m/%Y"), "year": str(value.year)}[
            precision
        ]
        return ParsedDate(None, error=f"{label} {shown} ở tương lai (sau ngày {_format_date(today)})")
    if value.year < _FIRST_PLAUSIBLE_YEAR:
        return ParsedDate(None, error=f"{label} không đọc được: năm {value.year} không hợp lý")
    return ParsedDate(value, precision)


