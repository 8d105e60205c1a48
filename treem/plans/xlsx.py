"""Excel exports of the tables a page shows: one sheet per table, a title, a bold frozen header, number formats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
MAX_SHEET_TITLE = 31


@dataclass
class Sheet:
    """One table: ``rows`` hold plain values (Fraction and Decimal become numbers, dates dates, None blank)."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    caption: str = ""
    decimals: dict[int, int] = field(default_factory=dict)  # column index → decimals shown


def _cell_value(value: Any) -> Any:
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def workbook(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets:
        title = sheet.title[:MAX_SHEET_TITLE]
        for char in "[]:*?/\\":
            title = title.replace(char, "-")
        suffix = 2
        while title in used:
            title = f"{sheet.title[:MAX_SHEET_TITLE - 3]}-{suffix}"
            suffix += 1
        used.add(title)
        ws = book.create_sheet(title)
        first = 1
        if sheet.caption:
            ws.cell(row=1, column=1, value=sheet.caption).font = Font(bold=True, size=12)
            first = 3
        for column, header in enumerate(sheet.headers, start=1):
            cell = ws.cell(row=first, column=column, value=header)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths = [max(10, min(60, len(str(header)) + 2)) for header in sheet.headers]
        for offset, row in enumerate(sheet.rows, start=1):
            for column, raw in enumerate(row, start=1):
                value = _cell_value(raw)
                cell = ws.cell(row=first + offset, column=column, value=value)
                if isinstance(value, float):
                    places = sheet.decimals.get(column - 1, 1)
                    cell.number_format = "#,##0" if places == 0 else "#,##0." + "0" * places
                elif isinstance(value, int) and not isinstance(value, bool):
                    cell.number_format = "#,##0"
                elif isinstance(value, date):
                    cell.number_format = "DD/MM/YYYY"
                if column <= len(widths):
                    widths[column - 1] = max(widths[column - 1], min(60, len(str(value or "")) + 2))
        for column, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        ws.freeze_panes = ws.cell(row=first + 1, column=1)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    response = HttpResponse(workbook(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
