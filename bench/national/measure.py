"""Run the real reads of treem, unchanged, on synthetic nations built by ``generate.py``; print time, peak memory
and the ratio to a hand-written SQL floor measured in the same run, and the growth between the sizes.

    .venv/bin/python bench/national/measure.py treem_bench_national_1000 treem_bench_national_100
    .venv/bin/python bench/national/measure.py --combine var/a.json var/b.json   # print saved runs together

For each database (a child process each, ``DATABASE_URL`` pointing at it) and each read below, the best of
``--runs`` timings after an untimed first call (which stores what later calls read back; the reads that empty the
store on every call time their first call), each timed run with the process's peak resident size during it
(Linux's VmHWM, reset before the run), then one more run under ``tracemalloc`` for the peak of Python
allocations (``--no-tracemalloc`` leaves it out: tracing every allocation slows the Python work several times,
which at full size is an hour for one recount). A floor shared by several reads is measured once per database
(best of ``--runs``):

- ``engine``: a fresh ``Engine`` computing the plan's 14 indicators for every unit in force on 31 December 2026
  (country, 34 provinces, 3,321 communes), its derived elements read from their stored counts;
- ``engine_recount``: the same after every stored count and figure was emptied (the first request after a change);
- ``plan_progress``: the home page's read for a national coordinator (all 14 indicators, the trend years), its
  figures read back from the stored figures (the first call of the run computes and stores them), and
  ``plan_progress_recompute``: the same after every stored figure was emptied (the first request after a change);
- ``plan_progress_province``: the same for Lai Châu's coordinator, whose engine reads only the province, and
  ``plan_progress_province_unscoped``: the same figures from an engine reading the nation (the cost before);
  ``plan_progress_province_recompute``: the province's read after every stored figure was emptied (its engine
  reads the stored counts), in a fresh process (no counts read back in memory);
- ``engine_province``: a fresh ``Engine(within=[Lai Châu's path], stored=False)`` computing the 14 indicators for
  Lai Châu's units in force on 31 December 2026, in a fresh process: what is read is the stored counts (its rows:
  the derived cells the engine was handed, i.e. decoded from the stored counts);
- ``indicator_detail``: one indicator (I05, underweight) for the country: the table by province, breakdowns,
  the spread between the 3,321 communes;
- ``indicator_values``: I14 (birth registration) for every commune (the API's read);
- ``registry_page``: the child list's first page (50 children, the selector's order) for a commune officer, and
  ``registry_page_national`` for the national coordinator;
- ``registry_counts``: children per commune by sex and age band for the national coordinator (no identities);
- ``status_board``: the reporting cycle's board for the national coordinator;
- ``consolidated``: the consolidated report of the cycle for the province coordinator of Lai Châu.

``--no-stored`` runs every read with the engine's stored figures turned off (``Engine(stored=False)``: the
computation as it was before them), for the before/after comparison.

Floors (hand-written SQL, same counts or rows): for the engine reads, entered sums up the tree (``ENTERED_FLOOR``)
and two statements of ``bench/bench_indicators.py`` (children per commune × sex × ethnic group and age band, latest
measurement per under-five); for the registry page, one ``ORDER BY … LIMIT 50`` on the same conditions;
for the counts, one ``GROUP BY commune_id``; for a province's reads (its overview, the consolidated report), the
engine's three statements limited to the units under the province's path.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
sys.path.insert(0, str(HERE))
import benchdb  # noqa: E402

YEAR = 2026
TODAY_TEXT = "2026-12-02"

REGISTRY_PAGE_FLOOR = """
SELECT c.id, c.full_name, c.birth_date, u.code
FROM registry_child c JOIN hierarchy_orgunit u ON u.id = c.commune_id
WHERE u.path LIKE %(prefix)s AND c.deleted_at IS NULL AND c.merged_into_id IS NULL AND c.status = 'living'
  AND c.birth_date <= %(today)s AND c.birth_date > %(born_16)s
