"""Sex, yes/no answers and phone numbers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from treem.core.intake.encodings import detect_and_fix_legacy_encoding
from treem.core.intake.results import Parsed, Sex
from treem.core.intake.text import cell_text
from treem.core.text import fold_text

_SEX_WORDS: Final[Mapping[str, Sex]] = {
    "nam": "M",
    "m": "M",
    "male": "M",
    "boy": "M",
    "1": "M",
    "trai": "M",
    "be trai": "M",
    "con trai": "M",
    "tre trai": "M",
    "gioi tinh nam": "M",
    "nu": "F",
    "f": "F",
    "female": "F",
    "girl": "F",
    "2": "F",
    "gai": "F",
    "be gai": "F",
    "con gai": "F",
    "tre gai": "F",
    "gioi tinh nu": "F",
}
SEX_LABELS: Final[Mapping[Sex, str]] = {"M": "Nam", "F": "Nữ"}


def parse_sex(value: object) -> Parsed[Sex]:
    """Read sex as "M" (Nam) or "F" (Nữ).

    Accepted: Nam/Nữ in any case, with or without accents, in TCVN3 or VNI; M/F, male/female; 1 = Nam,
    2 = Nữ (the usual statistical coding); "trai"/"gái" with or without "bé"/"con".
    """
    raw = cell_text(value)
    if not raw:
        return Parsed(None, error="Giới tính để trống (dùng Nam hoặc Nữ)")
    key = fold_text(detect_and_fix_legacy_encoding(raw).value)
    sex = _SEX_WORDS.get(key)
    if sex is None:
        return Parsed(None, error=f"Giới tính không đọc được: '{raw}' (dùng Nam hoặc Nữ)")
    return Parsed(sex)





_YES_WORDS: Final = frozenset({"co", "c", "x", "1", "yes", "y", "true", "da", "roi", "v", "ok", "dung"})
_NO_WORDS: Final = frozenset({"khong", "k", "ko", "kg", "0", "no", "n", "false", "chua", "sai"})
_YES_MARKS: Final = frozenset({"✓", "✔", "☑", "√"})
EMPTY_MARKS: Final = frozenset({"-", "--", "—", "–"})
# "Không rõ", "chưa biết", "chưa xác định": the officer does not know, which is the same as an empty cell.
_UNKNOWN_WORDS: Final = frozenset({"ro", "biet", "xac dinh", "ro rang", "co thong tin"})


def parse_yes_no(value: object) -> Parsed[bool]:
    """Read a yes/no cell: Có/Không, x, 1/0, yes/no, true/false, "đã …"/"chưa …"; empty or "-" is ``None``.

    "Không rõ", "chưa biết" and the like mean the answer is unknown and also give ``None``. "Có thể" (maybe)
    is not an answer and is rejected.
    """
    if isinstance(value, bool):
        return Parsed(value)
    raw = cell_text(value)
    if not raw or raw in EMPTY_MARKS:
        return Parsed(None)
    if raw in _YES_MARKS:
        return Parsed(True)
    text = detect_and_fix_legacy_encoding(raw).value
    folded = fold_text(text)
    if folded in _YES_WORDS:
        return Parsed(True)
    if folded in _NO_WORDS:
        return Parsed(False)
    first_word, _, rest = folded.partition(" ")
    if first_word in {"khong", "chua"} and rest in _UNKNOWN_WORDS:
        return Parsed(None)
    if first_word == "da" or (first_word == "co" and not text.lower().startswith("có thể") and rest != "the"):
        return Parsed(True)
    if first_word in {"khong", "chua"}:
        return Parsed(False)
    return Parsed(None, error=f"Giá trị không đọc được: '{raw}' (dùng Có hoặc Không)")


# ----------------------------------------------------------------------------------------------------------
# Phone numbers
# ----------------------------------------------------------------------------------------------------------

TRAILING_ZERO_DECIMALS: Final = re.compile(r"(\d+)[.,]0+")
"""A number typed as text with a decimal part of zeros ("0912345678.0"), as Excel leaves it."""
_MOBILE_PREFIXES: Final = ("03", "05", "07", "08", "09")
# The 11-digit mobile numbers converted to 10 digits in 2018 (old prefix → new prefix).
_OLD_MOBILE_PREFIXES: Final[Mapping[str, str]] = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037", "0168": "038",
    "0169": "039", "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078", "0123": "083",
    "0124": "084", "0125": "085", "0127": "081", "0129": "082", "0186": "056", "0188": "058", "0199": "059",
}  # fmt: skip
_PHONE_SEPARATORS = re.compile(r"\s*(?:[,;/|&]|\s-\s|\bhoặc\b|\bhoac\b)\s*", re.IGNORECASE)


def parse_phone(value: object) -> Parsed[str]:
    """Read a Vietnamese phone number as digits starting with 0.

    Mobile numbers have 10 digits (03, 05, 07, 08, 09…); landlines 11 digits starting with 02. Spaces, dots,
    dashes and brackets are removed; +84/84/0084 becomes 0; a number that lost its leading 0 in Excel gets it
    back; an old 11-digit mobile number (0168…) is converted to its 2018 prefix with a note. When a cell holds
    several numbers the first is kept with a warning. Empty is allowed (``None``).
    """
    raw = cell_text(value)
    if not raw:
        return Parsed(None)
    parts = [part for part in _PHONE_SEPARATORS.split(raw) if part.strip()]
    result = _parse_one_phone(parts[0] if parts else raw, raw=raw)
    if result.error is None and len(parts) > 1:
        warning = f"Ô có nhiều số điện thoại ('{raw}'); đã lấy số đầu tiên {result.value}"
        return Parsed(result.value, warnings=(warning,), notes=result.notes)
    return result


def _parse_one_phone(text: str, *, raw: str) -> Parsed[str]:
    error: Parsed[str] = Parsed(
        None, error=f"Số điện thoại không hợp lệ: '{raw}' (cần 10 chữ số, bắt đầu bằng 0)"
    )
    compact = re.sub(r"[\s.\-()']", "", text)
    if TRAILING_ZERO_DECIMALS.fullmatch(compact):
        compact = compact.split(".")[0].split(",")[0]
    if compact.startswith("+"):
        compact = compact[1:]
        if not compact.startswith("84"):
            return error
    if not compact.isdigit() or not compact.isascii():
        return error
    if compact.startswith("0084"):
        compact = "0" + compact[4:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        compact = "0" + compact[2:]
    elif not compact.startswith("0") and len(compact) in (9, 10):
        compact = "0" + compact
    notes: tuple[str, ...] = ()
    if len(compact) == 11 and compact[:4] in _OLD_MOBILE_PREFIXES:
        converted = _OLD_MOBILE_PREFIXES[compact[:4]] + compact[4:]
        notes = (f"Số di động cũ {compact} đã được đổi sang đầu số mới {converted}",)
        compact = converted
    if len(compact) == 10 and compact.startswith(_MOBILE_PREFIXES):
        return Parsed(compact, notes=notes)
    if len(compact) == 11 and compact.startswith("02"):
        return Parsed(compact)
    return error


