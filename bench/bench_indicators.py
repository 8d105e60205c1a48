"""Benchmark of the indicator engine: all 14 indicators of the Lai Châu plan for every unit of the hierarchy for one
year, against a single hand-written SQL aggregation of the same counts, measured in the same run.

Run from the repository root: ``.venv/bin/python bench/bench_indicators.py``. For each database — a temporary
SQLite file, and PostgreSQL at ``postgres://postgres@127.0.0.1:5432/treem_bench`` when a server answers there (the
database is created for the run and dropped after; ``BENCH_POSTGRES_URL`` overrides the address) — a child process
migrates an empty database, loads the reference data and the plan, runs every registered demo seeder at size
``full`` — entered values for every commune and year 2021–2026 (by sex and five ethnic groups), 200,000 children
of the registry (about 160,000 under 16 living in their commune) and 60,000 measurements of the under-fives, so
that the derived elements (I05, I06, I07, I11, I14 …) are counted from records — and gathers planner statistics
(``ANALYZE``), then times, best of several runs:

- the engine: a fresh ``Engine`` (hierarchy, entered values, derived elements) computing the 14 indicators for
  the country, the province, the districts and the communes in force on 31 December of the year (2024: 116 units;
  2026: 40), with the registry's and the nutrition functions' in-process caches emptied (a new process): the
  derived elements come from their stored counts (``treem.indicators.counts``), current since nothing changed,
  and the figures from the stored figures (``treem.indicators.stored``), current too;
- the same computed from the cells (``Engine(stored=False)``: stored counts, no stored figures — the engine as it
  was before stored figures);
- the engine after a change: the same with the stored counts and figures emptied, so that every derived element is
  counted from the records again (what the first request after a change pays when nothing counted ahead);
- the floor: hand-written SQL for the same counts — one statement summing, per unit of that hierarchy and data
  element, the entered values of its subtree, plus the communes it holds; one counting the children per commune ×
  sex × ethnic group in each age band with the birth-registration condition; one counting, per commune × sex ×
  ethnic group, each under-five's latest valid weight-for-age and height-for-age measurement of the year and those
  below −2. The totals of the last two are checked against the derived functions', and the engine's figures from
  stored counts against those it counted again.

It prints the times, the engine's peak memory (tracemalloc) and the ratios. Goal: under 0.5 s and under 3× the
floor (for the engine as a dashboard runs it, from stored counts; the count after a change is printed beside it
with its own ratio).
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

CHILDREN_FLOOR_SQL = """
SELECT r.commune_id, c.sex, e.code,
       COUNT(*),
       SUM(CASE WHEN c.birth_date >= %(born_15)s AND c.birth_date <= %(born_11)s THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.birth_date >= %(born_5)s AND c.birth_date <= %(born_5_end)s THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.birth_date >= %(born_4)s THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.birth_date >= %(born_4)s AND c.is_birth_registered = TRUE
                 AND (c.birth_registered_on IS NULL OR c.birth_registered_on <= %(day)s) THEN 1 ELSE 0 END)
FROM registry_child c
JOIN registry_residence r ON r.child_id = c.id
LEFT JOIN core_ethnicgroup e ON e.id = c.ethnic_group_id
WHERE c.deleted_at IS NULL AND c.merged_into_id IS NULL
  AND c.birth_date > %(born_16)s AND c.birth_date <= %(day)s
  AND NOT (c.status IN ('deceased', 'moved_away') AND c.status_on IS NOT NULL AND c.status_on <= %(day)s)
  AND (r.moved_in_on IS NULL OR r.moved_in_on <= %(day)s)
  AND (r.moved_out_on IS NULL OR r.moved_out_on > %(day)s)