ORDER BY u.code, c.name_folded, c.birth_date, c.id
LIMIT 50
"""

# The entered sums rolled up the tree: ``bench_indicators.FLOOR_SQL`` joins every area to every unit by a prefix
# test (areas × units: 14,000 × 10,000 comparisons at national size); this floor expands each unit's path into its
# at most four prefixes instead, the way a hand-written report would.
ENTERED_FLOOR = """
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
CROSS JOIN LATERAL (SELECT substr(u.path, 1, position) AS prefix FROM generate_series(1, length(u.path)) position
                    WHERE substr(u.path, position, 1) = '/') prefixes
JOIN areas area ON area.path = prefixes.prefix
GROUP BY area.id, p.data_element_id
"""

COUNTS_FLOOR = """
SELECT c.commune_id, count(*), count(*) FILTER (WHERE c.sex = 'M'), count(*) FILTER (WHERE c.birth_date > %(born_5)s)
FROM registry_child c
WHERE c.deleted_at IS NULL AND c.merged_into_id IS NULL AND c.status = 'living'
  AND c.birth_date <= %(today)s AND c.birth_date > %(born_16)s
GROUP BY c.commune_id
"""


# Reads that empty the stored counts or figures before reading: each call costs the same, so the first is timed.
RECOMPUTING = frozenset({"engine_recount", "plan_progress_recompute", "plan_progress_province_recompute"})


def within_province(statement: str, after: str, unit_column: str) -> str:
    """A floor statement limited to the units under ``%(prefix)s``: a join on ``unit_column``'s unit after the line
    ``after`` of the statement."""
    assert statement.count(after) == 1, after
    return statement.replace(after, after + f"    JOIN hierarchy_orgunit floor_unit ON floor_unit.id = {unit_column}"
                                             " AND floor_unit.path LIKE %(prefix)s\n")


def _bench_indicators() -> Any:
    spec = importlib.util.spec_from_file_location("bench_indicators", REPOSITORY / "bench" / "bench_indicators.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reset_peak_rss() -> None:
    """Reset the process's peak resident size (Linux: writing 5 to clear_refs resets VmHWM); elsewhere a no-op."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss() -> int | None:
    """The process's peak resident size since the last reset (bytes), or None where /proc is not there."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def measure(runs: int, *, traced: bool = True) -> dict[str, Any]:
    sys.path.insert(0, str(REPOSITORY))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from datetime import date

    from django.db import connection

    from treem.accounts.models import User
    from treem.indicators.counts import forget_read_back
    from treem.indicators.engine import Engine, reference_date
    from treem.indicators.models import DataValue, DerivedCount, StoredFigure
    from treem.indicators.selectors import indicator_detail, indicator_values, plan_progress, trend_years
    from treem.indicators.sources import source_of
    from treem.nutrition import derived as nutrition_derived
    from treem.nutrition.models import Measurement
    from treem.plans.models import Plan
    from treem.plans.selectors import indicators_of
    from treem.registry import derived as registry_derived
    from treem.registry.models import Child
    from treem.registry.selectors import ChildFilters, counts_for, search_children
    from treem.reporting.consolidated import consolidated_report
    from treem.reporting.models import ReportingCycle
    from treem.reporting.selectors import status_board

    if os.environ.get("BENCH_STORED") == "0":  # --no-stored: every engine computes, as before stored figures
        assert Engine.__init__.__kwdefaults__ is not None
        Engine.__init__.__kwdefaults__["stored"] = False
    floors = _bench_indicators()
    today = date.fromisoformat(TODAY_TEXT)
    plan = Plan.objects.get()
    indicators = list(indicators_of(plan))
    national = User.objects.get(username="bench_national")
    province = User.objects.get(username="bench_province")
    commune = User.objects.get(username="bench_commune")
    cycle = ReportingCycle.objects.get(plan=plan, year=YEAR)
    commune_path = commune.assignments.get().org_unit.path

    def fresh_caches() -> None:
        nutrition_derived.year_data.clear()  # a new process: nothing cached in memory
        registry_derived.year_rows.clear()

    def engine(recount: bool = False) -> int:
        fresh_caches()
        if recount:  # every stored count and figure emptied: computed from the records
            DerivedCount.objects.all().delete()
            StoredFigure.objects.all().delete()
        figures = Engine().figures_many(indicators, years=[YEAR])
        return sum(len(by_area) for by_area in figures.values())

    def engine_floor() -> int:
        day = reference_date(YEAR)
        with connection.cursor() as cursor:
            cursor.execute(ENTERED_FLOOR, {"year": YEAR, "day": day})
            rows = len(cursor.fetchall())
            cursor.execute(floors.CHILDREN_FLOOR_SQL, floors._children_parameters(YEAR))
            rows += len(cursor.fetchall())
            cursor.execute(floors.MEASUREMENTS_FLOOR_SQL, {"first": date(YEAR, 1, 1), "day": day})
            rows += len(cursor.fetchall())
        return rows

    def province_floor() -> int:
        """The engine's floor for one province's units (Lai Châu: its old and new units lie under its path)."""
        day = reference_date(YEAR)
        within = {"prefix": laichau.path + "%"}
        statements = [
            (within_province(ENTERED_FLOOR, "FROM indicators_datavalue dv\n", "dv.org_unit_id"),
             {"year": YEAR, "day": day}),
            (within_province(floors.CHILDREN_FLOOR_SQL, "JOIN registry_residence r ON r.child_id = c.id\n",
                             "r.commune_id"), floors._children_parameters(YEAR)),
            (within_province(floors.MEASUREMENTS_FLOOR_SQL, "JOIN registry_child c ON c.id = m.child_id\n",
                             "m.org_unit_id"), {"first": date(YEAR, 1, 1), "day": day}),
        ]
        rows = 0
        with connection.cursor() as cursor:
            for statement, parameters in statements:
                cursor.execute(statement, {**parameters, **within})
                rows += len(cursor.fetchall())
        return rows

    def sql_rows(statement: str, parameters: dict[str, Any]) -> Callable[[], int]:
        def run() -> int:
            with connection.cursor() as cursor:
                cursor.execute(statement, parameters)
                return len(cursor.fetchall())
        return run

    born_16 = date(today.year - 16, today.month, today.day)
    born_5 = date(today.year - 5, today.month, today.day)
    page = {"today": today, "born_16": born_16}

    def progress() -> int:
        fresh_caches()
        return len(plan_progress(national, plan=plan, unit_uid=None, year=YEAR, today=today).items)

    def progress_recompute() -> int:
        StoredFigure.objects.all().delete()
        return progress()

    def province_progress() -> int:
        fresh_caches()
        return len(plan_progress(province, plan=plan, unit_uid=None, year=YEAR, today=today).items)

    laichau = province.assignments.get().org_unit

    def province_recompute() -> int:
        StoredFigure.objects.all().delete()
        forget_read_back()  # a fresh process: the stored counts are read from the database
        return province_progress()

    def engine_province() -> int:
        """Lai Châu's figures with stored figures off: the engine reads the stored counts (from the database: a
        fresh process), and returns how many derived cells it was handed."""
        fresh_caches()
        forget_read_back()
        scoped = Engine(within=[laichau.path], stored=False)
        day = reference_date(YEAR)
        areas = [unit.id for unit in scoped.hierarchy.valid_on(day) if unit.path.startswith(laichau.path)]
        scoped.figures_many(indicators, years=[YEAR], areas=areas)
        return sum(len(cells) for (name, _year), cells in scoped._derived.items() if source_of(name) is not None)

    def province_unscoped() -> int:
        """What the province's overview cost before engines read only their scope: the nation's cells, for the
        province's figures (the same trend years and area)."""
        fresh_caches()
        years = trend_years(plan, year=YEAR)
        figures = Engine().figures_many(indicators, years=years, on=today, areas=[laichau.pk])
        return len(figures)

    def detail() -> int:
        fresh_caches()
        return len(indicator_detail(national, plan=plan, code="I05", unit_uid=None, year=YEAR, current_units=False,
                                    today=today).rows)

    def values() -> int:
        fresh_caches()
        return len(indicator_values(national, plan=plan, code="I14", year=YEAR, org_unit_code="VN", level="commune",
                                    on=None, today=today)[1])

    reads: dict[str, tuple[Callable[[], int], Callable[[], int] | None]] = {
        "engine": (engine, engine_floor),
        "engine_recount": (lambda: engine(recount=True), engine_floor),
        "plan_progress": (progress, engine_floor),
        "plan_progress_recompute": (progress_recompute, engine_floor),
        "plan_progress_province": (province_progress, province_floor),
        "plan_progress_province_unscoped": (province_unscoped, province_floor),
        "plan_progress_province_recompute": (province_recompute, province_floor),
        "engine_province": (engine_province, province_floor),
        "indicator_detail": (detail, engine_floor),
        "indicator_values": (values, engine_floor),
        "registry_page": (lambda: len(list(search_children(commune, ChildFilters(), today=today)[:50])),
                          sql_rows(REGISTRY_PAGE_FLOOR, {**page, "prefix": commune_path + "%"})),
        "registry_page_national": (lambda: len(list(search_children(national, ChildFilters(), today=today)[:50])),
                                   sql_rows(REGISTRY_PAGE_FLOOR, {**page, "prefix": "/%"})),
        "registry_counts": (lambda: len(counts_for(national, today=today)),
                            sql_rows(COUNTS_FLOOR, {**page, "born_5": born_5})),
        "status_board": (lambda: len(status_board(national, cycle=cycle).rows), None),
        "consolidated": (lambda: len(consolidated_report(user=province, cycle=cycle, today=today).indicators),
                         province_floor),
    }
    chosen = [name for name in os.environ.get("BENCH_READS", ",".join(reads)).split(",") if name]
    result: dict[str, Any] = {
        "children": Child.objects.count(), "measurements": Measurement.objects.count(),
        "values": DataValue.objects.count(), "reads": {},
    }
    engine()  # warm-up: imports, the database's caches, and the stored counts
    floor_seconds: dict[Callable[[], int], float] = {}  # a floor shared by several reads is measured once
    for name in chosen:
        read, floor = reads[name]
        times: list[float] = []
        rss_peaks: list[int | None] = []
        try:
            if name in RECOMPUTING:  # empties what it reads on every call: its first call is a timed run
                reset_peak_rss()
                started = time.perf_counter()
                rows = read()
                times.append(time.perf_counter() - started)
                rss_peaks.append(peak_rss())
            else:
                rows = read()
        except Exception as error:  # a read that breaks at this scale is a finding, not a crash
            result["reads"][name] = {"error": f"{type(error).__name__}: {error}"[:300]}
            continue
        for _ in range(runs - len(times)):
            reset_peak_rss()
            started = time.perf_counter()
            read()
            times.append(time.perf_counter() - started)
            rss_peaks.append(peak_rss())
        if floor is not None and floor not in floor_seconds:
            floor_times = []
            for _ in range(runs):
                started = time.perf_counter()
                floor()
                floor_times.append(time.perf_counter() - started)
            floor_seconds[floor] = min(floor_times)
        peak = None
        if traced:  # one more run: tracing every allocation slows Python work several times (an hour at full size)
            gc.collect()
            tracemalloc.start()
            read()
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        if name == "engine_recount":
            engine()  # store the counts again for the reads that follow
        known = [value for value in rss_peaks if value is not None]
        result["reads"][name] = {"rows": rows, "seconds": min(times), "peak_bytes": peak,
                                 "peak_rss_bytes": max(known) if known else None,
                                 "floor_seconds": floor_seconds.get(floor) if floor is not None else None}
        # As it goes (a full-size run takes an hour or more, and a run cut short keeps what it measured):
        print(json.dumps({"read": name, **result["reads"][name]}), file=sys.stderr, flush=True)
    result["max_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result


def run_database(name: str, runs: int, *, stored: bool = True, traced: bool = True) -> dict[str, Any]:
    benchdb.check_name(name)
    environment = {**os.environ, "DATABASE_URL": benchdb.database_url(name), "DJANGO_SETTINGS_MODULE":
                   "config.settings", "DEBUG": "false", "BENCH_STORED": "1" if stored else "0",
                   "BENCH_TRACED": "1" if traced else "0"}
    # The child's standard error is this process's: each read's figures appear as they are measured.
    completed = subprocess.run([sys.executable, __file__, "--child", "--runs", str(runs)], env=environment,
                               cwd=REPOSITORY, stdout=subprocess.PIPE, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{name}: the measuring process ended with {completed.returncode} (its errors above)")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def report(results: dict[str, dict[str, Any]]) -> None:
    for name, result in results.items():
        print(f"{name}: {result['children']:,} children, {result['measurements']:,} measurements, "
              f"{result['values']:,} entered values; process peak RSS {result['max_rss_bytes'] / 2**20:,.0f} MiB")
        for read, figures in result["reads"].items():
            if "error" in figures:
                print(f"  {read:24} BREAKS: {figures['error']}")
                continue
            floor = figures["floor_seconds"]
            ratio = f"{figures['seconds'] / floor:6.1f}× floor ({floor * 1000:8.1f} ms)" if floor else ""
            traced = figures.get("peak_bytes")
            python = f"peak {traced / 2**20:7.1f} MiB" if traced is not None else "peak        —    "
            rss = figures.get("peak_rss_bytes")
            resident = f"RSS {rss / 2**20:7,.0f} MiB" if rss is not None else "RSS        —"
            print(f"  {read:24} {figures['seconds'] * 1000:9.1f} ms  {python}  {resident}"
                  f"  rows {figures['rows']:>9,}  {ratio}")
    names = list(results)
    for first, second in itertools.pairwise(names):
        small, large = results[first], results[second]
        growth = large["children"] / small["children"] if small["children"] else math.nan
        print(f"growth {first} → {second} (children × {growth:.1f}): exponent of time (1 = linear)")
        for read, figures in large["reads"].items():
            before = small["reads"].get(read, {})
            if "seconds" in figures and "seconds" in before and before["seconds"] > 0:
                exponent = math.log(figures["seconds"] / before["seconds"]) / math.log(growth)
                print(f"  {read:24} × {figures['seconds'] / before['seconds']:6.1f}  exponent {exponent:5.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Đo các truy vấn thật của treem trên cơ sở dữ liệu mô phỏng.")
    parser.add_argument("databases", nargs="*", help="các cơ sở dữ liệu treem_bench_… đã tạo bằng generate.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-stored", action="store_true", help="tắt số liệu chỉ tiêu đã tính (đo như trước)")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="không đo bộ nhớ Python bằng tracemalloc (chỉ RSS đỉnh): cho lần đo cỡ cả nước")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help="ghi kết quả (JSON) vào tệp này")
    parser.add_argument("--combine", type=Path, nargs="+", default=[],
                        help="in lại kết quả đã ghi (các tệp JSON của --output), theo thứ tự, với đường tăng trưởng")
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(measure(arguments.runs, traced=os.environ.get("BENCH_TRACED") != "0")))
        return 0
    results: dict[str, dict[str, Any]] = {}
    for path in arguments.combine:
        results.update(json.loads(path.read_text()))
    for name in arguments.databases:
        results[name] = run_database(name, arguments.runs, stored=not arguments.no_stored,
                                     traced=not arguments.no_tracemalloc)
        if arguments.output:
            arguments.output.write_text(json.dumps(results, indent=1))
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
