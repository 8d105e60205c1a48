"""Paging of every list of ``/api/v1``: ``limit`` and ``offset``, a stated maximum page size, ``X-Total-Count``.

Every list operation takes ``limit`` (its default and maximum stated in the OpenAPI document: a larger value is
refused with 422 in the shared error schema, never silently cut) and ``offset``, and answers the number of rows
that match in the ``X-Total-Count`` header (lists answered as an object also carry it as ``count``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpResponse
from ninja import Query

T = TypeVar("T")
MAX_OFFSET = 1_000_000
TOTAL_HEADER = "X-Total-Count"


def limit_query(default: int = 100, maximum: int = 500, noun: str = "dòng") -> Any:
    """The ``limit`` parameter of a list: at most ``maximum`` rows a page."""
    return Query(default, ge=1, le=maximum, description=f"số {noun} mỗi trang (mặc định {default}, tối đa "
                 f"{maximum}; lớn hơn thì 422); tổng số ở header {TOTAL_HEADER}")


def offset_query(noun: str = "dòng") -> Any:
    """The ``offset`` parameter of a list."""
    return Query(0, ge=0, le=MAX_OFFSET, description=f"bỏ qua bao nhiêu {noun} đầu danh sách")


def page(response: HttpResponse, rows: QuerySet[Any] | Sequence[T], *, limit: int,
         offset: int) -> tuple[int, list[Any]]:
    """The total and one page of ``rows``; the total is also sent as ``X-Total-Count``."""
    total = rows.count() if isinstance(rows, QuerySet) else len(rows)
    response[TOTAL_HEADER] = str(total)
    return total, list(rows[offset:offset + limit])
