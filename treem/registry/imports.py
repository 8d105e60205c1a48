"""Importing a commune's child list: every row ends created, updated or rejected with a reason.

The rows are streamed from the file and handled in batches (``BATCH_SIZE`` rows): each batch fetches the children
it may update in two queries (by ID number, and by name and date of birth in the commune), then creates and
updates them with bulk statements. The whole import runs in one database transaction, so a failure halfway leaves
nothing behind; a dry run does the same work and rolls it back.

Rules (the officer's version is ``docs/registry.md``):

- A row is **rejected** when the name is empty; the date of birth is missing, unreadable, impossible or after the
  as-of date; the child is 16 or older on the as-of date; the sex is missing or unreadable; a non-empty ethnicity
  is not recognised; the ID number does not have 12 digits after restoring a lost leading zero; or the row repeats
  an earlier row of the file (same ID number, or same name, date of birth and village). Other unreadable cells
  (phone, yes/no answers, groups of special circumstances) are left out of the record with a warning.
- A row **updates** a child when its ID number matches an active record (anywhere in the province: the child is
  then moved to this commune), or, when it has no ID number or its number is not known yet, when the exact name
  (with its accents), the date of birth and the commune match a record not yet claimed by this import.
- Otherwise a child is **created**. Rows whose name without accents and date of birth match another child are
  counted as possible duplicates and proposed for review.
- Layouts (the officer's version is ``docs/import-rules.md`` §1a–1b): a header over two rows with merged group
  titles is combined before matching; the birth date may sit in a "Nam" or a "Nữ" column (which gives the sex) or
  in day, month and year columns, the name in family-name and given-name columns. A column-numbering row before
  the first child, blank rows and footer rows (no birth date, a name cell like "Tổng cộng" or "Người lập biểu",
  and the dateless rows of at most two cells right after one) are skipped and not counted in ``rows``. Of several
  sheets, the one whose header maps most columns is read (``choose_sheet``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from treem.core.audit import record_event
from treem.core.models import AuditEvent, CodeSystem, EthnicGroup
from treem.core.request_context import client_ip
from treem.hierarchy.models import OrgUnit, Village
from treem.hierarchy.services import import_villages
from treem.indicators.sources import records_changed
from treem.registry.duplicates import LARGEST_BLOCK, Candidate, Match, block_keys, propose_pairs, score_pair
from treem.registry.models import (
    ADULT_AGE,
    Child,
    ChildStatus,
    DatePrecision,
    Guardian,
    GuardianRelationship,
    LegalBasis,
    Residence,
    SchoolLevel,
    SpecialCircumstance,
    age_on,
)
from treem.registry.reading import Table, UnreadableFile, open_table, sheet_count
from treem.registry.services import guess_relationship
from treem.registry.standardise import (
    FIELD_LABELS,
    EthnicGroups,
    HeaderMatch,
    LegacyEncoding,
    detect_legacy_encoding,
    find_header_row,
    fold_name,
    normalise_text,
    parse_date,
    parse_ethnicity,
    parse_personal_id,
    parse_phone,
    parse_sex,
    parse_special_circumstances,
    parse_yes_no,
    standardise_name,
)

BATCH_SIZE = 2000
SAMPLE_LIMIT = 200
"""How many rejected rows and warnings are kept in the summary (all rejected rows are in the rejected file)."""
REJECTED_REASON_TITLE = "Lý do từ chối"
REJECTED_ROW_TITLE = "Dòng trong tệp gốc"
_HINT_SAMPLE_ROWS = 300
_HEADER_SCAN = 15
IMPORT_LEGAL_BASIS_NOTE = "Cập nhật cơ sở dữ liệu trẻ em của xã theo Luật Trẻ em 2016 (nhập từ danh sách của xã)"

Actor = AbstractBaseUser | AnonymousUser | None
Record = dict[str, Any]
Progress = Callable[[int, int | None], None]


class ImportRefused(Exception):
    """The file as a whole cannot be imported (unreadable, no header row); the message is in Vietnamese."""


@dataclass
class ImportSummary:
    """What happened to every row. ``rows == created + updated + rejected`` always holds."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    possible_duplicates: int = 0
    changed: int = 0
    moved_here: int = 0
    warnings: int = 0
    dry_run: bool = False
    header_row: int | None = None
    header_rows: int = 1
    sheet_name: str = ""
    skipped_rows: int = 0
    columns: list[tuple[str, str]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    legacy_encoding: str | None = None
    villages_created: list[str] = field(default_factory=list)
    rejected_rows: list[tuple[int, str]] = field(default_factory=list)
    warning_rows: list[tuple[int, str]] = field(default_factory=list)
    rejected_file: str = ""
    truncated_at: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "created": self.created, "updated": self.updated, "rejected": self.rejected,
            "possible_duplicates": self.possible_duplicates, "changed": self.changed, "moved_here": self.moved_here,
            "warnings": self.warnings, "dry_run": self.dry_run, "header_row": self.header_row,
            "header_rows": self.header_rows, "sheet_name": self.sheet_name, "skipped_rows": self.skipped_rows,
            "columns": [list(column) for column in self.columns], "unknown_columns": self.unknown_columns,
            "legacy_encoding": self.legacy_encoding, "villages_created": self.villages_created,
            "rejected_rows": [list(row) for row in self.rejected_rows],
            "warning_rows": [list(row) for row in self.warning_rows], "rejected_file": self.rejected_file,
            "truncated_at": self.truncated_at,
        }

    def reject(self, number: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejected_rows) < SAMPLE_LIMIT:
            self.rejected_rows.append((number, reason))

    def warn(self, number: int, messages: Sequence[str]) -> None:
        if not messages:
            return
        self.warnings += 1
        if len(self.warning_rows) < SAMPLE_LIMIT:
            self.warning_rows.append((number, "; ".join(messages)))


NAME_LENGTH: Final = Child._meta.get_field("full_name").max_length or 150
VILLAGE_NAME_LENGTH: Final = Village._meta.get_field("name").max_length or 128


