"""Measure partitioning of the largest tables in a bench database, without changing the application's schema.

    .venv/bin/python bench/national/partitioning.py treem_bench_national_10

For each experiment, a partitioned copy of a table is made beside it (``bench_part_…``: the same columns and
indexes, rows copied), the ORM's own query is run against the original and — with the table name replaced —
against the copy, best of three each, and the copy is dropped:

- ``registry_child`` by birth year (range on ``birth_date``, one partition per year) for the registry's yearly
  counts (``read_year_rows``: children born in the 16 years before the counting day);
- ``nutrition_measurement`` by year of measurement (range on ``measured_on``) for the nutrition counts of a year;
- ``registry_child`` by province (list on a province code, which the table does not have: the copy adds the
  column, as partitioning by province would have to) for one province's child counts.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPOSITORY))

import benchdb  # noqa: E402

YEAR = 2026


def best(cursor: Any, sql: str, params: Any, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        times.append(time.perf_counter() - started)
    return min(times)


def partition_by_range(cursor: Any, table: str, copy: str, column: str, first: int, last: int) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {copy}")
    cursor.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING DEFAULTS) PARTITION BY RANGE ({column})")
    cursor.execute(f"CREATE TABLE {copy}_before PARTITION OF {copy} FOR VALUES FROM (MINVALUE) TO ('{first}-01-01')")
    for year in range(first, last + 1):
        cursor.execute(f"CREATE TABLE {copy}_{year} PARTITION OF {copy} FOR VALUES FROM ('{year}-01-01')"
                       f" TO ('{year + 1}-01-01')")
    cursor.execute(f"CREATE TABLE {copy}_after PARTITION OF {copy} FOR VALUES FROM ('{last + 1}-01-01')"
                   " TO (MAXVALUE)")
    cursor.execute(f"INSERT INTO {copy} SELECT * FROM {table}")
    copy_indexes(cursor, table, copy)


def copy_indexes(cursor: Any, table: str, copy: str) -> None:
    cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef NOT LIKE '%%UNIQUE%%'",
                   (table,))
    for (definition,) in cursor.fetchall():
        name = definition.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
        cursor.execute(definition.replace(f" {name} ", f" {name}_p ").replace(f"public.{table} ", f"{copy} "))
    cursor.execute(f"ANALYZE {copy}")


def experiments() -> dict[str, Callable[[Any], dict[str, float]]]:
    from datetime import date

    from django.db import connection
    from django.db.models import Count

    from treem.nutrition.derived import LAST_UNDER_FIVE_DAY
    from treem.nutrition.models import Measurement
    from treem.nutrition.selectors import MEASUREMENT_ARRAY_FIELDS
    from treem.registry.derived import read_year_rows
    from treem.registry.models import Child

    def orm_sql(read: Callable[[], Any]) -> tuple[str, Any]:
        captured: dict[str, Any] = {}

        def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            captured.setdefault("sql", (sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            read()
        return captured["sql"]

    def by_birth_year(cursor: Any) -> dict[str, float]:
        sql, params = orm_sql(lambda: read_year_rows(YEAR))
        partition_by_range(cursor, "registry_child", "bench_part_child", "birth_date", YEAR - 17, YEAR)
        result = {"original": best(cursor, sql, params),
                  "partitioned": best(cursor, sql.replace('"registry_child"', "bench_part_child"), params)}
        cursor.execute("DROP TABLE bench_part_child")
        return result

    def by_measurement_year(cursor: Any) -> dict[str, float]:
        query = (Measurement.objects.current().in_year(YEAR)
                 .filter(age_days__gte=0, age_days__lte=LAST_UNDER_FIVE_DAY).order_by()
                 .values_list(*MEASUREMENT_ARRAY_FIELDS, "org_unit_id", "child__sex", "child__ethnic_group__code"))
        sql, params = query.query.sql_with_params()
        partition_by_range(cursor, "nutrition_measurement", "bench_part_measurement", "measured_on", 2024, YEAR)
        result = {"original": best(cursor, sql, params),
                  "partitioned": best(cursor, sql.replace('"nutrition_measurement"', "bench_part_measurement"),
                                      params)}
        cursor.execute("DROP TABLE bench_part_measurement")
        return result

    def by_province(cursor: Any) -> dict[str, float]:
        today = date(2026, 12, 2)
        query = (Child.objects.active().filter(commune__path__startswith="/12/").under_age_on(today)
                 .values("commune_id").annotate(total=Count("pk")).order_by())
        sql, params = query.query.sql_with_params()
        cursor.execute("DROP TABLE IF EXISTS bench_part_child_province")
        cursor.execute("CREATE TABLE bench_part_child_province (LIKE registry_child INCLUDING DEFAULTS,"
                       " province varchar(8) NOT NULL) PARTITION BY LIST (province)")
        cursor.execute("SELECT DISTINCT split_part(path, '/', 2) FROM hierarchy_orgunit WHERE level = 'province'")
        for (code,) in cursor.fetchall():
            cursor.execute(f"CREATE TABLE bench_part_child_province_{code} PARTITION OF bench_part_child_province"
                           f" FOR VALUES IN ('{code}')")
        cursor.execute("INSERT INTO bench_part_child_province SELECT c.*, split_part(u.path, '/', 2)"
                       " FROM registry_child c JOIN hierarchy_orgunit u ON u.id = c.commune_id")
        copy_indexes(cursor, "registry_child", "bench_part_child_province")
        partitioned_sql = sql.replace('"registry_child"', "bench_part_child_province").replace(
            " WHERE ", " WHERE bench_part_child_province.province = '12' AND ", 1)
        result = {"original": best(cursor, sql, params), "partitioned": best(cursor, partitioned_sql, params)}
        cursor.execute("DROP TABLE bench_part_child_province")
        return result

    return {"child_by_birth_year": by_birth_year, "measurement_by_year": by_measurement_year,
            "child_by_province": by_province}


def main() -> int:
    name = sys.argv[1] if len(sys.argv) > 1 else "treem_bench_national_10"
    benchdb.guard(name)
    os.environ["DATABASE_URL"] = benchdb.database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    available = experiments()
    for experiment in sys.argv[2:] or list(available):
        with connection.cursor() as cursor:
            figures = available[experiment](cursor)
        ratio = figures["partitioned"] / figures["original"]
        print(f"{experiment:22} original {figures['original'] * 1000:9.1f} ms   partitioned "
              f"{figures['partitioned'] * 1000:9.1f} ms   ratio {ratio:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
