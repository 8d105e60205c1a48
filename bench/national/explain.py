"""``EXPLAIN (ANALYZE, BUFFERS)`` of the heaviest queries of the national reads, as the ORM builds them.

    .venv/bin/python bench/national/explain.py treem_bench_national_10 [NAME …]

Names: ``registry_year_rows`` (the registry's counts of a year, ``registry.derived.read_year_rows``),
``nutrition_year`` (a year's measurements of the under-fives, ``nutrition.derived.read_year_data``),
``entered_totals`` (the engine's entered totals over the trend years, ``indicators.engine._entered``),
``registry_counts`` (children per commune for the national coordinator, ``registry.selectors.counts_for``),
``registry_page_national`` (the child list's first page for the national coordinator).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPOSITORY))

import benchdb  # noqa: E402

YEAR = 2026


def queries() -> dict[str, Callable[[], tuple[str, Any]]]:
    from datetime import date

    from django.db.models import Count, Q

    from treem.accounts.models import User
    from treem.indicators.models import DataValue
    from treem.nutrition.derived import LAST_UNDER_FIVE_DAY
    from treem.nutrition.models import Measurement
    from treem.nutrition.selectors import MEASUREMENT_ARRAY_FIELDS
    from treem.plans.models import DataElement
    from treem.registry.derived import read_year_rows
    from treem.registry.models import Child, ChildStatus
    from treem.registry.selectors import CHILD_PATH, ChildFilters, search_children

    today = date(2026, 12, 2)
    national = User.objects.get(username="bench_national")

    def registry_year_rows() -> tuple[str, Any]:
        captured: dict[str, Any] = {}
        from django.db import connection

        def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            captured.setdefault("sql", (sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            read_year_rows(YEAR)
        return captured["sql"]

    def nutrition_year() -> tuple[str, Any]:
        query = (Measurement.objects.current().in_year(YEAR)
                 .filter(age_days__gte=0, age_days__lte=LAST_UNDER_FIVE_DAY).order_by()
                 .values_list(*MEASUREMENT_ARRAY_FIELDS, "org_unit_id", "child__sex", "child__ethnic_group__code"))
        return query.query.sql_with_params()

    def entered_totals() -> tuple[str, Any]:
        elements = list(DataElement.objects.values_list("pk", flat=True))
        query = (DataValue.objects.with_value().filter(data_element_id__in=elements, year__in=range(2021, YEAR + 1))
                 .order_by().values("data_element_id", "org_unit_id", "year")
                 .annotate(total=Count("id"), demo=Count("id", filter=Q(is_demo=True))))
        return query.query.sql_with_params()

    def registry_counts() -> tuple[str, Any]:
        from treem.core.access import visible_to
        from treem.registry.permissions import VIEW_COUNTS

        children = visible_to(national, Child.objects.active().filter(status=ChildStatus.LIVING).under_age_on(today),
                              path_field=CHILD_PATH, capability=VIEW_COUNTS)
        query = children.values("commune_id").annotate(total=Count("pk"), boys=Count("pk", filter=Q(sex="M"))
                                                        ).order_by()
        return query.query.sql_with_params()

    def registry_page_national() -> tuple[str, Any]:
        return search_children(national, ChildFilters(), today=today)[:50].query.sql_with_params()

    return {"registry_year_rows": registry_year_rows, "nutrition_year": nutrition_year,
            "entered_totals": entered_totals, "registry_counts": registry_counts,
            "registry_page_national": registry_page_national}


def main() -> int:
    name = sys.argv[1] if len(sys.argv) > 1 else "treem_bench_national_10"
    benchdb.check_name(name)
    os.environ["DATABASE_URL"] = benchdb.database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    available = queries()
    for query_name in sys.argv[2:] or list(available):
        sql, params = available[query_name]()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"-- {query_name}\n{plan}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
