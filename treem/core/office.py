"""Office writers: Vietnamese administrative documents in Word, data tables in Excel, and PDF through LibreOffice.

``AdministrativeDocument`` lays a document out as Decree 30/2020/NĐ-CP (Appendix I) asks: A4 paper, margins of
20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman; a two-column heading with the issuing body (its
superior above it, its own name in bold, a short rule under it) and the number and symbol ("Số: …/BC-SYT") on the
left, the national motto block ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" / "Độc lập - Tự do - Hạnh phúc", a rule under
it) and the place and date in italics on the right; the kind of document and its title centred in bold; the body
in 14 pt, justified with a first-line indent; at the end the recipients ("Nơi nhận:") on the left and the signature
block (``TM.``/``KT.``, the title, the signer's name) on the right.

The xlsx helpers write one sheet per table with a title row, a styled and frozen header, number formats
(``#,##0.0``) and column widths, so an annex opens ready to print.

No exported cell is ever a formula: text that a spreadsheet would read as one (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return, and not a plain number) is written as text (``excel_text``, ``csv_text``), so
a name or a note typed as ``=HYPERLINK(…)`` or ``@SUM(…)`` cannot run when an officer opens the file.

``convert_to_pdf`` runs ``libreoffice --headless --convert-to pdf``; it raises ``OfficeConverterMissing`` with a
plain message where LibreOffice is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from fractions import Fraction
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "Times New Roman"
BODY_SIZE = Pt(14)
HEADING_SIZE = Pt(13)
SMALL_SIZE = Pt(12)
RECIPIENT_SIZE = Pt(11)
TABLE_SIZE = Pt(12)

MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
ELLIPSIS = "…"

NUMBER_FORMAT_DECIMAL = "#,##0.0"
NUMBER_FORMAT_INTEGER = "#,##0"


def format_number(value: Decimal | float | int | None, *, decimals: int = 1) -> str:
    """A number the Vietnamese way: "1.234,5" (dot for thousands, comma for decimals); "" for None."""
    if value is None:
        return ""
    text = f"{Decimal(value):,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def format_date_words(day: date | None, *, place: str) -> str:
    """"Lai Châu, ngày 05 tháng 12 năm 2026" (days and months 1–2 are written with a leading zero, as the decree
    asks); without a day, the blanks a signer fills in by hand."""
    if day is None:
        return f"{place}, ngày {ELLIPSIS} tháng {ELLIPSIS} năm {ELLIPSIS}"
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day_text} tháng {month_text} năm {day.year}"


@dataclass(frozen=True)
class DocumentHeading:
    """The heading of a document: who issues it, its number and symbol, where and when."""

    issuing_body: str
    symbol: str
    parent_body: str = ""
    number: str = ""
    place: str = ""
    issued_on: date | None = None

    @property
    def number_line(self) -> str:
        return f"Số: {self.number or ELLIPSIS}/{self.symbol}"


@dataclass(frozen=True)
class Signature:
    """The signature block: ``TM. ỦY BAN NHÂN DÂN`` / ``KT. GIÁM ĐỐC`` over the signer's title and name."""

    title: str
    name: str = ""
    on_behalf_of: str = ""


