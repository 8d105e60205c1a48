"""Legacy Vietnamese encodings (TCVN3 / ABC and VNI): tables, conversion and detection."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from treem.core.intake.results import LegacyEncoding
from treem.core.intake.text import TONE_MARKS, VIETNAMESE_FAMILIES, normalise_text


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


#
# Before Unicode, Vietnamese offices typed in 8-bit fonts: TCVN3 (TCVN 5712:1993 VN3, the "ABC" fonts .VnTime,
# .VnArial…) and VNI (VNI-Times…). Excel stores such text as the Windows-1252 characters of the bytes, so
# "Nguyễn" typed in .VnTime arrives as "NguyÔn" and typed in VNI-Times as "Nguyeãn". Both tables only use
# bytes 0xA1–0xFF, which Windows-1252 maps to the same code points as Latin-1, so each byte below is written
# as its Latin-1 character.
#
# Order of the six forms in every family: no tone, sắc (acute), huyền (grave), hỏi (hook), ngã (tilde),
# nặng (dot below).


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
    tones = [ch for ch in decomposed if ch in TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONE_MARKS))
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