@dataclass(slots=True)
class ParsedRow:
    """One accepted row, standardised."""

    number: int
    cells: list[object]
    full_name: str
    name_folded: str
    birth_date: dt.date
    precision: str
    sex: str
    ethnic_code: str | None = None
    personal_id: str = ""
    village_name: str = ""
    village_key: str = ""
    guardian_name: str = ""
    guardian_relationship: str = ""
    guardian_phone: str = ""
    birth_registered: bool | None = None
    birth_registered_on: dt.date | None = None
    special: frozenset[str] | None = None
    disability: bool | None = None
    disability_note: str = ""
    health_insurance: bool | None = None
    health_insurance_number: str = ""
    school_name: str = ""
    school_level: str = ""
    is_out_of_school: bool | None = None
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------------------
# Reading one row
# ----------------------------------------------------------------------------------------------------------

_HEALTH_CARD = re.compile(r"[A-Z]{2}\d{8,13}")
_SCHOOL_LEVELS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("nha tre",), SchoolLevel.NURSERY),
    (("mau giao", "mam non", "mn ", "mg "), SchoolLevel.KINDERGARTEN),
    (("trung hoc pho thong", "thpt"), SchoolLevel.UPPER_SECONDARY),
    (("trung hoc co so", "thcs", "ptdtbt thcs", "ptdtnt thcs"), SchoolLevel.LOWER_SECONDARY),
    (("tieu hoc", "th "), SchoolLevel.PRIMARY),
    (("giao duc thuong xuyen", "gdtx", "nghe"), SchoolLevel.OTHER),
)
_OUT_OF_SCHOOL = ("bo hoc", "khong di hoc", "nghi hoc", "chua di hoc")


def school_level_of(school: str) -> tuple[str, bool | None]:
    """The level a school name implies ("Trường Mầm non Bình Lư" → kindergarten) and whether it says out of school."""
    folded = fold_name(school) + " "
    if any(words in folded for words in _OUT_OF_SCHOOL):
        return "", True
    for keys, level in _SCHOOL_LEVELS:
        if any(key in folded for key in keys):
            return level, False
    return "", None


R = TypeVar("R")


class _Memo(Generic[R]):
    """The result of a pure reading function for each distinct cell value: a commune's file repeats its names,
    villages, dates, sexes and ethnic groups many times, and each is read once."""

    def __init__(self, function: Callable[[Any], R], *, limit: int = 200_000) -> None:
        self.function = function
        self.limit = limit
        self.results: dict[tuple[type, object], R] = {}

    def __call__(self, value: object) -> R:
        key = (type(value), value)
        found = self.results.get(key)
        if found is None:
            found = self.function(value)
            if len(self.results) < self.limit:
                self.results[key] = found
        return found


