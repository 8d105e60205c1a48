"""The background job of reporting (django-tasks; run by ``manage.py run_worker``): building the consolidated
report, which reads every figure of the province and writes two documents — seconds of work that no page waits
on."""

from __future__ import annotations

from typing import Any

from django_tasks import task
from django_tasks_db.compat import TaskResultStatus

from treem.reporting.models import ConsolidatedBuild
from treem.reporting.services import execute_consolidated_build, record_failed_build_job


@task()
def run_consolidated_build(build_id: int) -> str:
    """Build a queued consolidated report; the page polls its status."""
    return execute_consolidated_build(build_id).status


def record_failed_build(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """When the job of a build ends failed without the build saying so (its worker died), mark the build failed
    with the job's reason, so that whoever asked for it sees it."""
    if task_result.status != TaskResultStatus.FAILED or task_result.task.func is not run_consolidated_build.func:
        return
    errors = getattr(task_result, "errors", [])
    last_line = errors[-1].traceback.strip().splitlines()[-1] if errors and errors[-1].traceback.strip() else ""
    reason = f"Việc lập báo cáo bị dừng giữa chừng; hãy lập lại. Chi tiết kỹ thuật: {last_line}".strip()
    record_failed_build_job(ConsolidatedBuild.objects.filter(task_id=str(task_result.id)).first(), reason=reason)
