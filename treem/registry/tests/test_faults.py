"""Fault drills of the child-list import (docs/operations.md): the database restarted in the middle of an import,
the worker killed during the job, a request cut in the middle of the upload, and a full disk. In every case the
import ends failed with a reason the officer can read, and no half of a file is ever kept."""

from __future__ import annotations

import csv
import errno
import io
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings as SettingsWrapper

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.intake import runner
from treem.core.intake.models import ImportRecord, ImportStatus
from treem.core.roles import Role
from treem.core.uploads import DISK_FULL_MESSAGE
from treem.core.worker import WORKER_LOST_MESSAGE, write_heartbeat
from treem.hierarchy.models import Village
from treem.registry.imports import import_children_file
from treem.registry.management.commands import import_children as import_command
from treem.registry.models import Child

COMMUNE = "03390"


def write_list(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["STT", "Họ và tên", "Ngày sinh", "GT", "Dân tộc", "Thôn/bản"])
        for number in range(1, rows + 1):
            writer.writerow([number, f"Lò Văn Thử {number:05d}", f"{1 + number % 28:02d}/{1 + number % 12:02d}/2018",
                             "Nam" if number % 2 else "Nữ", "Thái", "Bản Nà Tăm"])
    return path


def terminate_this_connections_backend() -> None:
    """What a PostgreSQL restart does to a session: another connection ends this one's backend."""
    backend = connection.connection.info.backend_pid
    parameters = connection.get_connection_params()
    admin = {key: parameters[key] for key in ("host", "port", "user", "password", "dbname") if parameters.get(key)}
    with psycopg.connect(autocommit=True, **admin) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend])


@pytest.fixture
def media(tmp_path: Path, settings: SettingsWrapper) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKER_HEARTBEAT_DIR = str(tmp_path / "workers")
    return tmp_path / "media"


@pytest.fixture
def officer_client(client: Client) -> Client:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, COMMUNE))
    return client