GROUP BY r.commune_id, c.sex, e.code
"""

MEASUREMENTS_FLOOR_SQL = """
WITH year_rows AS (
    SELECT m.id, m.child_id, m.org_unit_id, m.measured_on, m.waz, m.haz, m.flag_waz, m.flag_haz, m.has_oedema
    FROM nutrition_measurement m
    JOIN registry_child c ON c.id = m.child_id
    WHERE m.deleted_at IS NULL AND c.deleted_at IS NULL AND c.merged_into_id IS NULL
      AND m.measured_on >= %(first)s AND m.measured_on <= %(day)s AND m.age_days >= 0 AND m.age_days <= 1826
),
latest AS (
    SELECT y.*,
           ROW_NUMBER() OVER (PARTITION BY y.child_id ORDER BY y.measured_on DESC, y.id DESC) AS rank
    FROM year_rows y
    WHERE (y.waz IS NOT NULL AND y.flag_waz = FALSE) OR y.has_oedema = TRUE
),
latest_height AS (
    SELECT y.*,
           ROW_NUMBER() OVER (PARTITION BY y.child_id ORDER BY y.measured_on DESC, y.id DESC) AS rank
    FROM year_rows y
    WHERE y.haz IS NOT NULL AND y.flag_haz = FALSE
)
SELECT l.org_unit_id, c.sex, e.code, 'waz', COUNT(*),
       SUM(CASE WHEN l.waz < -2 OR l.has_oedema = TRUE THEN 1 ELSE 0 END)
FROM latest l
JOIN registry_child c ON c.id = l.child_id
LEFT JOIN core_ethnicgroup e ON e.id = c.ethnic_group_id
WHERE l.rank = 1
GROUP BY l.org_unit_id, c.sex, e.code
UNION ALL
SELECT l.org_unit_id, c.sex, e.code, 'haz', COUNT(*), SUM(CASE WHEN l.haz < -2 THEN 1 ELSE 0 END)
FROM latest_height l
JOIN registry_child c ON c.id = l.child_id
LEFT JOIN core_ethnicgroup e ON e.id = c.ethnic_group_id
WHERE l.rank = 1
GROUP BY l.org_unit_id, c.sex, e.code
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
    from treem.indicators.models import DataValue, DerivedCount, StoredFigure
    from treem.nutrition import derived as nutrition_derived
    from treem.nutrition.models import Measurement
    from treem.plans.models import DataElement
    from treem.plans.selectors import indicators_of
    from treem.plans.services import load_plan
    from treem.registry import derived as registry_derived
    from treem.registry.models import Child

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
                              "children": Child.objects.count(), "measurements": Measurement.objects.count(),
                              "setup_seconds": setup_seconds, "years": {}}

    for year in YEARS:
        day = reference_date(year)

        def engine_run(year: int = year, *, recount: bool = False, stored: bool = True) -> dict[Any, Any]:
            nutrition_derived.year_data.clear()  # a new process: nothing cached in memory
            registry_derived.year_rows.clear()
            if recount:  # the first request after a change: every derived element counted from the records
                DerivedCount.objects.all().delete()
                StoredFigure.objects.all().delete()
            engine = Engine(stored=stored)  # stored=False: computed from the cells (stored counts), as before
            return engine.figures_many(indicators, years=[year])

        def floor_run(year: int = year, day: date = day) -> tuple[int, list[Any], list[Any]]:
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, {"year": year, "day": day, "communes_element": communes_element})
                sums = len(cursor.fetchall())
                cursor.execute(CHILDREN_FLOOR_SQL, _children_parameters(year))
                children = cursor.fetchall()
                cursor.execute(MEASUREMENTS_FLOOR_SQL, {"first": date(year, 1, 1), "day": day})
                measured = cursor.fetchall()
            return sums + len(children) + len(measured), children, measured

        recounted = engine_run(recount=True)  # warm-up (imports, the database's caches); stores the counts
        _rows, children_rows, measured_rows = floor_run()
        engine_times, computed_times, recount_times, floor_times = [], [], [], []
        for _ in range(RUNS):
            begin = time.perf_counter()
            figures = engine_run()
            engine_times.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            computed = engine_run(stored=False)
            computed_times.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            recounted = engine_run(recount=True)
            recount_times.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            floor_rows, _children, _measured = floor_run()
            floor_times.append(time.perf_counter() - begin)
        tracemalloc.start()
        engine_run()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        tracemalloc.start()
        engine_run(recount=True)
        _current, recount_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        units = Engine().hierarchy.valid_on(day)
        result["years"][str(year)] = {
            "units": len(units), "figures": sum(len(by_area) for by_area in figures.values()),
            "floor_rows": floor_rows, "engine": min(engine_times), "computed": min(computed_times),
            "recount": min(recount_times), "same_as_computed": figures == computed,
            "floor": min(floor_times), "peak_bytes": peak, "recount_peak_bytes": recount_peak,
            "same_figures": figures == recounted, "mismatches": _compare(year, children_rows, measured_rows),
            "counted": {"children": sum(row[3] for row in children_rows),
                        "measured": sum(row[4] for row in measured_rows if row[3] == "waz")},
        }
    return result


