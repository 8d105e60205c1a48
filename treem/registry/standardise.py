"""Standardisation of the values that commune officers keep in their Excel child lists.

Commune files are of very uneven quality: dates typed in half a dozen ways, names in any case, old files typed
in the legacy TCVN3 (ABC) or VNI fonts, personal identification numbers that lost their leading zero in Excel,
ethnic groups written with their many local names. Every function here takes one raw cell value exactly as a
spreadsheet reader returns it (``str``, ``int``, ``float``, ``date``, ``datetime``, ``bool`` or ``None``) and
returns a small frozen result: the standardised value, or an error message in Vietnamese that tells the
officer why the value cannot be read. Automatic corrections are reported as notes and doubtful values as
warnings, so that every change made to an imported row can be shown to the officer.

The functions are pure: no database, no Django, no clock (functions that depend on today take ``as_of``).
The rules are explained for officers in ``docs/import-rules.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final, Generic, Literal, TypeVar

from rapidfuzz import fuzz, process

from treem.core.text import fold_text

T = TypeVar("T")

LegacyEncoding = Literal["tcvn3", "vni"]
DatePrecision = Literal["day", "month", "year"]
Sex = Literal["M", "F"]


# ----------------------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T]):
    """The outcome of reading one cell.

    ``value`` is the standardised value, or ``None`` when the cell is empty or cannot be read. ``error`` says
    in Vietnamese why the value was rejected; ``warnings`` point at a value that was accepted but looks
    doubtful; ``notes`` describe automatic corrections (for example a restored leading zero).
    """

    value: T | None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the value was accepted (possibly empty)."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class LegacyTextFix:
    """Text after legacy-font detection: the Unicode value and the encoding it was converted from, if any."""

    value: str
    encoding: LegacyEncoding | None = None

    @property
    def note(self) -> str | None:
        """A Vietnamese note for the officer when the text was converted."""
        if self.encoding is None:
            return None
        return f"Đã chuyển từ bảng mã {LEGACY_ENCODING_LABELS[self.encoding]} sang Unicode: '{self.value}'"


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date read from a cell, with how much of it was known.

    ``precision`` is ``"day"`` for a full date, ``"month"`` when only month and year were given (the value is
    the 1st of that month) and ``"year"`` when only the year was given (the value is 1 July of that year, the
    middle of the year, or ``as_of`` when that is earlier, so that a child born "this year" is never dated in
    the future). The registry stores the precision beside the date.
    """

    value: dt.date | None
    precision: DatePrecision | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the value was accepted (possibly empty)."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class ParsedPersonalId:
    """A 12-digit personal identification number and what its digits say about the person.

    ``province_code`` is the code of the province where the birth was registered (digits 1–3),
    ``sex`` and ``birth_year`` are decoded from digits 4–6.
    """

    value: str | None
    province_code: str | None = None
    sex: Sex | None = None
    birth_year: int | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the value was accepted (possibly empty)."""
        return self.error is None


# ----------------------------------------------------------------------------------------------------------
# Text
# ----------------------------------------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u180e"), None)
_WHITESPACE_RUN = re.compile(r"[\s\u00a0\u2007\u202f]+")
_TONE_MARKS: Final = frozenset("\u0300\u0301\u0303\u0309\u0323")


def normalise_text(s: str) -> str:
    """Return ``s`` in Unicode NFC with zero-width characters removed and all spacing collapsed.

    Non-breaking and other Unicode spaces, tabs and line breaks become one ordinary space; leading and
    trailing spaces are removed. Letters are never changed here (the soft hyphen U+00AD is kept on purpose:
    in TCVN3 text it is the letter "ư").
    """
    text = unicodedata.normalize("NFC", s.translate(_ZERO_WIDTH))
    return _WHITESPACE_RUN.sub(" ", text).strip()


def _cell_text(value: object) -> str:
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


# ----------------------------------------------------------------------------------------------------------
# Legacy Vietnamese encodings (TCVN3 / ABC and VNI)
# ----------------------------------------------------------------------------------------------------------
#
# Before Unicode, Vietnamese offices typed in 8-bit fonts: TCVN3 (TCVN 5712:1993 VN3, the "ABC" fonts .VnTime,
# .VnArial…) and VNI (VNI-Times…). Excel stores such text as the Windows-1252 characters of the bytes, so
# "Nguyễn" typed in .VnTime arrives as "NguyÔn" and typed in VNI-Times as "Nguyeãn". Both tables only use
# bytes 0xA1–0xFF, which Windows-1252 maps to the same code points as Latin-1, so each byte below is written
# as its Latin-1 character.
#
# Order of the six forms in every family: no tone, sắc (acute), huyền (grave), hỏi (hook), ngã (tilde),
# nặng (dot below).

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

# TCVN3 (ABC): one byte per letter. Capitals with a tone mark have no code in the normal fonts; the
# capital fonts (.VnTimeH) draw the lower-case codes as capitals, so they share the lower-case codes.
_TCVN3_FAMILY_BYTES: Final[Mapping[str, bytes]] = {
    "a": b"a\xb8\xb5\xb6\xb7\xb9",
    "ă": b"\xa8\xbe\xbb\xbc\xbd\xc6",
    "â": b"\xa9\xca\xc7\xc8\xc9\xcb",
    "e": b"e\xd0\xcc\xce\xcf\xd1",
    "ê": b"\xaa\xd5\xd2\xd3\xd4\xd6",
    "i": b"i\xdd\xd7\xd8\xdc\xde",
    "o": b"o\xe3\xdf\xe1\xe2\xe4",
    "ô": b"\xab\xe8\xe5\xe6\xe7\xe9",
    "ơ": b"\xac\xed\xea\xeb\xec\xee",
    "u": b"u\xf3\xef\xf1\xf2\xf4",
    "ư": b"\xad\xf8\xf5\xf6\xf7\xf9",
    "y": b"y\xfd\xfa\xfb\xfc\xfe",
}
_TCVN3_OTHER_BYTES: Final[Mapping[str, bytes]] = {
    "đ": b"\xae",
    "Ă": b"\xa1",
    "Â": b"\xa2",
    "Ê": b"\xa3",
    "Ô": b"\xa4",
    "Ơ": b"\xa5",
    "Ư": b"\xa6",
    "Đ": b"\xa7",
}

# VNI: a base letter followed by a modifier byte for most letters; a few letters have a single byte.
# Capitals are the same bytes in their Latin-1 capital form (0x20 lower), e.g. "Á" = "A" + 0xD9.
_VNI_TONE_BYTES: Final = b"\xf9\xf8\xfb\xf5\xef"  # sắc, huyền, hỏi, ngã, nặng after a plain vowel
_VNI_CIRCUMFLEX_BYTES: Final = b"\xe2\xe1\xe0\xe5\xe3\xe4"  # â/ê/ô family after a, e, o
_VNI_BREVE_BYTES: Final = b"\xea\xe9\xe8\xfa\xfc\xeb"  # ă family after a
_VNI_FAMILY_BYTES: Final[Mapping[str, tuple[bytes, ...]]] = {
    "a": (b"a", *(b"a" + bytes([t]) for t in _VNI_TONE_BYTES)),
    "ă": tuple(b"a" + bytes([t]) for t in _VNI_BREVE_BYTES),
    "â": tuple(b"a" + bytes([t]) for t in _VNI_CIRCUMFLEX_BYTES),
    "e": (b"e", *(b"e" + bytes([t]) for t in _VNI_TONE_BYTES)),
    "ê": tuple(b"e" + bytes([t]) for t in _VNI_CIRCUMFLEX_BYTES),
    "i": (b"i", b"\xed", b"\xec", b"\xe6", b"\xf3", b"\xf2"),
    "o": (b"o", *(b"o" + bytes([t]) for t in _VNI_TONE_BYTES)),
    "ô": tuple(b"o" + bytes([t]) for t in _VNI_CIRCUMFLEX_BYTES),
    "ơ": (b"\xf4", *(b"\xf4" + bytes([t]) for t in _VNI_TONE_BYTES)),
    "u": (b"u", *(b"u" + bytes([t]) for t in _VNI_TONE_BYTES)),
    "ư": (b"\xf6", *(b"\xf6" + bytes([t]) for t in _VNI_TONE_BYTES)),
    "y": (b"y", b"y\xf9", b"y\xf8", b"y\xfb", b"y\xf5", b"\xee"),
}
_VNI_OTHER_BYTES: Final[Mapping[str, bytes]] = {"đ": b"\xf1"}

LEGACY_ENCODING_LABELS: Final[Mapping[LegacyEncoding, str]] = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI"}


def _build_tcvn3_tables() -> tuple[dict[str, str], dict[int, str]]:
    encode: dict[str, str] = {}
    decode: dict[int, str] = {}
    for base, forms in VIETNAMESE_FAMILIES.items():
        for letter, code in zip(forms, _TCVN3_FAMILY_BYTES[base].decode("latin-1"), strict=True):
            if code.isascii():
                continue  # the bare vowels a e i o u y are plain ASCII
            encode[letter] = code
            encode[letter.upper()] = code
            decode[ord(code)] = letter
    for letter, code_bytes in _TCVN3_OTHER_BYTES.items():
        code = code_bytes.decode("latin-1")
        encode[letter] = code
        decode[ord(code)] = letter
    return encode, decode


def _build_vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    encode: dict[str, str] = {}
    for base, sequences in _VNI_FAMILY_BYTES.items():
        for letter, sequence in zip(VIETNAMESE_FAMILIES[base], sequences, strict=True):
            if not sequence.isascii():  # the bare vowels a e i o u y are plain ASCII
                encode[letter] = sequence.decode("latin-1")
                encode[letter.upper()] = sequence.decode("latin-1").upper()
    for letter, sequence_bytes in _VNI_OTHER_BYTES.items():
        encode[letter] = sequence_bytes.decode("latin-1")
        encode[letter.upper()] = sequence_bytes.decode("latin-1").upper()
    decode: dict[str, str] = {}
    for letter, encoded in encode.items():
        if encoded == letter:
            continue  # í and ì are the same in VNI and Unicode
        decode[encoded] = letter
        if len(encoded) == 2:
            # Excel's PROPER() and hand edits mix the case of a base letter and its modifier ("Aùnh"); the
            # letter takes the case of its base.
            decode.setdefault(encoded[0] + encoded[1].swapcase(), letter)
    return encode, decode


_TCVN3_ENCODE, _TCVN3_DECODE = _build_tcvn3_tables()
_VNI_ENCODE, _VNI_DECODE = _build_vni_tables()
_VNI_PATTERN: Final = re.compile(
    "|".join(re.escape(sequence) for sequence in sorted(_VNI_DECODE, key=len, reverse=True))
)


def encode_tcvn3(text: str) -> str:
    """Encode Unicode text to TCVN3 (ABC) as it appears once Excel has read it (one character per byte).

    Capitals with a tone mark share the lower-case codes (see the module notes); other characters are kept.
    Used to verify the tables by round trip and to produce test samples.
    """
    return "".join(_TCVN3_ENCODE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def encode_vni(text: str) -> str:
    """Encode Unicode text to VNI as it appears once Excel has read it (one character per byte)."""
    return "".join(_VNI_ENCODE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


# Words of legacy text are separated by spaces and ASCII punctuation only: any Latin-1 symbol may be a letter.
_SEPARATOR_CHARS: Final = r"\s!-/:-@\[-`{-~"
_TOKEN_SPLIT: Final = re.compile(f"[{_SEPARATOR_CHARS}]+")
_TOKEN: Final = re.compile(f"[^{_SEPARATOR_CHARS}]+")


def decode_tcvn3(text: str) -> str:
    """Decode TCVN3 (ABC) text to Unicode.

    A word typed in a capital font (.VnTimeH) only shows its case through its plain ASCII letters: when a word
    has at least two ASCII letters and all of them are capitals ("NGUYÔN"), the whole word is made capital
    ("NGUYỄN").
    """
    decoded_parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        decoded_parts.append(text[position : match.start()])
        word = match.group()
        decoded = word.translate(_TCVN3_DECODE)
        ascii_letters = [ch for ch in word if ch.isascii() and ch.isalpha()]
        if decoded != word and len(ascii_letters) >= 2 and all(ch.isupper() for ch in ascii_letters):
            decoded = decoded.upper()
        decoded_parts.append(decoded)
        position = match.end()
    decoded_parts.append(text[position:])
    return unicodedata.normalize("NFC", "".join(decoded_parts))


def decode_vni(text: str) -> str:
    """Decode VNI text to Unicode."""
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda match: _VNI_DECODE[match.group()], text))


def _decode(text: str, encoding: LegacyEncoding) -> str:
    return decode_tcvn3(text) if encoding == "tcvn3" else decode_vni(text)


# Vietnamese rhymes (vần) without tone: what may follow the initial consonant of a syllable. Used only to
# judge whether a word is plausible Vietnamese, so the list leans towards accepting.
_RHYMES: Final = frozenset(
    str.split(
        """
    a ai ao au ay ac ach am an ang anh ap at
    ăc ăm ăn ăng ăp ăt
    âu ây âc âm ân âng âp ât
    e eo ec em en eng ep et
    ê êu êch êm ên ênh êng êp êt
    i ia iu ich im in inh ip it
    iêu iêc iêm iên iêng iêp iêt
    yêu yêm yên yêng yêt
    o oi oc om on ong op ot ooc oong
    ô ôi ôc ôm ôn ông ôp ôt
    ơ ơi ơc ơm ơn ơng ơp ơt
    u ua ui uc um un ung up ut
    uôi uôc uôm uôn uông uôt
    ư ưa ưi ưu ưc ưm ưn ưng ưt
    ươi ươu ươc ươm ươn ương ươp ươt
    oa oai oao oay oac oach oam oan oang oanh oap oat
    oăc oăm oăn oăng oăt
    oe oeo oem oen oeng oet
    uâ uân uâng uât uây
    uê uêch uênh
    uơ
    uy uya uyu uych uyn uynh uyp uyt
    uyên uyêt
    y
    """
    )
)
_STOP_FINALS: Final = ("c", "ch", "p", "t")
_CONSONANTS: Final = frozenset("bcdđfghjklmnpqrstvwxz")
_VIETNAMESE_LETTERS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyz" + "".join(VIETNAMESE_FAMILIES.values()) + "đ"
)


def _is_plausible_syllable(token: str) -> bool:
    """Whether a word could be a Vietnamese syllable: known letters, at most one tone, a known rhyme."""
    word = unicodedata.normalize("NFC", token).lower()
    if not word or any(ch not in _VIETNAMESE_LETTERS for ch in word):
        return False
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    initial_length = 0
    while initial_length < len(base) and base[initial_length] in _CONSONANTS:
        initial_length += 1
    if initial_length > 3:
        return False
    initial, rest = base[:initial_length], base[initial_length:]
    candidates = [rest]
    if initial.endswith("g") and rest.startswith("i") and len(rest) > 1:
        candidates.append(rest[1:])
    if initial.endswith("q") and rest.startswith("u") and len(rest) > 1:
        candidates.append(rest[1:])
    if not any(candidate in _RHYMES for candidate in candidates):
        return False
    # Syllables closed by c, ch, p or t only take the sắc or nặng tone.
    return not (rest.endswith(_STOP_FINALS) and tones and tones[0] not in ("\u0301", "\u0323"))


def _implausible_words(text: str) -> tuple[int, int]:
    """Count the words that carry a non-ASCII character, and how many of them are not plausible Vietnamese."""
    counted = invalid = 0
    for token in _TOKEN_SPLIT.split(text):
        if not token or token.isascii() or any(ch.isdigit() for ch in token):
            continue
        counted += 1
        if not _is_plausible_syllable(token):
            invalid += 1
    return counted, invalid


def _is_unicode_vietnamese(text: str) -> bool:
    """True when the text holds a letter that no legacy font produces (so it was typed in Unicode)."""
    return any((ord(ch) > 0xFF and ch.isalpha()) or unicodedata.combining(ch) for ch in text)


_LEGACY_ENCODINGS: Final[tuple[LegacyEncoding, ...]] = ("tcvn3", "vni")


def _candidate_decodings(text: str) -> Iterator[tuple[LegacyEncoding, str, int, int]]:
    for encoding in _LEGACY_ENCODINGS:
        decoded = _decode(text, encoding)
        if decoded != text:
            counted, invalid = _implausible_words(decoded)
            yield encoding, decoded, counted, invalid


def detect_and_fix_legacy_encoding(s: str, *, hint: LegacyEncoding | None = None) -> LegacyTextFix:
    """Detect text typed in a TCVN3 (ABC) or VNI font and convert it to Unicode; leave Unicode text untouched.

    Legacy text reaches us as Latin-1 characters, so text with any letter beyond Latin-1 (ă, đ, ơ, ư, ạ, ễ…)
    is Unicode already and is returned as is. Otherwise the words that carry accented characters are checked
    against Vietnamese spelling (letters, one tone mark, a known rhyme): text whose words are all plausible is
    kept, so a correct name such as "Giàng A Páo" is never altered. Text with implausible words ("NguyÔn",
    "Nguyeãn") is decoded with each table and the decoding whose words are all plausible is kept.

    ``hint`` is the encoding already detected for the whole column or sheet: with it, text whose words are all
    plausible in both readings (a short "Pã" is Unicode "Pã" or TCVN3 "Pó") is decoded too.
    """
    text = normalise_text(s)
    if not text or text.isascii() or _is_unicode_vietnamese(text):
        return LegacyTextFix(text)
    _, invalid = _implausible_words(text)
    if hint is not None:
        decoded = _decode(text, hint)
        if decoded != text and _implausible_words(decoded)[1] == 0:
            return LegacyTextFix(decoded, hint)
    if invalid == 0:
        return LegacyTextFix(text)
    best: tuple[int, int, LegacyEncoding, str] | None = None
    for order, (encoding, decoded, decoded_counted, decoded_invalid) in enumerate(_candidate_decodings(text)):
        # Long texts (notes) may keep a few odd words; a name must come out entirely plausible.
        if decoded_invalid < invalid and decoded_invalid <= decoded_counted // 5:
            candidate = (decoded_invalid, order, encoding, decoded)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    if best is None:
        return LegacyTextFix(text)
    return LegacyTextFix(best[3], best[2])


def detect_legacy_encoding(cells: Iterable[object]) -> LegacyEncoding | None:
    """The legacy encoding used by most of the text cells of one column or sheet, or None for Unicode.

    Pass the result as ``hint`` to :func:`detect_and_fix_legacy_encoding` or :func:`standardise_name` for the
    same column: a file is typed in one font, and the hint settles short values that read correctly either
    way. Cells that are not text (numbers, dates, empty cells) do not vote.
    """
    votes: dict[LegacyEncoding, int] = {"tcvn3": 0, "vni": 0}
    unicode_votes = 0
    for cell in cells:
        if not isinstance(cell, str):
            continue
        fix = detect_and_fix_legacy_encoding(cell)
        if fix.encoding is not None:
            votes[fix.encoding] += 1
        elif _is_unicode_vietnamese(fix.value):
            unicode_votes += 1
    encoding: LegacyEncoding = "tcvn3" if votes["tcvn3"] >= votes["vni"] else "vni"
    if votes[encoding] == 0 or votes[encoding] <= unicode_votes:
        return None
    return encoding


# ----------------------------------------------------------------------------------------------------------
# Names
# ----------------------------------------------------------------------------------------------------------

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
    text = _cell_text(s)
    if not text:
        return Parsed(None, error="Họ tên để trống")
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


def fold_name(s: str) -> str:
    """Accent-insensitive key of a name for similarity search and duplicate detection.

    Legacy fonts are converted first, then tone marks and diacritics are removed, đ becomes d and the key is
    lower-case ASCII words separated by single spaces: "Lò Văn Sình" and "LO VAN SINH" both give
    "lo van sinh". The key is for comparison only; the stored name keeps its accents.
    """
    return fold_text(detect_and_fix_legacy_encoding(s).value)


# ----------------------------------------------------------------------------------------------------------
# Dates
# ----------------------------------------------------------------------------------------------------------

_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
_EXCEL_FIRST_PLAUSIBLE_SERIAL: Final = (dt.date(1950, 1, 1) - _EXCEL_EPOCH).days
_EXCEL_LAST_PLAUSIBLE_SERIAL: Final = (dt.date(2100, 12, 31) - _EXCEL_EPOCH).days
_FIRST_PLAUSIBLE_YEAR: Final = 1900
_LAST_PLAUSIBLE_YEAR: Final = 2100

_TIME_SUFFIX = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?"
_ISO_DATE = re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})" + _TIME_SUFFIX)
_DMY_DATE = re.compile(r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})" + _TIME_SUFFIX)
_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{4})")
_YEAR_ONLY = re.compile(r"\d{4}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORDED_DATE = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_WORDED_MONTH = re.compile(r"thang (\d{1,2}) (?:nam )?(\d{4})")
_WORDED_YEAR = re.compile(r"nam (\d{4})")
_SHORT_MONTH = re.compile(r"(?:t|th|thg) ?(\d{1,2}) (?:nam )?(\d{4})")


def excel_serial_to_date(serial: float) -> dt.date:
    """The date of an Excel serial number in the 1900 date system.

    Excel counts 1900-01-01 as day 1 and wrongly treats 1900 as a leap year (day 60 is "1900-02-29"), so
    from day 61 on the serial is the number of days since 1899-12-30. A time of day (the fraction) is dropped.
    Raises ``ValueError`` for day 60 and for serials below 1.
    """
    day = math.floor(serial)
    if day < 1 or day == 60:
        raise ValueError(f"Excel serial {serial} is not a real date")
    if day < 60:
        return dt.date(1899, 12, 31) + dt.timedelta(days=day)
    return _EXCEL_EPOCH + dt.timedelta(days=day)


def _format_date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def parse_date(value: object, *, as_of: dt.date | None = None, label: str = "Ngày sinh") -> ParsedDate:
    """Read a date from a cell and say how precise it is.

    Accepted: ``date``/``datetime`` cells; Excel serial numbers between 1950 and 2100 (numbers or numeric
    text, see :func:`excel_serial_to_date`); "dd/mm/yyyy", "d/m/yyyy", "dd-mm-yyyy", "dd.mm.yyyy" (optionally
    followed by a time); "d/m/yy", where the year is 20yy unless that date is after ``as_of``, then 19yy;
    "yyyy-mm-dd"; "mm/yyyy" (month precision, day 1); "yyyy" (year precision, 1 July); and the worded forms
    "ngày 5 tháng 3 năm 2020", "tháng 3/2020", "T3/2020", "năm 2020". Dates after ``as_of`` (default: today) are
    rejected. ``label`` names the field in messages.
    """
    today = as_of or dt.date.today()
    if value is None or (isinstance(value, str) and not normalise_text(value)):
        return ParsedDate(None, error=f"{label} để trống")
    if isinstance(value, bool):
        return ParsedDate(None, error=f"{label} không đọc được: '{value}'")
    if isinstance(value, dt.datetime):
        return _checked_date(value.date(), "day", today=today, label=label)
    if isinstance(value, dt.date):
        return _checked_date(value, "day", today=today, label=label)
    if isinstance(value, (int, float)):
        return _parse_number_as_date(value, raw=_cell_text(value), today=today, label=label)
    raw = normalise_text(str(value))
    unreadable = ParsedDate(None, error=f"{label} không đọc được: '{raw}'")

    if match := _ISO_DATE.fullmatch(raw):
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        return _day_precision(year, month, day, today=today, label=label)
    if match := _DMY_DATE.fullmatch(raw):
        day, month, year_text = int(match.group(1)), int(match.group(3)), match.group(4)
        if len(year_text) == 4:
            return _day_precision(int(year_text), month, day, today=today, label=label)
        return _two_digit_year_date(day, month, int(year_text), raw=raw, today=today, label=label)
    if match := _MONTH_YEAR.fullmatch(raw):
        return _month_precision(int(match.group(2)), int(match.group(1)), today=today, label=label, raw=raw)
    if _YEAR_ONLY.fullmatch(raw):
        return _year_precision(int(raw), today=today, label=label, raw=raw)
    if _NUMBER.fullmatch(raw):
        return _parse_number_as_date(float(raw.replace(",", ".")), raw=raw, today=today, label=label)

    folded = fold_text(raw)
    if match := _WORDED_DATE.fullmatch(folded):
        return _day_precision(
            int(match.group(3)), int(match.group(2)), int(match.group(1)), today=today, label=label
        )
    if match := _WORDED_MONTH.fullmatch(folded):
        return _month_precision(int(match.group(2)), int(match.group(1)), today=today, label=label, raw=raw)
    if match := _WORDED_YEAR.fullmatch(folded):
        return _year_precision(int(match.group(1)), today=today, label=label, raw=raw)
    if match := _SHORT_MONTH.fullmatch(folded):
        return _month_precision(int(match.group(2)), int(match.group(1)), today=today, label=label, raw=raw)
    return unreadable


def _parse_number_as_date(number: float, *, raw: str, today: dt.date, label: str) -> ParsedDate:
    if not math.isfinite(number):
        return ParsedDate(None, error=f"{label} không đọc được: '{raw}'")
    if number == int(number) and _FIRST_PLAUSIBLE_YEAR <= number <= _LAST_PLAUSIBLE_YEAR:
        return _year_precision(int(number), today=today, label=label, raw=raw)
    if _EXCEL_FIRST_PLAUSIBLE_SERIAL <= number <= _EXCEL_LAST_PLAUSIBLE_SERIAL:
        parsed = excel_serial_to_date(number)
        result = _checked_date(parsed, "day", today=today, label=label)
        if result.error is None:
            note = f"Số '{raw}' được hiểu là ngày {_format_date(parsed)} (số ngày kiểu Excel)"
            return ParsedDate(result.value, result.precision, notes=(note,))
        return result
    return ParsedDate(None, error=f"{label} không đọc được: '{raw}'")


def _day_precision(year: int, month: int, day: int, *, today: dt.date, label: str) -> ParsedDate:
    shown = f"{day:02d}/{month:02d}/{year:04d}"
    if not _FIRST_PLAUSIBLE_YEAR <= year <= _LAST_PLAUSIBLE_YEAR:
        return ParsedDate(None, error=f"{label} không đọc được: năm {year} không hợp lý ('{shown}')")
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        message = f"Ngày {shown} không tồn tại"
        if month > 12 and 1 <= day <= 12:
            message += " (có thể đã nhập tháng trước ngày?)"
        return ParsedDate(None, error=message)
    return _checked_date(parsed, "day", today=today, label=label)


def _two_digit_year_date(
    day: int, month: int, two_digit_year: int, *, raw: str, today: dt.date, label: str
) -> ParsedDate:
    year = 2000 + two_digit_year
    try:
        if dt.date(year, month, day) > today:
            year = 1900 + two_digit_year
    except ValueError:
        pass  # the impossible date is reported below with its full year
    result = _day_precision(year, month, day, today=today, label=label)
    if result.error is not None:
        return result
    note = f"Năm '{two_digit_year:02d}' trong '{raw}' được hiểu là {year}"
    return ParsedDate(result.value, result.precision, warnings=result.warnings, notes=(note,))


def _month_precision(year: int, month: int, *, today: dt.date, label: str, raw: str) -> ParsedDate:
    if not 1 <= month <= 12 or not _FIRST_PLAUSIBLE_YEAR <= year <= _LAST_PLAUSIBLE_YEAR:
        return ParsedDate(None, error=f"{label} không đọc được: '{raw}'")
    return _checked_date(dt.date(year, month, 1), "month", today=today, label=label)


def _year_precision(year: int, *, today: dt.date, label: str, raw: str) -> ParsedDate:
    if not _FIRST_PLAUSIBLE_YEAR <= year <= _LAST_PLAUSIBLE_YEAR:
        return ParsedDate(None, error=f"{label} không đọc được: '{raw}'")
    middle = dt.date(year, 7, 1)
    if year == today.year and today < middle:
        middle = today
    return _checked_date(middle, "year", today=today, label=label)


def _checked_date(value: dt.date, precision: DatePrecision, *, today: dt.date, label: str) -> ParsedDate:
    if value > today:
        shown = {"day": _format_date(value), "month": value.strftime("%m/%Y"), "year": str(value.year)}[
            precision
        ]
        return ParsedDate(None, error=f"{label} {shown} ở tương lai (sau ngày {_format_date(today)})")
    if value.year < _FIRST_PLAUSIBLE_YEAR:
        return ParsedDate(None, error=f"{label} không đọc được: năm {value.year} không hợp lý")
    return ParsedDate(value, precision)


# ----------------------------------------------------------------------------------------------------------
# Sex
# ----------------------------------------------------------------------------------------------------------

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
    raw = _cell_text(value)
    if not raw:
        return Parsed(None, error="Giới tính để trống (dùng Nam hoặc Nữ)")
    key = fold_text(detect_and_fix_legacy_encoding(raw).value)
    sex = _SEX_WORDS.get(key)
    if sex is None:
        return Parsed(None, error=f"Giới tính không đọc được: '{raw}' (dùng Nam hoặc Nữ)")
    return Parsed(sex)


# ----------------------------------------------------------------------------------------------------------
# Ethnic groups
# ----------------------------------------------------------------------------------------------------------

ETHNIC_GROUPS_CSV: Final = (
    Path(__file__).resolve().parents[2] / "reference_data" / "ethnic_groups" / "ethnic_groups_121_1979.csv"
)
ETHNIC_CODE_SYSTEM: Final = "121-TCTK/PPCĐ"

# Other names and local groups by which officers write an ethnic group, keyed by the official name, from the
# "other names" column of the official list, limited to names that belong to one group only ("Hoa" is also
# a Mông subgroup, "Thổ" also a Tày name, "Lao" a La Hủ name: those are left to the group that bears them
# officially).
# fmt: off
_ETHNIC_SYNONYMS: Final[Mapping[str, tuple[str, ...]]] = {
    "Kinh": ("Việt", "Kinh (Việt)", "Người Kinh"),
    "Tày": ("Ngạn", "Phén", "Thù Lao", "Pa Dí"),
    "Thái": ("Thái Đen", "Thái Trắng", "Tày Đăm", "Tày Khao", "Tày Thanh", "Tày Mười", "Pu Thay", "Pa Thay"),
    "Hoa": ("Hán", "Hoa (Hán)", "Triều Châu", "Phúc Kiến", "Quảng Đông", "Hải Nam", "Xạ Phạng"),
    "Khơ-me": ("Khmer", "Khơ me", "Khơme", "Khơ-me Krôm", "Khmer Krom"),
    "Mường": ("Mol", "Mual", "Mọi Bi", "Ao Tá"),
    "Nùng": ("Nùng Xuồng", "Nùng Giang", "Nùng An", "Nùng Phàn Slinh", "Nùng Cháo", "Nùng Lòi", "Khèn Lài"),
    "HMông": ("Mông", "H'Mông", "Hmông", "Hmong", "H'mong", "Mèo", "Mẹo", "Mông Hoa", "Mông Đen",
              "Mông Trắng", "Mông Xanh", "Mông Đỏ", "Mông Lềnh", "Mèo Xanh", "Mèo Đỏ", "Mèo Đen", "Mèo Hoa",
              "Ná Mẻo"),
    "Dao": ("Mán", "Dao Đỏ", "Dao Tiền", "Dao Quần Chẹt", "Quần Chẹt", "Dao Lô Gang", "Lô Gang",
            "Dao Thanh Y", "Thanh Y", "Dao Làn Tẻn", "Dao Lan Tẻn", "Làn Tẻn", "Dao Quần Trắng", "Quần Trắng",
            "Dao Áo Dài", "Kìm Miền", "Kìm Mùn", "Đại Bản", "Tiểu Bản", "Cóc Ngáng", "Cóc Mùn", "Sơn Đầu"),
    "Gia-rai": ("Gia Rai", "Giơ-rai", "Jrai", "Jarai"),
    "Ê-đê": ("Ê Đê", "Ra-đê", "Rhade"),
    "Ba-na": ("Ba Na", "Bahnar"),
    "Xơ-đăng": ("Xơ Đăng", "Sedang"),
    "Sán Chay": ("Cao Lan", "Sán Chỉ", "Cao Lan-Sán Chỉ"),
    "Cơ-ho": ("Cơ Ho", "Koho"),
    "Chăm": ("Chàm", "Cham"),
    "Sán Dìu": ("Sán Déo", "Trại Đất"),
    "Hrê": ("H're", "Hre"),
    "Mnông": ("M'nông", "Mơ Nông"),
    "Ra-glai": ("Ra Glai", "Raglai"),
    "Xtiêng": ("Stiêng", "X'tiêng", "Xa Điêng"),
    "Bru-Vân Kiều": ("Bru", "Vân Kiều", "Bru Vân Kiều"),
    "Thổ": ("Kẹo", "Mọn", "Cuối", "Đan Lai", "Ly Hà", "Tày Poọng"),
    "Giáy": ("Nhắng", "Dẩng", "Giáy Nhắng", "Pầu Thìn", "Pu Nà", "Cùi Chu"),
    "Cơ-tu": ("Cơ Tu", "Katu", "Ca Tu"),
    "Gié-Triêng": ("Gié Triêng", "Giẻ Triêng", "Giẻ", "Triêng", "Bnoong"),
    "Mạ": ("Châu Mạ",),
    "Khơ-mú": ("Khơ Mú", "Khmu", "Kmhmu", "Khơ mú", "Xá Cẩu", "Mứn Xen", "Pu Thênh", "Tềnh", "Tày Hay"),
    "Co": ("Cor", "Col"),
    "Tà-ôi": ("Tà Ôi", "Ta Oi", "Pa Cô", "Pa Kô"),
    "Chơ-ro": ("Chơ Ro", "Châu Ro"),
    "Kháng": ("Xá Khao", "Xá Súa", "Xá Dón", "Xá Dẩng", "Xá Hốc", "Xá Ái", "Xá Bung", "Quảng Lâm"),
    "Xinh-mun": ("Xinh Mun", "Puộc", "Pụa"),
    "Hà Nhì": ("U Ni", "Xá U Ni", "Hà Nhì Già", "Hà Nhì Cồ Chồ", "Cồ Chồ", "Hà Nhì La Mí", "La Mí",
               "Hà Nhì Đen"),
    "Chu-ru": ("Chu Ru", "Chơ Ru"),
    "Lào": ("Lào Bốc", "Lào Nọi", "Lào Bốc Lào Nọi"),
    "La Chí": ("Cù Tê", "La Quả"),
    "La Ha": ("Khlá Phlạo",),
    "Phù Lá": ("Bồ Khô Pạ", "Mu Di", "Pạ Xá", "Va Xơ", "Xá Phó"),
    "La Hủ": ("Pu Đang", "Khù Xung", "Cò Xung", "Khả Quy", "La Hũ"),
    "Lự": ("Lừ", "Lữ", "Nhuồn", "Duồn"),
    "Lô Lô": ("Mun Di", "Lolo"),
    "Chứt": ("Rục", "Mã Liềng", "A Rem"),
    "Mảng": ("Mảng Ư", "Xá Lá Vàng", "Mang"),
    "Pà Thẻn": ("Pà Hưng", "Pà Then"),
    "Cơ Lao": ("Cờ Lao", "Colao"),
    "Cống": ("Xắm Khống", "Mấng Nhé", "Xá Xeng"),
    "Bố Y": ("Chủng Chá", "Trọng Gia", "Tu Dí", "Tu Din"),
    "Si La": ("Cù Dề Xừ", "Khả Pẻ", "Xi La"),
    "Pu Péo": ("Ka Pèo", "Pen Ti Lô Lô"),
    "Brâu": ("Brao",),
    "Ơ Đu": ("Tày Hạt", "Ơ-đu"),
    "Rơ-măm": ("Rơ Măm", "Romam"),
    "Ngái": ("Khách Gia",),
}
# fmt: on
_ETHNIC_PREFIXES: Final = ("dan toc ", "nguoi dan toc ", "nguoi ", "dt ")


def _ethnic_key(text: str) -> str:
    return fold_text(text).replace(" ", "")


@dataclass(frozen=True, slots=True)
class EthnicGroup:
    """One of the 54 ethnic groups of Vietnam, with its code in Decision 121-TCTK/PPCĐ of 2 March 1979."""

    code: str
    name: str

    @property
    def label(self) -> str:
        """Name and code as shown to officers: "HMông (08)"."""
        return f"{self.name} ({self.code})"


class EthnicGroups:
    """The list of ethnic groups and the names officers use for them.

    Built from the versioned reference file (columns ``code,name``) by :meth:`load`. Lookups are insensitive
    to case, accents, spaces, hyphens and apostrophes, and know the usual other names and local groups of
    each people (Mèo and H'Mông are 08, Khmu and Xá Cẩu are 29, Dao Đỏ is 09).
    """

    code_system: Final = ETHNIC_CODE_SYSTEM

    def __init__(self, groups: Iterable[EthnicGroup]) -> None:
        self._by_code: dict[str, EthnicGroup] = {}
        self._by_key: dict[str, EthnicGroup] = {}
        for group in groups:
            if group.code in self._by_code:
                raise ValueError(f"duplicate ethnic group code {group.code}")
            self._by_code[group.code] = group
        for group in self._by_code.values():
            for name in (group.name, *_ETHNIC_SYNONYMS.get(group.name, ())):
                key = _ethnic_key(name)
                existing = self._by_key.get(key)
                if existing is not None and existing != group:
                    raise ValueError(f"name {name!r} would mean both {existing.code} and {group.code}")
                self._by_key[key] = group

    @classmethod
    def load(cls, path: Path = ETHNIC_GROUPS_CSV) -> EthnicGroups:
        """Read the groups from a CSV file with columns ``code,name``."""
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return cls(
            EthnicGroup(code=row["code"].strip().zfill(2), name=normalise_text(row["name"])) for row in rows
        )

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[EthnicGroup]:
        return iter(sorted(self._by_code.values(), key=lambda group: group.code))

    def by_code(self, code: str) -> EthnicGroup | None:
        """The group with this code ("8" and "08" are the same), or None."""
        code = code.strip()
        if not code.isdigit():
            return None
        return self._by_code.get(code.zfill(2))

    def by_name(self, name: str) -> EthnicGroup | None:
        """The group a name or other name means exactly (ignoring case, accents and punctuation), or None."""
        return self._by_key.get(_ethnic_key(name))

    def closest(self, name: str, *, limit: int = 3) -> list[EthnicGroup]:
        """The groups whose names are most similar to ``name``, best first."""
        key = _ethnic_key(name)
        found: list[EthnicGroup] = []
        known_keys = list(self._by_key)
        for _, _, position in process.extract(key, known_keys, scorer=fuzz.ratio, limit=None):
            group = self._by_key[known_keys[position]]
            if group not in found:
                found.append(group)
            if len(found) == limit:
                break
        return found

    def keys_with_words(self) -> Iterator[tuple[list[str], EthnicGroup]]:
        """Each known name as a list of folded words, with its group (longest names first)."""
        names = [
            (fold_text(name).split(), group)
            for group in self._by_code.values()
            for name in (group.name, *_ETHNIC_SYNONYMS.get(group.name, ()))
        ]
        return iter(sorted(names, key=lambda item: -len(item[0])))


def parse_ethnicity(value: object, groups: EthnicGroups) -> Parsed[EthnicGroup]:
    """Read an ethnic group by its code ("8", "08") or by name, other name or local group name.

    Empty is allowed (``None``). A name followed by a local qualifier that is not in the list ("Dao Họ") is
    read as its group with a warning. An unknown name is rejected with the closest groups.
    """
    raw = _cell_text(value)
    if not raw:
        return Parsed(None)
    text = detect_and_fix_legacy_encoding(raw).value
    if raw.isdigit():
        group = groups.by_code(raw)
        if group is None:
            message = f"Mã dân tộc '{raw}' không có trong danh mục (01 đến {len(groups):02d})"
            return Parsed(None, error=message)
        return Parsed(group)
    folded = fold_text(text)
    for prefix in _ETHNIC_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            folded = folded[len(prefix) :]
            break
    group = groups.by_name(folded)
    if group is not None:
        return Parsed(group)
    words = folded.split()
    for name_words, candidate in groups.keys_with_words():
        if len(name_words) < len(words) and words[: len(name_words)] == name_words:
            other = groups.by_name(" ".join(words[len(name_words) :]))
            if other is not None and other != candidate:
                return Parsed(
                    None,
                    error=f"Dân tộc '{raw}' ghép tên hai dân tộc: {candidate.label}, {other.label}; chọn một",
                )
            warning = f"Dân tộc '{raw}' được hiểu là {candidate.label}"
            return Parsed(candidate, warnings=(warning,))
    closest = ", ".join(group.label for group in groups.closest(folded))
    return Parsed(None, error=f"Dân tộc '{raw}' không có trong danh mục; gần nhất: {closest}")


# ----------------------------------------------------------------------------------------------------------
# Personal identification number
# ----------------------------------------------------------------------------------------------------------

#: Codes of the province where a birth was registered (digits 1–3 of the personal identification number),
#: Circular 59/2021/TT-BCA, unchanged by the 2025 merger of provinces for numbers already issued.
PROVINCE_CODES: Final[Mapping[str, str]] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

_SCIENTIFIC = re.compile(r"(\d)(?:[.,](\d+))?[eE]\+?(\d+)")
_TRAILING_ZERO_DECIMALS = re.compile(r"(\d+)[.,]0+")


def parse_personal_id(
    value: object, *, birth_date: dt.date | None = None, sex: Sex | None = None
) -> ParsedPersonalId:
    """Read a 12-digit personal identification number (số định danh cá nhân, the number of the CCCD card).

    Excel damage is repaired: a number cell gives ``12345678901`` or ``1.2345678901e+11`` (an 11-digit value
    had its leading zero stripped, which is restored with a note), text may end in ".0" or hold spaces. Text
    in scientific notation with lost digits ("1.23457E+11") is rejected. Empty is allowed (``None``).

    The digits are checked: 1–3 the province of birth registration, 4 the century and sex (0/1 male/female
    born 1900–1999, 2/3 born 2000–2099, 4/5 2100–2199…), 5–6 the last two digits of the birth year. When they
    disagree with the ``birth_date`` or ``sex`` given, a warning (not an error) names what disagrees.
    """
    if value is None or isinstance(value, bool):
        return ParsedPersonalId(None) if value is None else _bad_id(str(value))
    notes: list[str] = []
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return _bad_id(_cell_text(value))
        digits = str(int(value))
    elif isinstance(value, int):
        digits = str(value)
    else:
        raw = normalise_text(str(value)).lstrip("'")
        if not raw:
            return ParsedPersonalId(None)
        compact = re.sub(r"[\s\-]", "", raw)
        if match := _SCIENTIFIC.fullmatch(compact):
            mantissa_digits = match.group(1) + (match.group(2) or "")
            if len(mantissa_digits) < 11:
                return ParsedPersonalId(
                    None,
                    error=(
                        f"Số định danh đã bị Excel đổi sang dạng số mũ '{raw}' và mất chữ số; "
                        "hãy định dạng cột là Văn bản (Text) và nhập lại"
                    ),
                )
            try:
                digits = str(int(Decimal(compact.replace(",", "."))))
            except (InvalidOperation, ValueError):
                return _bad_id(raw)
        elif match := _TRAILING_ZERO_DECIMALS.fullmatch(compact):
            digits = match.group(1)
        else:
            digits = compact.replace(".", "")
        if not digits.isdigit() or not digits.isascii():
            return _bad_id(raw)
    if len(digits) == 11:
        digits = "0" + digits
        notes.append(f"Đã thêm số 0 ở đầu số định danh (Excel đã làm mất): {digits}")
    if len(digits) != 12:
        return _bad_id(digits)

    province_code = digits[:3]
    century_digit = int(digits[3])
    id_sex: Sex = "M" if century_digit % 2 == 0 else "F"
    id_birth_year = 1900 + (century_digit // 2) * 100 + int(digits[4:6])
    warnings: list[str] = []
    if province_code not in PROVINCE_CODES:
        warnings.append(
            f"Số định danh {digits}: 3 chữ số đầu '{province_code}' không phải mã tỉnh nơi đăng ký khai sinh"
        )
    if birth_date is not None and birth_date.year != id_birth_year:
        warnings.append(
            f"Số định danh {digits} ghi năm sinh {id_birth_year}, khác năm sinh đã nhập ({birth_date.year})"
        )
    if sex is not None and sex != id_sex:
        warnings.append(
            f"Số định danh {digits} ghi giới tính {SEX_LABELS[id_sex]}, "
            f"khác giới tính đã nhập ({SEX_LABELS[sex]})"
        )
    return ParsedPersonalId(
        digits,
        province_code=province_code,
        sex=id_sex,
        birth_year=id_birth_year,
        warnings=tuple(warnings),
        notes=tuple(notes),
    )


def _bad_id(received: str) -> ParsedPersonalId:
    detail = f"{len(received)} chữ số: '{received}'" if received.isdigit() else f"'{received}'"
    return ParsedPersonalId(None, error=f"Số định danh phải có 12 chữ số (nhận được {detail})")


# ----------------------------------------------------------------------------------------------------------
# Yes / no
# ----------------------------------------------------------------------------------------------------------

_YES_WORDS: Final = frozenset({"co", "c", "x", "1", "yes", "y", "true", "da", "roi", "v", "ok", "dung"})
_NO_WORDS: Final = frozenset({"khong", "k", "ko", "kg", "0", "no", "n", "false", "chua", "sai"})
_YES_MARKS: Final = frozenset({"✓", "✔", "☑", "√"})
_EMPTY_MARKS: Final = frozenset({"-", "--", "—", "–"})
# "Không rõ", "chưa biết", "chưa xác định": the officer does not know, which is the same as an empty cell.
_UNKNOWN_WORDS: Final = frozenset({"ro", "biet", "xac dinh", "ro rang", "co thong tin"})


def parse_yes_no(value: object) -> Parsed[bool]:
    """Read a yes/no cell: Có/Không, x, 1/0, yes/no, true/false, "đã …"/"chưa …"; empty or "-" is ``None``.

    "Không rõ", "chưa biết" and the like mean the answer is unknown and also give ``None``. "Có thể" (maybe)
    is not an answer and is rejected.
    """
    if isinstance(value, bool):
        return Parsed(value)
    raw = _cell_text(value)
    if not raw or raw in _EMPTY_MARKS:
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
    raw = _cell_text(value)
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
    if _TRAILING_ZERO_DECIMALS.fullmatch(compact):
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


# ----------------------------------------------------------------------------------------------------------
# Special circumstances (Article 10 of the Law on Children 2016)
# ----------------------------------------------------------------------------------------------------------

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
    raw = _cell_text(value)
    text = detect_and_fix_legacy_encoding(raw).value if raw else ""
    if not text or text in _EMPTY_MARKS or fold_text(text) in _NONE_WORDS:
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


# ----------------------------------------------------------------------------------------------------------
# Header row of a child list
# ----------------------------------------------------------------------------------------------------------

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


def _header_key(text: str, *, keep_d_stroke: bool = False) -> str:
    """A column title folded to lower-case ASCII without spaces; with ``keep_d_stroke`` đ is written "dd".

    Keeping đ apart from d tells "ĐT" (điện thoại) from "DT" (dân tộc) when the title was typed with accents.
    """
    if keep_d_stroke:
        text = text.replace("đ", "dd").replace("Đ", "DD")
    return fold_text(text).replace(" ", "")


def _exact_header_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for field, names in _HEADER_SYNONYMS.items():
        for name in names:
            keys[_header_key(name, keep_d_stroke=True)] = field
    keys[_header_key("ĐT", keep_d_stroke=True)] = "guardian_phone"
    return keys


def _loose_header_keys() -> dict[str, str]:
    return {_header_key(name): field for field, names in _HEADER_SYNONYMS.items() for name in names}


_EXACT_HEADER_KEYS: Final = _exact_header_keys()
_HEADER_KEYS: Final = _loose_header_keys()
_IGNORED_HEADER_KEYS: Final = frozenset(_header_key(name) for name in _IGNORED_HEADERS)


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
    exact = _header_key(text, keep_d_stroke=True)
    if exact in _EXACT_HEADER_KEYS:
        return _EXACT_HEADER_KEYS[exact]
    key = _header_key(text)
    if key in _HEADER_KEYS:
        return _HEADER_KEYS[key]
    without_brackets = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    key = _header_key(without_brackets)
    if key in _HEADER_KEYS:
        return _HEADER_KEYS[key]
    by_rules = _header_by_rules(fold_text(without_brackets))
    if by_rules is not None:
        return by_rules
    if len(key) >= 6 and not _is_about_guardian(fold_text(without_brackets)):
        long_keys = [known for known in _HEADER_KEYS if len(known) >= 6]
        best = process.extractOne(key, long_keys, scorer=fuzz.ratio, score_cutoff=88)
        if best is not None:
            return _HEADER_KEYS[best[0]]
    return None


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """How the columns of a header row map to the registry's fields.

    ``columns`` pairs a column index with its canonical field (the first column wins when two mean the same
    field; the others are listed in ``duplicates``). Columns that mean nothing known are kept in ``unknown``
    with their title, so they can be reported and their values kept; row-number columns (STT) are in
    ``ignored``.
    """

    columns: tuple[tuple[int, str], ...]
    unknown: tuple[tuple[int, str], ...] = ()
    duplicates: tuple[tuple[int, str, str], ...] = ()
    ignored: tuple[tuple[int, str], ...] = ()

    def column_of(self, field: str) -> int | None:
        """The index of the column holding ``field``, or None."""
        return next((index for index, name in self.columns if name == field), None)

    def field_of(self, column: int) -> str | None:
        """The field held by column ``column``, or None."""
        return next((name for index, name in self.columns if index == column), None)

    @property
    def fields(self) -> frozenset[str]:
        """The fields found."""
        return frozenset(name for _, name in self.columns)

    @property
    def missing_required(self) -> tuple[str, ...]:
        """Required fields (full name, birth date) that no column holds."""
        fields = self.fields
        return tuple(field for field in REQUIRED_HEADER_FIELDS if not fields.intersection(_STANDS_FOR[field]))


def _plain_title(text: str) -> str:
    """A short title in lower case with its accents but without punctuation ("Năm" and "Nam" stay apart)."""
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


_MALE_TITLES: Final = frozenset({"nam", "trai", "bé trai", "be trai"})
_FEMALE_TITLES: Final = frozenset({"nữ", "nu", "gái", "gai", "bé gái", "be gai"})
_DATE_PART_TITLES: Final[Mapping[str, str]] = {"ngày": "birth_day", "ngay": "birth_day", "tháng": "birth_month",
                                               "thang": "birth_month", "năm": "birth_year"}
_GIVEN_NAME_TITLES: Final = frozenset({"tên", "ten", "tên trẻ", "tên gọi"})


_GROUP_SEPARATOR: Final = " - "


def _match_column(title: str, parent: str) -> str | None:
    """The field of a column titled ``title`` under the group title ``parent`` (empty for a one-row header)."""
    if not parent and _GROUP_SEPARATOR in title:
        # "Ngày tháng năm sinh - Nam": a two-row title written on one row (as in the file of rejected rows)
        parent, title = title.rsplit(_GROUP_SEPARATOR, 1)
    plain = _plain_title(title)
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
        title = detect_and_fix_legacy_encoding(_cell_text(cell)).value
        if not title:
            continue
        parent = ""
        if parents is not None and index < len(parents) and parents[index]:
            parent = detect_and_fix_legacy_encoding(parents[index]).value
        if not parent and _header_key(title) in _IGNORED_HEADER_KEYS:
            ignored.append((index, title))
            continue
        label = f"{parent}{_GROUP_SEPARATOR}{title}" if parent else title
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
    return HeaderMatch(tuple(columns), tuple(unknown), tuple(duplicates), tuple(ignored))


def combine_header_rows(top: Sequence[object], sub: Sequence[object]) -> tuple[list[str], list[str]] | None:
    """The column titles and group titles of a header spread over two rows, or None if ``sub`` is not a
    second header row.

    A merged group title ("Ngày tháng năm sinh" over "Nam" | "Nữ") is read only in its first cell; the cells
    to its right that are empty on the top row and filled below belong to the same group. A title merged down
    over both rows ("Họ và tên") is read on the top row. ``sub`` counts as a second header row only when some
    of its cells lie under such an empty continuation of a group.
    """
    width = max(len(top), len(sub))
    titles: list[str] = []
    parents: list[str] = []
    group = ""
    continued = False
    for index in range(width):
        upper = normalise_text(_cell_text(top[index])) if index < len(top) else ""
        lower = normalise_text(_cell_text(sub[index])) if index < len(sub) else ""
        if upper and lower:
            group = upper
            titles.append(lower)
            parents.append(upper)
        elif upper:
            group = ""
            titles.append(upper)
            parents.append("")
        elif lower:
            continued = continued or bool(group)
            titles.append(lower)
            parents.append(group)
        else:
            group = ""
            titles.append("")
            parents.append("")
    return (titles, parents) if continued else None


@dataclass(frozen=True, slots=True)
class HeaderRow:
    """The header found in a sheet: the 0-based index of its (first) row, how many rows it spans, its column
    mapping and the title of each column (group and column title joined for a two-row header), or an error."""

    index: int | None
    match: HeaderMatch | None
    error: str | None = None
    span: int = 1
    labels: tuple[str, ...] = ()

    @property
    def score(self) -> int:
        """How many columns map to known fields (0 when no header was found)."""
        return len(self.match.columns) if self.match is not None and self.index is not None else 0


def find_header_row(rows: Iterable[Sequence[object]], *, max_scan: int = 15) -> HeaderRow:
    """Find the header row among the first ``max_scan`` rows of a sheet.

    Officers' files start with title rows ("UBND XÃ …", "DANH SÁCH TRẺ EM …") and blank rows. The header is
    the row that maps the most columns to known fields, among rows that hold at least a full name and a birth
    date column; on a tie the first such row wins. A header spread over two rows with merged group titles
    (see :func:`combine_header_rows`) is read as one when that maps more columns than its top row alone.
    """
    scanned = [list(row) for _, row in zip(range(max_scan), rows, strict=False)]
    singles = [match_headers(row) for row in scanned]
    scores = [0 if match.missing_required else len(match.columns) for match in singles]
    best: HeaderRow | None = None
    best_score = 0
    for index, (row, match) in enumerate(zip(scanned, singles, strict=True)):
        if scores[index] > best_score:
            labels = tuple(_cell_text(cell) for cell in row)
            best, best_score = HeaderRow(index, match, labels=labels), scores[index]
        if index + 1 >= len(scanned) or sum(1 for cell in row if _cell_text(cell)) < 2:
            continue  # a title row of one cell is not the top of a header
        combined = combine_header_rows(row, scanned[index + 1])
        if combined is None:
            continue
        titles, parents = combined
        two_rows = match_headers(titles, parents=parents)
        score = 0 if two_rows.missing_required else len(two_rows.columns)
        if score > best_score and score > scores[index + 1]:
            labels = tuple(f"{parent}{_GROUP_SEPARATOR}{title}" if parent else title
                           for title, parent in zip(titles, parents, strict=True))
            best, best_score = HeaderRow(index, two_rows, span=2, labels=labels), score
    if best is None:
        return HeaderRow(
            None,
            None,
            error=(
                f"Không tìm thấy dòng tiêu đề có cột '{FIELD_LABELS['full_name']}' và "
                f"'{FIELD_LABELS['birth_date']}' trong {max_scan} dòng đầu"
            ),
        )
    return best
