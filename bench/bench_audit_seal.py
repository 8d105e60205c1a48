"""Benchmark of the audit trail's hash chain: sealing and verifying N audit rows, against reading the same rows
with the same columns and serialising them (the floor a chain over every row cannot beat), in the same run.

Run from the repository root: ``.venv/bin/python bench/bench_audit_seal.py [ROWS]`` (200,000 by default). It
migrates a temporary SQLite database — or the database at ``BENCH_DATABASE_URL`` (a PostgreSQL database created
for the run, e.g. ``postgres://postgres@127.0.0.1:5432/treem_bench_seal``; its tables are emptied first) — inserts
ROWS audit rows shaped like a child import's (before/after JSON), then times the floor, the first seal of every
row, a verification of the whole chain, and a seal with nothing new. Each step is timed untraced and then run once
more under tracemalloc for its peak memory (the second seal run finds nothing new, so the seal's peak is measured
on the real first run by sealing into a fresh chain: the links are removed between the two runs). It prints each
time, the peak memory and the ratios to the floor.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]


def measure(label: str, action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Time ``action`` (untraced), then run it again under tracemalloc for its peak Python memory."""
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<42} {elapsed:8.2f} s   peak {peak / 1024 / 1024:7.1f} MB")
    return elapsed, peak, result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    scratch = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPOSITORY))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from treem.core.integrity import CONTENT_FIELDS, seal_audit_log, verify_audit_log
    from treem.core.models import AuditEvent

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE core_auditseal, core_auditevent")
        else:
            cursor.execute("DELETE FROM core_auditseal")
            cursor.execute("DELETE FROM core_auditevent")
    now = timezone.now()
    batch = [AuditEvent(at=now, actor_username="can_bo_xa", verb="import", action="import_children",
                        object_type="registry.child", object_id=str(number), object_repr=f"Lò Văn {number}",
                        org_unit_path="/12/03388/", before=None,
                        after={"full_name": f"Lò Văn {number}", "birth_date": "2021-05-01", "sex": "M",
                               "village_id": number % 300, "is_birth_registered": True})
             for number in range(rows)]
    AuditEvent.objects.bulk_create(batch, batch_size=5000)
    del batch
    print(f"{connection.vendor}: {AuditEvent.objects.count():,} audit rows")

    def floor() -> int:
        size = 0
        for row in AuditEvent.objects.order_by("id").values(*CONTENT_FIELDS).iterator(chunk_size=2000):
            size += len(json.dumps(row, sort_keys=True, default=str))
        return size

    floor_time, _, _ = measure("floor: read and serialise every row", floor)
    def seal_from_scratch() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE core_auditseal" if connection.vendor == "postgresql"
                           else "DELETE FROM core_auditseal")
        return seal_audit_log()

    seal_time, _, sealed = measure("seal every row (first run)", seal_from_scratch)
    verify_time, _, verification = measure("verify the whole chain", verify_audit_log)
    started = time.perf_counter()
    again = seal_audit_log()
    again_time = time.perf_counter() - started
    assert sealed.sealed == rows and again.sealed == 0 and verification.is_intact
    print(f"seal / floor   {seal_time / floor_time:5.2f}×   ({rows / seal_time:,.0f} rows/s)")
    print(f"verify / floor {verify_time / floor_time:5.2f}×   ({rows / verify_time:,.0f} rows/s)")
    print(f"nothing-new seal {again_time * 1000:.0f} ms")
    scratch.cleanup()


if __name__ == "__main__":
    main()
