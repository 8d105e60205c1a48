"""Vietnamese text helpers shared by every domain."""

from __future__ import annotations

import re
import unicodedata

_D_STROKES = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def strip_marks(text: str) -> str:
    """Remove every combining mark (tones, breves, hooks) and map đ/Đ (and their look-alikes ð/Ð) to d/D."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_text(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form: lower-case ASCII words separated by single spaces.

    "Thôn/Bản  Nà Tăm" and "thon ban na tam" fold alike; use it to compare, never to store.
    """
    bare = unicodedata.normalize("NFKD", strip_marks(text)).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.findall(r"[a-z0-9]+", bare))