def uploaded_and_confirmed(client: Client, path: Path, monkeypatch: pytest.MonkeyPatch) -> ImportRecord:
    """An officer uploads a large list and confirms it: it is queued as a background job."""
    monkeypatch.setattr(runner, "BACKGROUND_BYTES", 10)
    client.post("/tre-em/nhap/", {"file": SimpleUploadedFile(path.name, path.read_bytes()), "as_of": "01/05/2026",
                                  "commune": unit(COMMUNE).pk})
    child_import = ImportRecord.objects.get(kind="children")
    client.post(f"/tre-em/nhap/{child_import.pk}/")
    child_import.refresh_from_db()
    assert child_import.status == ImportStatus.QUEUED and child_import.task_id
    return child_import


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_restarting_during_a_command_import_keeps_no_half_of_the_file(
        reference_data: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_list(tmp_path / "danh-sach.csv", rows=5000)

    class CutAfterTheFirstBatch(import_command.tqdm):  # type: ignore[misc,name-defined]
        def update(self, n: float | None = 1) -> bool | None:
            if self.n == 0 and n:
                terminate_this_connections_backend()
            return super().update(n)

    monkeypatch.setattr(import_command, "tqdm", CutAfterTheFirstBatch)
    with pytest.raises(Exception, match=r"terminat|closed|connection"):
        call_command("import_children", str(path), "--commune", COMMUNE, "--as-of", "2026-05-01")
    connection.close()
    assert Child.objects.count() == 0
    monkeypatch.undo()  # the database is back: the same file imports whole
    call_command("import_children", str(path), "--commune", COMMUNE, "--as-of", "2026-05-01", verbosity=0)
    assert Child.objects.count() == 5000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_restarting_during_a_background_import_ends_it_failed_with_nothing_kept(
        reference_data: None, media: Path, tmp_path: Path, officer_client: Client,
        monkeypatch: pytest.MonkeyPatch) -> None:
    child_import = uploaded_and_confirmed(officer_client, write_list(tmp_path / "lon.csv", rows=5000), monkeypatch)
    original = runner.write_progress

    def cut_after_the_first_batch(job: ImportRecord, done: int, total: int | None) -> None:
        original(job, done, total)
        if 0 < done < 5000:
            terminate_this_connections_backend()

    monkeypatch.setattr(runner, "write_progress", cut_after_the_first_batch)
    with pytest.raises(Exception, match=r"terminat|closed|connection"):
        runner.execute_import(child_import.pk)  # what the worker runs
    connection.close()
    child_import.refresh_from_db()
    assert child_import.status == ImportStatus.FAILED
    assert "không có dòng nào được lưu" in child_import.error
    assert Child.objects.count() == 0
    page = officer_client.get(f"/tre-em/nhap/{child_import.pk}/").content.decode()
    assert "không có dòng nào được lưu" in page


@pytest.mark.django_db(transaction=True)  # the worker loop closes and reopens its connection, as in production
def test_a_worker_killed_during_the_import_job_leaves_it_failed_with_the_reason_on_the_officers_page(
        reference_data: None, media: Path, tmp_path: Path, officer_client: Client,
        monkeypatch: pytest.MonkeyPatch) -> None:
    child_import = uploaded_and_confirmed(officer_client, write_list(tmp_path / "lon.csv", rows=50), monkeypatch)
    job = DBTaskResult.objects.get(pk=child_import.task_id)
    long_ago = timezone.now() - timedelta(minutes=10)
    job.claim("killed-worker")  # the worker took the job…
    ImportRecord.objects.filter(pk=child_import.pk).update(status=ImportStatus.RUNNING, started_at=long_ago)
    write_heartbeat(worker_id="killed-worker", started_at=long_ago, task_id=str(job.pk), now=long_ago)  # …and died

    call_command("run_worker", "--batch", "--no-startup-delay", "--nice", "0", verbosity=0)  # restarted by systemd

    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    child_import.refresh_from_db()
    assert child_import.status == ImportStatus.FAILED and WORKER_LOST_MESSAGE in child_import.error
    assert Child.objects.count() == 0
    page = officer_client.get(f"/tre-em/nhap/{child_import.pk}/").content.decode()
    assert WORKER_LOST_MESSAGE in page


@pytest.mark.django_db(transaction=True)  # a real request closes and reopens its connection
def test_a_request_cut_in_the_middle_of_the_upload_stores_nothing(
        reference_data: None, media: Path, tmp_path: Path) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, COMMUNE)
    client = Client()
    client.force_login(officer)
    client.get("/tre-em/nhap/")
    token = client.cookies["csrftoken"].value
    body_request = RequestFactory().post("/tre-em/nhap/", {
        "csrfmiddlewaretoken": token, "as_of": "01/05/2026", "commune": str(unit(COMMUNE).pk),
        "file": SimpleUploadedFile("lon.csv", write_list(tmp_path / "lon.csv", rows=3000).read_bytes())})
    environ = dict(body_request.environ)
    body = environ["wsgi.input"].read()
    environ["wsgi.input"] = io.BytesIO(body[: len(body) // 2])  # the line dropped halfway
    environ["HTTP_COOKIE"] = f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}"
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        statuses.append(status)

    WSGIHandler()(environ, start_response)
    assert statuses and statuses[0].split()[0] in {"200", "400"}  # the form again (no file), or a bad request
    assert ImportRecord.objects.count() == 0 and Child.objects.count() == 0
    assert not media.exists() or not [path for path in media.rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_a_full_disk_on_upload_says_so_next_to_the_field_and_keeps_nothing(
        media: Path, tmp_path: Path, officer_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = Path.open

    def open_on_a_full_disk(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, mode, *args, **kwargs)
        if "w" in mode and "b" in mode and media in self.parents:
            def write(data: bytes) -> int:
                raise OSError(errno.ENOSPC, "No space left on device")
            handle.write = write
        return handle

    monkeypatch.setattr(Path, "open", open_on_a_full_disk)
    response = officer_client.post("/tre-em/nhap/", {
        "file": SimpleUploadedFile("ds.csv", write_list(tmp_path / "ds.csv", rows=5).read_bytes()),
        "as_of": "01/05/2026", "commune": unit(COMMUNE).pk})
    assert response.status_code == 200
    assert str(DISK_FULL_MESSAGE) in response.content.decode()
    assert ImportRecord.objects.count() == 0
    assert not [path for path in media.rglob("*") if path.is_file()]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_lists_of_one_commune_imported_at_once_share_the_new_village_and_both_end_imported(
        reference_data: None, tmp_path: Path) -> None:
    """What the load test found: an officer's preview of a list ran while the worker imported the previous one; both
    created the list's new village, and the second failed on the unique name with a server error."""
    officer = user_with_role(Role.COMMUNE_OFFICER, COMMUNE)
    commune = unit(COMMUNE)
    first, second = write_list(tmp_path / "dot-1.csv", rows=300), write_list(tmp_path / "dot-2.csv", rows=300)
    barrier, results = threading.Barrier(2), {}

    def run(name: str, path: Path, dry_run: bool) -> None:
        barrier.wait()
        try:
            results[name] = import_children_file(actor=officer, path=path, commune=commune,
                                                 as_of=timezone.localdate(), dry_run=dry_run, batch_size=50)
        except Exception as error:  # the failure this test is about
            results[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=("import", first, False)),
               threading.Thread(target=run, args=("preview", second, True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not [result for result in results.values() if isinstance(result, Exception)], results
    assert results["import"].created == 300 and results["preview"].rows == 300
    assert Village.objects.filter(org_unit=commune, name="Bản Nà Tăm").count() == 1
    assert Child.objects.count() == 300  # the preview kept nothing
