"""Reading one row of a commune's child list: the cells standardised into a ``ParsedRow`` or a rejection reason,
and the rows that are not children (column numbering, totals, the signature block).

``ImportSummary`` is what happened to every row of an import (``treem.registry.imports``)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from treem.core.intake.dates import parse_date
from treem.core.intake.ethnicity import EthnicGroups, parse_ethnicity
from treem.core.intake.headers import HeaderMatch
from treem.core.intake.identity import parse_personal_id
from treem.core.intake.memo import Memo
from treem.core.intake.names import fold_name, standardise_name
from treem.core.intake.rejected import REASON_TITLE, ROW_NUMBER_TITLE
from treem.core.intake.results import LegacyEncoding
from treem.core.intake.text import normalise_text
from treem.core.intake.values import parse_phone, parse_sex, parse_yes_no
from treem.hierarchy.models import Village
from treem.registry.import_values import parse_special_circumstances, school_level_of
from treem.registry.models import (
    ADULT_AGE,
    Child,
    DatePrecision,
    age_on,
)
from treem.registry.services import guess_relationship

SAMPLE_LIMIT = 200
"""How many rejected rows and warnings are kept in the summary (all rejected rows are in the rejected file)."""
REJECTED_REASON_TITLE: Final = REASON_TITLE
REJECTED_ROW_TITLE: Final = ROW_NUMBER_TITLE


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
    outcomes: list[tuple[int, str, str, int | None]] = field(default_factory=list)
    """Every row's outcome, in the order decided: (row number, ``created``/``updated``/``rejected``, the reason of
    a rejection or the warnings of an accepted row, the child's id or None). Kept with the import record, not in
    ``as_dict`` (which pages and the audit read), by ``outcomes_as_json``."""

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

    def outcomes_as_json(self) -> list[list[Any]]:
        """``outcomes`` ordered by row number, as JSON lists."""
        return [list(item) for item in sorted(self.outcomes, key=lambda item: item[0])]

    def accept(self, number: int, outcome: str, child_id: int | None, warnings: Sequence[str]) -> None:
        """Note the outcome of an accepted row (``created`` or ``updated``); the counts are kept by the caller."""
        self.outcomes.append((number, outcome, "; ".join(warnings), child_id))

    def reject(self, number: int, reason: str) -> None:
        self.rejected += 1
        self.outcomes.append((number, "rejected", reason, None))
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


_HEALTH_CARD = re.compile(r"[A-Z]{2}\d{8,13}")


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
        self.child_name = Memo(lambda value: standardise_name(value, hint=name_hint))
        self.other_name = Memo(standardise_name)
        self.fold = Memo(fold_name)
        self.date = Memo(lambda value: parse_date(value, as_of=as_of))
        self.sex = Memo(parse_sex)
        self.ethnicity = Memo(lambda value: parse_ethnicity(value, groups))
        self.yes_no = Memo(parse_yes_no)
        self.special = Memo(parse_special_circumstances)

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
            if standard.value is None and standard.error:
                warnings.append(f"Thôn/bản: {standard.error}; không được ghi")
            elif standard.value and len(standard.value) > VILLAGE_NAME_LENGTH:
                warnings.append(f"Tên thôn/bản quá {VILLAGE_NAME_LENGTH} ký tự; không được ghi")
            elif standard.value:
                row.village_name, row.village_key = standard.value, self.fold(standard.value)
        guardian = self.cell(cells, "guardian_name")
        if guardian is not None:
            standard = self.other_name(guardian)
            if standard.value is None and standard.error:
                warnings.append(f"Cha, mẹ, người chăm sóc: {standard.error}; không được ghi")
            elif standard.value and len(standard.value) > NAME_LENGTH:
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


