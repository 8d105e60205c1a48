"""The bench database: which one, and the guard that keeps the generator away from every other database.

A bench database is named ``treem_bench_…`` and holds only what the generator wrote (demo users, demo children).
``guard`` refuses any other name, and a database of that name that holds a non-demo user or child — someone's real
data under an unlucky name — before anything is written or dropped.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import psycopg

PREFIX = "treem_bench_"
SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
NAME_PATTERN = re.compile(r"^[a-z0-9_]+$")


class Refused(Exception):
    """The generator will not touch this database."""


def database_url(name: str) -> str:
    return f"{SERVER.rstrip('/')}/{name}"


def admin_url() -> str:
    return database_url("postgres")


def check_name(name: str) -> None:
    if not name.startswith(PREFIX) or not NAME_PATTERN.match(name):
        raise Refused(f"«{name}»: only a database named {PREFIX}… (lower-case letters, digits, _) is used")


def exists(name: str) -> bool:
    with psycopg.connect(admin_url(), autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def real_rows(name: str) -> list[str]:
    """What the database holds that the generator did not write (non-demo users or children)."""
    found = []
    with psycopg.connect(database_url(name), autocommit=True) as connection:
        for table, label in (("accounts_user", "users"), ("registry_child", "children")):
            present = connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()
            if present is None or present[0] is None:
                continue
            row = connection.execute(f"SELECT count(*) FROM {table} WHERE NOT is_demo").fetchone()
            if row is not None and row[0]:
                found.append(f"{row[0]} non-demo {label}")
    return found


def guard(name: str) -> None:
    """Refuse a database the generator must not touch (see the module notes)."""
    check_name(name)
    if exists(name):
        found = real_rows(name)
        if found:
            raise Refused(f"«{name}» holds {', '.join(found)}: not a bench database, left untouched")


def recreate(name: str) -> None:
    """Drop (after ``guard``) and create the bench database."""
    guard(name)
    with psycopg.connect(admin_url(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]


def drop(name: str) -> None:
    guard(name)
    with psycopg.connect(admin_url(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def name_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")
