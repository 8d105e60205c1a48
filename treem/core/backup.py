"""Backups: one archive with a consistent copy of the database and the uploaded files, checked by a manifest.

An archive (``treem-YYYYMMDD-HHMMSS.tar``) holds ``manifest.json``, the database (``database.pgdump``: ``pg_dump``'s
custom format, one consistent snapshot; or ``database.sqlite3``: SQLite's online backup API, consistent while
others write) and ``media/`` (the uploaded files). The manifest lists every member with its size and SHA-256, the
database vendor and the migrations applied. The database is copied first and the files after: an upload writes its
file before its row, so every file a restored row names is in the archive (a few newer files may come too).

``restore_archive`` verifies every checksum before it touches anything, and restores into an empty database only,
unless told to replace what is there. The retention rule (``archives_to_keep``) keeps the newest archive of each of
the last N days, weeks and months.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from treem.core.audit import record_event
from treem.core.models import AuditEvent

ARCHIVE_PREFIX = "treem-"
ARCHIVE_SUFFIX = ".tar"
MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or a restore could not be done; the message is in Vietnamese."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _database_settings(database_url: str | None) -> dict[str, Any]:
    if database_url:
        return dict(dj_database_url.parse(database_url))
    return dict(settings.DATABASES["default"])


def _vendor(database: Mapping[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Không sao lưu được cơ sở dữ liệu loại {engine}.")


def _postgres_environment(database: Mapping[str, Any]) -> dict[str, str]:
    environment = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            environment[variable] = str(database[key])
    return environment


def _run(command: list[str], *, environment: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"Không tìm thấy chương trình {command[0]} (gói postgresql-client).") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} báo lỗi: {error.stderr.strip()[-500:]}") from error


def _dump_database(target: Path) -> str:
    """Copy the default database into ``target``; returns the member name."""
    database = settings.DATABASES["default"]
    if _vendor(database) == "postgresql":
        destination = target / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={destination}",
              str(database["NAME"])], environment=_postgres_environment(database))
        return destination.name
    destination = target / "database.sqlite3"
    connection.ensure_connection()
    source = connection.connection
    with sqlite3.connect(destination) as copy:
        source.backup(copy)
    copy.close()
    return destination.name


def _applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def take_backup(*, actor: Any = None, directory: Path | None = None, media_root: Path | None = None,
                now: datetime | None = None) -> BackupResult:
    """Write one archive of the database and the uploaded files; returns its path and manifest."""
    now = now or timezone.now()
    directory = Path(directory or settings.BACKUP_DIR)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{ARCHIVE_PREFIX}{timezone.localtime(now):%Y%m%d-%H%M%S}{ARCHIVE_SUFFIX}"
    final_path = directory / name
    if final_path.exists():
        raise BackupError(f"Đã có bản sao lưu {name}.")
    with tempfile.TemporaryDirectory(dir=directory, prefix=".dang-sao-luu-") as work:
        work_path = Path(work)
        database_member = _dump_database(work_path)
        files: list[dict[str, Any]] = [{"name": database_member, "size": (work_path / database_member).stat().st_size,
                                        "sha256": _sha256(work_path / database_member)}]
        media_files = sorted(path for path in media_root.rglob("*") if path.is_file()) if media_root.is_dir() else []
        for path in media_files:
            files.append({"name": "media/" + path.relative_to(media_root).as_posix(), "size": path.stat().st_size,
                          "sha256": _sha256(path)})
        manifest = {
            "format": FORMAT_VERSION, "created_at": now.isoformat(), "vendor": connection.vendor,
            "database": database_member, "migrations": _applied_migrations(), "files": files,
        }
        partial = work_path / name
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(now.timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(work_path / database_member, arcname=database_member)
            for path in media_files:
                archive.add(path, arcname="media/" + path.relative_to(media_root).as_posix())
        os.replace(partial, final_path)
    record_event(actor=actor, verb=AuditEvent.Verb.EXPORT, object_type="backup", object_id=name, object_repr=name,
                 action="take_backup", after={"files": len(files), "bytes": final_path.stat().st_size})
    return BackupResult(path=final_path, manifest=manifest)


def read_manifest(archive_path: Path) -> dict[str, Any]:
    with tarfile.open(archive_path, "r") as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError("Tệp sao lưu không có bảng kê (manifest.json).")
        manifest: dict[str, Any] = json.loads(member.read())
    return manifest


def _extract_verified(archive_path: Path, destination: Path) -> dict[str, Any]:
    """Unpack the archive into ``destination`` and check every member against the manifest."""
    try:
        manifest = read_manifest(archive_path)
        with tarfile.open(archive_path, "r") as archive:
            archive.extractall(destination, filter="data")
    except (OSError, tarfile.TarError, ValueError, KeyError) as error:
        raise BackupError(f"Không đọc được tệp sao lưu {archive_path.name}: {error}") from error
    listed = {entry["name"] for entry in manifest["files"]}
    present = {path.relative_to(destination).as_posix() for path in destination.rglob("*")
               if path.is_file() and path.name != MANIFEST}
    if present != listed:
        raise BackupError("Tệp sao lưu không khớp bảng kê: "
                          f"thiếu {sorted(listed - present)[:5]}, thừa {sorted(present - listed)[:5]}.")
    for entry in manifest["files"]:
        if _sha256(destination / entry["name"]) != entry["sha256"]:
            raise BackupError(f"Tệp {entry['name']} trong bản sao lưu bị hỏng (sai mã kiểm tra SHA-256).")
    return manifest


def _postgres_table_count(database: Mapping[str, Any]) -> int:
    import psycopg

    with psycopg.connect(dbname=str(database["NAME"]), host=database.get("HOST") or None,
                         port=database.get("PORT") or None, user=database.get("USER") or None,
                         password=database.get("PASSWORD") or None) as target:
        row = target.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                             ).fetchone()
    return int(row[0]) if row else 0


def _sqlite_table_count(path: Path) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(path) as target:
        count = target.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    target.close()
    return int(count)


def restore_archive(*, archive_path: Path, database_url: str | None = None, media_root: Path | None = None,
                    replace: bool = False) -> dict[str, Any]:
    """Restore an archive into the database (the configured one, or ``database_url``) and the media directory.

    Refuses a database that already has tables, or a media directory with files, unless ``replace``."""
    database = _database_settings(database_url)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    vendor = _vendor(database)
    with tempfile.TemporaryDirectory(prefix="treem-khoi-phuc-") as work:
        work_path = Path(work)
        manifest = _extract_verified(archive_path, work_path)
        if manifest["vendor"] != vendor:
            raise BackupError(f"Bản sao lưu của {manifest['vendor']} không khôi phục được vào {vendor}.")
        if vendor == "postgresql":
            tables = _postgres_table_count(database)
        else:
            tables = _sqlite_table_count(Path(str(database["NAME"])))
        if tables and not replace:
            raise BackupError(f"Cơ sở dữ liệu đích đã có {tables} bảng. Chỉ khôi phục vào cơ sở dữ liệu trống, "
                              "hoặc dùng --replace để thay toàn bộ dữ liệu hiện có.")
        existing_media = [path for path in media_root.rglob("*") if path.is_file()] if media_root.is_dir() else []
        if existing_media and not replace:
            raise BackupError(f"Thư mục tệp tải lên {media_root} đã có {len(existing_media)} tệp. "
                              "Dùng --replace để thay chúng.")
        dump = work_path / manifest["database"]
        if vendor == "postgresql":
            command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                       f"--dbname={database['NAME']}"]
            if replace:
                command += ["--clean", "--if-exists"]
            _run([*command, str(dump)], environment=_postgres_environment(database))
        else:
            target_path = Path(str(database["NAME"]))
            if database_url is None:
                connection.close()
            target_path.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(str(target_path) + suffix).unlink(missing_ok=True)
            with sqlite3.connect(dump) as source, sqlite3.connect(target_path) as target:
                source.backup(target)
            source.close()
            target.close()
        if replace and media_root.is_dir():
            shutil.rmtree(media_root)
        restored_media = work_path / "media"
        if restored_media.is_dir():
            shutil.copytree(restored_media, media_root, dirs_exist_ok=True)
    return manifest


def archives_in(directory: Path) -> list[tuple[datetime, Path]]:
    """The archives in ``directory`` with the time in their names, newest first."""
    found = []
    for path in directory.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}"):
        stamp = path.name[len(ARCHIVE_PREFIX):-len(ARCHIVE_SUFFIX)]
        try:
            found.append((datetime.strptime(stamp, "%Y%m%d-%H%M%S"), path))
        except ValueError:
            continue
    return sorted(found, reverse=True)


def archives_to_keep(stamps: Iterable[datetime], *, daily: int, weekly: int, monthly: int) -> set[datetime]:
    """The newest archive of each of the last ``daily`` days, ``weekly`` ISO weeks and ``monthly`` months that have
    one (counted from the newest archive)."""
    kept: set[datetime] = set()
    ordered = sorted(stamps, reverse=True)
    for count, period in ((daily, lambda day: day), (weekly, lambda day: day.isocalendar()[:2]),
                          (monthly, lambda day: (day.year, day.month))):
        seen: list[Any] = []
        for stamp in ordered:
            key = period(stamp.date())
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            kept.add(stamp)
    return kept


def prune_archives(*, directory: Path | None = None) -> list[Path]:
    """Delete the archives that the retention rule does not keep; returns the deleted paths."""
    directory = Path(directory or settings.BACKUP_DIR)
    archives = archives_in(directory)
    keep = archives_to_keep([stamp for stamp, _ in archives], daily=settings.BACKUP_KEEP_DAILY,
                            weekly=settings.BACKUP_KEEP_WEEKLY, monthly=settings.BACKUP_KEEP_MONTHLY)
    deleted = []
    for stamp, path in archives:
        if stamp not in keep:
            path.unlink()
            deleted.append(path)
    return deleted
