"""Excel exports of the tables a page shows: one sheet per table, written by core's office writer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.http import HttpResponse

from treem.core.office import TableSpec, add_table_sheet, new_workbook, workbook_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    """One table: ``rows`` hold plain values (Fraction and Decimal become numbers, dates dates, None blank)."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    caption: str = ""
    decimals: dict[int, int] = field(default_factory=dict)  # column index → decimals shown


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal | Fraction) and not isinstance(value, bool)


def workbook(sheets: Sequence[Sheet]) -> bytes:
    book = new_workbook()
    for sheet in sheets:
        numeric = frozenset(index for row in sheet.rows for index, value in enumerate(row) if _is_number(value))
        add_table_sheet(book, sheet_title=sheet.title, title=sheet.caption or sheet.title, subtitle=sheet.title,
                        table=TableSpec(headers=sheet.headers, rows=sheet.rows, number_columns=numeric,
                                        column_decimals=sheet.decimals))
    return workbook_bytes(book)


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    response = HttpResponse(workbook(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
