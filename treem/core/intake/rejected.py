"""The rejected rows of an import, as a workbook the officer fixes and imports again: the file's own header, the
original cells of each rejected row and the reason (and, when asked, the row's number in the original file)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from treem.core.office import TableStream

REASON_TITLE: Final = "Lý do từ chối"
ROW_NUMBER_TITLE: Final = "Dòng trong tệp gốc"
SHEET_TITLE: Final = "Dòng bị từ chối"


class RejectedRowsWriter:
    """Collects rejected rows as they come and writes them through core's Excel writer (``TableStream``, so a
    100,000-row file's rejects are never held as formatted cells)."""

    def __init__(self, header: Sequence[object], *, reason_title: str = REASON_TITLE,
                 row_number_title: str | None = ROW_NUMBER_TITLE) -> None:
        self.header = list(header)
        self.has_row_numbers = row_number_title is not None
        titles = [*self.header, reason_title, *([row_number_title] if row_number_title is not None else [])]
        self.stream: TableStream | None = None
        self.titles = titles
        self.count = 0

    def write(self, number: int, cells: Sequence[object], reason: str) -> None:
        """Add one rejected row: its cells under the header (cut or padded to its width) and the reason."""
        if self.stream is None:
            self.stream = TableStream(sheet_title=SHEET_TITLE, headers=self.titles)
        width = len(self.header)
        padded = [*cells[:width], *([None] * max(0, width - len(cells)))]
        self.stream.append([*padded, reason, *([number] if self.has_row_numbers else [])])
        self.count += 1

    def save(self, path: Path) -> str:
        """Write the workbook to ``path``; returns the path, or "" when no row was rejected."""
        if self.stream is None:
            return ""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.stream.save(path)
        return str(path)

    def to_bytes(self) -> bytes:
        """The workbook as bytes (the header alone when no row was rejected)."""
        if self.stream is None:
            self.stream = TableStream(sheet_title=SHEET_TITLE, headers=self.titles)
        return self.stream.to_bytes()
