"""Benchmark of child-protection reads and jobs on a province-sized case load.

Run from the repository root: ``.venv/bin/python bench/bench_protection.py [--cases 20000]``. It builds a
throw-away SQLite database in a temporary directory (migrations, reference data, then synthetic cases spread over
the 38 communes, 400 case workers under 20 supervisors), and times, each against a baseline measured in the same run:

- the worker's queue (``cases_for`` + ``steps_due_for``, with the case-assignment rule) against the org-unit scope
  alone (``visible_to``) for the same workers;
- the leader's figures (``case_counts`` + ``case_kpis``, scoped to the province) against the same groupings run
  unscoped, one query each;
- ``raise_deadline_alerts`` — its first run (every overdue step notified: the inbox is emptied before each timed
  run) and a second run (nothing new: idempotent) — against iterating the overdue steps with no work;
- 100,000 working-day deadlines (``WorkingCalendar.add_working_days``) against counting weekdays only.

Each figure and its baseline run in turn, three times, and the best time of each is kept, so that other work on the
machine slows both alike; peak memory is traced with ``tracemalloc`` in a further run of each (tracing slows Python
down, so no timed run is traced).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))


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
    parser.add_argument("--cases", type=int, default=20_000)
    options = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="treem-bench-protection-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", quiet=True)
    run(options.cases)


def run(case_count: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from treem.accounts.models import Assignment, User
    from treem.core.access import visible_to
    from treem.core.calendar import WorkingCalendar
    from treem.core.roles import Role
    from treem.hierarchy.models import OrgUnit
    from treem.notices.models import Notice
    from treem.protection import selectors
    from treem.protection.models import Case, CaseStep, CaseWorker, HarmKind, Supervision
    from treem.protection.permissions import WORK_CASES
    from treem.protection.services import raise_deadline_alerts
    from treem.protection.workflow import StepKind

    rng = random.Random(56)
    today = timezone.localdate()
    now = timezone.now()
    communes = list(OrgUnit.objects.valid_on(today).of_level("commune"))
    province = OrgUnit.objects.valid_on(today).get(level="province")
    password = make_password(None)
    supervisors = User.objects.bulk_create(
        [User(username=f"giam_sat_{n}", full_name=f"Giám sát {n}", password=password) for n in range(20)])
    workers = User.objects.bulk_create(
        [User(username=f"can_bo_{n}", full_name=f"Cán bộ {n}", password=password) for n in range(400)])
    home = {worker.pk: communes[index % len(communes)] for index, worker in enumerate(workers)}
    Assignment.objects.bulk_create(
        [Assignment(user=worker, role=Role.CASE_WORKER, org_unit=home[worker.pk]) for worker in workers]
        + [Assignment(user=supervisor, role=Role.CASE_SUPERVISOR, org_unit=province) for supervisor in supervisors])
    Supervision.objects.bulk_create([Supervision(supervisor=supervisors[index % 20], worker=worker)
                                     for index, worker in enumerate(workers)])
    leader = User.objects.create(username="lanh_dao", password=password)
    Assignment.objects.create(user=leader, role=Role.LEADER, org_unit=province)
    harms = HarmKind.values
    cases = []
    for index in range(case_count):
        worker = workers[index % len(workers)]
        reported_at = now - timedelta(days=rng.randrange(365), hours=rng.randrange(24))
        cases.append(Case(number=f"BV-BENCH-{index:06d}", org_unit=home[worker.pk], child_full_name=f"Trẻ {index}",
                          child_sex=rng.choice("MF"), child_age_years=rng.randrange(16), reported_via="school",
                          reported_at=reported_at, harm_kind=rng.choice(harms), summary="—",
                          status=Case.Status.OPEN if rng.random() < 0.4 else Case.Status.CLOSED))
    Case.objects.bulk_create(cases, batch_size=2000)
    CaseWorker.objects.bulk_create([CaseWorker(case=case, user=workers[index % len(workers)], assigned_at=now)
                                    for index, case in enumerate(cases)], batch_size=2000)
    steps = []
    for case in cases:
        steps.append(CaseStep(case=case, kind=StepKind.RECEIVE, status=CaseStep.Status.DONE,
                              opened_at=case.reported_at, due_at=case.reported_at, completed_at=case.reported_at,
                              is_on_time=True))
        if case.status == Case.Status.OPEN:
            steps.append(CaseStep(case=case, kind=StepKind.VERIFY, opened_at=case.reported_at,
                                  due_at=case.reported_at + timedelta(days=rng.choice([2, 30, 400]))))
    CaseStep.objects.bulk_create(steps, batch_size=2000)
    print(f"{case_count:,} cases, {len(steps):,} steps, 400 workers, 20 supervisors ({connection.vendor})")

    sample = workers[:100]

    def queue_with_rule() -> None:
        for worker in sample:
            list(selectors.cases_for(worker).values_list("pk", flat=True))
            list(selectors.steps_due_for(worker).values_list("pk", flat=True))

    def queue_org_unit_only() -> None:
        for worker in sample:
            list(visible_to(worker, Case.objects.active(), capability=WORK_CASES).values_list("pk", flat=True))
            list(CaseStep.objects.filter(status=CaseStep.Status.OPEN, case__in=visible_to(
                worker, Case.objects.active(), capability=WORK_CASES).values("pk")).values_list("pk", flat=True))

    report("queue of 100 workers (assignment rule on top of scope)", compare(queue_with_rule, queue_org_unit_only))

    def leader_figures() -> None:
        selectors.case_counts(leader, year=today.year)
        selectors.case_kpis(leader, year=today.year)

    def unscoped_groupings() -> None:
        year_cases = Case.objects.filter(reported_at__year=today.year)
        for field in ("harm_kind", "status", "risk_level", "org_unit_id"):
            list(year_cases.values(field).annotate(n=Count("id")))

    report("leader's case counts and KPIs (scoped)", compare(leader_figures, unscoped_groupings))

    def iterate_overdue() -> None:
        for _step in CaseStep.objects.filter(status=CaseStep.Status.OPEN, due_at__lt=now).select_related("case"):
            pass

    reverse("protection:case", args=[1])  # warm-up: the URL configuration loads on first use

    def empty_inbox() -> None:
        Notice.objects.all().delete()

    empty_inbox()
    created = raise_deadline_alerts(now=now).notices_created
    report(f"deadline alerts, first run ({created:,} notices)",
           compare(lambda: raise_deadline_alerts(now=now), iterate_overdue, before=empty_inbox))
    report("deadline alerts, second run (idempotent, 0 new)",
           compare(lambda: raise_deadline_alerts(now=now), iterate_overdue))
    assert Notice.objects.count() == created

    calendar = WorkingCalendar()
    starts = [date(2026, 1, 1) + timedelta(days=rng.randrange(700)) for _ in range(100_000)]

    def working_days() -> None:
        for start_day in starts:
            calendar.add_working_days(start_day, 5)

    def weekdays_only() -> None:
        for start_day in starts:
            day, remaining = start_day, 5
            while remaining:
                day += timedelta(days=1)
                if day.weekday() < 5:
                    remaining -= 1

    report("100,000 deadlines of 5 working days (holidays, Tết)", compare(working_days, weekdays_only))


if __name__ == "__main__":
    main()
