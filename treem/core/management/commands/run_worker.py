"""The background job worker: django-tasks-db's worker loop, with a heartbeat and the recovery of abandoned jobs."""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from treem.core.worker import prune_heartbeats, recover_abandoned_tasks, remove_heartbeat, write_heartbeat

logger = logging.getLogger("treem.worker")


class HeartbeatWorker(Worker):
    """The worker loop that remembers which job it is running, for its heartbeat."""

    current_task_id: str | None = None

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current_task_id = str(db_task_result.pk)
        try:
            super().run_task(db_task_result)
        finally:
            self.current_task_id = None


class Command(DatabaseWorkerCommand):
    help = (
        "Chạy các việc nền (nhập danh sách lớn, báo cáo…). Mỗi vài giây ghi nhịp tim vào var/workers/ để trang "
        "/readyz biết tiến trình còn sống; khi khởi động và định kỳ, đánh dấu thất bại (có lý do) những việc mà "
        "một tiến trình đã chết bỏ dở. Run background jobs with a heartbeat; jobs abandoned by a dead worker are "
        "marked failed with a reason."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--nice", type=int, default=10,
            help="Lower the worker's CPU priority by this much (default 10; 0 keeps it): an import or a report "
                 "being built yields the cores to the pages officers are waiting for.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        if options["nice"] > 0:
            os.nice(options["nice"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = HeartbeatWorker(
            queue_names=queue_names, interval=options["interval"], batch=options["batch"],
            backend_name=options["backend_name"], startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"], worker_id=options["worker_id"], excluded_queue_names=excluded,
        )
        started_at = timezone.now()
        write_heartbeat(worker_id=worker.worker_id, started_at=started_at, task_id=None, now=started_at)
        recovered = recover_abandoned_tasks()
        if recovered:
            logger.warning("Marked failed %d job(s) abandoned by a dead worker: %s", len(recovered),
                           ", ".join(recovered))
        stop = threading.Event()
        beating = threading.Thread(target=self.beat, args=(worker, started_at, stop), daemon=True,
                                   name="treem-heartbeat")
        beating.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            beating.join(timeout=5)
            remove_heartbeat(worker_id=worker.worker_id)

    def beat(self, worker: HeartbeatWorker, started_at: datetime, stop: threading.Event) -> None:
        """Every few seconds, in its own thread and connection: the heartbeat, then the recovery of jobs left by
        dead workers."""
        while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
            now = timezone.now()
            try:
                write_heartbeat(worker_id=worker.worker_id, started_at=started_at, task_id=worker.current_task_id,
                                now=now)
                recover_abandoned_tasks(now=now)
                prune_heartbeats(now=now)
            except Exception:
                logger.exception("Heartbeat failed; trying again in %s s", settings.WORKER_HEARTBEAT_SECONDS)
            finally:
                connection.close()
