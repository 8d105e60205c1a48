"""Importing a commune's child list: every row ends created, updated or rejected with a reason.

The rows are streamed from the file and handled in batches (``BATCH_SIZE`` rows): each batch fetches the children
it may update in two queries (by ID number, and by name and date of birth in the commune), then creates and
updates them with bulk statements. The whole import runs in one database transaction, so a failure halfway leaves
nothing behind; a dry run does the same work and rolls it back.

Rules (the officer's version is ``docs/registry.md``):

- A row is **rejected** when the name is empty; the date of birth is missing, unreadable, impossible or after the
  as-of date; the child is 16 or older on the as-of date; the sex is missing or unreadable; a non-empty ethnicity
  is not recognised; the ID number does not have 12 digits after restoring a lost leading zero; or the row repeats
  an earlier row of the file (same ID number, or same name, date of birth and village). Other unreadable cells
  (phone, yes/no answers, groups of special circumstances) are left out of the record with a warning.
- A row **updates** a child when its ID number matches an active record (anywhere in the province: the child is
  then moved to this commune), or, when it has no ID number or its number is not known yet, when the exact name
  (with its accents), the date of birth and the commune match a record not yet claimed by this import.
- Otherwise a child is **created**. Rows whose name without accents and date of birth match another child are
  counted as possible duplicates and proposed for review.
- Layouts (the officer's version is ``docs/import-rules.md`` §1a–1b): a header over two rows with merged group
  titles is combined before matching; the birth date may sit in a "Nam" or a "Nữ" column (which gives the sex) or
  in day, month and year columns, the name in family-name and given-name columns. A column-numbering row before
  the first child, blank rows and footer rows (no birth date, a name cell like "Tổng cộng" or "Người lập biểu",
  and the dateless rows of at most two cells right after one) are skipped and not counted in ``rows``. Of several
  sheets, the one whose header maps most columns is read (``choose_sheet``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from django.db import transaction

from treem.core.audit import record_event
from treem.core.intake.encodings import detect_legacy_encoding
from treem.core.intake.errors import ImportRefused, UnreadableFile
from treem.core.intake.ethnicity import EthnicGroups
from treem.core.intake.names import fold_name
from treem.core.intake.reading import Table, open_table, sheet_count
from treem.core.intake.rejected import RejectedRowsWriter
from treem.core.models import AuditEvent
from treem.hierarchy.models import OrgUnit
from treem.registry.duplicates import propose_pairs
from treem.registry.import_batches import BATCH_SIZE, Actor, BatchWriter
from treem.registry.import_fields import FIELD_LABELS, find_header_row
from treem.registry.import_rows import ImportSummary, ParsedRow, RowReader, is_footer_text, is_numbering_row

_HINT_SAMPLE_ROWS = 300
_HEADER_SCAN = 15

Progress = Callable[[int, int | None], None]


def _first_rows(table: Table, count: int) -> tuple[list[tuple[int, list[object]]], Iterator[tuple[int, list[object]]]]:
    buffered: list[tuple[int, list[object]]] = []
    for item in table.rows:
        buffered.append(item)
        if len(buffered) >= count:
            break
    return buffered, table.rows


def import_children_file(
    *,
    actor: Actor,
    path: Path,
    commune: OrgUnit,
    as_of: dt.date,
    dry_run: bool = False,
    rejected_path: Path | None = None,
    progress: Progress | None = None,
    source_name: str = "",
    max_rows: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import the child list in ``path`` into the registry of ``commune``, as of ``as_of``.

    All or nothing: one transaction (rolled back at the end of a dry run). ``rejected_path`` receives the rejected
    rows as .xlsx; ``progress(done, total)`` is called after each batch; ``max_rows`` stops after that many data
    rows (for a preview). Raises ``ImportRefused`` when the file cannot be read or has no header row.
    """
    source = source_name or path.name
    try:
        sheet = choose_sheet(path)
        summary = ImportSummary(dry_run=dry_run)
        try:
            _import_sheet(path, sheet, summary, actor=actor, commune=commune, as_of=as_of, dry_run=dry_run,
                          rejected_path=rejected_path, progress=progress, source=source, max_rows=max_rows,
                          batch_size=batch_size)
        except _NoHeader as error:
            raise ImportRefused(str(error)) from error
        return summary
    except UnreadableFile as error:
        raise ImportRefused(str(error)) from error


_LIST_SHEET_NAME = re.compile(r"^(?:danh sach|ds)\b|\bdanh sach\b|\btre em\b")


def choose_sheet(path: Path) -> int:
    """The worksheet that holds the list, for a workbook with several: the one whose header maps the most
    columns; on a tie the one named like "Danh sách…" / "DS…" / "…trẻ em…", then the first. Cover, notes and
    summary sheets without a header row of names and birth dates are never chosen while another has one."""
    sheets = sheet_count(path)
    if sheets <= 1:
        return 0
    best, best_key = 0, (-1, 0)
    for sheet in range(sheets):
        with open_table(path, sheet=sheet) as table:
            head, _ = _first_rows(table, _HEADER_SCAN)
            found = find_header_row([cells for _, cells in head], max_scan=_HEADER_SCAN)
            named = 1 if _LIST_SHEET_NAME.search(fold_name(table.sheet_name)) else 0
        key = (found.score if found.index is not None else -1, named)
        if key > best_key:
            best, best_key = sheet, key
    return best


class _NoHeader(Exception):
    """The sheet has no header row in its first rows."""


