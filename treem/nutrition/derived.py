"""Derived data elements for the indicator engine: under-five undernutrition counted from the measurements.

For a year Y, each child is counted once per indicator at its latest valid measurement taken in Y while under
five (the rule of ``prevalence.py``), in the cell of the commune the child belonged to at that measurement and of
the child's sex and ethnic group. The plan's elements (I05, I06) and the extra ones:

==========================================================  ===================================================
``nutrition.count_under_5_weighed``                         children with a valid weight-for-age (I05 denominator)
``nutrition.count_under_5_underweight``                     of whom WAZ < −2 (I05 numerator)
``nutrition.count_under_5_severely_underweight``            of whom WAZ < −3
``nutrition.count_under_5_measured_height``                 children with a valid height-for-age (I06 denominator)
``nutrition.count_under_5_stunted``                         of whom HAZ < −2 (I06 numerator)
``nutrition.count_under_5_severely_stunted``                of whom HAZ < −3
``nutrition.count_under_5_measured_weight_for_height``      children with a valid weight-for-length/height
``nutrition.count_under_5_wasted``                          of whom WHZ < −2
``nutrition.count_under_5_severely_wasted``                 of whom WHZ < −3
``nutrition.count_under_5_measured_any``                    children with any measurement in the year
==========================================================  ===================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from django.db import connection, transaction
from numpy.typing import NDArray

from treem.indicators.sources import (
    DerivedCell,
    YearReads,
    register_demo_check,
    register_derived,
    register_source,
)
from treem.nutrition.models import Measurement
from treem.nutrition.prevalence import Indicator, MeasurementArrays, is_under_five, latest_valid
from treem.nutrition.selectors import MEASUREMENT_ARRAY_FIELDS, measurement_arrays
from treem.registry.models import Child

LAST_UNDER_FIVE_DAY: Final = 1826
"""The last whole day of age under 60 months (1826 ÷ 30.4375 = 59.99)."""


@dataclass(frozen=True)
class YearData:
    """The measurements of children under five taken in one year, with each row's cell: ``cell_of_row`` indexes
    ``cells``, the (commune id, sex, ethnic group code) keys."""

    year: int
    arrays: MeasurementArrays
    cell_of_row: NDArray[np.int64]
    cells: list[tuple[int, str, str]]


SOURCE: Final = "nutrition"
READ_CHUNK: Final = 50_000


def read_year_data(year: int) -> YearData:
    """The year's measurements of children under five as arrays, in one query.

    The rows are read with the database cursor, skipping the ORM's per-value converters (a third of the time at
    60,000 rows); the arrays accept the dates, decimals and 0/1 flags either backend returns. They are read in
    chunks (a server-side cursor on PostgreSQL) and turned into arrays chunk by chunk: a nation's year is 12 million
    measurements, whose rows as Python tuples of decimals would take gigabytes, and as arrays take a few hundred
    megabytes.
    """
    query = (
        Measurement.objects.current().in_year(year)
        .filter(age_days__gte=0, age_days__lte=LAST_UNDER_FIVE_DAY)
        .order_by()
        .values_list(*MEASUREMENT_ARRAY_FIELDS, "org_unit_id", "child__sex", "child__ethnic_group__code")
    )
    sql, params = query.query.sql_with_params()
    extra = len(MEASUREMENT_ARRAY_FIELDS)
    cells: dict[tuple[int, str, str], int] = {}
    arrays: list[MeasurementArrays] = []
    cells_of_rows: list[NDArray[np.int64]] = []
    with transaction.atomic(), connection.chunked_cursor() as cursor:  # a named cursor lives in a transaction
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(READ_CHUNK):
            cells_of_rows.append(np.fromiter(
                (cells.setdefault((row[extra], row[extra + 1] or "", row[extra + 2] or ""), len(cells))
                 for row in rows), dtype=np.int64, count=len(rows)))
            arrays.append(measurement_arrays(rows))
    cell_of_row = np.concatenate(cells_of_rows) if cells_of_rows else np.zeros(0, dtype=np.int64)
    return YearData(year=year, arrays=MeasurementArrays.concatenate(arrays), cell_of_row=cell_of_row,
                    cells=list(cells))


year_data: YearReads[YearData] = YearReads(SOURCE, read_year_data)
"""The year's rows, read once for the several elements an indicator needs (``read_year_data``)."""


