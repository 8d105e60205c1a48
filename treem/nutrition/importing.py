"""Importing a commune's measurements from Excel (.xlsx, .xls, .ods) or CSV, with the registry's import rules.

Every non-empty row after the header ends in exactly one of **created**, **updated** or **rejected** (with a reason
in Vietnamese), so rows = created + updated + rejected. The header may follow title rows; column titles are matched
regardless of case, accents and spacing, with common synonyms. Values go through the registry's standardisation
(names, dates, ID numbers, yes/no). A row identifies the child by its personal identification number, else by
full name and date of birth, among the active children of the commune; it never creates a child. A row updates the
child's measurement of the same day if there is one (so importing a file twice creates nothing new), otherwise it
creates one. A row is rejected when the child cannot be identified, the measuring date is missing, unreadable,
after the as-of date or before the birth date, there is neither weight nor length, a value is not a number or out
of range, the position or oedema cannot be read, or the row repeats an earlier row of the file (same child, same
day). Accepted values that look implausible (flags, standing before 9 months, a change against the previous
measurement) are imported with a warning. An import is all-or-nothing; a dry run reports the same outcomes and
writes nothing. The rejected rows come back as a workbook: the original cells and the reason.

The file goes through the intake pipeline (``treem.core.intake``): it is read, its header matched to this module's
field map and its cells standardised there; ``MEASUREMENTS`` plugs the import in as a kind of the pipeline, so an
upload is previewed (a dry run of its first rows), then confirmed and run at once or, for a large file, as a
background job with its progress.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from treem.core.audit import record_event
from treem.core.intake.dates import parse_date
from treem.core.intake.errors import UnreadableFile
from treem.core.intake.headers import FieldMap, HeaderMatch, find_header_row
from treem.core.intake.identity import parse_personal_id
from treem.core.intake.models import ImportRecord
from treem.core.intake.names import fold_name, standardise_name
from treem.core.intake.reading import open_table
from treem.core.intake.rejected import REASON_TITLE, RejectedRowsWriter
from treem.core.intake.runner import IntakeKind, Progress, RunResult, register_kind, upload_import
from treem.core.intake.text import normalise_text
from treem.core.intake.values import parse_yes_no
from treem.core.models import AuditEvent
from treem.core.office import excel_text
from treem.hierarchy.models import OrgUnit
from treem.nutrition.checks import MeasurementValues, assess, parse_decimal, value_errors
from treem.nutrition.models import Place, Source, age_in_days
from treem.nutrition.permissions import RECORD_MEASUREMENTS
from treem.nutrition.selectors import MEASUREMENTS_KIND, previous_measurement
from treem.nutrition.services import Actor, record_measurement
from treem.registry.models import Child

PROGRESS_EVERY: Final = 200
HEADER_SCAN_ROWS: Final = 15

FIELD_LABELS: Final = {
    "personal_id": "Số định danh cá nhân",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "village": "Thôn/bản",
    "measured_on": "Ngày cân",
    "weight_kg": "Cân nặng (kg)",
    "length_cm": "Chiều dài/chiều cao (cm)",
    "position": "Cách đo (nằm/đứng)",
    "has_oedema": "Phù hai chân",
    "place": "Nơi cân",
    "measured_by": "Người cân",
    "note": "Ghi chú",
}
TEMPLATE_FIELDS: Final = tuple(FIELD_LABELS)

# fmt: off
_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "personal_id": ("Số định danh cá nhân", "Số định danh", "Mã định danh", "Mã định danh cá nhân", "CCCD",
                    "Số CCCD", "Định danh", "Số ĐDCN", "Mã số định danh"),
    "full_name": ("Họ và tên", "Họ tên", "Họ tên trẻ", "Họ và tên trẻ", "Tên trẻ", "Họ tên trẻ em", "Tên"),
    "birth_date": ("Ngày sinh", "Ngày tháng năm sinh", "NS", "Sinh ngày", "Năm sinh", "Ngày/tháng/năm sinh"),
    "village": ("Thôn/bản", "Thôn", "Bản", "Thôn, bản", "Tổ dân phố"),
    "measured_on": ("Ngày cân", "Ngày đo", "Ngày cân đo", "Ngày cân/đo", "Ngày cân, đo", "Ngày theo dõi",
                    "Ngày"),
    "weight_kg": ("Cân nặng", "Cân nặng (kg)", "CN", "CN (kg)", "Cân nặng kg", "Trọng lượng", "Kg"),
    "length_cm": ("Chiều dài/chiều cao", "Chiều dài/chiều cao (cm)", "Chiều cao", "Chiều dài", "Chiều cao (cm)",
                  "Chiều dài (cm)", "Chiều dài/cao", "Chiều cao/chiều dài", "CC", "CD", "Cm"),
    "position": ("Cách đo", "Cách đo (nằm/đứng)", "Tư thế đo", "Nằm/đứng", "Đo nằm/đứng", "Kiểu đo", "Tư thế"),
    "has_oedema": ("Phù", "Phù hai chân", "Phù 2 chân", "Phù dinh dưỡng", "Có phù"),
    "place": ("Nơi cân", "Nơi đo", "Nơi cân đo", "Địa điểm cân", "Địa điểm", "Điểm cân"),
    "measured_by": ("Người cân", "Người đo", "Người cân đo", "Cán bộ cân", "Người thực hiện"),
    "note": ("Ghi chú", "GC"),
}
# fmt: on


FIELD_MAP: Final = FieldMap(_SYNONYMS)

_POSITION_WORDS: Final = {
    "l": "L", "n": "L", "nam": "L", "do nam": "L", "chieu dai": "L", "length": "L", "recumbent": "L",
    "h": "H", "d": "H", "dung": "H", "do dung": "H", "chieu cao": "H", "height": "H", "standing": "H",
}
_PLACE_WORDS: Final = {
    "tram y te": Place.HEALTH_STATION, "tyt": Place.HEALTH_STATION, "tram": Place.HEALTH_STATION,
    "thon": Place.VILLAGE, "ban": Place.VILLAGE, "diem can": Place.VILLAGE, "nha van hoa": Place.VILLAGE,
    "truong": Place.SCHOOL, "mam non": Place.SCHOOL, "truong mam non": Place.SCHOOL,
    "nha": Place.HOME, "tai nha": Place.HOME, "ho gia dinh": Place.HOME,
}


def read_rows(path: Path) -> list[list[object]]:
    """Every row of the first sheet (or of the CSV file) as a list of cells, read by the intake pipeline (legacy
    Vietnamese encodings, delimiters); the list keeps the file's row numbers (row n is at index n − 1)."""
    rows: list[list[object]] = []
    with open_table(path, sheet=0) as table:
        for number, cells in table.rows:
            rows.extend([] for _ in range(number - 1 - len(rows)))
            rows.append(cells)
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return normalise_text(str(value))


