"""The background job of the intake pipeline (django-tasks; run by ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from treem.core.intake.runner import execute_import


@task()
def run_import(import_id: int) -> str:
    """Run a confirmed import of a large file, whatever its domain; the page polls its progress."""
    return execute_import(import_id).status
