"""Benchmark of the actor check that every write service makes first (``core.access.ensure_permitted``).

Run from the repository root: ``.venv/bin/python bench/bench_service_access.py [--writes 300]``. It builds a
throw-away SQLite database in a temporary directory (migrations, reference data, children of one commune, their
officer), then times, each against a baseline measured in the same run:

- correcting a child's name with ``update_child`` as the commune's officer, outside a request (every check reads the
  officer's assignments afresh, as a background job or a script does), against the same corrections from the
  console (``actor=None``: no check);
- the same as the officer while a request is being served (``current_request`` set: the assignments are read once),
  the way pages and the API call services;
- recording a measurement with ``record_measurement`` as the officer, outside a request, against the console.

Each figure is the best of three; peak memory is traced with ``tracemalloc`` around the measured call.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))


def measure(function: Callable[[], Any], *, repeat: int = 3) -> tuple[float, float]:
    """Best wall time (seconds) of ``repeat`` runs and the peak traced memory (MiB) of one run."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20


def report(label: str, figure: tuple[float, float], baseline: tuple[float, float]) -> None:
    ratio = figure[0] / baseline[0] if baseline[0] else float("nan")
    print(f"{label:<58} {figure[0] * 1000:9.1f} ms  peak {figure[1]:7.1f} MiB   baseline "
          f"{baseline[0] * 1000:8.1f} ms  ratio {ratio:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300)
    options = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="treem-bench-access-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", quiet=True)
    run(options.writes)


def run(writes: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.test import RequestFactory
    from django.utils import timezone

    from treem.accounts.models import Assignment, User
    from treem.core.intake.names import fold_name
    from treem.core.request_context import current_request
    from treem.core.roles import Role
    from treem.hierarchy.models import OrgUnit
    from treem.nutrition.services import record_measurement
    from treem.registry.models import Child, Residence
    from treem.registry.services import update_child

    today = timezone.localdate()
    commune = OrgUnit.objects.valid_on(today).get(code="03390")
    officer = User.objects.create(username="can_bo_xa", password=make_password(None))
    Assignment.objects.create(user=officer, role=Role.COMMUNE_OFFICER, org_unit=commune)
    children = Child.objects.bulk_create([
        Child(full_name=f"Lò Văn Thử {n}", name_folded=fold_name(f"Lò Văn Thử {n}"), sex="M", commune=commune,
              birth_date=today - timedelta(days=400 + n)) for n in range(writes)])
    Residence.objects.bulk_create([Residence(child=child, commune=commune) for child in children])
    names = count()

    def rename(actor: Any) -> Callable[[], None]:
        def write() -> None:
            for child in children:
                update_child(actor=actor, child=child, changes={"full_name": f"Lò Văn Khác {next(names)}"},
                             today=today)
        return write

    def rename_in_request() -> None:
        request = RequestFactory().post("/")
        request.user = officer
        token = current_request.set(request)
        try:
            rename(officer)()
        finally:
            current_request.reset(token)

    days = count()

    def weigh(actor: Any) -> Callable[[], None]:
        def write() -> None:
            measured_on = today - timedelta(days=1 + next(days))
            for child in children:
                record_measurement(actor=actor, child=child, measured_on=measured_on, weight_kg=Decimal("10.2"),
                                   length_cm=Decimal("80.5"), position="H", today=today)
        return write

    console = measure(rename(None))
    print(f"{writes} writes of each kind")
    report("update_child as the officer, outside a request", measure(rename(officer)), console)
    report("update_child as the officer, in one request", measure(rename_in_request), console)
    report("record_measurement as the officer, outside a request", measure(weigh(officer)), measure(weigh(None)))


if __name__ == "__main__":
    main()