def _cells(data: YearData, rows: NDArray[np.int64], selected: NDArray[np.bool_] | None = None) -> list[DerivedCell]:
    """Counts of ``rows`` (or of the ``selected`` among them) per cell. A numerator (``selected`` given) has a cell,
    zero if need be, wherever its denominator has one: no underweight child among those weighed is 0, not missing.
    """
    present = np.bincount(data.cell_of_row[rows], minlength=len(data.cells)) > 0
    chosen = rows if selected is None else rows[selected]
    counts = np.bincount(data.cell_of_row[chosen], minlength=len(data.cells))
    return [
        DerivedCell(org_unit_id=org_unit_id, year=data.year, value=int(counts[index]), sex=sex,
                    ethnic_group_code=ethnic)
        for index, (org_unit_id, sex, ethnic) in sorted(enumerate(data.cells), key=lambda item: item[1])
        if present[index]
    ]


def _counted(indicator: Indicator, which: str) -> Callable[..., Iterable[DerivedCell]]:
    def count(*, year: int, **_: Any) -> list[DerivedCell]:
        data = year_data(year)
        result = latest_valid(data.arrays, indicator)
        selected = {"all": None, "moderate": result.moderate_or_severe, "severe": result.severe}[which]
        return _cells(data, result.rows, selected)

    count.__name__ = f"count_{indicator.value}_{which}"
    count.__doc__ = f"Children under five counted at their latest valid {indicator.value.upper()} ({which})."
    return count


def count_under_5_measured_any(*, year: int, **_: Any) -> list[DerivedCell]:
    """Children under five with at least one measurement in the year, at their latest one."""
    data = year_data(year)
    arrays = data.arrays
    candidates = np.flatnonzero(is_under_five(arrays.age_days))
    order = np.lexsort((arrays.measurement_id[candidates], arrays.measured_on[candidates],
                        arrays.child_id[candidates]))
    rows = candidates[order]
    children = arrays.child_id[rows]
    is_last = np.ones(rows.shape[0], dtype=np.bool_)
    is_last[:-1] = children[:-1] != children[1:]
    return _cells(data, rows[is_last])


DERIVED_ELEMENTS: Final = {
    "nutrition.count_under_5_weighed": _counted(Indicator.WEIGHT_FOR_AGE, "all"),
    "nutrition.count_under_5_underweight": _counted(Indicator.WEIGHT_FOR_AGE, "moderate"),
    "nutrition.count_under_5_severely_underweight": _counted(Indicator.WEIGHT_FOR_AGE, "severe"),
    "nutrition.count_under_5_measured_height": _counted(Indicator.HEIGHT_FOR_AGE, "all"),
    "nutrition.count_under_5_stunted": _counted(Indicator.HEIGHT_FOR_AGE, "moderate"),
    "nutrition.count_under_5_severely_stunted": _counted(Indicator.HEIGHT_FOR_AGE, "severe"),
    "nutrition.count_under_5_measured_weight_for_height": _counted(Indicator.WEIGHT_FOR_HEIGHT, "all"),
    "nutrition.count_under_5_wasted": _counted(Indicator.WEIGHT_FOR_HEIGHT, "moderate"),
    "nutrition.count_under_5_severely_wasted": _counted(Indicator.WEIGHT_FOR_HEIGHT, "severe"),
    "nutrition.count_under_5_measured_any": count_under_5_measured_any,
}


def measurements_include_demo() -> bool:
    """Whether the counted measurements include demo records (the engine then marks the figures as demo data)."""
    return Measurement.objects.filter(is_demo=True, deleted_at__isnull=True).exists()


def register() -> None:
    """Register every element, and its demo check, with the indicator engine (called from the app's ``ready``)."""
    register_source(SOURCE, models=(Measurement, Child))
    for name, function in DERIVED_ELEMENTS.items():
        register_derived(name, source=SOURCE)(function)
        register_demo_check(name)(measurements_include_demo)
