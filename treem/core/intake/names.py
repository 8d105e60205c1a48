"""People's names: cleaning, legacy fonts, Vietnamese title case, the accent-free key."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from treem.core.intake.encodings import LegacyTextFix, detect_and_fix_legacy_encoding
from treem.core.intake.results import LegacyEncoding, Parsed
from treem.core.intake.text import cell_text, normalise_text
from treem.core.text import fold_text

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'"})
_WORD_START = re.compile(r"(^|\W)(\w)")
_NAME_ALLOWED_PUNCTUATION: Final = frozenset(" -'.")


def _vietnamese_title_case(text: str) -> str:
    lowered = unicodedata.normalize("NFC", text.lower())
    titled = _WORD_START.sub(lambda match: match.group(1) + match.group(2).title(), lowered)
    return unicodedata.normalize("NFC", titled)


# The Icelandic eth (Ð, ð) looks like Đ and is sometimes typed for it; it is never a Vietnamese letter.
_ETH_TO_D_STROKE = str.maketrans({"Ð": "Đ", "ð": "đ"})


def _standardise_name_text(
    text: str, *, hint: LegacyEncoding | None = None
) -> tuple[str, LegacyEncoding | None]:
    fix = detect_and_fix_legacy_encoding(text, hint=hint)
    cleaned = normalise_text(fix.value.translate(_APOSTROPHES).translate(_ETH_TO_D_STROKE))
    cleaned = re.sub(r"\s*-\s*", "-", cleaned)
    return _vietnamese_title_case(cleaned), fix.encoding


def standardise_name(s: object, *, hint: LegacyEncoding | None = None) -> Parsed[str]:
    """Standardise a person's full name: clean spacing, convert legacy fonts, Vietnamese title case.

    "NGUYỄN thị ánh" becomes "Nguyễn Thị Ánh"; accents are always kept ("Sình" and "Sinh" are different
    names). Every word, and every part after a hyphen or apostrophe ("H'Hen"), starts with a capital.
    Applying the function to its own result changes nothing. ``hint`` is the legacy encoding of the column,
    if known (see :func:`detect_legacy_encoding`).
    """
    text = cell_text(s)
    if not text:
        return Parsed(None, error="Họ tên để trống")
    refused = refused_characters(text)
    if refused is not None:
        return Parsed(None, error=refused)
    value, encoding = _standardise_name_text(text, hint=hint)
    # Converting the case can reveal or hide legacy text, so the result is settled by repeating until stable;
    # the hint only applies to the cell as typed, never to text already converted.
    for _ in range(3):
        again, again_encoding = _standardise_name_text(value)
        if again == value:
            break
        value, encoding = again, encoding or again_encoding
    note = LegacyTextFix(value, encoding).note
    notes = (note,) if note is not None else ()
    if encoding is None and text.translate(_ETH_TO_D_STROKE) != text:
        notes = (*notes, f"Đã thay chữ 'Ð' (giống Đ) bằng chữ 'Đ': '{value}'")
    warnings: list[str] = []
    if any(ch.isdigit() for ch in value):
        warnings.append(f"Họ tên có chữ số: '{value}'")
    elif any(not ch.isalpha() and ch not in _NAME_ALLOWED_PUNCTUATION for ch in value):
        warnings.append(f"Họ tên có ký tự lạ: '{value}'")
    return Parsed(value, warnings=tuple(warnings), notes=notes)


_MARKUP = re.compile(r"[<>]|&#?\w+;")
_SOFT_HYPHEN = "\u00ad"  # the letter "ư" of text typed in the TCVN3 font, converted later


def refused_characters(text: str) -> str | None:
    """Why a name cannot be a person's name because of its characters, or None.

    Markup (``<``, ``>``, character references such as ``&lt;``) is never part of a name and is how a page
    would be attacked, so such a name is refused rather than stored; so are control characters (which do not
    show on screen: a name that holds one is not the name it looks like).
    """
    if _MARKUP.search(text):
        return f"Họ tên có ký tự của mã trang web ('<', '>' hoặc '&…;'), không phải tên người: '{text[:60]}'"
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" or (category == "Cf" and char != _SOFT_HYPHEN):
            return (f"Họ tên có ký tự điều khiển không nhìn thấy (mã U+{ord(char):04X}): "
                    "hãy gõ lại họ tên trong ô này")
    return None


def fold_name(s: str) -> str:
    """Accent-insensitive key of a name for similarity search and duplicate detection.

    Legacy fonts are converted first, then tone marks and diacritics are removed, đ becomes d and the key is
    lower-case ASCII words separated by single spaces: "Lò Văn Sình" and "LO VAN SINH" both give
    "lo van sinh". The key is for comparison only; the stored name keeps its accents.
    """
    return fold_text(detect_and_fix_legacy_encoding(s).value)


