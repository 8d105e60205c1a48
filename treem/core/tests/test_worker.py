"""The worker's heartbeat, the readiness check that reads it, and the recovery of jobs a dead worker left running."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings as SettingsWrapper

from treem.core.worker import WORKER_LOST_MESSAGE, read_heartbeats, recover_abandoned_tasks, write_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def heartbeat_directory(tmp_path: Path, settings: SettingsWrapper) -> Path:
    settings.WORKER_HEARTBEAT_DIR = str(tmp_path / "workers")
    return tmp_path / "workers"


def running_job(*, worker_id: str, started_ago: timedelta = timedelta(0)) -> DBTaskResult:
    job = DBTaskResult.objects.create(
        args_kwargs={"args": [0], "kwargs": {}}, task_path="treem.core.intake.tasks.run_import",
        backend_name="default", run_after=timezone.now(), status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - started_ago, worker_ids=[worker_id])
    return job


def a_finished_process_id() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    return int(finished.stdout)


def test_readiness_fails_without_a_live_worker_and_says_why(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["problems"] == ["worker"] and body["worker"]["alive"] == 0


def test_readiness_reports_the_last_heartbeat_and_the_queue_length(client: Client) -> None:
    now = timezone.now()
    write_heartbeat(worker_id="w1", started_at=now, task_id=None, now=now)
    running_job(worker_id="w1")
    DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="x.y", backend_name="default",
                                run_after=now)
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["worker"]["alive"] == 1
    assert body["worker"]["last_heartbeat_age_seconds"] is not None
    assert body["queue"] == {"ready": 1, "running": 1, "failed": 0, "successful": 0}


def test_a_stale_heartbeat_is_not_a_live_worker(client: Client) -> None:
    long_ago = timezone.now() - timedelta(minutes=10)
    write_heartbeat(worker_id="w1", started_at=long_ago, task_id=None, now=long_ago)
    assert client.get("/readyz").status_code == 503


def test_a_job_whose_worker_stopped_beating_is_marked_failed_with_a_reason() -> None:
    long_ago = timezone.now() - timedelta(minutes=10)
    write_heartbeat(worker_id="dead", started_at=long_ago, task_id="x", now=long_ago)
    abandoned = running_job(worker_id="dead", started_ago=timedelta(minutes=10))
    assert recover_abandoned_tasks() == [str(abandoned.pk)]
    abandoned.refresh_from_db()
    assert abandoned.status == TaskResultStatus.FAILED and abandoned.finished_at is not None
    assert WORKER_LOST_MESSAGE in abandoned.traceback
    assert recover_abandoned_tasks() == []


def test_a_job_of_a_process_that_no_longer_exists_on_this_machine_is_failed_at_once(
        heartbeat_directory: Path) -> None:
    now = timezone.now()
    write_heartbeat(worker_id="killed", started_at=now, task_id="x", now=now)
    path = heartbeat_directory / "killed.json"
    path.write_text(path.read_text().replace(f'"pid": {os.getpid()}', f'"pid": {a_finished_process_id()}'))
    abandoned = running_job(worker_id="killed")
    assert [heartbeat.worker_id for heartbeat in read_heartbeats()] == ["killed"]
    assert recover_abandoned_tasks() == [str(abandoned.pk)]


def test_the_job_of_a_live_worker_is_left_running() -> None:
    now = timezone.now()
    write_heartbeat(worker_id="alive", started_at=now, task_id="x", now=now)
    job = running_job(worker_id="alive", started_ago=timedelta(hours=2))
    assert recover_abandoned_tasks() == []
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


@pytest.mark.django_db(transaction=True)  # the worker loop closes and reopens its connection, as in production
def test_the_worker_command_recovers_abandoned_jobs_when_it_starts_and_removes_its_heartbeat_when_it_stops(
        heartbeat_directory: Path) -> None:
    abandoned = running_job(worker_id="gone", started_ago=timedelta(hours=1))
    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "w-test", "--nice", "0", verbosity=0)
    abandoned.refresh_from_db()
    assert abandoned.status == TaskResultStatus.FAILED
    assert not (heartbeat_directory / "w-test.json").exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_lowers_its_cpu_priority_unless_told_not_to(heartbeat_directory: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    lowered: list[int] = []
    monkeypatch.setattr("treem.core.management.commands.run_worker.os.nice", lowered.append)
    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "w-nice", verbosity=0)
    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "w-nice", "--nice", "0", verbosity=0)
    assert lowered == [10]