def match_header(cells: Sequence[object]) -> dict[str, int]:
    """Columns (field → index) of a header row; the first column wins when two mean the same field."""
    return dict((name, index) for index, name in FIELD_MAP.match(cells).columns)


def _is_usable_header(match: HeaderMatch) -> bool:
    columns = match.fields
    identifies = "personal_id" in columns or {"full_name", "birth_date"} <= columns
    measures = "weight_kg" in columns or "length_cm" in columns
    return identifies and measures and "measured_on" in columns


def find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]]:
    """The header row (index and columns) among the first rows: the usable row matching the most columns."""
    found = find_header_row(rows, match=FIELD_MAP.match, max_scan=HEADER_SCAN_ROWS, two_rows=False,
                            is_usable=_is_usable_header, not_found=(
                                f"Không tìm thấy dòng tiêu đề trong {HEADER_SCAN_ROWS} dòng đầu: cần cột 'Ngày cân', "
                                "cột 'Cân nặng' hoặc 'Chiều dài/chiều cao', và cột 'Số định danh cá nhân' hoặc hai "
                                "cột 'Họ và tên', 'Ngày sinh'."))
    if found.index is None or found.match is None:
        raise UnreadableFile(found.error or "Không tìm thấy dòng tiêu đề")
    return found.index, {name: index for index, name in found.match.columns}


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    REJECTED = "rejected"


@dataclass
class RowOutcome:
    row: int
    outcome: str
    reason: str = ""
    child_id: int | None = None
    child_name: str = ""
    measured_on: str = ""
    warnings: list[str] = field(default_factory=list)
    unchanged: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "outcome": self.outcome, "reason": self.reason, "child_id": self.child_id,
                "child_name": self.child_name, "measured_on": self.measured_on, "warnings": self.warnings,
                "unchanged": self.unchanged}


