"""Writing many rows at once: one prepared statement run many times.

Used by imports for the rows they add or change beside each record (residences, guardians, groups, audit events),
whose ids are not needed back. Django's ``bulk_update`` writes one CASE expression per field and row and
``bulk_create`` compiles one statement per few dozen rows, which is slow for a 100,000-row file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

Record = dict[str, Any]


def update_rows(model: type[Model], objects: Sequence[Model], fields: Sequence[str]) -> None:
    """``UPDATE … SET fields WHERE id`` for each object, as one prepared statement run many times."""
    if not objects or not fields:
        return
    wanted = set(fields)
    concrete = [column for column in model._meta.concrete_fields if column.name in wanted or column.attname in wanted]
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(column.column)} = %s" for column in concrete)
    rows = [[column.get_db_prep_save(getattr(obj, column.attname), connection) for column in concrete] + [obj.pk]
            for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)


def insert_rows(model: type[Model], records: Sequence[Record]) -> None:
    """``INSERT`` rows given as ``{attname: value}`` with one prepared statement run many times.

    Values are prepared by the fields themselves as in ``bulk_create`` (missing ones take the field's default,
    creation times are now, JSON is encoded), without building model instances.
    """
    if not records:
        return
    fields = [column for column in model._meta.concrete_fields if not column.primary_key]
    now = timezone.now()
    constants: dict[str, Any] = {}
    for column in fields:
        if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
            constants[column.attname] = column.get_db_prep_save(now, connection)
        else:
            constants[column.attname] = column.get_db_prep_save(column.get_default(), connection)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column.column) for column in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [
        [column.get_db_prep_save(record[column.attname], connection) if column.attname in record
         else constants[column.attname] for column in fields]
        for record in records
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
