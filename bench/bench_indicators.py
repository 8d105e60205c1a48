"""Benchmark of the indicator engine: all 14 indicators of the Lai Châu plan for every unit of the hierarchy for one
year, against a single hand-written SQL aggregation of the same counts, measured in the same run.

Run from the repository root: ``.venv/bin/python bench/bench_indicators.py``. For each database — a temporary
SQLite file, and PostgreSQL at ``postgres://postgres@127.0.0.1:5432/treem_bench`` when a server answers there (the
database is created for the run and dropped after; ``BENCH_POSTGRES_URL`` overrides the address) — a child process
migrates an empty database, loads the reference data and the plan, runs every registered demo seeder at size
``full`` (entered values for every commune and year 2021–2026, broken down by sex and five ethnic groups; later
issues add their records here, so the benchmark grows with them) and gathers planner statistics (``ANALYZE``), then
times, best of several runs:

- the engine: a fresh ``Engine`` (hierarchy, entered values, derived functions) computing the 14 indicators for
  the province, the districts and the communes in force on 31 December of the year (2024: 115 units; 2026: 39);
- the floor: one SQL statement summing, per unit of that hierarchy and data element, the values of its subtree,
  plus the communes it holds (the one derived count of the plan's own engine).

It prints both times, the engine's peak memory (tracemalloc) and the ratio. Goal: under 0.5 s and under 3× the
floor.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/treem_bench")
YEARS = (2024, 2026)
RUNS = 7
GOAL_SECONDS = 0.5
GOAL_RATIO = 3.0

FLOOR_SQL = """
WITH per_unit AS (
    SELECT dv.org_unit_id, dv.data_element_id, SUM(dv.value) AS total
    FROM indicators_datavalue dv
    WHERE dv.year = %(year)s AND dv.value IS NOT NULL
    GROUP BY dv.org_unit_id, dv.data_element_id
),
areas AS (
    SELECT id, path FROM hierarchy_orgunit
    WHERE (valid_from IS NULL OR valid_from <= %(day)s) AND (valid_to IS NULL OR valid_to >= %(day)s)
)
SELECT area.id, p.data_element_id, SUM(p.total)
FROM per_unit p
JOIN hierarchy_orgunit u ON u.id = p.org_unit_id
JOIN areas area ON substr(u.path, 1, length(area.path)) = area.path
GROUP BY area.id, p.data_element_id
UNION ALL
SELECT area.id, %(communes_element)s, COUNT(*)
FROM hierarchy_orgunit c
JOIN areas area ON substr(c.path, 1, length(area.path)) = area.path
WHERE c.level = 'commune' AND (c.valid_from IS NULL OR c.valid_from <= %(day)s)
  AND (c.valid_to IS NULL OR c.valid_to >= %(day)s)
GROUP BY area.id
"""


# ------------------------------------------------------------------------------------------------------------
# The child process: one database
# ------------------------------------------------------------------------------------------------------------


def measure() -> dict[str, Any]:
    sys.path.insert(0, str(REPOSITORY))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command
    from django.db import connection

    from treem.core.extensions import demo_seeders
    from treem.indicators.engine import Engine, reference_date
    from treem.indicators.models import DataValue
    from treem.plans.models import DataElement
    from treem.plans.selectors import indicators_of
    from treem.plans.services import load_plan

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference", quiet=True)
    plan = load_plan(actor=None, path=REPOSITORY / "reference_data" / "plans" / "lai-chau-2024.yaml").plan
    assert plan is not None
    for entry in demo_seeders():
        entry.seeder(size="full", stdout=lambda message: None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics after the bulk load, as autovacuum would gather them
    setup_seconds = time.perf_counter() - started
    indicators = list(indicators_of(plan))
    communes_element = DataElement.objects.get(code="DE_COMMUNE_TOTAL").pk
    result: dict[str, Any] = {"vendor": connection.vendor, "values": DataValue.objects.count(),
                              "setup_seconds": setup_seconds, "years": {}}

    for year in YEARS:
        day = reference_date(year)

        def engine_run(year: int = year) -> int:
            engine = Engine()
            figures = engine.figures_many(indicators, years=[year])
            return sum(len(by_area) for by_area in figures.values())

        def floor_run(year: int = year, day: date = day) -> int:
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, {"year": year, "day": day, "communes_element": communes_element})
                return len(cursor.fetchall())

        engine_run()  # warm-up: imports, caches of the database
        floor_run()
        engine_times, floor_times = [], []
        for _ in range(RUNS):
            begin = time.perf_counter()
            cells = engine_run()
            engine_times.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            floor_rows = floor_run()
            floor_times.append(time.perf_counter() - begin)
        tracemalloc.start()
        engine_run()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        units = Engine().hierarchy.valid_on(day)
        result["years"][str(year)] = {
            "units": len(units), "figures": cells, "floor_rows": floor_rows,
            "engine": min(engine_times), "floor": min(floor_times), "peak_bytes": peak,
        }
    return result


# ------------------------------------------------------------------------------------------------------------
# The parent process: one child per database, then the report
# ------------------------------------------------------------------------------------------------------------


def run_child(database_url: str) -> dict[str, Any]:
    environment = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings",
                   "DEBUG": "false"}
    completed = subprocess.run([sys.executable, __file__, "--child"], env=environment, cwd=REPOSITORY,
                               capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def postgres_available() -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(_admin_url(), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _admin_url() -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"


def _postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def report(name: str, result: dict[str, Any]) -> bool:
    """Print one database's figures; whether every goal was met."""
    print(f"{name}: {result['values']:,} data values; set-up {result['setup_seconds']:.1f} s")
    ok = True
    for year, figures in result["years"].items():
        ratio = figures["engine"] / figures["floor"] if figures["floor"] else float("inf")
        met = figures["engine"] < GOAL_SECONDS and ratio < GOAL_RATIO
        ok = ok and met
        print(f"  {year}: 14 indicators × {figures['units']} units ({figures['figures']} figures) "
              f"engine {figures['engine'] * 1000:.1f} ms, peak memory {figures['peak_bytes'] / 1e6:.1f} MB; "
              f"hand-written SQL {figures['floor'] * 1000:.1f} ms ({figures['floor_rows']} sums); "
              f"ratio {ratio:.2f}× {'(goal met)' if met else '(GOAL MISSED: < 0.5 s and < 3×)'}")
    return ok


def main() -> int:
    results: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(("SQLite", run_child(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")))
    if postgres_available():
        database = POSTGRES_URL.rsplit("/", 1)[1]
        _postgres(f'DROP DATABASE IF EXISTS "{database}"')
        _postgres(f'CREATE DATABASE "{database}"')
        try:
            results.append(("PostgreSQL", run_child(POSTGRES_URL)))
        finally:
            _postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    else:
        print(f"PostgreSQL: skipped ({POSTGRES_URL} does not answer)")
    for name, result in results:
        report(name, result)
    return 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(measure()))
    else:
        sys.exit(main())
