"""Finding and reading the header row of a table: column titles matched to a domain's fields.

A domain describes its fields (a *field map*: the titles officers use for each field) and how a row of titles maps
to them; this module holds what every table shares: the folded key of a title, the result of matching a header row
(``HeaderMatch``), a header spread over two rows with merged group titles (``combine_header_rows``) and the search
for the header among the first rows of a sheet (``find_header_row``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from treem.core.intake.text import cell_text, normalise_text
from treem.core.text import fold_text

GROUP_SEPARATOR = " - "
"""Joins a group title and a column title of a two-row header on one line ("Ngày tháng năm sinh - Nam")."""


def header_key(text: str, *, keep_d_stroke: bool = False) -> str:
    """A column title folded to lower-case ASCII without spaces; with ``keep_d_stroke`` đ is written "dd".

    Keeping đ apart from d tells "ĐT" (điện thoại) from "DT" (dân tộc) when the title was typed with accents.
    """
    if keep_d_stroke:
        text = text.replace("đ", "dd").replace("Đ", "DD")
    return fold_text(text).replace(" ", "")


def without_brackets(text: str) -> str:
    """A title without its notes in brackets ("Cân nặng (kg)" → "Cân nặng ")."""
    return re.sub(r"\(.*?\)|\[.*?\]", " ", text)


def plain_title(text: str) -> str:
    """A short title in lower case with its accents but without punctuation ("Năm" and "Nam" stay apart)."""
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


class FieldMap:
    """The titles by which officers name each field of a domain's table.

    ``synonyms`` maps a field to its titles; a title is matched regardless of case, accents, spacing and
    punctuation, first as written, then without its notes in brackets.
    """

    def __init__(self, synonyms: Mapping[str, Sequence[str]]) -> None:
        self.synonyms = synonyms
        self.keys = {header_key(name): field for field, names in synonyms.items() for name in names}

    def field_of(self, title: str) -> str | None:
        """The field a title means, or None."""
        return self.keys.get(header_key(title)) or self.keys.get(header_key(without_brackets(title)))

    def match(self, header_row: Sequence[object], *, parents: Sequence[str] | None = None) -> HeaderMatch:
        """Each column of a header row with the field it holds (the first column wins when two mean the same
        field; the others are listed as duplicates); titles that mean nothing known are kept as unknown."""
        columns: list[tuple[int, str]] = []
        unknown: list[tuple[int, str]] = []
        duplicates: list[tuple[int, str, str]] = []
        seen: set[str] = set()
        for index, cell in enumerate(header_row):
            title = cell_text(cell)
            if not title:
                continue
            field = self.field_of(title)
            if field is None:
                unknown.append((index, title))
            elif field in seen:
                duplicates.append((index, title, field))
            else:
                seen.add(field)
                columns.append((index, field))
        return HeaderMatch(tuple(columns), tuple(unknown), tuple(duplicates))


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """How the columns of a header row map to a domain's fields.

    ``columns`` pairs a column index with its canonical field (the first column wins when two mean the same
    field; the others are listed in ``duplicates``). Columns that mean nothing known are kept in ``unknown``
    with their title, so they can be reported and their values kept; row-number columns (STT) are in
    ``ignored``. ``required`` lists the fields a usable header must hold, each with the fields that may stand for
    it (a birth date in a "Nam" or a "Nữ" column stands for the birth date).
    """

    columns: tuple[tuple[int, str], ...]
    unknown: tuple[tuple[int, str], ...] = ()
    duplicates: tuple[tuple[int, str, str], ...] = ()
    ignored: tuple[tuple[int, str], ...] = ()
    required: tuple[tuple[str, tuple[str, ...]], ...] = ()

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
        """Required fields that no column holds (nor any field standing for them)."""
        fields = self.fields
        return tuple(field for field, stands_for in self.required if not fields.intersection(stands_for))




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
        upper = normalise_text(cell_text(top[index])) if index < len(top) else ""
        lower = normalise_text(cell_text(sub[index])) if index < len(sub) else ""
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


Matcher = Callable[..., HeaderMatch]
"""``match(titles, parents=None)``: how a row of titles (with, for a two-row header, the group title above each
column) maps to a domain's fields."""


def find_header_row(rows: Iterable[Sequence[object]], *, match: Matcher, not_found: str, max_scan: int = 15,
                    two_rows: bool = True, is_usable: Callable[[HeaderMatch], bool] | None = None) -> HeaderRow:
    """Find the header row among the first ``max_scan`` rows of a sheet, with a domain's ``match``.

    Officers' files start with title rows ("UBND XÃ …", "DANH SÁCH TRẺ EM …") and blank rows. The header is
    the row that maps the most columns to known fields, among rows that hold the required fields; on a tie the
    first such row wins. A header spread over two rows with merged group titles (see :func:`combine_header_rows`)
    is read as one when that maps more columns than its top row alone (unless ``two_rows`` is false).
    ``not_found`` is the error when no row holds the required fields. ``is_usable`` replaces the check of the
    required fields when a domain's rule is not "each of these fields" (a child named by ID number, or by name and
    birth date).
    """
    usable = is_usable if is_usable is not None else (lambda found: not found.missing_required)
    scanned = [list(row) for _, row in zip(range(max_scan), rows, strict=False)]
    singles = [match(row) for row in scanned]
    scores = [len(single.columns) if usable(single) else 0 for single in singles]
    best: HeaderRow | None = None
    best_score = 0
    for index, (row, single) in enumerate(zip(scanned, singles, strict=True)):
        if scores[index] > best_score:
            labels = tuple(cell_text(cell) for cell in row)
            best, best_score = HeaderRow(index, single, labels=labels), scores[index]
        if not two_rows or index + 1 >= len(scanned) or sum(1 for cell in row if cell_text(cell)) < 2:
            continue  # a title row of one cell is not the top of a header
        combined = combine_header_rows(row, scanned[index + 1])
        if combined is None:
            continue
        titles, parents = combined
        spanning = match(titles, parents=parents)
        score = len(spanning.columns) if usable(spanning) else 0
        if score > best_score and score > scores[index + 1]:
            labels = tuple(f"{parent}{GROUP_SEPARATOR}{title}" if parent else title
                           for title, parent in zip(titles, parents, strict=True))
            best, best_score = HeaderRow(index, spanning, span=2, labels=labels), score
    if best is None:
        return HeaderRow(None, None, error=not_found)
    return best
