"""What each page of the load mix costs on its own: CPU and wall time per request, and SQL queries, served in
process (no network, no queueing) from the bench database. Beside the load run it tells how many requests a second
the machine's cores can serve (cores ÷ CPU per request), and so where the load breaks.

Usage: DATABASE_URL=postgres://…/treem_bench_load .venv/bin/python bench/load/page_costs.py [REPEATS]
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from treem.accounts.models import User  # noqa: E402
from treem.protection.models import Case  # noqa: E402
from treem.reporting.models import ReportingCycle, Submission  # noqa: E402
from treem.reporting.services import execute_consolidated_build, request_consolidated_build  # noqa: E402

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def pages() -> list[tuple[str, str, str]]:
    cycle = ReportingCycle.objects.order_by("-year").first()
    assert cycle is not None, "run seed_demo on the bench database first"
    own = Submission.objects.filter(cycle=cycle, org_unit__code="03390", agency__isnull=True).first()
    submitted = Submission.objects.filter(cycle=cycle).exclude(status="not_started").first()
    case = Case.objects.filter(org_unit__code="03390").first()
    found = [("/healthz", "demo_leader", "/healthz"),
             ("trang tổng quan", "demo_leader", "/"),
             ("chỉ tiêu: thẻ", "demo_leader", "/chi-tieu/"),
             ("chỉ tiêu: chi tiết", "demo_leader", "/chi-tieu/I05/"),
             ("báo cáo tổng hợp: trang", "demo_leader", f"/bao-cao/nam/{cycle.year}/tong-hop/"),
             ("báo cáo tổng hợp (xlsx)", "demo_leader", f"/bao-cao/nam/{cycle.year}/tong-hop.xlsx"),
             ("bảng tình hình báo cáo", "demo_coordinator", f"/bao-cao/nam/{cycle.year}/"),
             ("ngày cân: mở", "demo_commune", "/dinh-duong/ngay-can/"),
             ("trẻ em: danh sách", "demo_commune", "/tre-em/"),
             ("trường hợp: mẫu mới", "demo_caseworker", "/bao-ve/truong-hop/moi/")]
    if own is not None:
        found.append(("báo cáo xã: mở", "demo_commune", f"/bao-cao/bao-cao/{own.pk}/"))
    if submitted is not None:
        found.append(("xem xét: mở báo cáo", "demo_coordinator", f"/bao-cao/bao-cao/{submitted.pk}/"))
    if case is not None:
        found.append(("trường hợp: mở", "demo_caseworker", f"/bao-ve/truong-hop/{case.pk}/"))
    return found


def consolidated_build_cpu() -> float:
    """The consolidated report's build (the worker's job, not a page): one build for the leader, CPU ms."""
    leader = User.objects.get(username="demo_leader")
    cycle = ReportingCycle.objects.order_by("-year").first()
    build, _is_new = request_consolidated_build(actor=leader, cycle=cycle)
    cpu = time.process_time()
    execute_consolidated_build(build.pk)
    return 1000 * (time.process_time() - cpu)


def main() -> None:
    clients: dict[str, Client] = {}
    print(f"{'page':32} {'status':>6} {'CPU ms':>8} {'wall ms':>8} {'queries':>8} {'CPU/healthz':>11}")
    baseline = None
    started = time.perf_counter()
    for label, username, url in pages():
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        client.get(url)  # warm caches, as a running server has them
        cpu_total = wall_total = 0.0
        with CaptureQueriesContext(connection) as queries:
            for _ in range(REPEATS):
                cpu, wall = time.process_time(), time.perf_counter()
                response = client.get(url)
                cpu_total += time.process_time() - cpu
                wall_total += time.perf_counter() - wall
        cpu_ms, wall_ms = 1000 * cpu_total / REPEATS, 1000 * wall_total / REPEATS
        baseline = baseline or cpu_ms
        print(f"{label:32} {response.status_code:>6} {cpu_ms:>8.1f} {wall_ms:>8.1f} "
              f"{len(queries) // REPEATS:>8} {cpu_ms / baseline:>10.1f}×")
    build_cpu = consolidated_build_cpu()
    print(f"{'(worker) lập báo cáo tổng hợp':32} {'':>6} {build_cpu:>8.1f}   — built once, in the background job")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {time.perf_counter() - started:.1f} s, peak memory {peak:.0f} MiB, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
