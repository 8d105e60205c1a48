"""Imports started from the page or the API: the stored file, its preview, the run (inline or in the background)
and its progress.

An uploaded file is kept under ``MEDIA_ROOT/registry-imports/`` (never served directly: the rejected-rows file is
downloaded through a scoped view). The preview is a dry run of the first ``PREVIEW_ROWS`` rows. A confirmed import
of a file larger than ``BACKGROUND_BYTES`` runs as a background job (django-tasks, run by the ``db_worker``
command); its progress is written to a small file next to the upload, since the import's own transaction is not
visible to other connections until it ends.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.hierarchy.models import Level, OrgUnit
from treem.indicators.services import refresh_derived_counts
from treem.registry.imports import ImportRefused, import_children_file
from treem.registry.models import ChildImport, ImportStatus
from treem.registry.reading import SUPPORTED_SUFFIXES

PREVIEW_ROWS = 200
BACKGROUND_BYTES = 512 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadRefused(Exception):
    """The uploaded file or the options are not acceptable; the message is in Vietnamese."""


def imports_directory() -> Path:
    return Path(settings.MEDIA_ROOT) / "registry-imports"


def _progress_path(child_import: ChildImport) -> Path:
    return Path(child_import.stored_file + ".progress.json")


def _rejected_path(child_import: ChildImport) -> Path:
    stored = Path(child_import.stored_file)
    return stored.with_name(f"{stored.stem}-dong-bi-tu-choi.xlsx")


def store_upload(upload: UploadedFile) -> tuple[Path, str]:
    """Save an uploaded file in its own directory; returns the path and the original name."""
    name = upload.name or "danh-sach.xlsx"
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRefused("Chỉ nhận tệp Excel (.xlsx, .xls), LibreOffice (.ods) hoặc CSV (.csv).")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(f"Tệp quá lớn (tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).")
    directory = imports_directory() / f"{timezone.localdate():%Y}" / uuid.uuid4().hex
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (get_valid_filename(Path(name).stem)[:80] + suffix)
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path, name


@transaction.atomic
def upload_import(
    *, actor: AbstractBaseUser, upload: UploadedFile, commune: OrgUnit, as_of: date, today: date
) -> ChildImport:
    """Store the file and its preview (a dry run of the first rows); nothing is imported until confirmed."""
    if commune.level != Level.COMMUNE or not commune.is_valid_on(as_of):
        raise UploadRefused(f"{commune.name} không phải xã có hiệu lực ngày {as_of:%d/%m/%Y}.")
    if as_of > today:
        raise UploadRefused("Ngày số liệu không được ở tương lai.")
    path, name = store_upload(upload)
    child_import = ChildImport(commune=commune, as_of=as_of, original_name=name[:255], stored_file=str(path),
                               created_by_id=actor.pk, is_background=path.stat().st_size > BACKGROUND_BYTES)
    try:
        preview = import_children_file(actor=actor, path=path, commune=commune, as_of=as_of, dry_run=True,
                                       max_rows=PREVIEW_ROWS, source_name=name)
        child_import.preview = preview.as_dict()
    except ImportRefused as error:
        child_import.status = ImportStatus.FAILED
        child_import.error = str(error)
    child_import.full_clean()
    child_import.save()
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=child_import, action="upload_import",
                 org_unit_path=commune.path, after={"file": name, "as_of": as_of, "status": child_import.status})
    return child_import


def confirm_import(*, actor: AbstractBaseUser, child_import: ChildImport) -> ChildImport:
    """Run the import: at once for a small file, as a background job for a large one."""
    with transaction.atomic():
        child_import = ChildImport.objects.select_for_update().get(pk=child_import.pk)
        if child_import.status != ImportStatus.UPLOADED:
            raise UploadRefused("Lần nhập này đã được xác nhận hoặc không nhập được.")
        child_import.status = ImportStatus.QUEUED
        child_import.save(update_fields=["status", "updated_at"])
        record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=child_import, action="confirm_import",
                     org_unit_path=child_import.commune.path, after={"status": ImportStatus.QUEUED})
    if child_import.is_background:
        from treem.registry.tasks import run_child_import

        write_progress(child_import, 0, None)
        result = run_child_import.enqueue(child_import.pk)
        ChildImport.objects.filter(pk=child_import.pk).update(task_id=str(result.id))
        child_import.refresh_from_db()
        return child_import
    return execute_import(child_import.pk)


def write_progress(child_import: ChildImport, done: int, total: int | None) -> None:
    path = _progress_path(child_import)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"done": done, "total": total}))
    os.replace(temporary, path)


def read_progress(child_import: ChildImport) -> dict[str, Any]:
    """``{"done": rows read, "total": rows in the file or None, "percent": 0–100 or None}``."""
    try:
        data = json.loads(_progress_path(child_import).read_text())
    except (OSError, ValueError):
        data = {"done": 0, "total": None}
    total = data.get("total")
    done = data.get("done", 0)
    data["percent"] = min(100, round(100 * done / total)) if total else None
    return data


def execute_import(import_id: int) -> ChildImport:
    """Run a confirmed import (in the web process or the worker) and store its summary or its error."""
    child_import = ChildImport.objects.select_related("commune", "created_by").get(pk=import_id)
    if child_import.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return child_import
    ChildImport.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    try:
        summary = import_children_file(
            actor=child_import.created_by, path=Path(child_import.stored_file), commune=child_import.commune,
            as_of=child_import.as_of, rejected_path=_rejected_path(child_import),
            progress=lambda done, total: write_progress(child_import, done, total),
            source_name=child_import.original_name,
        )
    except ImportRefused as error:
        ChildImport.objects.filter(pk=import_id).update(status=ImportStatus.FAILED, error=str(error),
                                                        finished_at=timezone.now())
    except Exception as error:
        ChildImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            error=f"Lỗi khi nhập; không có dòng nào được lưu. Chi tiết kỹ thuật: {type(error).__name__}: {error}")
        raise
    else:
        ChildImport.objects.filter(pk=import_id).update(
            status=ImportStatus.DONE, summary=summary.as_dict(), rejected_file=summary.rejected_file,
            finished_at=timezone.now())
        if summary.created or summary.updated:  # count ahead, so that the next dashboard does not wait
            refresh_derived_counts(today=timezone.localdate())
    child_import.refresh_from_db()
    return child_import
