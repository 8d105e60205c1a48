"""Uploading, previewing and running an import, the same way for every domain.

An uploaded file is kept under ``MEDIA_ROOT/imports/<year>/<random>/`` (never served directly: the rejected-rows
file is downloaded through a domain's scoped view). ``upload_import`` stores it and previews it — a dry run of the
first ``PREVIEW_ROWS`` rows by the domain's ``IntakeKind.run`` — and nothing is written until ``confirm_import``.
A confirmed import of a file larger than ``BACKGROUND_BYTES`` runs as a background job (django-tasks, run by the
``run_worker`` command; ``tasks.run_import``), a smaller one at once. The progress of a run is written to a small
file beside the upload, since the import's own transaction is not visible to other connections until it ends."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from treem.core.access import scope_paths
from treem.core.audit import record_event
from treem.core.intake.errors import ImportRefused, UploadRefused
from treem.core.intake.models import ImportRecord, ImportStatus
from treem.core.intake.reading import SUPPORTED_SUFFIXES
from treem.core.models import AuditEvent
from treem.core.uploads import DISK_FULL_MESSAGE, is_disk_full

if TYPE_CHECKING:  # the org unit is the hierarchy's, above core: named for the type checker only
    from treem.hierarchy.models import OrgUnit

PREVIEW_ROWS = 200
BACKGROUND_BYTES = 512 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

Actor = AbstractBaseUser | AnonymousUser | None
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class RunResult:
    """What a domain's run reports: the summary stored on the record (``rows``, ``created``, ``updated``,
    ``rejected``…), the rejected-rows file written, and whether any record was written."""

    summary: dict[str, Any]
    rejected_file: str = ""
    changed: bool = False


class Run(Protocol):
    def __call__(self, record: ImportRecord, *, actor: Actor, dry_run: bool, max_rows: int | None,
                 rejected_path: Path | None, progress: Progress | None) -> RunResult:
        """Read ``record.stored_file`` with the domain's field map and apply every row, all or nothing (rolled back
        on a dry run); raise ``ImportRefused`` when the file as a whole cannot be taken in."""
        ...


@dataclass(frozen=True)
class IntakeKind:
    """A domain's way of taking in a file: its name (``ImportRecord.kind``), the capability an officer needs over
    the org unit, the run, and what to do once a run has written records (``after_run``, outside its
    transaction). ``suffixes`` are the kinds of file it takes (spreadsheets by default; map shapes take GeoJSON and
    zipped Shapefiles)."""

    name: str
    capability: str
    run: Run
    after_run: Callable[[ImportRecord, RunResult], None] | None = field(default=None)
    suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES


_KINDS: dict[str, IntakeKind] = {}


def register_kind(kind: IntakeKind) -> None:
    """Called by each domain when Django starts (its ``AppConfig.ready``)."""
    _KINDS[kind.name] = kind


def kind_named(name: str) -> IntakeKind:
    try:
        return _KINDS[name]
    except KeyError as error:
        raise LookupError(f"no intake kind {name!r} is registered") from error


def imports_directory() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def progress_path(record: ImportRecord) -> Path:
    return Path(record.stored_file + ".progress.json")


def rejected_path(record: ImportRecord) -> Path:
    stored = Path(record.stored_file)
    return stored.with_name(f"{stored.stem}-dong-bi-tu-choi.xlsx")


def store_upload(upload: UploadedFile, *, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> tuple[Path, str]:
    """Save an uploaded file in its own directory, after checking its kind and size; returns the path and the
    original name. The one entry point for uploaded files: every import stores its file through here. ``suffixes``
    are the kinds accepted (spreadsheets unless a domain takes other files)."""
    name = upload.name or "danh-sach.xlsx"
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        if suffixes == SUPPORTED_SUFFIXES:
            raise UploadRefused("Chỉ nhận tệp Excel (.xlsx, .xls), LibreOffice (.ods) hoặc CSV (.csv).")
        raise UploadRefused("Chỉ nhận tệp có đuôi: " + ", ".join(sorted(suffixes)) + ".")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(f"Tệp quá lớn (tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).")
    directory = imports_directory() / f"{timezone.localdate():%Y}" / uuid.uuid4().hex
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (get_valid_filename(Path(name).stem)[:80] + suffix)
    try:
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
    except OSError as error:
        path.unlink(missing_ok=True)
        directory.rmdir()
        if is_disk_full(error):
            raise UploadRefused(str(DISK_FULL_MESSAGE)) from error
        raise
    return path, name


def _may_act(actor: Actor, kind: IntakeKind, org_unit_path: str) -> bool:
    if actor is None:
        return False
    return any(org_unit_path.startswith(root) for root in scope_paths(actor, capability=kind.capability))


@transaction.atomic
def upload_import(*, kind: str, actor: AbstractBaseUser, upload: UploadedFile, org_unit: OrgUnit,
                  as_of: date) -> ImportRecord:
    """Store the file and its preview (a dry run of the first rows); nothing is imported until confirmed. A file
    that cannot be read at all is kept as a failed import with the reason."""
    intake = kind_named(kind)
    path_of_unit = org_unit.path
    if not _may_act(actor, intake, path_of_unit):
        raise UploadRefused("Bạn không có quyền nhập dữ liệu cho đơn vị này.")
    path, name = store_upload(upload, suffixes=intake.suffixes)
    record = ImportRecord(kind=kind, org_unit=org_unit, as_of=as_of, original_name=name[:255],
                          stored_file=str(path), created_by_id=actor.pk,
                          is_background=path.stat().st_size > BACKGROUND_BYTES)
    try:
        preview = intake.run(record, actor=actor, dry_run=True, max_rows=PREVIEW_ROWS, rejected_path=None,
                             progress=None)
        record.preview = preview.summary
    except ImportRefused as error:
        record.status = ImportStatus.FAILED
        record.error = str(error)
    record.full_clean()
    record.save()
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=record, action="upload_import",
                 org_unit_path=path_of_unit,
                 after={"kind": kind, "file": name, "as_of": as_of, "status": record.status})
    return record


def confirm_import(*, actor: AbstractBaseUser, record: ImportRecord) -> ImportRecord:
    """Run the import: at once for a small file, as a background job for a large one."""
    intake = kind_named(record.kind)
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().select_related("org_unit").get(pk=record.pk)
        if not _may_act(actor, intake, record.org_unit.path):
            raise UploadRefused("Bạn không có quyền nhập dữ liệu cho đơn vị này.")
        if record.status != ImportStatus.UPLOADED:
            raise UploadRefused("Lần nhập này đã được xác nhận hoặc không nhập được.")
        record.status = ImportStatus.QUEUED
        record.save(update_fields=["status", "updated_at"])
        record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=record, action="confirm_import",
                     org_unit_path=record.org_unit.path, after={"status": ImportStatus.QUEUED})
    if record.is_background:
        from treem.core.intake.tasks import run_import

        write_progress(record, 0, None)
        result = run_import.enqueue(record.pk)
        ImportRecord.objects.filter(pk=record.pk).update(task_id=str(result.id))
        record.refresh_from_db()
        return record
    return execute_import(record.pk)


def write_progress(record: ImportRecord, done: int, total: int | None) -> None:
    path = progress_path(record)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"done": done, "total": total}))
    os.replace(temporary, path)


def read_progress(record: ImportRecord) -> dict[str, Any]:
    """``{"done": rows read, "total": rows in the file or None, "percent": 0–100 or None}``."""
    try:
        data = json.loads(progress_path(record).read_text())
    except (OSError, ValueError):
        data = {"done": 0, "total": None}
    total = data.get("total")
    done = data.get("done", 0)
    data["percent"] = min(100, round(100 * done / total)) if total else None
    return data


def execute_import(import_id: int) -> ImportRecord:
    """Run a confirmed import (in the web process or the worker) and store its summary or its error."""
    record = ImportRecord.objects.select_related("org_unit", "created_by").get(pk=import_id)
    if record.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return record
    intake = kind_named(record.kind)
    ImportRecord.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    try:
        result = intake.run(record, actor=record.created_by, dry_run=False, max_rows=None,
                            rejected_path=rejected_path(record),
                            progress=lambda done, total: write_progress(record, done, total))
    except ImportRefused as error:
        ImportRecord.objects.filter(pk=import_id).update(status=ImportStatus.FAILED, error=str(error),
                                                         finished_at=timezone.now())
    except Exception as error:
        ImportRecord.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            error=f"Lỗi khi nhập; không có dòng nào được lưu. Chi tiết kỹ thuật: {type(error).__name__}: {error}")
        raise
    else:
        ImportRecord.objects.filter(pk=import_id).update(
            status=ImportStatus.DONE, summary=result.summary, rejected_file=result.rejected_file,
            finished_at=timezone.now())
        record.refresh_from_db()
        if result.changed and intake.after_run is not None:
            intake.after_run(record, result)
    record.refresh_from_db()
    return record
