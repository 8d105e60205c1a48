"""Backup and restore: an archive restored into an empty database holds every child, case, submission and audit
row, and every uploaded file; a damaged archive or a database that is not empty is refused."""

from __future__ import annotations

import io
import sqlite3
import tarfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from pytest_django.fixtures import Settings as SettingsWrapper

from treem.core.backup import archives_to_keep, prune_archives, read_manifest
from treem.core.models import AuditEvent
from treem.protection.models import Case
from treem.protection.tests.factories import make_case
from treem.registry.models import Child
from treem.registry.tests.factories import child_in
from treem.reporting.models import Submission
from treem.reporting.tests.factories import cycle

PLAN_FILE = str(settings.BASE_DIR / "reference_data" / "plans" / "lai-chau-2024.yaml")
COUNTED: list[type[models.Model]] = [Child, Case, Submission, AuditEvent]


@pytest.fixture
def restore_target(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the one under test."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    parameters = connection.get_connection_params()
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = {key: parameters[key] for key in ("host", "port", "user", "password") if parameters.get(key)}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    user = admin.get("user", "")
    host = admin.get("host", "127.0.0.1")
    port = admin.get("port", 5432)
    password = f":{admin['password']}" if admin.get("password") else ""
    yield f"postgres://{user}{password}@{host}:{port}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ids_in(database_url: str, model: type[models.Model]) -> set[Any]:
    table = model._meta.db_table
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as restored:
            rows = restored.execute(f'SELECT id FROM "{table}"').fetchall()
        restored.close()
    else:
        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as restored:
            rows = restored.execute(f'SELECT id FROM "{table}"').fetchall()
    return {row[0] for row in rows}


@pytest.fixture
def records(reference_data: None, tmp_path: Path, settings: SettingsWrapper) -> Path:
    """A child, a case, a reporting cycle's submissions, their audit rows and an uploaded file."""
    call_command("load_plan", PLAN_FILE, quiet=True)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.BACKUP_DIR = str(tmp_path / "backups")
    uploaded = tmp_path / "media" / "registry-imports" / "2026" / "abc" / "danh-sach-xa.xlsx"
    uploaded.parent.mkdir(parents=True)
    uploaded.write_bytes(b"PK\x03\x04 a commune's list")
    child_in("03390", full_name="Lò Thị Ánh")
    make_case()
    cycle(2026)
    return uploaded


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_holds_every_record_and_file(
        records: Path, restore_target: str, tmp_path: Path) -> None:
    expected = {model: set(model._default_manager.values_list("id", flat=True)) for model in COUNTED}
    assert all(expected[model] for model in COUNTED)
    call_command("backup", verbosity=0)
    [archive] = list((tmp_path / "backups").glob("treem-*.tar"))
    manifest = read_manifest(archive)
    assert manifest["vendor"] == connection.vendor
    assert {entry["name"] for entry in manifest["files"]} >= {manifest["database"],
                                                              "media/registry-imports/2026/abc/danh-sach-xa.xlsx"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"])

    restored_media = tmp_path / "restored-media"
    call_command("restore", str(archive), database_url=restore_target, media_root=str(restored_media), verbosity=0)

    for model in COUNTED:
        assert ids_in(restore_target, model) == expected[model], model.__name__
    restored_file = restored_media / "registry-imports" / "2026" / "abc" / "danh-sach-xa.xlsx"
    assert restored_file.read_bytes() == records.read_bytes()
    assert AuditEvent.objects.filter(action="take_backup").count() == 1

    with pytest.raises(CommandError, match=r"đã có \d+ bảng"):
        call_command("restore", str(archive), database_url=restore_target, media_root=str(tmp_path / "other"))
    call_command("restore", str(archive), database_url=restore_target, media_root=str(restored_media),
                 replace=True, verbosity=0)
    assert ids_in(restore_target, Child) == expected[Child]


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_is_restored(
        records: Path, restore_target: str, tmp_path: Path) -> None:
    call_command("backup", verbosity=0)
    [archive] = list((tmp_path / "backups").glob("treem-*.tar"))
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            assert data is not None
            content = data.read()
            if member.name.startswith("media/"):
                content = content.replace(b"commune", b"COMMUNE")
            target.addfile(member, io.BytesIO(content))
    with pytest.raises(CommandError, match="bị hỏng"):
        call_command("restore", str(damaged), database_url=restore_target, media_root=str(tmp_path / "m"))
    assert not (tmp_path / "m").exists()
    if restore_target.startswith("sqlite:///"):
        assert not Path(restore_target.removeprefix("sqlite:///")).exists()
    else:
        assert ids_in_tables(restore_target) == 0


def ids_in_tables(database_url: str) -> int:
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as target:
        row = target.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                             ).fetchone()
    return int(row[0]) if row else 0


def test_retention_keeps_the_newest_of_each_of_the_last_days_weeks_and_months() -> None:
    newest = datetime(2026, 12, 2, 2, 30)
    nightly = [newest - timedelta(days=offset) for offset in range(400)]
    kept = archives_to_keep([*nightly, newest - timedelta(hours=1)], daily=14, weekly=8, monthly=12)
    days = {stamp.date() for stamp in kept}
    assert {newest.date() - timedelta(days=offset) for offset in range(14)} <= days
    assert newest - timedelta(hours=1) not in kept  # an older archive of a day already kept
    assert len({stamp.isocalendar()[:2] for stamp in kept}) >= 8
    assert {(stamp.year, stamp.month) for stamp in kept} == {(2026, month) for month in range(1, 13)}
    assert len(kept) <= 14 + 8 + 12
    assert min(kept) >= datetime(2026, 1, 1)


def test_prune_deletes_only_what_the_rule_does_not_keep(tmp_path: Path, settings: SettingsWrapper) -> None:
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY, settings.BACKUP_KEEP_MONTHLY = 2, 0, 0
    for day in (1, 2, 3):
        (tmp_path / f"treem-202612{day:02d}-023000.tar").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not an archive")
    deleted = prune_archives(directory=tmp_path)
    assert [path.name for path in deleted] == ["treem-20261201-023000.tar"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "notes.txt", "treem-20261202-023000.tar", "treem-20261203-023000.tar"]
