"""The background worker's heartbeat, the queue's state, and the recovery of jobs whose worker died.

The worker (``manage.py run_worker``, django-tasks-db's worker loop) writes a small heartbeat file every
``WORKER_HEARTBEAT_SECONDS`` from a thread of its own, so a long job does not silence it. A file, not a row: on SQLite
an import holds the database's write lock for its whole transaction, and a heartbeat that had to wait for it would
look like a dead worker. The web and the worker processes of one server share ``var/``.

A job whose worker stopped while running it (killed, machine restarted) stays "running" in django-tasks-db for ever.
``recover_abandoned_tasks`` marks such a job failed with a reason in Vietnamese and sends django-tasks'
``task_finished`` signal, so that the app that enqueued it records the failure where its user looks (the registry
marks the import failed). A worker is dead when its heartbeat is older than ``WORKER_STALE_SECONDS``, or when it ran
on this machine and its process no longer exists.

Heartbeats are machinery, not records of what somebody did: they are not audited.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus, task_finished
from django_tasks_db.models import DBTaskResult

WORKER_LOST_MESSAGE = ("Tiến trình chạy nền đã dừng khi đang làm việc này (máy chủ khởi động lại hoặc tiến trình bị "
                       "dừng). Không có dữ liệu nào của việc này được lưu; hãy làm lại.")


class WorkerLost(Exception):
    """The reason given to a job whose worker stopped while running it."""


@dataclass(frozen=True)
class Heartbeat:
    worker_id: str
    hostname: str
    pid: int
    started_at: datetime
    beat_at: datetime
    task_id: str | None

    def is_alive(self, *, now: datetime) -> bool:
        if now - self.beat_at > timedelta(seconds=settings.WORKER_STALE_SECONDS):
            return False
        if self.hostname == socket.gethostname():
            return _process_exists(self.pid)
        return True


def heartbeat_directory() -> Path:
    return Path(settings.WORKER_HEARTBEAT_DIR)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_heartbeat(*, worker_id: str, started_at: datetime, task_id: str | None, now: datetime) -> None:
    """Write (atomically) this worker's heartbeat file."""
    directory = heartbeat_directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{worker_id}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({
        "worker_id": worker_id, "hostname": socket.gethostname(), "pid": os.getpid(),
        "started_at": started_at.isoformat(), "beat_at": now.isoformat(), "task_id": task_id,
    }))
    os.replace(temporary, path)


def remove_heartbeat(*, worker_id: str) -> None:
    (heartbeat_directory() / f"{worker_id}.json").unlink(missing_ok=True)


def read_heartbeats() -> list[Heartbeat]:
    """Every heartbeat file that can be read, newest first."""
    heartbeats = []
    directory = heartbeat_directory()
    if not directory.is_dir():
        return []
    for path in directory.glob("*.json"):
        try:
            data = json.loads(path.read_text())
            heartbeats.append(Heartbeat(
                worker_id=str(data["worker_id"]), hostname=str(data["hostname"]), pid=int(data["pid"]),
                started_at=datetime.fromisoformat(data["started_at"]), beat_at=datetime.fromisoformat(data["beat_at"]),
                task_id=data.get("task_id"),
            ))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(heartbeats, key=lambda heartbeat: heartbeat.beat_at, reverse=True)


def worker_is_running(*, now: datetime | None = None) -> bool:
    """Whether a job worker has beaten recently (a page then hands long work to it instead of doing it itself)."""
    now = now or timezone.now()
    return any(heartbeat.is_alive(now=now) for heartbeat in read_heartbeats())


def prune_heartbeats(*, now: datetime, older_than: timedelta = timedelta(days=1)) -> None:
    """Remove the heartbeat files of workers silent for longer than ``older_than``."""
    for heartbeat in read_heartbeats():
        if now - heartbeat.beat_at > older_than:
            remove_heartbeat(worker_id=heartbeat.worker_id)


@dataclass(frozen=True)
class QueueState:
    ready: int
    running: int
    failed: int
    successful: int


def queue_state() -> QueueState:
    """How many jobs wait, run, failed and succeeded (every queue of the database backend)."""
    counts = {status: 0 for status in TaskResultStatus.values}
    for row in DBTaskResult.objects.order_by().values("status").annotate(count=Count("id")):
        counts[row["status"]] = row["count"]
    return QueueState(ready=counts[TaskResultStatus.READY], running=counts[TaskResultStatus.RUNNING],
                      failed=counts[TaskResultStatus.FAILED], successful=counts[TaskResultStatus.SUCCESSFUL])


def recover_abandoned_tasks(*, now: datetime | None = None) -> list[str]:
    """Mark failed every running job whose worker is dead; returns their ids."""
    now = now or timezone.now()
    alive = {heartbeat.worker_id for heartbeat in read_heartbeats() if heartbeat.is_alive(now=now)}
    stale_start = now - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    recovered = []
    for db_result in DBTaskResult.objects.running().order_by("started_at"):
        worker_id = db_result.worker_ids[-1] if db_result.worker_ids else None
        if worker_id in alive:
            continue
        if worker_id is None and db_result.started_at is not None and db_result.started_at > stale_start:
            continue
        reason = WorkerLost(WORKER_LOST_MESSAGE)
        changed = DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"{WorkerLost.__qualname__}: {reason}\n")
        if not changed:
            continue
        db_result.refresh_from_db()
        recovered.append(str(db_result.pk))
        try:
            sender = type(db_result.task.get_backend())
            result = db_result.task_result
        except ImportError:
            continue
        task_finished.send(sender=sender, task_result=result)
    return recovered
