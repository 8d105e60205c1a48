"""Load test on PostgreSQL against the production server (gunicorn, several workers, and the job worker).

    .venv/bin/python bench/load/run.py            # 20 then 50 users, 60 s each (what `make bench` runs)
    LOAD_SECONDS=600 LOAD_USERS=20,50,80 .venv/bin/python bench/load/run.py   # the long run

It never touches the real database: it builds a bench database of its own (``LOAD_DATABASE``, default
``treem_bench_load``) afresh for each run from a seeded template (``<name>_template``, built once with seed_demo),
starts gunicorn and ``run_worker`` on it, runs locust headless (``.venv-load``, requirements/load.txt) and prints
p50/p95/p99 per page, the errors, each page's p95 against /healthz's measured in the same run, the wall time and
the peak memory of the server's processes. Statistics start once every user has been started (``--reset-stats``),
so the sign-ins of the ramp-up are left out; the single-user run gives each page's cost without queueing.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
LOCUST = str(ROOT / ".venv-load" / "bin" / "locust")
SERVER = os.environ.get("LOAD_SERVER", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("LOAD_DATABASE", "treem_bench_load")
TEMPLATE = f"{DATABASE}_template"
PORT = int(os.environ.get("LOAD_PORT", "8765"))
WORKERS = os.environ.get("LOAD_WEB_WORKERS", "4")
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
USERS = [int(value) for value in os.environ.get("LOAD_USERS", "20,50").split(",")]
OUTPUT = ROOT / "var" / "load"
GOAL_P95_MS = 300


def psql(sql: str) -> str:
    result = subprocess.run(["psql", f"{SERVER}/postgres", "-tAc", sql], check=True, capture_output=True, text=True)
    return result.stdout.strip()


def manage(*arguments: str, database: str) -> None:
    subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "DATABASE_URL": f"{SERVER}/{database}"})


def build_database() -> None:
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{TEMPLATE}'"):
        print(f"Building the seeded template {TEMPLATE} (once; about two minutes)…", flush=True)
        psql(f'CREATE DATABASE "{TEMPLATE}"')
        manage("migrate", "--noinput", database=TEMPLATE)
        manage("load_reference", database=TEMPLATE)
        manage("load_plan", "reference_data/plans/lai-chau-2024.yaml", database=TEMPLATE)
        manage("load_validation_rules", database=TEMPLATE)
        manage("load_child_friendly", database=TEMPLATE)
        manage("seed_demo", database=TEMPLATE)
    psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{TEMPLATE}"')
    # A template seeded by an older version of treem is brought up to this version's schema.
    manage("migrate", "--noinput", database=DATABASE)
    # A database copied from a template starts without planner statistics (the copy is not analysed); a server
    # that has run for a while has them from autovacuum. Without them the engine's sums sort on disk.
    subprocess.run(["psql", f"{SERVER}/{DATABASE}", "-qc", "ANALYZE"], check=True)


def process_tree_rss_kib(root_pids: list[int]) -> int:
    """Resident memory of the given processes and all their descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields["PPid"].strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, list(root_pids)
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def wait_ready(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise SystemExit(f"{url} did not answer 200 within {timeout:.0f} s")


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def report(users: int, rows: list[dict[str, str]], wall: float, peak_kib: int) -> None:
    health = next((row for row in rows if row["Name"] == "/healthz"), None)
    health_p95 = float(health["95%"]) if health else float("nan")
    print(f"\n== {users} users, {SECONDS} s: wall {wall:.1f} s, peak server memory {peak_kib / 1024:.0f} MiB "
          f"(gunicorn {WORKERS} workers + job worker)")
    print(f"{'page':44} {'requests':>8} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'p95/healthz':>11}")
    meets_goal = bool(rows)
    for row in sorted(rows, key=lambda row: (row["Name"] == "Aggregated", row["Name"])):
        if row["95%"] == "N/A":  # a page the run did not reach after the statistics were reset
            continue
        p95 = float(row["95%"])
        ratio = p95 / health_p95 if health_p95 else float("nan")
        label = row["Name"] if row["Name"] in {"Aggregated", "/healthz"} else f"{row['Type']} {row['Name']}"
        print(f"{label[:44]:44} {row['Request Count']:>8} {row['Failure Count']:>6} {row['50%']:>6} "
              f"{row['95%']:>6} {row['99%']:>6} {ratio:>10.1f}×")
        if row["Name"] == "Aggregated" and (p95 >= GOAL_P95_MS or int(row["Failure Count"])):
            meets_goal = False
    print(f"goal (p95 < {GOAL_P95_MS} ms over all pages, no errors): {'met' if meets_goal else 'NOT met'}")


class PeakMemory:
    """Samples, once a second, the resident memory of the server's process trees; keeps the peak."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak_kib = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self) -> None:
        while not self.stop.wait(1):
            self.peak_kib = max(self.peak_kib, process_tree_rss_kib(self.pids))

    def __enter__(self) -> PeakMemory:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def run_locust(users: int, facts: Path) -> tuple[list[dict[str, str]], float]:
    prefix = OUTPUT / f"users-{users}"
    started = time.monotonic()
    with open(f"{prefix}.log", "w") as log:
        subprocess.run([LOCUST, "-f", "bench/load/locustfile.py", "--headless", "--host", f"http://127.0.0.1:{PORT}",
                        "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{SECONDS}s", "--csv", str(prefix),
                        "--only-summary", "--reset-stats", "--stop-timeout", "10", "--exit-code-on-error", "0",
                        "--loglevel", "WARNING"],
                       cwd=ROOT, env={**os.environ, "TREEM_LOAD_FACTS": str(facts)}, check=True, stdout=log,
                       stderr=subprocess.STDOUT)
    return read_stats(prefix), time.monotonic() - started


def stop_processes(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    if not Path(LOCUST).exists():
        raise SystemExit("locust is missing: make bench-load installs requirements/load.txt into .venv-load")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    build_database()
    facts = OUTPUT / "facts.json"
    database_url = f"{SERVER}/{DATABASE}"
    subprocess.run([PYTHON, "bench/load/prepare.py", str(facts)], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": database_url})
    environment = {**os.environ, "DATABASE_URL": database_url, "DATABASE_CONN_MAX_AGE": "60",
                   "TREEM_FIGURES_MAX_AGE": os.environ.get("TREEM_FIGURES_MAX_AGE", "30"),  # as bin/serve-production
                   "TREEM_BIND": f"127.0.0.1:{PORT}", "WEB_CONCURRENCY": WORKERS,
                   "WORKER_HEARTBEAT_DIR": str(OUTPUT / "workers")}
    manage("collectstatic", "--noinput", "--verbosity", "0", database=DATABASE)
    with open(OUTPUT / "gunicorn.log", "w") as web_log, open(OUTPUT / "worker.log", "w") as worker_log:
        web = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--config",
                                "deploy/gunicorn.conf.py", "--access-logfile", str(OUTPUT / "access.log")],
                               cwd=ROOT, env=environment, stderr=web_log)
        worker = subprocess.Popen([PYTHON, "manage.py", "run_worker", "--no-reload", "--interval", "0.5"], cwd=ROOT,
                                  env=environment, stdout=worker_log, stderr=subprocess.STDOUT)
        try:
            wait_ready(f"http://127.0.0.1:{PORT}/readyz")
            for users in USERS:
                with PeakMemory([web.pid, worker.pid]) as memory:
                    rows, wall = run_locust(users, facts)
                report(users, rows, wall, memory.peak_kib)
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz") as response:
                print(f"\nqueue after the runs: {json.loads(response.read())['queue']}")
        finally:
            stop_processes(web, worker)
    print(f"Details: {OUTPUT}/users-N_stats.csv, users-N_failures.csv, gunicorn.log, worker.log, access.log")


if __name__ == "__main__":
    main()