@dataclass
class ImportResult:
    header: list[str]
    outcomes: list[RowOutcome]
    rejected_cells: list[tuple[list[object], str]]
    dry_run: bool
    truncated_at: int | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.outcomes if item.outcome == outcome)

    @property
    def summary(self) -> dict[str, Any]:
        return {
            "rows": len(self.outcomes),
            "created": self.count(Outcome.CREATED),
            "updated": self.count(Outcome.UPDATED),
            "rejected": self.count(Outcome.REJECTED),
            "unchanged": sum(1 for item in self.outcomes if item.unchanged),
            "with_warnings": sum(1 for item in self.outcomes if item.warnings and item.outcome != Outcome.REJECTED),
            "dry_run": self.dry_run,
            "truncated_at": self.truncated_at,
        }


class _ChildIndex:
    """The active children of the commune, looked up by ID number and by (name, birth date)."""

    def __init__(self, commune: OrgUnit) -> None:
        children = list(Child.objects.active().filter(commune=commune).select_related("commune"))
        self.by_id: dict[str, Child] = {child.personal_id: child for child in children if child.personal_id}
        self.by_identity: dict[tuple[str, dt.date], list[Child]] = {}
        for child in children:
            self.by_identity.setdefault((child.full_name, child.birth_date), []).append(child)