class RowReader:
    """Reads the cells of one data row into a ``ParsedRow`` or a rejection reason."""

    def __init__(self, header: HeaderMatch, *, as_of: dt.date, groups: EthnicGroups,
                 name_hint: LegacyEncoding | None) -> None:
        self.columns = {name: index for index, name in header.columns}
        self.date_columns = [self.columns[name] for name in ("birth_date", "birth_date_male", "birth_date_female",
                                                             "birth_year") if name in self.columns]
        titles = [*((index, title) for index, title in header.unknown),
                  *((index, title) for index, title, _ in header.duplicates)]
        self.extra_columns = [(index, title) for index, title in titles
                              if title and title not in (REJECTED_REASON_TITLE, REJECTED_ROW_TITLE)]
        self.as_of = as_of
        self.groups = groups
        self.name_hint = name_hint
        self.child_name = _Memo(lambda value: standardise_name(value, hint=name_hint))
        self.other_name = _Memo(standardise_name)
        self.fold = _Memo(fold_name)
        self.date = _Memo(lambda value: parse_date(value, as_of=as_of))
        self.sex = _Memo(parse_sex)
        self.ethnicity = _Memo(lambda value: parse_ethnicity(value, groups))
        self.yes_no = _Memo(parse_yes_no)
        self.special = _Memo(parse_special_circumstances)

    def cell(self, cells: Sequence[object], field_name: str) -> object:
        index = self.columns.get(field_name)
        if index is None or index >= len(cells):
            return None
        value = cells[index]
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def is_blank(self, cells: Sequence[object]) -> bool:
        return all(self.cell(cells, name) is None for name in self.columns)

    def name_cell(self, cells: Sequence[object]) -> object:
        """The child's name: the full-name column, or the family-name and given-name columns joined."""
        if "full_name" in self.columns:
            return self.cell(cells, "full_name")
        parts = [self.cell(cells, "family_name"), self.cell(cells, "given_name")]
        joined = " ".join(str(part).strip() for part in parts if part is not None)
        return joined or None

    def birth_cell(self, cells: Sequence[object]) -> tuple[object, str | None, str | None]:
        """The birth-date value of a row, the sex given by the column it is in ("Nam" or "Nữ" column) and, when
        the date cannot be placed, the reason."""
        value = self.cell(cells, "birth_date")
        if value is not None:
            return value, None, None
        if "birth_date_male" in self.columns:
            male, female = self.cell(cells, "birth_date_male"), self.cell(cells, "birth_date_female")
            if male is not None and female is not None:
                if male == female:
                    return male, None, None
                if "sex" in self.columns:
                    return (female if self.sex(self.cell(cells, "sex")).value == "F" else male), None, None
                return None, None, "Có ngày sinh ở cả cột Nam và cột Nữ: không biết trẻ là nam hay nữ"
            if male is not None:
                return male, "M", None
            if female is not None:
                return female, "F", None
        year = self.cell(cells, "birth_year")
        if year is not None:
            day, month = (_date_part(self.cell(cells, name)) for name in ("birth_day", "birth_month"))
            parts = [day, month] if day and month else [month] if month else []
            return "/".join([*parts, _date_part(year)]), None, None
        if "birth_date_male" in self.columns:
            return None, None, "Ngày sinh để trống (cả cột Nam và cột Nữ đều trống)"
        return None, None, None

    def has_birth_date(self, cells: Sequence[object]) -> bool:
        """Whether any birth-date cell of the row is filled (footer rows have none)."""
        for index in self.date_columns:
            value = cells[index] if index < len(cells) else None
            if value is not None and not (isinstance(value, str) and not value.strip()):
                return True
        return False

    def read(self, number: int, cells: list[object]) -> ParsedRow | str:
        errors: list[str] = []
        warnings: list[str] = []
        name = self.child_name(self.name_cell(cells))
        if name.value is None:
            errors.append(name.error or "Họ tên để trống")
        elif len(name.value) > NAME_LENGTH:
            errors.append(f"Họ tên dài {len(name.value)} ký tự, quá {NAME_LENGTH} ký tự: kiểm tra lại ô họ tên")
        warnings.extend(name.warnings)
        birth_value, sex_of_column, birth_error = self.birth_cell(cells)
        born = self.date(birth_value)
        if birth_error is not None:
            errors.append(birth_error)
        elif born.value is None:
            errors.append(born.error or "Ngày sinh không đọc được")
        elif age_on(born.value, self.as_of) >= ADULT_AGE:
            born_label = _date_label(born.value, born.precision)
            errors.append(f"Đã đủ 16 tuổi vào ngày {self.as_of:%d/%m/%Y} (sinh {born_label}): không còn là trẻ em")
        sex_cell = self.cell(cells, "sex")
        sex = self.sex(sex_cell)
        if sex_of_column is not None:
            if sex.value is not None and sex.value != sex_of_column:
                warnings.append("Giới tính ghi khác với cột (Nam/Nữ) chứa ngày sinh; theo cột giới tính")
            elif sex.value is None:
                sex = self.sex("Nam" if sex_of_column == "M" else "Nữ")
        if sex.value is None and birth_error is None:
            errors.append(sex.error or "Giới tính không đọc được")
        ethnic = self.ethnicity(self.cell(cells, "ethnicity"))
        if ethnic.error:
            errors.append(ethnic.error)
        warnings.extend(ethnic.warnings)
        personal_id = parse_personal_id(self.cell(cells, "personal_id"), birth_date=born.value, sex=sex.value)
        if personal_id.error:
            errors.append(personal_id.error)
        warnings.extend(personal_id.warnings)
        if errors or name.value is None or born.value is None or sex.value is None:
            return "; ".join(errors)
        row = ParsedRow(
            number=number, cells=cells, full_name=name.value, name_folded=self.fold(name.value),
            birth_date=born.value, precision=born.precision or DatePrecision.DAY, sex=sex.value,
            ethnic_code=ethnic.value.code if ethnic.value else None, personal_id=personal_id.value or "",
            warnings=warnings,
        )
        self._read_optional(row, cells)
        return row

    def _read_optional(self, row: ParsedRow, cells: Sequence[object]) -> None:
        warnings = row.warnings
        village = self.cell(cells, "village")
        if village is not None:
            standard = self.other_name(village)
            if standard.value and len(standard.value) > VILLAGE_NAME_LENGTH:
                warnings.append(f"Tên thôn/bản quá {VILLAGE_NAME_LENGTH} ký tự; không được ghi")
            elif standard.value:
                row.village_name, row.village_key = standard.value, self.fold(standard.value)
        guardian = self.cell(cells, "guardian_name")
        if guardian is not None:
            standard = self.other_name(guardian)
            if standard.value and len(standard.value) > NAME_LENGTH:
                warnings.append(f"Họ tên cha, mẹ, người chăm sóc quá {NAME_LENGTH} ký tự; không được ghi")
            elif standard.value:
                row.guardian_name = standard.value
        relationship = self.cell(cells, "guardian_relationship")
        if relationship is not None:
            row.guardian_relationship = guess_relationship(str(relationship)) or ""
        phone = self.cell(cells, "guardian_phone")
        if phone is not None:
            parsed_phone = parse_phone(phone)
            if parsed_phone.value:
                row.guardian_phone = parsed_phone.value
                warnings.extend(parsed_phone.warnings)
            else:
                warnings.append(f"{parsed_phone.error}; số điện thoại không được ghi")
        registered = self.cell(cells, "birth_registered")
        if registered is not None:
            answer = self.yes_no(registered)
            if answer.error is None:
                row.birth_registered = answer.value
            else:
                when = parse_date(registered, as_of=self.as_of, label="Ngày đăng ký khai sinh")
                if when.value is not None and when.value >= row.birth_date:
                    row.birth_registered, row.birth_registered_on = True, when.value
                else:
                    warnings.append(f"Đăng ký khai sinh: {answer.error}; không được ghi")
        special = self.cell(cells, "special_circumstances")
        if special is not None:
            groups = self.special(special)
            if groups.value is not None:
                row.special = groups.value
            else:
                warnings.append(f"{groups.error}; không được ghi")
        disability = self.cell(cells, "disability")
        if disability is not None:
            answer = self.yes_no(disability)
            if answer.error is None:
                row.disability = answer.value
            else:
                row.disability, row.disability_note = True, normalise_text(str(disability))[:150]
        insurance = self.cell(cells, "health_insurance")
        if insurance is not None:
            compact = re.sub(r"\s", "", str(insurance)).upper()
            if _HEALTH_CARD.fullmatch(compact):
                row.health_insurance, row.health_insurance_number = True, compact
            else:
                answer = self.yes_no(insurance)
                if answer.error is None:
                    row.health_insurance = answer.value
                else:
                    warnings.append(f"Bảo hiểm y tế: {answer.error}; không được ghi")
        school = self.cell(cells, "school")
        if school is not None:
            text = normalise_text(str(school))[:150]
            level, out_of_school = school_level_of(text)
            row.is_out_of_school = out_of_school
            row.school_level = level
            if out_of_school is not True:
                row.school_name = text
        notes = self.cell(cells, "notes")
        if notes is not None:
            row.notes = normalise_text(str(notes))
        for index, title in self.extra_columns:
            value = cells[index] if index < len(cells) else None
            if value not in (None, ""):
                row.extra[title] = value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)