@dataclass
class TableSpec:
    """A table for a document or a sheet: headers, rows, and which columns hold numbers."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    number_columns: frozenset[int] = field(default_factory=frozenset)
    widths_cm: Sequence[float] = ()
    decimals: int = 1
    column_decimals: Mapping[int, int] = field(default_factory=dict)  # column index → decimals, overriding ``decimals``


def _set_run_font(run: Any, *, size: Pt | None = None, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT_NAME
    run.font.size = size or BODY_SIZE
    run.font.bold = bold
    run.font.italic = italic
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT_NAME)


def _rule_under(paragraph: Paragraph) -> None:
    """A horizontal rule drawn as the bottom border of a paragraph (its indents set the rule's length)."""
    properties = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    border.append(bottom)
    properties.append(border)


def _cell_paragraph(cell: _Cell, text: str, *, size: Pt, bold: bool = False, italic: bool = False,
                    align: int = WD_ALIGN_PARAGRAPH.CENTER, first: bool = False) -> Paragraph:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    _set_run_font(paragraph.add_run(text), size=size, bold=bold, italic=italic)
    return paragraph


def _set_column_widths(table: Table, widths_cm: Sequence[float]) -> None:
    """Fix the columns' widths (Word and LibreOffice otherwise size columns by their own rules)."""
    table.autofit = False
    for index, width in enumerate(widths_cm):
        table.columns[index].width = Cm(width)
        for cell in table.columns[index].cells:
            cell.width = Cm(width)


def _no_borders(table: Table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _short_rule(cell: _Cell, *, cell_width_cm: float, width_cm: float) -> None:
    """A centred rule of ``width_cm`` under the line above it (a third to a half of it, as the decree draws it)."""
    paragraph = cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    indent = max(cell_width_cm - width_cm, 0) / 2
    paragraph.paragraph_format.left_indent = Cm(indent)
    paragraph.paragraph_format.right_indent = Cm(indent)
    _set_run_font(paragraph.add_run(""), size=Pt(2))
    _rule_under(paragraph)


class AdministrativeDocument:
    """A Word document laid out as a Vietnamese administrative document (Decree 30/2020/NĐ-CP)."""

    def __init__(self, *, heading: DocumentHeading, kind: str, title: str) -> None:
        self.heading = heading
        self.document = Document()
        self._set_up_page()
        self._write_heading()
        self._write_title(kind, title)

    def _set_up_page(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = Mm(210)
        section.page_height = Mm(297)
        section.top_margin = Mm(20)
        section.bottom_margin = Mm(20)
        section.left_margin = Mm(30)
        section.right_margin = Mm(15)
        normal = self.document.styles["Normal"]
        normal.font.name = FONT_NAME
        normal.font.size = BODY_SIZE
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT_NAME)
        normal.paragraph_format.space_after = Pt(6)

    @property
    def text_width_cm(self) -> float:
        return 21.0 - 3.0 - 1.5

    def _write_heading(self) -> None:
        heading = self.heading
        table = self.document.add_table(rows=1, cols=2)
        _no_borders(table)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _set_column_widths(table, [6.0, 10.5])
        left, right = table.rows[0].cells
        if heading.parent_body:
            _cell_paragraph(left, heading.parent_body.upper(), size=HEADING_SIZE, first=True)
            _cell_paragraph(left, heading.issuing_body.upper(), size=HEADING_SIZE, bold=True)
        else:
            _cell_paragraph(left, heading.issuing_body.upper(), size=HEADING_SIZE, bold=True, first=True)
        _short_rule(left, cell_width_cm=6.0, width_cm=2.2)
        _cell_paragraph(left, heading.number_line, size=HEADING_SIZE).paragraph_format.space_before = Pt(6)

        _cell_paragraph(right, MOTTO_NATION, size=HEADING_SIZE, bold=True, first=True)
        _cell_paragraph(right, MOTTO, size=BODY_SIZE, bold=True)
        _short_rule(right, cell_width_cm=10.5, width_cm=5.6)
        place_line = _cell_paragraph(right, format_date_words(heading.issued_on, place=heading.place or ELLIPSIS),
                                     size=BODY_SIZE, italic=True)
        place_line.paragraph_format.space_before = Pt(6)

    def _write_title(self, kind: str, title: str) -> None:
        spacer = self.document.add_paragraph()
        spacer.paragraph_format.space_after = Pt(0)
        kind_line = self.document.add_paragraph()
        kind_line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        kind_line.paragraph_format.space_after = Pt(0)
        _set_run_font(kind_line.add_run(kind.upper()), size=BODY_SIZE, bold=True)
        title_line = self.document.add_paragraph()
        title_line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title_line.paragraph_format.space_after = Pt(0)
        _set_run_font(title_line.add_run(title), size=BODY_SIZE, bold=True)
        rule = self.document.add_paragraph()
        rule.paragraph_format.left_indent = Cm(self.text_width_cm / 2 - 1.5)
        rule.paragraph_format.right_indent = Cm(self.text_width_cm / 2 - 1.5)
        rule.paragraph_format.space_after = Pt(12)
        _set_run_font(rule.add_run(""), size=Pt(2))
        _rule_under(rule)

    def section(self, text: str) -> Paragraph:
        """A section heading ("I. KẾT QUẢ THỰC HIỆN"): bold, justified, indented like the body."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.keep_with_next = True
        _set_run_font(paragraph.add_run(text), bold=True)
        return paragraph

    def subsection(self, text: str) -> Paragraph:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.paragraph_format.keep_with_next = True
        _set_run_font(paragraph.add_run(text), bold=True, italic=True)
        return paragraph

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False) -> Paragraph:
        """A body paragraph: 14 pt, justified, first line indented 1 cm, 6 pt after."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.paragraph_format.line_spacing = 1.15
        _set_run_font(paragraph.add_run(text), bold=bold, italic=italic)
        return paragraph

    def bullets(self, items: Iterable[str]) -> None:
        for item in items:
            self.paragraph(f"- {item}")

    def table(self, spec: TableSpec, *, caption: str = "") -> Table:
        """A bordered table: bold centred headers, numbers right-aligned in the Vietnamese format."""
        if caption:
            caption_line = self.document.add_paragraph()
            caption_line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption_line.paragraph_format.keep_with_next = True
            _set_run_font(caption_line.add_run(caption), size=TABLE_SIZE, bold=True, italic=True)
        table = self.document.add_table(rows=1, cols=len(spec.headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for index, header in enumerate(spec.headers):
            cell = table.rows[0].cells[index]
            _cell_paragraph(cell, str(header), size=TABLE_SIZE, bold=True, first=True)
        _repeat_as_header(table.rows[0])
        for row in spec.rows:
            cells = table.add_row().cells
            for index, value in enumerate(row):
                is_number = index in spec.number_columns
                text = (format_number(value, decimals=spec.decimals)
                        if is_number and isinstance(value, int | float | Decimal) else _text(value))
                _cell_paragraph(cells[index], text, size=TABLE_SIZE, first=True,
                                align=WD_ALIGN_PARAGRAPH.RIGHT if is_number else WD_ALIGN_PARAGRAPH.LEFT)
        widths = list(spec.widths_cm) or [self.text_width_cm / len(spec.headers)] * len(spec.headers)
        _set_column_widths(table, widths)
        self.document.add_paragraph().paragraph_format.space_after = Pt(0)
        return table

    def closing(self, *, recipients: Sequence[str], signature: Signature) -> None:
        """The recipients ("Nơi nhận:") on the left and the signature block on the right."""
        table = self.document.add_table(rows=1, cols=2)
        _no_borders(table)
        _set_column_widths(table, [7.5, 9.0])
        left, right = table.rows[0].cells
        _cell_paragraph(left, "Nơi nhận:", size=SMALL_SIZE, bold=True, italic=True,
                        align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
        for recipient in recipients:
            _cell_paragraph(left, f"- {recipient};", size=RECIPIENT_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT)
        if signature.on_behalf_of:
            _cell_paragraph(right, signature.on_behalf_of.upper(), size=BODY_SIZE, bold=True, first=True)
            _cell_paragraph(right, signature.title.upper(), size=BODY_SIZE, bold=True)
        else:
            _cell_paragraph(right, signature.title.upper(), size=BODY_SIZE, bold=True, first=True)
        for _ in range(4):
            _cell_paragraph(right, "", size=BODY_SIZE)
        if signature.name:
            _cell_paragraph(right, signature.name, size=BODY_SIZE, bold=True)

    def save(self, path: Path | str) -> Path:
        target = Path(path)
        self.document.save(str(target))
        return target

    def to_bytes(self) -> bytes:
        buffer = BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _repeat_as_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# ---- Formula injection ------------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d.,]*|[.,]\d+)([eE][+-]?\d+)?")


def is_formula_like(value: object) -> bool:
    """Text a spreadsheet would take for a formula: it starts with a formula character and is not a number."""
    return (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and _PLAIN_NUMBER.fullmatch(value) is None)


def csv_text(value: object) -> object:
    """A CSV cell that no spreadsheet evaluates: formula-like text gets a leading apostrophe; numbers (also written
    as text, such as ``-1.25``) and everything else are unchanged."""
    return f"'{value}" if is_formula_like(value) else value


def excel_text(cell: Any) -> Any:
    """Make a cell holding formula-like text a text cell (shown as typed, with Excel's quote prefix so that editing
    it does not turn it into a formula either). openpyxl would otherwise store ``=…`` as a formula."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def excel_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet's ``append`` with formula-like text as text cells, other values unchanged."""
    from openpyxl.cell import WriteOnlyCell

    return [excel_text(WriteOnlyCell(sheet, value=value)) if is_formula_like(value) else value for value in values]


# ---- Excel ------------------------------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
THIN = Side(style="thin", color="9AA6B2")
CELL_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed) to which ``add_table_sheet`` adds sheets."""
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    return workbook


def add_table_sheet(workbook: Workbook, *, sheet_title: str, title: str, table: TableSpec,
                    subtitle: str = "") -> Worksheet:
    """One sheet: a title row (and an optional subtitle), a bold filled header frozen in place, bordered cells,
    numbers formatted ``#,##0.0`` (``#,##0`` when ``table.decimals`` is 0) and column widths fitted to content."""
    sheet = workbook.create_sheet(title=_sheet_name(sheet_title))
    width = max(len(table.headers), 1)
    excel_text(sheet.cell(row=1, column=1, value=title)).font = Font(name=FONT_NAME, bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_row = 2
    if subtitle:
        excel_text(sheet.cell(row=2, column=1, value=subtitle)).font = Font(name=FONT_NAME, italic=True, size=11)
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        sheet.cell(row=2, column=1).alignment = Alignment(horizontal="center")
        header_row = 3
    for index, header in enumerate(table.headers, start=1):
        cell = excel_text(sheet.cell(row=header_row, column=index, value=str(header)))
        cell.font = Font(name=FONT_NAME, bold=True, size=11)
        cell.fill = HEADER_FILL
        cell.border = CELL_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    lengths = [len(str(header)) for header in table.headers]
    styles = _CellStyles()
    for row_index, row in enumerate(table.rows, start=header_row + 1):
        for column_index, value in enumerate(row, start=1):
            stored = _cell_number(value)
            if isinstance(stored, date):
                cell = sheet.cell(row=row_index, column=column_index, value=stored)
                styles.apply(cell, "DD/MM/YYYY", wrap=True)
            else:
                cell = excel_text(sheet.cell(row=row_index, column=column_index, value=stored))
                if (column_index - 1) in table.number_columns and isinstance(stored, int | float):
                    styles.apply(cell, _number_format(stored, table.column_decimals.get(column_index - 1,
                                                                                       table.decimals)), wrap=False)
                else:
                    styles.apply(cell, "General", wrap=True)
            if column_index - 1 < len(lengths):
                lengths[column_index - 1] = max(lengths[column_index - 1], len(_text(value)))
    for index, length in enumerate(lengths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(length + 2, 8), 60)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    return sheet


class _CellStyles:
    """The body cells' few styles (font, border, alignment, number format), each built once per sheet and copied
    onto every cell of its kind. Setting ``font``/``border``/``alignment`` cell by cell makes openpyxl hash each
    new style object against the workbook's lists: most of the time of a sheet of 50,000 cells."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, bool], Any] = {}

    def apply(self, cell: Any, number_format: str, *, wrap: bool) -> None:
        key = (number_format, wrap)
        kept = self.kept.get(key)
        if kept is not None and not cell.quotePrefix:
            cell._style = copy(kept)
            return
        cell.font = Font(name=FONT_NAME, size=11)
        cell.border = CELL_BORDER
        cell.number_format = number_format
        cell.alignment = (Alignment(wrap_text=True, vertical="top") if wrap else Alignment(horizontal="right"))
        if not cell.quotePrefix:
            self.kept[key] = copy(cell._style)


def _cell_number(value: Any) -> Any:
    """Decimals and fractions as Excel numbers (whole values as integers), translatable labels as their text;
    everything else unchanged."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _number_format(value: int | float, decimals: int) -> str:
    if isinstance(value, int) or decimals == 0:
        return NUMBER_FORMAT_INTEGER
    return NUMBER_FORMAT_INTEGER + "." + "0" * decimals


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if character in "[]:*?/\\" else character for character in title).strip()
    return cleaned[:31] or "Sheet"


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TableStream:
    """A sheet written row by row as rows come (openpyxl's write-only mode), for tables too long to hold as
    formatted cells: a bold, filled header row frozen in place, then the rows, their values stored as
    ``add_table_sheet`` stores them (decimals as numbers, dates as dates) and text stripped of the characters
    Excel cannot hold. Used for the rejected rows of an import (``treem.core.intake.rejected``)."""

    def __init__(self, *, sheet_title: str, headers: Sequence[object]) -> None:
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=_sheet_name(sheet_title))
        self.sheet.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = excel_text(WriteOnlyCell(self.sheet, value=_stream_value(header)))
            cell.font = Font(name=FONT_NAME, bold=True, size=11)
            cell.fill = HEADER_FILL
            header_cells.append(cell)
        self.sheet.append(header_cells)

    def append(self, row: Sequence[object]) -> None:
        self.sheet.append(excel_row(self.sheet, [_stream_value(value) for value in row]))

    def save(self, path: Path | str) -> None:
        self.workbook.save(path)

    def to_bytes(self) -> bytes:
        return workbook_bytes(self.workbook)


def _stream_value(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, time | timedelta):
        return str(value)
    return _cell_number(value)


# ---- PDF through LibreOffice ------------------------------------------------------------------------------------


class OfficeConverterMissing(RuntimeError):
    """LibreOffice (``libreoffice`` or ``soffice``) is not installed on this machine."""


class OfficeConversionFailed(RuntimeError):
    """LibreOffice ran but produced no PDF."""


def office_binary() -> str | None:
    """The path of LibreOffice's command-line program, or None where it is not installed."""
    for name in ("libreoffice", "soffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def convert_to_pdf(source: Path | str, *, output_dir: Path | str | None = None, timeout: int = 180) -> Path:
    """Convert an office document to PDF with ``libreoffice --headless --convert-to pdf``; returns the PDF's path.

    A private user profile is used for each run, so conversions never share (or lock) a profile.
    """
    binary = office_binary()
    if binary is None:
        raise OfficeConverterMissing(
            "Không tìm thấy LibreOffice (libreoffice/soffice). Cài gói 'libreoffice-writer-nogui' "
            "(và 'libreoffice-calc-nogui' cho tệp Excel) để chuyển sang PDF."
        )
    source_path = Path(source).resolve()
    target_dir = Path(output_dir).resolve() if output_dir else source_path.parent
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="treem-lo-") as profile:
        command = [
            binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(target_dir), str(source_path),
        ]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    target = target_dir / (source_path.stem + ".pdf")
    if completed.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        raise OfficeConversionFailed(
            f"LibreOffice không chuyển được {source_path.name} sang PDF (mã {completed.returncode}): "
            f"{(completed.stderr or completed.stdout).strip()[:500]}"
        )
    return target
