"""Drill: the job worker is killed (SIGKILL) in the middle of a large import; a new worker starts.

Runs on the load test's bench database (built by bench/load/run.py; never the real one):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/treem_bench_load .venv/bin/python bench/drills/kill_worker.py

Prints what the officer's import and the job look like after each step; docs/operations.md has the outcome.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "bench" not in os.environ.get("DATABASE_URL", ""):
    raise SystemExit("Run this drill on a bench database only (DATABASE_URL=…/treem_bench_load).")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from treem.accounts.models import User  # noqa: E402
from treem.core.intake import runner  # noqa: E402
from treem.core.intake.models import ImportRecord  # noqa: E402
from treem.hierarchy.models import OrgUnit  # noqa: E402
from treem.registry import jobs  # noqa: E402
from treem.registry.models import Child  # noqa: E402

sys.path.insert(0, str(ROOT / "bench" / "load"))
from prepare import import_file  # noqa: E402


def start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "manage.py", "run_worker", "--no-reload", "--interval", "0.5"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def show(moment: str, child_import: ImportRecord) -> None:
    child_import.refresh_from_db()
    job = DBTaskResult.objects.get(pk=child_import.task_id)
    print(f"{moment:38} import: {child_import.status:8} job: {job.status:10} children in the database: "
          f"{Child.objects.count()}"
          + (f"\n{'':38} reason: {child_import.error}" if child_import.error else ""))


def main() -> None:
    officer = User.objects.get(username="demo_commune")
    commune = OrgUnit.objects.get(code="03390", valid_to__isnull=True)
    path = ROOT / "var" / "drill-import.csv"
    import_file(path, rows=20000)
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    child_import = jobs.upload_child_list(actor=officer, upload=upload, commune=commune, as_of=date.today(),
                                          today=date.today())
    child_import = runner.confirm_import(actor=officer, record=child_import)
    worker = start_worker()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        child_import.refresh_from_db()
        if child_import.status == "running" and runner.read_progress(child_import)["done"]:
            break
        time.sleep(0.5)
    show("running, part of the file read", child_import)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    time.sleep(1)
    show("worker killed (SIGKILL)", child_import)
    started = time.monotonic()
    restarted = start_worker()
    while time.monotonic() - started < 60:
        child_import.refresh_from_db()
        if child_import.status == "failed":
            break
        time.sleep(0.5)
    show(f"new worker, after {time.monotonic() - started:.1f} s", child_import)
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(timeout=60)


if __name__ == "__main__":
    main()
