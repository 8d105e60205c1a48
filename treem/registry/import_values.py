"""Reading the registry's own values in imported cells: the groups of special circumstances of Article 10 of the Law
on Children 2016 and the school level a school's name implies.

Like ``treem.core.intake``, every function takes one raw cell value and is pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from treem.core.intake.encodings import detect_and_fix_legacy_encoding
from treem.core.intake.names import fold_name
from treem.core.intake.results import Parsed
from treem.core.intake.text import cell_text
from treem.core.intake.values import EMPTY_MARKS
from treem.core.text import fold_text
from treem.registry.models import SchoolLevel

#: The 14 groups of children in special circumstances, Article 10(1) of the Law on Children 102/2016/QH13.
#: The letters follow the Vietnamese alphabet: there is a "đ" and there is no "f" or "j".
SPECIAL_CIRCUMSTANCE_GROUPS: Final[Mapping[str, str]] = {
    "a": "Trẻ em mồ côi cả cha và mẹ",
    "b": "Trẻ em bị bỏ rơi",
    "c": "Trẻ em không nơi nương tựa",
    "d": "Trẻ em khuyết tật",
    "đ": "Trẻ em nhiễm HIV/AIDS",
    "e": "Trẻ em vi phạm pháp luật",
    "g": "Trẻ em nghiện ma túy",
    "h": "Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập giáo dục trung học cơ sở",
    "i": "Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực",
    "k": "Trẻ em bị bóc lột",
    "l": "Trẻ em bị xâm hại tình dục",
    "m": "Trẻ em bị mua bán",
    "n": "Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo",
    "o": "Trẻ em di cư, trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc",
}
_VALID_LETTERS_TEXT: Final = ", ".join(SPECIAL_CIRCUMSTANCE_GROUPS)
_NONE_WORDS: Final = frozenset({"khong", "khong co", "khong thuoc", "khong thuoc nhom nao"})
_MIN_NAME_START_WORDS: Final = 2


def _group_name_key(name: str) -> str:
    folded = fold_text(name)
    return folded[len("tre em ") :] if folded.startswith("tre em ") else folded


_GROUP_NAME_KEYS: Final[Mapping[str, str]] = {
    letter: _group_name_key(name) for letter, name in SPECIAL_CIRCUMSTANCE_GROUPS.items()
}


def _letters_in(item: str) -> list[str] | None:
    """The group letters of an item such as "a", "nhóm a", "a, c", "a c", "đ" or "dd"; None for other text."""
    text = item.lower().replace("nhóm", " ").replace("nhom", " ").replace("điểm", " ").replace("diem", " ")
    tokens = [token for token in re.split(r"[\s,;/+&)(.]+|\bvà\b|\bva\b", text) if token]
    if not tokens or not all(re.fullmatch(r"[a-zđ]|dd", token) for token in tokens):
        return None
    return ["đ" if token == "dd" else token for token in tokens]


def _group_for_name(item: str) -> str | None:
    """The letter of the one group whose name is, or starts with, ``item`` (at least two words), or None."""
    key = _group_name_key(item)
    if not key:
        return None
    exact = [letter for letter, name_key in _GROUP_NAME_KEYS.items() if name_key == key]
    if exact:
        return exact[0]
    if len(key.split()) < _MIN_NAME_START_WORDS:
        return None
    starting = [letter for letter, name_key in _GROUP_NAME_KEYS.items() if name_key.startswith(key)]
    return starting[0] if len(starting) == 1 else None


_LABELLED_ITEM = re.compile(r"(?:nhóm|nhom|điểm|diem)?\s*([a-zđ])\s*[).:\-]\s*(.+)", re.IGNORECASE)


def _labelled_group(item: str) -> str | None:
    """The letter of an item written as in the law ("a) Trẻ em mồ côi…") when its letter and name agree."""
    match = _LABELLED_ITEM.fullmatch(item)
    if match is None:
        return None
    letter = match.group(1).lower()
    return letter if _group_for_name(match.group(2)) == letter else None


def parse_special_circumstances(value: object) -> Parsed[frozenset[str]]:
    """Read the groups of special circumstances of a child as a set of letters of Article 10.

    Accepted: letters "a, c", "a;c", "a c", "nhóm a", "đ" (or "dd"); the full names of the groups or their
    first words ("Trẻ em mồ côi cả cha và mẹ", "bị bỏ rơi"), also after their letter as in the law
    ("a) Trẻ em mồ côi cả cha và mẹ"), several separated by ";" or line breaks. Empty or
    "không" gives an empty set. Unknown letters or names are rejected with the list of valid letters.
    """
    raw = cell_text(value)
    text = detect_and_fix_legacy_encoding(raw).value if raw else ""
    if not text or text in EMPTY_MARKS or fold_text(text) in _NONE_WORDS:
        return Parsed(frozenset())
    whole = _group_for_name(text)
    if whole is not None:
        return Parsed(frozenset({whole}))
    letters: set[str] = set()
    unknown: list[str] = []
    for item in (part.strip() for part in re.split(r"[;\n]+", text)):
        if not item:
            continue
        found = _letters_in(item)
        if found is None:
            single = _group_for_name(item) or _labelled_group(item)
            if single is not None:
                found = [single]
            else:
                sub_items = [part.strip() for part in item.split(",") if part.strip()]
                sub_found = [
                    _letters_in(part) or _maybe(_group_for_name(part) or _labelled_group(part))
                    for part in sub_items
                ]
                if sub_items and all(sub_found):
                    found = [letter for part in sub_found for letter in (part or [])]
        if found is None:
            unknown.append(item)
            continue
        for letter in found:
            if letter in SPECIAL_CIRCUMSTANCE_GROUPS:
                letters.add(letter)
            else:
                unknown.append(letter)
    if unknown:
        shown = "', '".join(unknown)
        return Parsed(
            None,
            error=(
                f"Nhóm hoàn cảnh đặc biệt không đọc được: '{shown}' (dùng các chữ {_VALID_LETTERS_TEXT} "
                "theo Điều 10 Luật Trẻ em 2016)"
            ),
        )
    return Parsed(frozenset(letters))


def _maybe(letter: str | None) -> list[str] | None:
    return [letter] if letter is not None else None


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