def _date_part(value: object) -> str:
    """A day, month or year cell as text ("12.0" from Excel is "12")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalise_text(str(value))


_FOOTER_START = re.compile(
    r"^(?:tong cong|tong so|cong|tong|nguoi lap|lap bieu|xac nhan|ubnd|uy ban|t m|tm|kt|chu tich|pho chu tich"
    r"|can bo|cong chuc|thu truong|ky ten|dai dien|truong thon|truong ban|noi nhan)\b"
)
_FOOTER_ANYWHERE = re.compile(r"\bubnd\b|\buy ban nhan dan\b|\bngay\s*\d*\s*thang\s*\d*\s*nam\b|\bky\b.*\bho ten\b")
_FOOTER_WHOLE = frozenset({"tong", "cong"})


def is_footer_text(text: str) -> bool:
    """Whether a cell reads like the footer of a list: totals ("Tổng cộng"), the signature block ("Người lập
    biểu", "Xác nhận của UBND xã", "KT. Chủ tịch", "(Ký, ghi rõ họ tên)") or the place-and-date line."""
    folded = fold_name(text)
    if not folded:
        return False
    words = folded.split()
    if words[0] in _FOOTER_WHOLE:
        return len(words) == 1 or words[1] in {"cong", "so"} or not words[1].isalpha()
    return bool(_FOOTER_START.match(folded) or _FOOTER_ANYWHERE.search(folded))


_NUMBERING_CELL = re.compile(r"\(?\s*(\d{1,2}|[A-Za-z])\s*\)?")


def is_numbering_row(cells: Sequence[object]) -> bool:
    """Whether a row only numbers the columns ("1", "2", "3"… or "(1)", "(2)"…, maybe "A", "B"): at least three
    such cells, the numbers increasing."""
    numbers: list[int] = []
    filled = 0
    for cell in cells:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        filled += 1
        if isinstance(cell, bool):
            return False
        if isinstance(cell, (int, float)):
            if not float(cell).is_integer():
                return False
            numbers.append(int(cell))
            continue
        match = _NUMBERING_CELL.fullmatch(str(cell).strip())
        if match is None:
            return False
        if match.group(1).isdigit():
            numbers.append(int(match.group(1)))
    return filled >= 3 and len(numbers) >= 2 and all(a < b for a, b in itertools.pairwise(numbers))


def _date_label(value: dt.date, precision: str | None) -> str:
    if precision == DatePrecision.YEAR:
        return f"năm {value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%m/%Y}"
    return f"{value:%d/%m/%Y}"


# ----------------------------------------------------------------------------------------------------------
# Rejected rows file
# ----------------------------------------------------------------------------------------------------------


def _clean_cell(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, (dt.timedelta,)):
        return str(value)
    return value


class RejectedWriter:
    """Writes rejected rows (their original cells, the reason and the row number) to an .xlsx file as they come."""

    def __init__(self, path: Path, header_cells: Sequence[object]) -> None:
        self.path = path
        self.header = [_clean_cell(cell) for cell in header_cells]
        self.workbook: Workbook | None = None

    def write(self, number: int, cells: Sequence[object], reason: str) -> None:
        if self.workbook is None:
            self.workbook = Workbook(write_only=True)
            sheet = self.workbook.create_sheet("Dòng bị từ chối")
            sheet.append([*self.header, REJECTED_REASON_TITLE, REJECTED_ROW_TITLE])
        width = len(self.header)
        padded = [_clean_cell(cell) for cell in cells[:width]] + [None] * max(0, width - len(cells))
        self.workbook.worksheets[0].append([*padded, reason, number])

    def close(self) -> str:
        if self.workbook is None:
            return ""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.workbook.save(self.path)
        return str(self.path)


# ----------------------------------------------------------------------------------------------------------
# The import
# ----------------------------------------------------------------------------------------------------------


def _first_rows(table: Table, count: int) -> tuple[list[tuple[int, list[object]]], Iterator[tuple[int, list[object]]]]:
    buffered: list[tuple[int, list[object]]] = []
    for item in table.rows:
        buffered.append(item)
        if len(buffered) >= count:
            break
    return buffered, table.rows


def _ethnic_groups_by_code() -> dict[str, int]:
    return dict(EthnicGroup.objects.filter(code_system=CodeSystem.ETHNIC_121_1979).values_list("code", "pk"))


def _json_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Batcher:
    """Applies batches of accepted rows to the database."""

    def __init__(self, *, actor: Actor, commune: OrgUnit, as_of: dt.date, summary: ImportSummary,
                 source: str, rejected: RejectedWriter | None = None) -> None:
        self.actor = actor
        self.rejected = rejected
        self.real_actor = actor if isinstance(actor, AbstractBaseUser) and actor.pk is not None else None
        self.commune = commune
        self.as_of = as_of
        self.summary = summary
        self.source = source
        self.ethnic_ids = _ethnic_groups_by_code()
        self.villages = {fold_name(village.name): village for village in Village.objects.filter(org_unit=commune)}
        self.claimed: set[int] = set()
        self.fold = _Memo(fold_name)
        self.ip = client_ip()
        self.pairs: list[Match] = []
        # The commune's children by name without accents and date of birth, loaded once as light records: rows
        # are matched against it and the model instances of the matches only are fetched, batch by batch.
        self.known: dict[tuple[str, dt.date], list[Candidate]] = defaultdict(list)
        # The same records by the blocking keys of duplicate detection, to find possible duplicates as rows come.
        self.blocks: dict[tuple[object, ...], list[Candidate]] = defaultdict(list)
        for record in Child.objects.active().filter(commune=commune).values_list(
            "id", "full_name", "name_folded", "birth_date", "birth_date_precision", "sex", "village_id",
            "personal_id",
        ).iterator(chunk_size=10_000):
            self._remember(Candidate(id=record[0], full_name=record[1], name_folded=record[2], birth_date=record[3],
                                     precision=record[4], sex=record[5], commune_id=commune.pk,
                                     village_id=record[6], personal_id=record[7]))

    def _remember(self, known: Candidate) -> None:
        self.known[(known.name_folded, known.birth_date)].append(known)
        for key in block_keys(known, ("commune",)):
            self.blocks[key].append(known)

    # -- helpers ------------------------------------------------------------------------------------------
    def _audit(self, child: Child, verb: str, *, before: dict[str, Any] | None, after: dict[str, Any],
               reason: str) -> Record:
        """The audit event of one imported row, as ``record_event`` writes it (inserted in bulk)."""
        return {
            "actor_id": self.real_actor.pk if self.real_actor is not None else None,
            "actor_username": self.real_actor.get_username() if self.real_actor is not None else "",
            "verb": verb, "action": "import_children", "object_type": "registry.child", "object_id": str(child.pk),
            "object_repr": f"{child.full_name} ({child.birth_date:%d/%m/%Y})"[:255],
            "org_unit_path": self.commune.path, "before": before, "after": after, "reason": reason,
            "ip_address": self.ip,
        }

    def _villages_for(self, rows: list[ParsedRow]) -> None:
        missing: dict[str, str] = {}
        for row in rows:
            if row.village_key and row.village_key not in self.villages:
                missing.setdefault(row.village_key, row.village_name)
        if not missing:
            return
        import_villages(actor=self.real_actor, commune=self.commune, rows=[{"name": name} for name in missing.values()])
        for village in Village.objects.filter(org_unit=self.commune):
            self.villages.setdefault(fold_name(village.name), village)
        self.summary.villages_created.extend(missing.values())

    def _values(self, row: ParsedRow) -> dict[str, Any]:
        """The child's fields the row gives (empty cells give nothing, so they never erase a known value)."""
        values: dict[str, Any] = {
            "full_name": row.full_name, "name_folded": row.name_folded, "birth_date": row.birth_date,
            "birth_date_precision": row.precision, "sex": row.sex,
        }
        if row.ethnic_code is not None:
            values["ethnic_group_id"] = self.ethnic_ids.get(row.ethnic_code)
        if row.personal_id:
            values["personal_id"] = row.personal_id
        if row.village_key:
            values["village_id"] = self.villages[row.village_key].pk
        if row.birth_registered is not None:
            values["is_birth_registered"] = row.birth_registered
        if row.birth_registered_on is not None:
            values["birth_registered_on"] = row.birth_registered_on
        if row.disability is not None:
            values["has_disability"] = row.disability
        if row.disability_note:
            values["disability_note"] = row.disability_note
        if row.health_insurance is not None:
            values["has_health_insurance"] = row.health_insurance
        if row.health_insurance_number:
            values["health_insurance_number"] = row.health_insurance_number
        if row.school_name:
            values["school_name"] = row.school_name
        if row.school_level:
            values["school_level"] = row.school_level
        if row.is_out_of_school is not None:
            values["is_out_of_school"] = row.is_out_of_school
        if row.notes:
            values["notes"] = row.notes
        if row.extra:
            values["extra"] = row.extra
        return values

    @staticmethod
    def _keep_finer_birth_date(child: Child, values: dict[str, Any]) -> None:
        """A row that only knows the year (or month) does not blur a full date of birth already recorded."""
        order = {DatePrecision.YEAR: 0, DatePrecision.MONTH: 1, DatePrecision.DAY: 2}
        new_precision = values["birth_date_precision"]
        if order[child.birth_date_precision] <= order[new_precision]:  # type: ignore[index]
            return
        known, new = child.birth_date, values["birth_date"]
        same = known.year == new.year and (new_precision == DatePrecision.YEAR or known.month == new.month)
        if same:
            values["birth_date"], values["birth_date_precision"] = known, child.birth_date_precision

    # -- one batch ------------------------------------------------------------------------------------------
    def flush(self, rows: list[ParsedRow]) -> None:
        if not rows:
            return
        self._villages_for(rows)
        ids = {row.personal_id for row in rows if row.personal_id}
        by_id: dict[str, list[Child]] = defaultdict(list)
        if ids:
            for child in Child.objects.active().filter(personal_id__in=ids).select_related("commune"):
                by_id[child.personal_id].append(child)
        chosen: list[tuple[ParsedRow, Child | int | None]] = [(row, self._match(row, by_id)) for row in rows]
        wanted = [match for _, match in chosen if isinstance(match, int)]
        fetched = Child.objects.select_related("commune").in_bulk(wanted) if wanted else {}
        creates: list[tuple[ParsedRow, Child, dict[str, Any]]] = []
        updates: list[tuple[ParsedRow, Child]] = []
        for row, match in chosen:
            if match is None:
                values = self._values(row)
                child = Child(commune=self.commune, status=ChildStatus.LIVING, legal_basis=LegalBasis.STATE_DUTY,
                              legal_basis_note=IMPORT_LEGAL_BASIS_NOTE, **values)
                creates.append((row, child, values))
            else:
                updates.append((row, fetched[match] if isinstance(match, int) else match))
        Child.objects.bulk_create([child for _, child, _ in creates], batch_size=BATCH_SIZE)
        events: list[Record] = []
        self._after_create(creates, events)
        refused = self._apply_updates(updates, events)
        records_changed(Child, Residence, SpecialCircumstance)  # bulk writes send no signal
        _insert_rows(AuditEvent, events)
        self.summary.created += len(creates)
        self.summary.updated += len(updates) - len(refused)
        for row, reason in refused:
            self.summary.reject(row.number, reason)
            if self.rejected is not None:
                self.rejected.write(row.number, row.cells, reason)
        refused_numbers = {row.number for row, _ in refused}
        for row in rows:
            if row.number not in refused_numbers:
                self.summary.warn(row.number, row.warnings)

    def _match(self, row: ParsedRow, by_id: dict[str, list[Child]]) -> Child | int | None:
        """The record this row updates (an instance, or the id of one in the commune), or None for a new child."""
        if row.personal_id:
            found = [child for child in by_id.get(row.personal_id, []) if child.pk not in self.claimed]
            if found:
                found.sort(key=lambda child: (child.commune_id != self.commune.pk, -child.pk))
                self.claimed.add(found[0].pk)
                return found[0]
        candidates = [known for known in self.known.get((row.name_folded, row.birth_date), [])
                      if known.full_name == row.full_name and known.id not in self.claimed
                      and (not known.personal_id or known.personal_id == row.personal_id or not row.personal_id)]
        if not candidates:
            return None
        village = self.villages[row.village_key].pk if row.village_key else None
        candidates.sort(key=lambda known: (known.village_id != village, known.id))
        self.claimed.add(candidates[0].id)
        return candidates[0].id

    def _after_create(self, creates: list[tuple[ParsedRow, Child, dict[str, Any]]], events: list[Record]) -> None:
        residences: list[Record] = []
        guardians: list[Record] = []
        memberships: list[Record] = []
        reason = f"Nhập từ tệp {self.source}"
        for row, child, values in creates:
            self.claimed.add(child.pk)
            residences.append({"child_id": child.pk, "commune_id": self.commune.pk, "village_id": child.village_id})
            after = {key: (_json_date(value) if isinstance(value, dt.date) else value)
                     for key, value in values.items() if key != "name_folded"}
            if row.guardian_name:
                guardians.append(self._new_guardian(child, row))
                after["guardian"] = row.guardian_name
            if row.special:
                for letter in sorted(row.special):
                    memberships.append({"child_id": child.pk, "group": letter, "identified_on": self.as_of})
                after["special_circumstances"] = sorted(row.special)
            events.append(self._audit(child, AuditEvent.Verb.CREATE, before=None, after=after,
                                      reason=f"{reason}, dòng {row.number}"))
            self._look_for_twins(row, child)
        _insert_rows(Residence, residences)
        _insert_rows(Guardian, guardians)
        _insert_rows(SpecialCircumstance, memberships)

    def _look_for_twins(self, row: ParsedRow, child: Child) -> None:
        """Possible duplicates: earlier records of the commune (already there, or from earlier rows) that duplicate
        detection would pair with this child (a name alike without accents, a birth date alike)."""
        me = _candidate(child, row.guardian_name)
        seen: set[int] = set()
        matches: list[Match] = []
        for key in block_keys(me, ("commune",)):
            block = self.blocks.get(key, [])
            if len(block) > LARGEST_BLOCK:
                continue
            for other in block:
                if other.id in seen:
                    continue
                seen.add(other.id)
                match = score_pair(me, other)
                if match is not None:
                    matches.append(match)
        self._remember(me)
        if matches:
            self.pairs.extend(matches)
            self.summary.possible_duplicates += 1

    def _new_guardian(self, child: Child, row: ParsedRow) -> Record:
        return {"child_id": child.pk, "full_name": row.guardian_name, "name_folded": self.fold(row.guardian_name),
                "relationship": row.guardian_relationship or GuardianRelationship.CARER, "phone": row.guardian_phone}

    def _apply_updates(
        self, updates: list[tuple[ParsedRow, Child]], events: list[Record]
    ) -> list[tuple[ParsedRow, str]]:
        """Apply the rows that update a record; returns the rows refused, with the reason."""
        refused: list[tuple[ParsedRow, str]] = []
        if not updates:
            return refused
        child_ids = [child.pk for _, child in updates]
        guardians: dict[int, list[Guardian]] = defaultdict(list)
        for guardian in Guardian.objects.filter(child_id__in=child_ids):
            guardians[guardian.child_id].append(guardian)
        memberships: dict[int, list[SpecialCircumstance]] = defaultdict(list)
        for membership in SpecialCircumstance.objects.filter(child_id__in=child_ids, ended_on__isnull=True):
            memberships[membership.child_id].append(membership)
        residences = {residence.child_id: residence for residence in
                      Residence.objects.filter(child_id__in=child_ids, moved_out_on__isnull=True)}
        changed_children: list[Child] = []
        changed_fields: set[str] = set()
        new_guardians: list[Record] = []
        changed_guardians: list[Guardian] = []
        new_memberships: list[Record] = []
        ended_memberships: list[SpecialCircumstance] = []
        new_residences: list[Record] = []
        changed_residences: list[Residence] = []
        reason = f"Nhập từ tệp {self.source}"
        for row, child in updates:
            values = self._values(row)
            self._keep_finer_birth_date(child, values)
            if "extra" in values:
                values["extra"] = {**child.extra, **values["extra"]}
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            residence = residences.get(child.pk)
            if child.commune_id != self.commune.pk:
                if residence is not None and residence.moved_in_on is not None and residence.moved_in_on >= self.as_of:
                    refused.append((row, f"Số định danh trùng với trẻ đang ở {child.commune.name} từ ngày "
                                         f"{residence.moved_in_on:%d/%m/%Y}, sau ngày số liệu "
                                         f"{self.as_of:%d/%m/%Y}: kiểm tra số định danh hoặc ngày số liệu"))
                    continue
                row.warnings.append(f"Trẻ chuyển đến từ {child.commune.name} (cùng số định danh)")
                before["commune_id"], after["commune_id"] = child.commune_id, self.commune.pk
                child.commune = self.commune
                if residence is not None:
                    residence.moved_out_on = self.as_of
                    changed_residences.append(residence)
                new_residences.append({"child_id": child.pk, "commune_id": self.commune.pk,
                                       "moved_in_on": self.as_of, "village_id": values.get("village_id")})
                if child.status == ChildStatus.MOVED_AWAY:
                    values["status"], values["status_on"] = ChildStatus.LIVING, self.as_of
                changed_fields.add("commune")
                self.summary.moved_here += 1
            elif residence is not None and "village_id" in values and residence.village_id != values["village_id"]:
                residence.village_id = values["village_id"]
                changed_residences.append(residence)
            for key, value in values.items():
                current = getattr(child, key)
                if current != value:
                    before[key] = _json_date(current) if isinstance(current, dt.date) else current
                    after[key] = _json_date(value) if isinstance(value, dt.date) else value
                    setattr(child, key, value)
                    changed_fields.add(key)
            self._update_guardian(row, child, guardians[child.pk], new_guardians, changed_guardians, before, after)
            self._update_memberships(row, child, memberships[child.pk], new_memberships, ended_memberships,
                                     before, after)
            if before or after:
                changed_children.append(child)
                events.append(self._audit(child, AuditEvent.Verb.UPDATE, before=before, after=after,
                                          reason=f"{reason}, dòng {row.number}"))
        fields = sorted(changed_fields - {"guardian", "special_circumstances"})
        if changed_children and fields:
            now = timezone.now()
            for child in changed_children:
                child.updated_at = now
            _update_rows(Child, changed_children, [*fields, "updated_at"])
        self.summary.changed += len(changed_children)
        _insert_rows(Guardian, new_guardians)
        _update_rows(Guardian, changed_guardians, ["phone", "relationship"])
        _insert_rows(SpecialCircumstance, new_memberships)
        _update_rows(SpecialCircumstance, ended_memberships, ["ended_on"])
        _update_rows(Residence, changed_residences, ["moved_out_on", "village"])
        _insert_rows(Residence, new_residences)
        return refused

    def _update_guardian(self, row: ParsedRow, child: Child, known: list[Guardian], new: list[Record],
                         changed: list[Guardian], before: dict[str, Any], after: dict[str, Any]) -> None:
        if not row.guardian_name:
            return
        key = fold_name(row.guardian_name)
        guardian = next((g for g in known if g.name_folded == key), None)
        if guardian is None:
            new.append(self._new_guardian(child, row))
            after["guardian"] = row.guardian_name
            return
        old = {"phone": guardian.phone, "relationship": guardian.relationship}
        if row.guardian_phone and guardian.phone != row.guardian_phone:
            guardian.phone = row.guardian_phone
        if row.guardian_relationship and guardian.relationship != row.guardian_relationship:
            guardian.relationship = row.guardian_relationship
        if old != {"phone": guardian.phone, "relationship": guardian.relationship}:
            changed.append(guardian)
            before["guardian"] = {"name": guardian.full_name, **old}
            after["guardian"] = {"name": guardian.full_name, "phone": guardian.phone,
                                 "relationship": guardian.relationship}

    def _update_memberships(self, row: ParsedRow, child: Child, current: list[SpecialCircumstance],
                            new: list[Record], ended: list[SpecialCircumstance],
                            before: dict[str, Any], after: dict[str, Any]) -> None:
        if row.special is None:
            return
        letters = {membership.group for membership in current}
        if letters == set(row.special):
            return
        for letter in sorted(set(row.special) - letters):
            new.append({"child_id": child.pk, "group": letter, "identified_on": self.as_of})
        for membership in current:
            if membership.group not in row.special:
                membership.ended_on = self.as_of
                ended.append(membership)
        before["special_circumstances"] = sorted(letters)
        after["special_circumstances"] = sorted(row.special)


def _update_rows(model: type[Model], objects: Sequence[Model], fields: Sequence[str]) -> None:
    """``UPDATE … SET fields WHERE id`` for each object, as one prepared statement run many times.

    Django's ``bulk_update`` writes one CASE expression per field and row, which is slow for thousands of rows.
    """
    if not objects or not fields:
        return
    wanted = set(fields)
    concrete = [column for column in model._meta.concrete_fields if column.name in wanted or column.attname in wanted]
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(column.column)} = %s" for column in concrete)
    rows = [[column.get_db_prep_save(getattr(obj, column.attname), connection) for column in concrete] + [obj.pk]
            for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)


