"""Background jobs of the registry (django-tasks; run by ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from treem.registry.jobs import execute_import


@task()
def run_child_import(import_id: int) -> str:
    """Run a confirmed import of a large child list; the page polls its progress."""
    return execute_import(import_id).status
