"""The child list's field map: the registry's fields, the titles officers give their columns, and how a header row
(of one or two rows, with the name or the birth date split over several columns) maps to them.

The machinery shared by every table (title keys, two-row headers, the search for the header row) is in
``treem.core.intake.headers``; this module plugs in the child list's titles and rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from rapidfuzz import fuzz, process

from treem.core.intake.encodings import detect_and_fix_legacy_encoding
from treem.core.intake.headers import (
    GROUP_SEPARATOR,
    HeaderMatch,
    HeaderRow,
    header_key,
    plain_title,
    without_brackets,
)
from treem.core.intake.headers import find_header_row as find_header_row_with
from treem.core.intake.text import cell_text
from treem.core.text import fold_text

CHILD_LIST_KIND: Final = "children"
"""The name of the child list among the kinds of the intake pipeline (``ImportRecord.kind``)."""

CANONICAL_FIELDS: Final = (
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "personal_id",
    "village",
    "guardian_name",
    "guardian_phone",
    "birth_registered",
    "special_circumstances",
    "disability",
    "guardian_relationship",
    "health_insurance",
    "school",
    "notes",
)
REQUIRED_HEADER_FIELDS: Final = ("full_name", "birth_date")
#: Columns that stand in for a canonical field: the name split in two, the birth date in a "Nam" or a "Nữ"
#: column (which also gives the sex) or in separate day, month and year columns, an address used as village.
PART_FIELDS: Final = ("family_name", "given_name", "birth_date_male", "birth_date_female", "birth_day",
                      "birth_month", "birth_year", "address")
_STANDS_FOR: Final[Mapping[str, tuple[str, ...]]] = {
    "full_name": ("full_name", "given_name"),
    "birth_date": ("birth_date", "birth_date_male", "birth_date_female", "birth_year"),
}

_REQUIRED: Final = tuple((field, _STANDS_FOR[field]) for field in REQUIRED_HEADER_FIELDS)

#: How each field is named to officers (Vietnamese column titles of the treem template).
FIELD_LABELS: Final[Mapping[str, str]] = {
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "personal_id": "Số định danh cá nhân",
    "village": "Thôn/bản",
    "guardian_name": "Họ tên cha/mẹ/người chăm sóc",
    "guardian_phone": "Số điện thoại",
    "birth_registered": "Đăng ký khai sinh",
    "special_circumstances": "Nhóm hoàn cảnh đặc biệt",
    "disability": "Khuyết tật",
    "guardian_relationship": "Quan hệ với trẻ",
    "health_insurance": "Bảo hiểm y tế",
    "school": "Trường",
    "notes": "Ghi chú",
    "family_name": "Họ (và tên đệm)",
    "given_name": "Tên",
    "birth_date_male": "Ngày sinh (trẻ nam)",
    "birth_date_female": "Ngày sinh (trẻ nữ)",
    "birth_day": "Ngày sinh: ngày",
    "birth_month": "Ngày sinh: tháng",
    "birth_year": "Ngày sinh: năm",
    "address": "Địa chỉ (dùng làm thôn/bản)",
}

# fmt: off
_HEADER_SYNONYMS: Final[Mapping[str, tuple[str, ...]]] = {
    "full_name": ("Họ và tên", "Họ tên", "Tên trẻ", "Họ tên trẻ em", "Họ tên trẻ", "Họ và tên trẻ",
                  "Họ và tên trẻ em", "Tên trẻ em", "Họ tên học sinh", "Họ và tên học sinh", "Tên"),
    "birth_date": ("Ngày sinh", "Ngày tháng năm sinh", "NS", "Ngày tháng sinh", "Sinh ngày", "Năm sinh",
                   "Tháng năm sinh", "Ngày sinh trẻ", "Ngày sinh của trẻ", "Ngày/tháng/năm sinh", "NTNS"),
    "sex": ("Giới tính", "GT", "Nam/Nữ", "Nam, nữ", "Giới", "Phái"),
    "ethnicity": ("Dân tộc", "DT", "Dân tộc của trẻ"),
    "personal_id": ("Số định danh cá nhân", "Số định danh", "Mã định danh", "Mã định danh cá nhân", "CCCD",
                    "Số CCCD", "Căn cước công dân", "Số căn cước công dân", "Số căn cước", "Mã số định danh",
                    "Số ĐDCN", "Định danh"),
    "village": ("Thôn/bản", "Thôn", "Bản", "Thôn, bản", "Tổ dân phố", "Thôn/tổ dân phố",
                "Thôn, bản, tổ dân phố", "Thôn/bản/tổ dân phố", "Bản/tổ dân phố", "Thôn xóm", "Xóm"),
    "guardian_name": ("Họ tên cha/mẹ/người chăm sóc", "Họ tên cha mẹ", "Người chăm sóc", "Cha/mẹ",
                      "Họ tên cha, mẹ hoặc người chăm sóc", "Họ tên người chăm sóc", "Họ tên bố mẹ", "Bố/mẹ",
                      "Người giám hộ", "Họ tên người giám hộ", "Cha mẹ hoặc người chăm sóc", "Họ tên cha",
                      "Họ tên mẹ", "Họ tên bố", "Tên bố mẹ", "Tên cha mẹ"),
    "guardian_phone": ("Số điện thoại", "SĐT", "Điện thoại", "Điện thoại liên hệ", "SĐT liên hệ",
                       "SĐT cha mẹ", "Số điện thoại cha mẹ", "Số điện thoại người chăm sóc", "Di động"),
    "birth_registered": ("Đăng ký khai sinh", "ĐKKS", "Khai sinh", "Đã đăng ký khai sinh", "Giấy khai sinh",
                         "Có giấy khai sinh", "Đã ĐKKS", "Tình trạng khai sinh"),
    "special_circumstances": ("Nhóm hoàn cảnh đặc biệt", "HCĐB", "Hoàn cảnh đặc biệt", "Nhóm HCĐB",
                              "Trẻ em có hoàn cảnh đặc biệt", "Thuộc nhóm hoàn cảnh đặc biệt", "TE HCĐB",
                              "Trẻ em HCĐB", "Nhóm trẻ em có hoàn cảnh đặc biệt"),
    "disability": ("Khuyết tật", "KT", "Trẻ em khuyết tật", "Dạng khuyết tật", "Loại khuyết tật", "Dạng tật",
                   "Khuyết tật (nếu có)"),
    "guardian_relationship": ("Quan hệ với trẻ", "Quan hệ", "Mối quan hệ", "Quan hệ với trẻ em",
                              "Quan hệ với người chăm sóc"),
    "health_insurance": ("Bảo hiểm y tế", "BHYT", "Thẻ BHYT", "Có thẻ BHYT", "Có BHYT"),
    "school": ("Trường", "Trường học", "Nơi học", "Trường đang học", "Tên trường", "Nơi học tập", "Học tại"),
    "notes": ("Ghi chú", "GC", "Ghi chú khác"),
    "family_name": ("Họ", "Họ và tên đệm", "Họ đệm", "Họ và đệm", "Họ, tên đệm", "Họ và chữ đệm", "Họ tên đệm"),
    "address": ("Địa chỉ", "Nơi ở", "Nơi ở hiện nay", "Nơi ở hiện tại", "Nơi cư trú", "Chỗ ở hiện nay",
                "Địa chỉ thường trú", "Nơi thường trú", "Địa chỉ cư trú", "Địa chỉ hiện nay", "Nơi ở của trẻ"),
}
# fmt: on
_IGNORED_HEADERS: Final = ("STT", "TT", "Số thứ tự", "Số TT")

# Rules for long descriptive titles, tried in order on the folded words of a title that matched no synonym.
_GUARDIAN_WORDS: Final = frozenset({"cha", "me", "bo", "chame", "bome", "giamho"})




def _exact_header_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for field, names in _HEADER_SYNONYMS.items():
        for name in names:
            keys[header_key(name, keep_d_stroke=True)] = field
    keys[header_key("ĐT", keep_d_stroke=True)] = "guardian_phone"
    return keys


def _loose_header_keys() -> dict[str, str]:
    return {header_key(name): field for field, names in _HEADER_SYNONYMS.items() for name in names}


_EXACT_HEADER_KEYS: Final = _exact_header_keys()
_HEADER_KEYS: Final = _loose_header_keys()
_IGNORED_HEADER_KEYS: Final = frozenset(header_key(name) for name in _IGNORED_HEADERS)


def _is_about_guardian(folded: str) -> bool:
    """Whether a folded title speaks of the parents or carer ("Ngày sinh của mẹ" is not the child's)."""
    words = folded.split()
    joined = "".join(words)
    return bool(_GUARDIAN_WORDS.intersection(words)) or "nguoichamsoc" in joined or "giamho" in joined


def _header_by_rules(folded: str) -> str | None:
    words = folded.split()
    joined = "".join(words)
    if "chuho" in joined:
        return None  # the household head is not necessarily the child's carer
    if _is_about_guardian(folded):
        if "dienthoai" in joined or "sdt" in words:
            return "guardian_phone"
        if "quanhe" in joined:
            return "guardian_relationship"
        if "ten" in words or "hoten" in joined or "nguoichamsoc" in joined or "giamho" in joined:
            return "guardian_name"
        return None
    rules: tuple[tuple[tuple[str, ...], str], ...] = (
        (("dienthoai", "sdt"), "guardian_phone"),
        (("dinhdanh", "cccd", "cancuoc"), "personal_id"),
        (("ngaysinh", "thangnamsinh", "namsinh"), "birth_date"),
        (("hoancanh", "hcdb"), "special_circumstances"),
        (("khaisinh", "dkks"), "birth_registered"),
        (("khuyettat",), "disability"),
        (("dantoc",), "ethnicity"),
        (("gioitinh",), "sex"),
        (("bhyt", "baohiemyte"), "health_insurance"),
        (("quanhe",), "guardian_relationship"),
        (("ghichu",), "notes"),
        (("truonghoc", "noihoc", "tentruong"), "school"),
        (("todanpho", "thonban"), "village"),
        (("hoten", "hovaten"), "full_name"),
    )
    for parts, field in rules:
        if any(part in joined for part in parts):
            return field
    if words and words[0] in {"thon", "ban"}:
        return "village"
    return None


def _match_header(text: str) -> str | None:
    """The canonical field a column title means, or None."""
    exact = header_key(text, keep_d_stroke=True)
    if exact in _EXACT_HEADER_KEYS:
        return _EXACT_HEADER_KEYS[exact]
    key = header_key(text)
    if key in _HEADER_KEYS:
        return _HEADER_KEYS[key]
    bare = without_brackets(text)
    key = header_key(bare)
    if key in _HEADER_KEYS:
        return _HEADER_KEYS[key]
    by_rules = _header_by_rules(fold_text(bare))
    if by_rules is not None:
        return by_rules
    if len(key) >= 6 and not _is_about_guardian(fold_text(bare)):
        long_keys = [known for known in _HEADER_KEYS if len(known) >= 6]
        best = process.extractOne(key, long_keys, scorer=fuzz.ratio, score_cutoff=88)
        if best is not None:
            return _HEADER_KEYS[best[0]]
    return None




_MALE_TITLES: Final = frozenset({"nam", "trai", "bé trai", "be trai"})
_FEMALE_TITLES: Final = frozenset({"nữ", "nu", "gái", "gai", "bé gái", "be gai"})
_DATE_PART_TITLES: Final[Mapping[str, str]] = {"ngày": "birth_day", "ngay": "birth_day", "tháng": "birth_month",
                                               "thang": "birth_month", "năm": "birth_year"}
_GIVEN_NAME_TITLES: Final = frozenset({"tên", "ten", "tên trẻ", "tên gọi"})




def _match_column(title: str, parent: str) -> str | None:
    """The field of a column titled ``title`` under the group title ``parent`` (empty for a one-row header)."""
    if not parent and GROUP_SEPARATOR in title:
        # "Ngày tháng năm sinh - Nam": a two-row title written on one row (as in the file of rejected rows)
        parent, title = title.rsplit(GROUP_SEPARATOR, 1)
    plain = plain_title(title)
    if not parent:
        if plain in _MALE_TITLES:
            return "birth_date_male"
        if plain in _FEMALE_TITLES:
            return "birth_date_female"
        if plain in _DATE_PART_TITLES:
            return _DATE_PART_TITLES[plain]
        return _match_header(title)
    parent_field = _match_header(parent)
    if parent_field == "birth_date" or "sinh" in fold_text(parent).split():
        if plain in _MALE_TITLES:
            return "birth_date_male"
        if plain in _FEMALE_TITLES:
            return "birth_date_female"
        if plain in _DATE_PART_TITLES or plain == "nam":
            return _DATE_PART_TITLES.get(plain, "birth_year")
    if parent_field == "full_name":
        if plain in _GIVEN_NAME_TITLES:
            return "given_name"
        if _match_header(title) in ("family_name", "full_name"):
            return _match_header(title)
    joined = _match_header(f"{parent} {title}")
    return joined if joined is not None else _match_header(title)


def match_headers(header_row: Sequence[object], *, parents: Sequence[str] | None = None) -> HeaderMatch:
    """Map each column title of a header row to a canonical field (see :data:`CANONICAL_FIELDS`).

    Titles are compared regardless of case, accents, spacing and punctuation, also when typed in a legacy
    font, and with the common synonyms ("Họ tên", "NS", "GT", "DT", "CCCD", "SĐT", "ĐKKS", "HCĐB", "KT"…);
    notes in brackets are ignored and long titles are read by their key words. ``parents`` gives, for a header
    spread over two rows, the title of the merged group above each column (see :func:`combine_header_rows`).

    Columns standing in for a field (:data:`PART_FIELDS`) are kept only in a coherent set: "Nam" and "Nữ"
    birth-date columns together, day and month columns with a year column, "Tên" as the given name only beside
    a family-name column, an address as village only when no village column exists (otherwise it is kept as an
    unknown column, whose values go to the record's other information).
    """
    found: list[tuple[int, str, str]] = []
    ignored: list[tuple[int, str]] = []
    for index, cell in enumerate(header_row):
        title = detect_and_fix_legacy_encoding(cell_text(cell)).value
        if not title:
            continue
        parent = ""
        if parents is not None and index < len(parents) and parents[index]:
            parent = detect_and_fix_legacy_encoding(parents[index]).value
        if not parent and header_key(title) in _IGNORED_HEADER_KEYS:
            ignored.append((index, title))
            continue
        label = f"{parent}{GROUP_SEPARATOR}{title}" if parent else title
        found.append((index, label, _match_column(title, parent) or ""))
    fields = {field for _, _, field in found}
    family = "family_name" in fields
    replace: dict[str, str] = {}
    if family and "given_name" not in fields:
        replace["full_name"] = "given_name"  # "Họ" | "Tên": the "Tên" column holds the given name
    if not family:
        replace["family_name"] = ""
    if not {"birth_date_male", "birth_date_female"} <= fields:
        replace["birth_date_male"] = replace["birth_date_female"] = ""  # a lone "Nam" column is not a date
    if "birth_year" not in fields:
        replace["birth_day"] = replace["birth_month"] = ""
    replace["address"] = "village" if "village" not in fields else ""
    columns: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    duplicates: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for index, label, field in found:
        field = replace.get(field, field)
        if not field:
            unknown.append((index, label))
        elif field in seen:
            duplicates.append((index, label, field))
        else:
            seen.add(field)
            columns.append((index, field))
    return HeaderMatch(tuple(columns), tuple(unknown), tuple(duplicates), tuple(ignored), required=_REQUIRED)




def find_header_row(rows: Iterable[Sequence[object]], *, max_scan: int = 15) -> HeaderRow:
    """Find the header row of a child list among the first ``max_scan`` rows of a sheet: the row (or pair of rows)
    that maps the most columns to the registry's fields, among those holding a full name and a birth date."""
    not_found = (f"Không tìm thấy dòng tiêu đề có cột '{FIELD_LABELS['full_name']}' và "
                 f"'{FIELD_LABELS['birth_date']}' trong {max_scan} dòng đầu")
    return find_header_row_with(rows, match=match_headers, not_found=not_found, max_scan=max_scan)