def _insert_rows(model: type[Model], records: Sequence[Record]) -> None:
    """``INSERT`` rows given as ``{attname: value}`` with one prepared statement run many times.

    Used for the rows an import adds beside each child (residence, guardian, group, audit event), whose ids are not
    needed back: values are prepared by the fields themselves as in ``bulk_create`` (missing ones take the field's
    default, creation times are now, JSON is encoded), without building model instances or compiling one SQL
    statement per few dozen rows.
    """
    if not records:
        return
    fields = [column for column in model._meta.concrete_fields if not column.primary_key]
    now = timezone.now()
    constants: dict[str, Any] = {}
    for column in fields:
        if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
            constants[column.attname] = column.get_db_prep_save(now, connection)
        else:
            constants[column.attname] = column.get_db_prep_save(column.get_default(), connection)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column.column) for column in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [
        [column.get_db_prep_save(record[column.attname], connection) if column.attname in record
         else constants[column.attname] for column in fields]
        for record in records
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def _candidate(child: Child, guardian: str) -> Candidate:
    return Candidate(id=child.pk, full_name=child.full_name, name_folded=child.name_folded,
                     birth_date=child.birth_date, precision=child.birth_date_precision, sex=child.sex,
                     commune_id=child.commune_id, village_id=child.village_id, personal_id=child.personal_id,
                     guardian_folded=fold_name(guardian) if guardian else "")


def import_children_file(
    *,
    actor: Actor,
    path: Path,
    commune: OrgUnit,
    as_of: dt.date,
    dry_run: bool = False,
    rejected_path: Path | None = None,
    progress: Progress | None = None,
    source_name: str = "",
    max_rows: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import the child list in ``path`` into the registry of ``commune``, as of ``as_of``.

    All or nothing: one transaction (rolled back at the end of a dry run). ``rejected_path`` receives the rejected
    rows as .xlsx; ``progress(done, total)`` is called after each batch; ``max_rows`` stops after that many data
    rows (for a preview). Raises ``ImportRefused`` when the file cannot be read or has no header row.
    """
    source = source_name or path.name
    try:
        sheet = choose_sheet(path)
        summary = ImportSummary(dry_run=dry_run)
        try:
            _import_sheet(path, sheet, summary, actor=actor, commune=commune, as_of=as_of, dry_run=dry_run,
                          rejected_path=rejected_path, progress=progress, source=source, max_rows=max_rows,
                          batch_size=batch_size)
        except _NoHeader as error:
            raise ImportRefused(str(error)) from error
        return summary
    except UnreadableFile as error:
        raise ImportRefused(str(error)) from error


_LIST_SHEET_NAME = re.compile(r"^(?:danh sach|ds)\b|\bdanh sach\b|\btre em\b")


def choose_sheet(path: Path) -> int:
    """The worksheet that holds the list, for a workbook with several: the one whose header maps the most
    columns; on a tie the one named like "Danh sách…" / "DS…" / "…trẻ em…", then the first. Cover, notes and
    summary sheets without a header row of names and birth dates are never chosen while another has one."""
    sheets = sheet_count(path)
    if sheets <= 1:
        return 0
    best, best_key = 0, (-1, 0)
    for sheet in range(sheets):
        with open_table(path, sheet=sheet) as table:
            head, _ = _first_rows(table, _HEADER_SCAN)
            found = find_header_row([cells for _, cells in head], max_scan=_HEADER_SCAN)
            named = 1 if _LIST_SHEET_NAME.search(fold_name(table.sheet_name)) else 0
        key = (found.score if found.index is not None else -1, named)
        if key > best_key:
            best, best_key = sheet, key
    return best


class _NoHeader(Exception):
    """The sheet has no header row in its first rows."""


def _import_sheet(path: Path, sheet: int, summary: ImportSummary, *, actor: Actor, commune: OrgUnit,
                  as_of: dt.date, dry_run: bool, rejected_path: Path | None, progress: Progress | None, source: str,
                  max_rows: int | None, batch_size: int) -> None:
    with open_table(path, sheet=sheet) as table, transaction.atomic():
        _run(table, summary, actor=actor, commune=commune, as_of=as_of, rejected_path=rejected_path,
             progress=progress, source=source, max_rows=max_rows, batch_size=batch_size)
        record_event(actor=actor, verb=AuditEvent.Verb.IMPORT, obj=commune, action="import_children",
                     org_unit_path=commune.path, reason=f"Nhập danh sách trẻ em từ tệp {source}",
                     after={key: value for key, value in summary.as_dict().items()
                            if key in ("rows", "created", "updated", "rejected", "possible_duplicates",
                                       "changed", "warnings", "dry_run")} | {"as_of": as_of.isoformat()})
        if dry_run:
            transaction.set_rollback(True)


def _run(table: Table, summary: ImportSummary, *, actor: Actor, commune: OrgUnit, as_of: dt.date,
         rejected_path: Path | None, progress: Progress | None, source: str, max_rows: int | None,
         batch_size: int) -> None:
    head, rest = _first_rows(table, _HEADER_SCAN)
    found = find_header_row([cells for _, cells in head], max_scan=_HEADER_SCAN)
    if found.index is None or found.match is None:
        raise _NoHeader(found.error or "Không tìm thấy dòng tiêu đề")
    header_number = head[found.index][0]
    header_cells = list(found.labels)
    match = found.match
    summary.header_row = header_number
    summary.header_rows = found.span
    summary.sheet_name = table.sheet_name
    summary.columns = [(header_cells[index] if index < len(header_cells) else "", FIELD_LABELS[name])
                       for index, name in match.columns]
    summary.unknown_columns = [title for _, title in match.unknown]
    data_head = head[found.index + found.span :]
    more, rest = _first_rows(Table(rows=rest, total_rows=None), _HINT_SAMPLE_ROWS)
    data_head.extend(more)
    name_column = match.column_of("full_name")
    if name_column is None:
        name_column = match.column_of("given_name")
    sample = [str(cells[name_column]) for _, cells in data_head
              if name_column is not None and name_column < len(cells) and isinstance(cells[name_column], str)]
    hint = detect_legacy_encoding(sample)
    summary.legacy_encoding = hint
    reader = RowReader(match, as_of=as_of, groups=EthnicGroups.load(), name_hint=hint)
    rejected = RejectedWriter(rejected_path, header_cells) if rejected_path is not None else None
    batcher = _Batcher(actor=actor, commune=commune, as_of=as_of, summary=summary, source=source, rejected=rejected)
    ids_seen: dict[str, int] = {}
    identities_seen: dict[tuple[str, dt.date, str], int] = {}
    pending: list[ParsedRow] = []

    def all_rows() -> Iterator[tuple[int, list[object]]]:
        yield from data_head
        yield from rest

    in_footer = False
    for number, cells in all_rows():
        if reader.is_blank(cells):
            continue
        if summary.rows == 0 and is_numbering_row(cells):
            summary.skipped_rows += 1
            continue
        if reader.has_birth_date(cells):
            in_footer = False
        elif (in_footer and _filled_cells(cells) <= 2) or _reads_as_footer(reader, cells):
            in_footer = True  # the signature block goes on: the signers' names below "Người lập biểu"
            summary.skipped_rows += 1
            continue
        if max_rows is not None and summary.rows >= max_rows:
            summary.truncated_at = number
            break
        summary.rows += 1
        outcome = reader.read(number, cells)
        if isinstance(outcome, ParsedRow):
            outcome = _repeat_of_earlier(outcome, ids_seen, identities_seen)
        if isinstance(outcome, str):
            summary.reject(number, outcome)
            if rejected is not None:
                rejected.write(number, cells, outcome)
            continue
        pending.append(outcome)
        if len(pending) >= batch_size:
            batcher.flush(pending)
            pending = []
            if progress is not None:
                progress(number, table.total_rows)
    batcher.flush(pending)
    propose_pairs(batcher.pairs)
    if rejected is not None:
        summary.rejected_file = rejected.close()
    if progress is not None:
        progress(table.total_rows or summary.rows, table.total_rows)


def _filled_cells(cells: Sequence[object]) -> int:
    return sum(1 for cell in cells if cell is not None and not (isinstance(cell, str) and not cell.strip()))


def _reads_as_footer(reader: RowReader, cells: Sequence[object]) -> bool:
    """Whether a row without a birth date is a footer row: its name cell, or when that is empty its first filled
    cell, reads as a total, a signature or a place-and-date line."""
    name = reader.name_cell(cells)
    if name is None:
        name = next((cell for cell in cells if isinstance(cell, str) and cell.strip()), None)
    return isinstance(name, str) and is_footer_text(name)


def _repeat_of_earlier(row: ParsedRow, ids_seen: dict[str, int],
                       identities_seen: dict[tuple[str, dt.date, str], int]) -> ParsedRow | str:
    if row.personal_id:
        earlier = ids_seen.get(row.personal_id)
        if earlier is not None:
            return f"Trùng với dòng {earlier} của tệp (cùng số định danh {row.personal_id})"
    identity = (row.full_name, row.birth_date, row.village_key)
    earlier = identities_seen.get(identity)
    if earlier is not None:
        return f"Trùng với dòng {earlier} của tệp (cùng họ tên, ngày sinh và thôn/bản)"
    if row.personal_id:
        ids_seen[row.personal_id] = row.number
    identities_seen[identity] = row.number
    return row
