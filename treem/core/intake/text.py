"""Text as spreadsheets hand it over: Unicode normalisation, spacing, the Vietnamese letters."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Final

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u180e"), None)
_WHITESPACE_RUN = re.compile(r"[\s\u00a0\u2007\u202f]+")
TONE_MARKS: Final = frozenset("\u0300\u0301\u0303\u0309\u0323")


def normalise_text(s: str) -> str:
    """Return ``s`` in Unicode NFC with zero-width characters removed and all spacing collapsed.

    Non-breaking and other Unicode spaces, tabs and line breaks become one ordinary space; leading and
    trailing spaces are removed. Letters are never changed here (the soft hyphen U+00AD is kept on purpose:
    in TCVN3 text it is the letter "ư").
    """
    text = unicodedata.normalize("NFC", s.translate(_ZERO_WIDTH))
    return _WHITESPACE_RUN.sub(" ", text).strip()


def cell_text(value: object) -> str:
    """A spreadsheet cell as normalised text; whole floats lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return normalise_text(str(value))




VIETNAMESE_FAMILIES: Final[Mapping[str, str]] = {
    "a": "aáàảãạ",
    "ă": "ăắằẳẵặ",
    "â": "âấầẩẫậ",
    "e": "eéèẻẽẹ",
    "ê": "êếềểễệ",
    "i": "iíìỉĩị",
    "o": "oóòỏõọ",
    "ô": "ôốồổỗộ",
    "ơ": "ơớờởỡợ",
    "u": "uúùủũụ",
    "ư": "ưứừửữự",
    "y": "yýỳỷỹỵ",
}

#: The 134 letters that carry a Vietnamese diacritic: 67 lower-case (every family form but the bare vowels
#: a e i o u y, plus đ) and their 67 capitals.
_ACCENTED_LOWER: Final = (
    "".join(forms if base in "ăâêôơư" else forms[1:] for base, forms in VIETNAMESE_FAMILIES.items()) + "đ"
)
VIETNAMESE_ACCENTED_LETTERS: Final[str] = _ACCENTED_LOWER + _ACCENTED_LOWER.upper()
