"""Reading the rows of a commune's child list: Excel (.xlsx, .xls, .ods) with python-calamine, or CSV.

Rows are yielded one at a time with their row number in the file, so that a large file is never held as Python
objects. CSV files are read in the encoding they were saved in (UTF-8 with or without BOM, UTF-16, or the Windows
Vietnamese code page 1258; files typed in the legacy TCVN3/VNI fonts are passed through as Latin-1 so that the
standardisation can convert them) and with the delimiter they use (comma, semicolon, tab or bar)."""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from treem.core.intake.encodings import detect_legacy_encoding
from treem.core.intake.errors import UnreadableFile
from treem.core.intake.text import VIETNAMESE_ACCENTED_LETTERS, normalise_text

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt")
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES + CSV_SUFFIXES
_SAMPLE_BYTES = 256 * 1024


@dataclass
class Table:
    """The rows of one sheet: ``rows`` yields (row number in the file, cells); ``total_rows`` if known."""

    rows: Iterator[tuple[int, list[object]]]
    total_rows: int | None
    sheet_name: str = ""
    encoding: str = ""


@contextmanager
def open_table(path: Path, *, sheet: int | None = None) -> Iterator[Table]:
    """Open ``path`` and give the rows of its first visible worksheet (or of sheet number ``sheet``)."""
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        with _open_spreadsheet(path, sheet=sheet) as table:
            yield table
    elif suffix in CSV_SUFFIXES:
        with _open_csv(path) as table:
            yield table
    else:
        raise UnreadableFile(
            f"Không đọc được tệp '{path.name}': chỉ nhận tệp Excel (.xlsx, .xls), LibreOffice (.ods) hoặc CSV."
        )


_FORMAT_NAMES = {".xlsx": "Excel", ".xlsm": "Excel", ".xlsb": "Excel", ".xls": "Excel", ".ods": "LibreOffice"}


def not_a_spreadsheet(path: Path) -> str:
    """What to tell the officer when a file named as a spreadsheet cannot be opened as one (a text or web page
    file renamed ".xlsx", a damaged download), instead of the reading library's own words."""
    suffix = path.suffix.lower()
    kind = _FORMAT_NAMES.get(suffix, "bảng tính")
    return (f"Tệp '{path.name}' không phải là tệp {kind} thật: có thể đó là tệp văn bản hoặc tệp khác được đổi đuôi "
            f"thành {suffix}, hoặc tệp đã bị hỏng khi tải về. Hãy mở tệp bằng Excel rồi chọn Lưu thành (Save As), "
            "kiểu “Excel Workbook (.xlsx)” hoặc “CSV UTF-8 (.csv)”, và tải tệp vừa lưu lên lại.")


def sheet_count(path: Path) -> int:
    """How many worksheets the file has (1 for CSV)."""
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return 1
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as error:
        raise UnreadableFile(not_a_spreadsheet(path)) from error
    try:
        return len(_visible_sheet_indexes(workbook))
    finally:
        workbook.close()


def _visible_sheet_indexes(workbook: CalamineWorkbook) -> list[int]:
    return [
        index
        for index, metadata in enumerate(workbook.sheets_metadata)
        if metadata.visible == SheetVisibleEnum.Visible and metadata.typ == SheetTypeEnum.WorkSheet
    ] or [0]


@contextmanager
def _open_spreadsheet(path: Path, *, sheet: int | None) -> Iterator[Table]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as error:
        raise UnreadableFile(not_a_spreadsheet(path)) from error
    try:
        indexes = _visible_sheet_indexes(workbook)
        index = indexes[sheet] if sheet is not None and sheet < len(indexes) else indexes[0]
        worksheet = workbook.get_sheet_by_index(index)
        end = worksheet.end
        total = end[0] + 1 if end is not None else 0

        def rows() -> Iterator[tuple[int, list[object]]]:
            for number, cells in enumerate(worksheet.iter_rows(), start=1):
                yield number, list(cells)

        yield Table(rows=rows(), total_rows=total, sheet_name=worksheet.name)
    except CalamineError as error:
        raise UnreadableFile(not_a_spreadsheet(path)) from error
    finally:
        workbook.close()


def detect_csv_encoding(sample: bytes) -> str:
    """The encoding a CSV file was saved in, judged from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # An 8-bit file: Vietnamese Windows (cp1258) when it reads as clean Vietnamese that way, otherwise text typed
    # in the legacy TCVN3/VNI fonts, whose bytes the standardisation expects as Latin-1 characters.
    if _reads_as_cp1258(sample):
        return "cp1258"
    latin = sample.decode("latin-1")
    cells = [cell for line in latin.splitlines()[:200] for cell in line.replace(";", ",").split(",") if cell.strip()]
    if detect_legacy_encoding(cells) is not None:
        return "latin-1"
    return "cp1258"


_CP1258_TONE_BYTES = frozenset(b"\xcc\xec\xd2\xde\xf2")
_VIETNAMESE_LETTERS = frozenset(VIETNAMESE_ACCENTED_LETTERS)


def _reads_as_cp1258(sample: bytes) -> bool:
    """Whether the bytes are Vietnamese in code page 1258: tone marks that all combine with a vowel into a
    Vietnamese letter, and no other letters beyond ASCII."""
    if not _CP1258_TONE_BYTES.intersection(sample):
        return False
    text = unicodedata.normalize("NFC", sample.decode("cp1258", errors="replace"))
    for char in text:
        if char.isascii() or not (char.isalpha() or unicodedata.combining(char)):
            continue
        if char not in _VIETNAMESE_LETTERS:
            return False
    return True


def detect_csv_delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {delimiter: text.count(delimiter) for delimiter in ",;\t|"}
        return max(counts, key=lambda delimiter: counts[delimiter]) if any(counts.values()) else ","


@contextmanager
def _open_csv(path: Path) -> Iterator[Table]:
    try:
        with path.open("rb") as raw:
            sample = raw.read(_SAMPLE_BYTES)
            newlines = sample.count(b"\n")
            while chunk := raw.read(1024 * 1024):
                newlines += chunk.count(b"\n")
    except OSError as error:
        raise UnreadableFile(f"Không mở được tệp '{path.name}': {error}") from error
    encoding = detect_csv_encoding(sample)
    text_sample = sample.decode(encoding, errors="ignore")
    delimiter = detect_csv_delimiter("\n".join(text_sample.splitlines()[:50]))
    handle = path.open("r", encoding=encoding, errors="replace", newline="")
    try:

        def rows() -> Iterator[tuple[int, list[object]]]:
            reader = csv.reader(handle, delimiter=delimiter)
            for number, cells in enumerate(reader, start=1):
                yield number, [normalise_text(cell) if cell else "" for cell in cells]

        yield Table(rows=rows(), total_rows=newlines + 1, encoding=encoding)
    finally:
        handle.close()