def _decimal(value: object, *, label: str) -> tuple[Decimal | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, f"{label} không đọc được: '{value}'."
    if isinstance(value, int | float):
        return parse_decimal(repr(float(value)))
    number, error = parse_decimal(_cell_text(value))
    return number, (f"{label}: {error}" if error else None)


def _position(value: object) -> tuple[str | None, str | None]:
    text = fold_name(_cell_text(value))
    if not text:
        return "", None
    if text in _POSITION_WORDS:
        return _POSITION_WORDS[text], None
    return None, f"Cách đo không đọc được: '{_cell_text(value)}' (ghi Nằm/L hoặc Đứng/H)."


def _place(value: object) -> str:
    text = fold_name(_cell_text(value))
    if not text:
        return Place.HEALTH_STATION
    for words, place in _PLACE_WORDS.items():
        if text == words or text.startswith(words + " "):
            return place
    return Place.OTHER


def _identify(cells: dict[str, object], index: _ChildIndex, commune: OrgUnit, as_of: dt.date,
              ) -> tuple[Child | None, str, list[str]]:
    """The child a row speaks of, or the reason it cannot be identified; and warnings."""
    warnings: list[str] = []
    raw_id = cells.get("personal_id")
    if raw_id not in (None, ""):
        parsed = parse_personal_id(raw_id)
        if parsed.value is None:
            return None, parsed.error or "Số định danh không hợp lệ.", warnings
        child = index.by_id.get(parsed.value)
        if child is None:
            return None, f"Không có trẻ mang số định danh {parsed.value} trong sổ trẻ em của {commune.name}.", warnings
        typed = standardise_name(cells.get("full_name")).value if cells.get("full_name") not in (None, "") else None
        if typed and fold_name(typed) != child.name_folded:
            warnings.append(f"Họ tên trong tệp '{typed}' khác họ tên trong sổ '{child.full_name}'.")
        return child, "", warnings
    name = standardise_name(cells.get("full_name"))
    if name.value is None:
        return None, name.error or "Thiếu họ tên và số định danh: không xác định được trẻ.", warnings
    born = parse_date(cells.get("birth_date"), as_of=as_of, label="Ngày sinh")
    if born.value is None:
        return None, born.error or "Ngày sinh không đọc được.", warnings
    matches = index.by_identity.get((name.value, born.value), [])
    if not matches:
        return None, (f"Không tìm thấy trẻ '{name.value}' sinh ngày {born.value:%d/%m/%Y} trong sổ trẻ em của "
                      f"{commune.name}; hãy đưa trẻ vào sổ trước."), warnings
    if len(matches) > 1:
        return None, (f"Có {len(matches)} trẻ cùng tên '{name.value}' và ngày sinh {born.value:%d/%m/%Y}; "
                      "ghi số định danh để phân biệt."), warnings
    return matches[0], "", warnings


def _data_rows(rows: list[list[object]], header_index: int) -> Iterator[tuple[int, list[object]]]:
    for number, cells in enumerate(rows[header_index + 1:], start=header_index + 2):
        if any(_cell_text(cell) for cell in cells):
            yield number, cells


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def import_measurements(
    *, actor: Actor, path: Path, commune: OrgUnit, as_of: dt.date, dry_run: bool = False,
    source: str = Source.IMPORTED, max_rows: int | None = None, progress: Progress | None = None,
) -> ImportResult:
    """Import the measurements in ``path`` into ``commune``; all-or-nothing; nothing written on a dry run.

    ``max_rows`` stops after that many data rows (for a preview); ``progress(done, total)`` is called every
    ``PROGRESS_EVERY`` rows with the row number reached and the rows of the file."""
    rows = read_rows(path)
    header_index, columns = find_header(rows)
    header = [_cell_text(cell) for cell in rows[header_index]]
    index = _ChildIndex(commune)
    outcomes: list[RowOutcome] = []
    rejected: list[tuple[list[object], str]] = []
    seen: dict[tuple[int, dt.date], int] = {}
    truncated_at: int | None = None
    with transaction.atomic():
        for number, cells in _data_rows(rows, header_index):
            if max_rows is not None and len(outcomes) >= max_rows:
                truncated_at = number
                break
            if progress is not None and len(outcomes) % PROGRESS_EVERY == 0:
                progress(number, len(rows))
            values = {name: (cells[position] if position < len(cells) else None)
                      for name, position in columns.items()}
            try:
                with transaction.atomic():  # a row refused by the model's own checks leaves nothing behind
                    outcome = _import_row(actor=actor, number=number, values=values, index=index,
                                          commune=commune, as_of=as_of, seen=seen, source=source)
            except _Rejected as error:
                outcome = RowOutcome(row=number, outcome=Outcome.REJECTED, reason=error.reason)
            except ValidationError as error:
                outcome = RowOutcome(row=number, outcome=Outcome.REJECTED, reason=" ".join(error.messages))
            if outcome.outcome == Outcome.REJECTED:
                rejected.append((cells, outcome.reason))
            outcomes.append(outcome)
        if dry_run:
            transaction.set_rollback(True)
    if progress is not None:
        progress(len(rows), len(rows))
    return ImportResult(header=header, outcomes=outcomes, rejected_cells=rejected, dry_run=dry_run,
                        truncated_at=truncated_at)


def _import_row(
    *, actor: Actor, number: int, values: dict[str, object], index: _ChildIndex, commune: OrgUnit,
    as_of: dt.date, seen: dict[tuple[int, dt.date], int], source: str,
) -> RowOutcome:
    child, reason, warnings = _identify(values, index, commune, as_of)
    if child is None:
        raise _Rejected(reason)
    measured = parse_date(values.get("measured_on"), as_of=as_of, label="Ngày cân")
    if measured.value is None:
        raise _Rejected(measured.error or "Ngày cân không đọc được.")
    if measured.precision != "day":
        raise _Rejected(f"Ngày cân phải đủ ngày, tháng, năm (nhận được '{_cell_text(values.get('measured_on'))}').")
    measured_on = measured.value
    weight, weight_error = _decimal(values.get("weight_kg"), label="Cân nặng")
    length, length_error = _decimal(values.get("length_cm"), label="Chiều dài/chiều cao")
    position, position_error = _position(values.get("position"))
    oedema = parse_yes_no(values.get("has_oedema"))
    for error in (weight_error, length_error, position_error, oedema.error and f"Phù: {oedema.error}"):
        if error:
            raise _Rejected(error)
    measurement_values = MeasurementValues(measured_on=measured_on, weight_kg=weight, length_cm=length,
                                           position=position or "", has_oedema=bool(oedema.value))
    errors = value_errors(measurement_values, birth_date=child.birth_date, today=as_of)
    if errors:
        raise _Rejected(" ".join(errors.values()))
    key = (child.pk, measured_on)
    if key in seen:
        raise _Rejected(f"Dòng này lặp lại dòng {seen[key]} (cùng trẻ, cùng ngày cân {measured_on:%d/%m/%Y}).")
    seen[key] = number
    assessment = assess(measurement_values, sex=child.sex, birth_date=child.birth_date,
                        age_days=age_in_days(child, measured_on), previous=previous_measurement(child,
                        before=measured_on), today=as_of)
    warnings.extend(assessment.warnings)
    saved = record_measurement(
        actor=actor, child=child, measured_on=measured_on, weight_kg=weight, length_cm=length,
        position=position or "", has_oedema=bool(oedema.value), place=_place(values.get("place")),
        measured_by=_cell_text(values.get("measured_by"))[:150], note=_cell_text(values.get("note"))[:255],
        source=source, today=as_of,
    )
    return RowOutcome(
        row=number, outcome=Outcome.CREATED if saved.created else Outcome.UPDATED, child_id=child.pk,
        child_name=child.full_name, measured_on=f"{measured_on:%d/%m/%Y}", warnings=warnings,
        unchanged=not saved.changed,
    )


REASON_HEADER: Final = REASON_TITLE


def rejected_rows_writer(result: ImportResult) -> RejectedRowsWriter:
    """The rejected rows with their original cells and the reason, under the file's own header."""
    writer = RejectedRowsWriter(result.header, reason_title=REASON_HEADER, row_number_title=None)
    for number, (cells, reason) in enumerate(result.rejected_cells):
        writer.write(number, cells, reason)
    return writer


def rejected_workbook(result: ImportResult) -> bytes:
    """``rejected_rows_writer`` as the bytes of an .xlsx file (the header alone when no row was rejected)."""
    return rejected_rows_writer(result).to_bytes()


def template_workbook(children: Sequence[Child], *, measured_on: dt.date | None, commune: OrgUnit) -> bytes:
    """A workbook to fill in on a weighing day: one row per child, identity filled, measurement columns empty."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Cân đo"
    sheet.append([f"DANH SÁCH CÂN, ĐO TRẺ EM DƯỚI 5 TUỔI – {commune.name.upper()}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["STT", *(FIELD_LABELS[name] for name in TEMPLATE_FIELDS)])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
    for number, child in enumerate(children, start=1):
        sheet.append([number, child.personal_id or None, child.full_name, child.birth_date_label,
                      child.village.name if child.village else None, measured_on, None, None, None, None, None,
                      None, None])
        for cell in sheet[sheet.max_row]:
            excel_text(cell)
        if measured_on is not None:
            sheet.cell(row=sheet.max_row, column=6).number_format = "DD/MM/YYYY"
        sheet.cell(row=sheet.max_row, column=2).number_format = "@"
    for letter, width in zip("ABCDEFGHIJKLM", (5, 16, 26, 12, 16, 12, 12, 16, 12, 10, 16, 18, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _run(record: ImportRecord, *, actor: Actor, dry_run: bool, max_rows: int | None, rejected_path: Path | None,
         progress: Progress | None) -> RunResult:
    """The measurement import as a kind of the intake pipeline: the measurements, the rejected-rows file and the
    audit event of a carried-out import are written in one transaction."""
    with transaction.atomic():
        result = import_measurements(actor=actor, path=Path(record.stored_file), commune=record.org_unit,
                                     as_of=record.as_of, dry_run=dry_run, max_rows=max_rows, progress=progress)
        rejected_file = ""
        if not dry_run:
            if rejected_path is not None and result.rejected_cells:
                rejected_file = rejected_rows_writer(result).save(rejected_path)
            record_event(actor=actor, verb=AuditEvent.Verb.IMPORT, obj=record, action="import_measurements",
                         org_unit_path=record.org_unit.path, after=result.summary)
    summary = {**result.summary, "outcomes": [item.as_json() for item in result.outcomes]}
    return RunResult(summary=summary, rejected_file=rejected_file,
                     changed=bool(result.count(Outcome.CREATED) or result.count(Outcome.UPDATED)))


MEASUREMENTS = IntakeKind(name=MEASUREMENTS_KIND, capability=RECORD_MEASUREMENTS, run=_run)


def register() -> None:
    register_kind(MEASUREMENTS)


def upload_measurements(*, actor: AbstractBaseUser, upload: UploadedFile, commune: OrgUnit,
                        as_of: date) -> ImportRecord:
    """Keep an uploaded file and check it in a dry run; the officer then confirms
    (``treem.core.intake.runner.confirm_import``)."""
    return upload_import(kind=MEASUREMENTS_KIND, actor=actor, upload=upload, org_unit=commune, as_of=as_of)