def _import_sheet(path: Path, sheet: int, summary: ImportSummary, *, actor: Actor, commune: OrgUnit,
                  as_of: dt.date, dry_run: bool, rejected_path: Path | None, progress: Progress | None, source: str,
                  max_rows: int | None, batch_size: int) -> None:
    with open_table(path, sheet=sheet) as table, transaction.atomic():
        _run(table, summary, actor=actor, commune=commune, as_of=as_of, rejected_path=rejected_path,
             progress=progress, source=source, max_rows=max_rows, batch_size=batch_size)
        record_event(actor=actor, verb=AuditEvent.Verb.IMPORT, obj=commune, action="import_children",
                     org_unit_path=commune.path, reason=f"Nhập danh sách trẻ em từ tệp {source}",
                     after={key: value for key, value in summary.as_dict().items()
                            if key in ("rows", "created", "updated", "rejected", "possible_duplicates",
                                       "changed", "warnings", "dry_run")} | {"as_of": as_of.isoformat()})
        if dry_run:
            transaction.set_rollback(True)


def _run(table: Table, summary: ImportSummary, *, actor: Actor, commune: OrgUnit, as_of: dt.date,
         rejected_path: Path | None, progress: Progress | None, source: str, max_rows: int | None,
         batch_size: int) -> None:
    head, rest = _first_rows(table, _HEADER_SCAN)
    found = find_header_row([cells for _, cells in head], max_scan=_HEADER_SCAN)
    if found.index is None or found.match is None:
        raise _NoHeader(found.error or "Không tìm thấy dòng tiêu đề")
    header_number = head[found.index][0]
    header_cells = list(found.labels)
    match = found.match
    summary.header_row = header_number
    summary.header_rows = found.span
    summary.sheet_name = table.sheet_name
    summary.columns = [(header_cells[index] if index < len(header_cells) else "", FIELD_LABELS[name])
                       for index, name in match.columns]
    summary.unknown_columns = [title for _, title in match.unknown]
    data_head = head[found.index + found.span :]
    more, rest = _first_rows(Table(rows=rest, total_rows=None), _HINT_SAMPLE_ROWS)
    data_head.extend(more)
    name_column = match.column_of("full_name")
    if name_column is None:
        name_column = match.column_of("given_name")
    sample = [str(cells[name_column]) for _, cells in data_head
              if name_column is not None and name_column < len(cells) and isinstance(cells[name_column], str)]
    hint = detect_legacy_encoding(sample)
    summary.legacy_encoding = hint
    groups = EthnicGroups.load()
    reader = RowReader(match, as_of=as_of, groups=groups, name_hint=hint)
    rejected = RejectedRowsWriter(header_cells) if rejected_path is not None else None
    batcher = BatchWriter(actor=actor, commune=commune, as_of=as_of, summary=summary, source=source, groups=groups,
                          rejected=rejected)
    ids_seen: dict[str, int] = {}
    identities_seen: dict[tuple[str, dt.date, str], int] = {}
    pending: list[ParsedRow] = []

    def all_rows() -> Iterator[tuple[int, list[object]]]:
        yield from data_head
        yield from rest

    in_footer = False
    for number, cells in all_rows():
        if reader.is_blank(cells):
            continue
        if summary.rows == 0 and is_numbering_row(cells):
            summary.skipped_rows += 1
            continue
        if reader.has_birth_date(cells):
            in_footer = False
        elif (in_footer and _filled_cells(cells) <= 2) or _reads_as_footer(reader, cells):
            in_footer = True  # the signature block goes on: the signers' names below "Người lập biểu"
            summary.skipped_rows += 1
            continue
        if max_rows is not None and summary.rows >= max_rows:
            summary.truncated_at = number
            break
        summary.rows += 1
        outcome = reader.read(number, cells)
        if isinstance(outcome, ParsedRow):
            outcome = _repeat_of_earlier(outcome, ids_seen, identities_seen)
        if isinstance(outcome, str):
            summary.reject(number, outcome)
            if rejected is not None:
                rejected.write(number, cells, outcome)
            continue
        pending.append(outcome)
        if len(pending) >= batch_size:
            batcher.flush(pending)
            pending = []
            if progress is not None:
                progress(number, table.total_rows)
    batcher.flush(pending)
    propose_pairs(batcher.pairs)
    if rejected is not None and rejected_path is not None:
        summary.rejected_file = rejected.save(rejected_path)
    if progress is not None:
        progress(table.total_rows or summary.rows, table.total_rows)


def _filled_cells(cells: Sequence[object]) -> int:
    return sum(1 for cell in cells if cell is not None and not (isinstance(cell, str) and not cell.strip()))


def _reads_as_footer(reader: RowReader, cells: Sequence[object]) -> bool:
    """Whether a row without a birth date is a footer row: its name cell, or when that is empty its first filled
    cell, reads as a total, a signature or a place-and-date line."""
    name = reader.name_cell(cells)
    if name is None:
        name = next((cell for cell in cells if isinstance(cell, str) and cell.strip()), None)
    return isinstance(name, str) and is_footer_text(name)


def _repeat_of_earlier(row: ParsedRow, ids_seen: dict[str, int],
                       identities_seen: dict[tuple[str, dt.date, str], int]) -> ParsedRow | str:
    if row.personal_id:
        earlier = ids_seen.get(row.personal_id)
        if earlier is not None:
            return f"Trùng với dòng {earlier} của tệp (cùng số định danh {row.personal_id})"
    identity = (row.full_name, row.birth_date, row.village_key)
    earlier = identities_seen.get(identity)
    if earlier is not None:
        return f"Trùng với dòng {earlier} của tệp (cùng họ tên, ngày sinh và thôn/bản)"
    if row.personal_id:
        ids_seen[row.personal_id] = row.number
    identities_seen[identity] = row.number
    return row