def _children_parameters(year: int) -> dict[str, Any]:
    from datetime import date

    return {"day": date(year, 12, 31), "born_16": date(year - 16, 12, 31), "born_15": date(year - 15, 1, 1),
            "born_11": date(year - 11, 12, 31), "born_5": date(year - 5, 1, 1), "born_5_end": date(year - 5, 12, 31),
            "born_4": date(year - 4, 1, 1)}


def _compare(year: int, children_rows: list[Any], measured_rows: list[Any]) -> list[str]:
    """The derived functions' totals that differ from the hand-written SQL's (empty: the floor counts the same)."""
    from treem.indicators.sources import derived_function

    columns = {"registry.count_children": 3, "registry.count_children_aged_11_to_15": 4,
               "registry.count_children_aged_5": 5, "registry.count_children_under_5": 6,
               "registry.count_children_under_5_birth_registered": 7}
    expected = {name: sum(int(row[column]) for row in children_rows) for name, column in columns.items()}
    for name, score, column in (("nutrition.count_under_5_weighed", "waz", 4),
                                ("nutrition.count_under_5_underweight", "waz", 5),
                                ("nutrition.count_under_5_measured_height", "haz", 4),
                                ("nutrition.count_under_5_stunted", "haz", 5)):
        expected[name] = sum(int(row[column]) for row in measured_rows if row[3] == score)
    mismatches = []
    for name, total in expected.items():
        function = derived_function(name)
        counted = sum(cell.value for cell in function(year=year)) if function is not None else None
        if counted != total:
            mismatches.append(f"{name}: engine {counted}, SQL {total}")
    return mismatches


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
    print(f"{name}: {result['values']:,} data values, {result['children']:,} children, "
          f"{result['measurements']:,} measurements; set-up {result['setup_seconds']:.1f} s")
    ok = True
    for year, figures in result["years"].items():
        ratio = figures["engine"] / figures["floor"] if figures["floor"] else float("inf")
        recount_ratio = figures["recount"] / figures["floor"] if figures["floor"] else float("inf")
        met = figures["engine"] < GOAL_SECONDS and ratio < GOAL_RATIO
        ok = ok and met
        print(f"  {year}: 14 indicators × {figures['units']} units ({figures['figures']} figures) "
              f"engine {figures['engine'] * 1000:.1f} ms, peak memory {figures['peak_bytes'] / 1e6:.1f} MB; "
              f"hand-written SQL {figures['floor'] * 1000:.1f} ms ({figures['floor_rows']} rows); "
              f"ratio {ratio:.2f}× {'(goal met)' if met else '(GOAL MISSED: < 0.5 s and < 3×)'}")
        if "computed" in figures:
            print(f"        computed from the cells (stored counts, no stored figures): "
                  f"{figures['computed'] * 1000:.1f} ms; "
                  + ("the same figures as the stored ones" if figures["same_as_computed"]
                     else "FIGURES DIFFER from the stored ones"))
            ok = ok and figures["same_as_computed"]
        print(f"        after a change (every stored count and figure emptied: counted and computed again): "
              f"{figures['recount'] * 1000:.1f} ms, peak memory {figures['recount_peak_bytes'] / 1e6:.1f} MB, "
              f"ratio {recount_ratio:.2f}×; "
              + ("the same figures as from the stored counts" if figures["same_figures"]
                 else "FIGURES DIFFER from those of the stored counts"))
        counted = figures["counted"]
        print(f"        counted from records: {counted['children']:,} children under 16, "
              f"{counted['measured']:,} under-fives weighed; "
              + ("the SQL counts agree with the derived functions" if not figures["mismatches"]
                 else "COUNTS DIFFER: " + "; ".join(figures["mismatches"])))
        ok = ok and figures["same_figures"] and not figures["mismatches"]
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
