"""The background job of the intake pipeline (django-tasks; run by ``manage.py run_worker``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus

from treem.core.audit import record_event
from treem.core.intake.models import ImportRecord, ImportStatus
from treem.core.intake.runner import execute_import
from treem.core.models import AuditEvent


@task()
def run_import(import_id: int) -> str:
    """Run a confirmed import of a large file, whatever its domain; the page polls its progress."""
    return execute_import(import_id).status


def record_failed_import_job(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """When the job of an import ends failed without the import saying so (its worker died), mark the import failed
    with the job's reason, so that the officer watching its page sees it."""
    if task_result.status != TaskResultStatus.FAILED or task_result.task.func is not run_import.func:
        return
    errors = getattr(task_result, "errors", [])
    last_line = errors[-1].traceback.strip().splitlines()[-1] if errors and errors[-1].traceback.strip() else ""
    if errors and errors[-1].exception_class_path.endswith(".WorkerLost"):
        message = last_line.split(": ", 1)[-1]
    else:
        message = f"Việc nhập không hoàn thành; không có dòng nào được lưu. Chi tiết kỹ thuật: {last_line}".strip()
    with transaction.atomic():
        record = (ImportRecord.objects.select_for_update().select_related("org_unit")
                  .filter(task_id=str(task_result.id), status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
                  .first())
        if record is None:
            return
        record.status = ImportStatus.FAILED
        record.error = message
        record.finished_at = timezone.now()
        record.save(update_fields=["status", "error", "finished_at", "updated_at"])
        record_event(actor=None, verb=AuditEvent.Verb.TRANSITION, obj=record, action="record_failed_import_job",
                     org_unit_path=record.org_unit.path, after={"status": ImportStatus.FAILED}, reason=message)
