"""Score a CSV file of child measurements with the WHO z-score engine, streaming it in chunks.

The input has one measurement per row with the columns ``sex``, either ``age_days`` or both
``birth_date`` and ``measured_on`` (ISO ``yyyy-mm-dd`` or ``dd/mm/yyyy``), ``weight_kg``, ``length_cm``
and optionally ``measured`` (L, H or blank) and ``oedema`` (y/n). The output repeats every input column
and adds ``waz``, ``haz``, ``whz`` (two decimals, blank where WHO's software leaves the score blank) and
``flag_waz``, ``flag_haz``, ``flag_whz`` (1 or 0, blank with a blank score). A decimal comma (``12,5``)
is read as a decimal point, and a header written with semicolons is read and written with semicolons.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from treem.core.office import csv_text
from treem.nutrition.zscores import (
    Convention,
    ZScores,
    compute_zscores,
    parse_oedema,
    parse_position,
    parse_sex,
)

CHUNK_ROWS: Final = 100_000
SCORE_COLUMNS: Final = ("waz", "haz", "whz", "flag_waz", "flag_haz", "flag_whz")


def score_csv(
    *,
    input_path: Path | str,
    output_path: Path | str,
    chunk_rows: int = CHUNK_ROWS,
    convention: Convention = Convention.ANTHRO,
) -> int:
    """Write ``output_path`` with the input's columns and the six score columns; return the row count.

    At most ``chunk_rows`` rows are held in memory at a time, so the file size does not matter.
    Raises ``ValueError`` (with a message for the user) when a required column is missing or a row has
    more cells than the header.
    """
    if chunk_rows < 1:
        raise ValueError("Số dòng mỗi lượt xử lý phải lớn hơn 0.")
    with (
        open(input_path, newline="", encoding="utf-8-sig") as source,
        open(output_path, "w", newline="", encoding="utf-8") as target,
    ):
        header_line = source.readline()
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        columns = _ColumnMap(header)
        added_columns = [name for name in SCORE_COLUMNS if columns.get(name) is None]
        output_header = list(header) + added_columns
        score_positions = [
            len(header) + added_columns.index(name) if columns.get(name) is None else columns.positions[name]
            for name in SCORE_COLUMNS
        ]
        appends_only = len(added_columns) == len(SCORE_COLUMNS)

        writer = csv.writer(target, delimiter=delimiter, lineterminator="\n")
        writer.writerow([csv_text(cell) for cell in output_header])
        reader = csv.reader(source, delimiter=delimiter)
        written = 0
        for chunk in _chunks(reader, size=chunk_rows, width=len(header), first_line=2):
            scores = _score_chunk(chunk, columns=columns, convention=convention)
            score_rows = zip(*_format_scores(scores), strict=True)
            for row, score_cells in zip(chunk, score_rows, strict=True):
                if appends_only:
                    row.extend(score_cells)
                    continue
                row.extend([""] * len(added_columns))
                for position, cell in zip(score_positions, score_cells, strict=True):
                    row[position] = cell
            writer.writerows([csv_text(cell) for cell in row] for row in chunk)
            written += len(chunk)
    return written


class _ColumnMap:
    """Positions of the known columns in a header, matched without regard to case or spaces."""

    def __init__(self, header: Sequence[str]) -> None:
        self.positions = {name.strip().casefold(): index for index, name in enumerate(header)}
        missing = [name for name in ("sex", "weight_kg", "length_cm") if name not in self.positions]
        has_dates = "birth_date" in self.positions and "measured_on" in self.positions
        if "age_days" not in self.positions and not has_dates:
            missing.append("age_days (hoặc birth_date và measured_on)")
        if missing:
            raise ValueError("Tệp CSV thiếu cột: " + ", ".join(missing) + ".")

    def get(self, name: str) -> int | None:
        return self.positions.get(name)


def _chunks(reader: Iterator[list[str]], *, size: int, width: int, first_line: int) -> Iterator[list[list[str]]]:
    line_number = first_line
    while chunk := list(itertools.islice(reader, size)):
        for offset, row in enumerate(chunk):
            if len(row) > width:
                raise ValueError(f"Dòng {line_number + offset} có {len(row)} ô, nhiều hơn {width} cột của tiêu đề.")
            if len(row) < width:
                row.extend([""] * (width - len(row)))
        line_number += len(chunk)
        yield chunk


def _column(chunk: list[list[str]], position: int | None) -> list[str]:
    if position is None:
        return [""] * len(chunk)
    return [row[position] for row in chunk]


def _parse_numbers(cells: list[str]) -> NDArray[np.float64]:
    texts = [cell.strip().replace(",", ".") or "nan" for cell in cells]
    try:
        return np.array(texts, dtype=np.float64)
    except ValueError:
        return np.array([_number_or_nan(text) for text in texts], dtype=np.float64)


def _number_or_nan(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _iso_date(cell: str) -> str:
    text = cell.strip().split(" ")[0].split("T")[0]
    if "/" in text:
        parts = text.split("/")
        if len(parts) == 3:
            parts.reverse()
    else:
        parts = text.split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return "NaT"
    year, month, day = (int(part) for part in parts)
    return f"{year:04d}-{month:02d}-{day:02d}"


def _parse_dates(cells: list[str]) -> NDArray[np.datetime64]:
    texts = [_iso_date(cell) for cell in cells]
    try:
        return np.array(texts, dtype="datetime64[D]")
    except ValueError:
        return np.array([_date_or_nat(text) for text in texts], dtype="datetime64[D]")


def _date_or_nat(text: str) -> np.datetime64:
    try:
        return np.datetime64(text, "D")
    except ValueError:
        return np.datetime64("NaT", "D")


def _ages_in_days(chunk: list[list[str]], columns: _ColumnMap) -> NDArray[np.float64]:
    age = _parse_numbers(_column(chunk, columns.get("age_days")))
    birth_position, measured_position = columns.get("birth_date"), columns.get("measured_on")
    if birth_position is None or measured_position is None:
        return age
    missing = np.isnan(age)
    if not missing.any():
        return age
    elapsed = _parse_dates(_column(chunk, measured_position)) - _parse_dates(_column(chunk, birth_position))
    from_dates = np.where(np.isnat(elapsed), np.nan, elapsed.astype(np.int64).astype(np.float64))
    return np.where(missing, from_dates, age)


def _score_chunk(chunk: list[list[str]], *, columns: _ColumnMap, convention: Convention) -> ZScores:
    return compute_zscores(
        sex=parse_sex(_column(chunk, columns.get("sex"))),
        age_days=_ages_in_days(chunk, columns),
        weight_kg=_parse_numbers(_column(chunk, columns.get("weight_kg"))),
        length_cm=_parse_numbers(_column(chunk, columns.get("length_cm"))),
        measured=parse_position(_column(chunk, columns.get("measured"))),
        oedema=parse_oedema(_column(chunk, columns.get("oedema"))),
        convention=convention,
    )


def _format_scores(scores: ZScores) -> list[list[str]]:
    formatted: list[list[str]] = []
    for values in (scores.waz, scores.haz, scores.whz):
        formatted.append(["" if math.isnan(value) else f"{value:.2f}" for value in values.tolist()])
    for values, flags in (
        (scores.waz, scores.flag_waz),
        (scores.haz, scores.flag_haz),
        (scores.whz, scores.flag_whz),
    ):
        blank = np.isnan(values)
        formatted.append(np.where(blank, "", np.where(flags, "1", "0")).tolist())
    return formatted
