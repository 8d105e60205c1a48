"""Benchmark of the reporting reminders (``send_reminders``) for a province's reporters.

Run from the repository root: ``.venv/bin/python bench/bench_reminders.py [--officers 40]``. It builds a throw-away
SQLite database in a temporary directory (migrations, reference data, the Lai Châu plan, the 2026 cycle with its 46
reports), gives each commune ``--officers`` officers and each agency a quarter as many reporters, and times, against
a baseline measured in the same run:

- the first run of a reminder day (every reminder new: the inbox is emptied before each timed run, untimed), its
  e-mails sent after commit to Django's in-memory mail backend;
- a second run the same day (nothing new: idempotent);
- the baseline: reading the pending reports and the reporters' active assignments, with no other work.

Each figure and its baseline run in turn, three times, and the best time of each is kept, so that other work on the
machine slows both alike; peak memory is traced with ``tracemalloc`` in a further run of each (tracing slows Python
down, so no timed run is traced).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

REMINDER_DAY = date(2026, 11, 17)  # 14 days before the 2026 deadline


def compare(
    function: Callable[[], Any], baseline: Callable[[], Any], *, before: Callable[[], Any] = lambda: None,
    rounds: int = 3,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Best wall times (seconds) of ``function`` and of its ``baseline``, run in turn ``rounds`` times (so that a
    machine busy with other work slows both alike), each run of ``function`` after ``before`` (untimed); and the
    peak traced memory (MiB) of one more run of each."""
    best, best_baseline = float("inf"), float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        baseline()
        best_baseline = min(best_baseline, time.perf_counter() - start)
        before()
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return (best, traced_peak(function, before=before)), (best_baseline, traced_peak(baseline))


def traced_peak(function: Callable[[], Any], *, before: Callable[[], Any] = lambda: None) -> float:
    before()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def report(label: str, figures: tuple[tuple[float, float], tuple[float, float]]) -> None:
    figure, baseline = figures
    ratio = figure[0] / baseline[0] if baseline[0] else float("nan")
    print(f"{label:<58} {figure[0] * 1000:9.1f} ms  peak {figure[1]:7.1f} MiB   baseline "
          f"{baseline[0] * 1000:8.1f} ms  ratio {ratio:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=40, help="officers per commune")
    options = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="treem-bench-reminders-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"  # sent, in memory
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", quiet=True)
    call_command("load_plan", str(REPOSITORY / "reference_data" / "plans" / "lai-chau-2024.yaml"), quiet=True)
    run(options.officers)


def run(officers_per_commune: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db.models import Q
    from django.urls import reverse

    from treem.accounts.models import Assignment, User
    from treem.core.roles import Role
    from treem.hierarchy.models import OrgUnit
    from treem.notices.models import Notice
    from treem.plans.models import Plan
    from treem.reporting.models import ReporterKind, Submission
    from treem.reporting.reminders import send_reminders
    from treem.reporting.services import open_reporting_cycle

    cycle = open_reporting_cycle(actor=None, plan=Plan.objects.get(), year=2026)
    submissions = list(cycle.submissions.select_related("agency", "org_unit"))
    province = OrgUnit.objects.valid_on(REMINDER_DAY).get(level="province")
    password = make_password(None)
    people: list[tuple[User, Assignment]] = []
    for submission in submissions:
        if submission.kind == ReporterKind.AGENCY:
            for number in range(max(1, officers_per_commune // 4)):
                user = User(username=f"co_quan_{submission.agency.code}_{number}", password=password,
                            email=f"co_quan_{submission.pk}_{number}@example.vn")
                people.append((user, Assignment(role=Role.AGENCY_REPORTER, org_unit=province,
                                                agency=submission.agency)))
        else:
            for number in range(officers_per_commune):
                user = User(username=f"can_bo_{submission.org_unit.code}_{number}", password=password,
                            email=f"can_bo_{submission.pk}_{number}@example.vn")
                people.append((user, Assignment(role=Role.COMMUNE_OFFICER, org_unit=submission.org_unit)))
    User.objects.bulk_create([user for user, _ in people], batch_size=2000)
    for user, assignment in people:
        assignment.user = user
    Assignment.objects.bulk_create([assignment for _, assignment in people], batch_size=2000)
    print(f"{len(submissions)} reports, {len(people):,} reporters with an e-mail address")
    reverse("reporting:submission", args=[1])  # warm-up: the URL configuration loads on first use

    def read_only() -> None:
        pending = list(cycle.submissions.filter(status__in=Submission.EDITABLE).select_related("agency", "org_unit"))
        agencies = {submission.agency_id for submission in pending if submission.agency_id}
        units = {submission.org_unit_id for submission in pending if not submission.agency_id}
        list(Assignment.objects.active(REMINDER_DAY).filter(user__is_active=True).filter(
            Q(role=Role.AGENCY_REPORTER, agency_id__in=agencies) | Q(role=Role.COMMUNE_OFFICER, org_unit_id__in=units))
            .values_list("role", "agency_id", "org_unit_id", "user_id"))

    def empty_inbox() -> None:
        Notice.objects.all().delete()

    send_reminders(today=REMINDER_DAY)
    created = Notice.objects.count()
    report(f"reminders, first run of the day ({created:,} notices)",
           compare(lambda: send_reminders(today=REMINDER_DAY), read_only, before=empty_inbox))
    report("reminders, second run the same day (0 new)", compare(lambda: send_reminders(today=REMINDER_DAY),
                                                                 read_only))
    assert Notice.objects.count() == created


if __name__ == "__main__":
    main()
