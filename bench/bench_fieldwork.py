"""Benchmark of the field sync (``fieldwork.services.sync_field_records``) for a commune's weighing day.

Run from the repository root: ``.venv/bin/python bench/bench_fieldwork.py [--children 500]``. It builds a throw-away
SQLite database in a temporary directory (migrations, reference data), one commune officer and ``--children``
children under five in commune 03390, and times, against a baseline measured in the same run:

- a first sync of one measurement per child (new idempotency keys: each record read, compared with the server's
  copy, saved through ``record_measurement``, receipted and audited), against the baseline of calling
  ``record_measurement`` for the same children and values directly (the work the sync adds is the ratio);
- the same records sent again (every one a replay answered from its receipt), against the baseline of reading those
  receipts by key.

Each figure and its baseline run in turn, three times (a new day each round, so every round creates), and the best
time of each is kept; peak memory is traced with ``tracemalloc`` in a further run of each.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

TODAY = date(2026, 11, 20)


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def traced_peak(function: Callable[[], Any]) -> float:
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def report(label: str, figure: tuple[float, float], baseline: tuple[float, float], count: int) -> None:
    ratio = figure[0] / baseline[0] if baseline[0] else float("nan")
    print(f"{label:<44} {figure[0] * 1000:9.1f} ms ({figure[0] / count * 1000:5.2f} ms/record)  peak "
          f"{figure[1]:6.1f} MiB   baseline {baseline[0] * 1000:8.1f} ms  peak {baseline[1]:6.1f} MiB  "
          f"ratio {ratio:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=500, help="children under five in the commune")
    options = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="treem-bench-fieldwork-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", quiet=True)
    run(options.children)


def run(count: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from treem.accounts.models import Assignment, User
    from treem.core.intake.names import fold_name
    from treem.core.roles import Role
    from treem.fieldwork.models import SyncReceipt
    from treem.fieldwork.records import read_record
    from treem.fieldwork.services import sync_field_records
    from treem.hierarchy.models import OrgUnit
    from treem.nutrition.services import record_measurement
    from treem.registry.models import Child

    commune = OrgUnit.objects.valid_on(TODAY).get(code="03390", level="commune")
    officer = User.objects.create(username="can_bo_thuc_dia", password=make_password(None))
    Assignment.objects.create(user=officer, role=Role.COMMUNE_OFFICER, org_unit=commune)
    Child.objects.bulk_create([
        Child(full_name=f"Lò Văn Thử {number}", name_folded=fold_name(f"Lò Văn Thử {number}"),
              birth_date=TODAY - timedelta(days=200 + number % 1500), sex="M" if number % 2 else "F", commune=commune)
        for number in range(count)
    ])
    children = list(Child.objects.filter(commune=commune).select_related("commune"))
    print(f"{len(children)} children, one record each")

    def records(on: date) -> list[dict[str, Any]]:
        return [{"key": str(uuid.uuid4()), "kind": "measurement", "child_id": child.pk,
                 "measured_on": on.isoformat(), "device_at": "2026-11-20T03:00:00Z",
                 "values": {"weight_kg": "9.6", "length_cm": "75.7", "position": "L", "has_oedema": False},
                 "base": None} for child in children]

    def direct(on: date) -> None:
        for child in children:
            record_measurement(actor=officer, child=child, measured_on=on, weight_kg=Decimal("9.6"),
                               length_cm=Decimal("75.7"), position="L", today=TODAY)

    def sync(items: list[dict[str, Any]]) -> None:
        sync_field_records(actor=officer, records=[read_record(item) for item in items], synced_at=timezone.now(),
                           today=TODAY)

    def read_receipts(keys: list[str]) -> None:
        list(SyncReceipt.objects.filter(key__in=keys))

    best_sync = best_direct = best_replay = best_read = float("inf")
    for round_number in range(3):
        direct_day = TODAY - timedelta(days=100 + round_number)
        best_direct = min(best_direct, timed(partial(direct, direct_day)))
        sent = records(TODAY - timedelta(days=10 + round_number))
        keys = [item["key"] for item in sent]
        best_sync = min(best_sync, timed(partial(sync, sent)))
        best_read = min(best_read, timed(partial(read_receipts, keys)))
        best_replay = min(best_replay, timed(partial(sync, sent)))
    direct_peak = traced_peak(lambda: direct(TODAY - timedelta(days=150)))
    fresh = records(TODAY - timedelta(days=50))
    sync_peak = traced_peak(lambda: sync(fresh))
    keys = [item["key"] for item in fresh]
    read_peak = traced_peak(lambda: list(SyncReceipt.objects.filter(key__in=keys)))
    replay_peak = traced_peak(lambda: sync(fresh))
    report("first sync (vs record_measurement directly)", (best_sync, sync_peak), (best_direct, direct_peak), count)
    report("replay (vs reading the receipts)", (best_replay, replay_peak), (best_read, read_peak), count)


if __name__ == "__main__":
    main()
