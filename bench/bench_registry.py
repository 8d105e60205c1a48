"""Benchmarks of the child registry: importing a large commune file, and duplicate detection.

Run from the repository root: ``.venv/bin/python bench/bench_registry.py`` (``make bench`` runs it). It works on
its own SQLite database (``var/bench_registry.sqlite3``, recreated each run), never on the development database.

1. **Import**: a generated 100,000-row .xlsx with the mess of real commune files (title rows, dates typed in six
   ways, Excel date cells and serial numbers, names in capitals or lower case, 5 % typed in the TCVN3 font, IDs
   that lost their leading zero, variant sexes and ethnic names, impossible dates, 17-year-olds, unknown
   ethnicities, repeated rows) is imported end to end (``import_children_file``: read, standardise, match, create
   children with residences, guardians, special circumstances and one history event each, write the rejected
   rows, commit). The floor is reading the same file with python-calamine and bulk-inserting one row per line into
   the same table, in the same run. Goal: within 3× the floor.
   The same file is then imported again (every row updates or is rejected, nothing is created), for information.
2. **Duplicate detection** over the whole registry after seeding the full demo data (about 160,000 children under
   16 plus 40,000 historical records) on top of the imported children: more than 200,000 active children. The
   baseline is loading the same records. Goal: under 60 s.

Each step runs in a forked process, which reports its wall time and its peak resident memory.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))
DATABASE = REPOSITORY / "var" / "bench_registry.sqlite3"
WORKDIR = REPOSITORY / "var" / "bench_registry"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"  # no query logging

ROWS = int(os.environ.get("BENCH_REGISTRY_ROWS", "100000"))
COMMUNE = "03390"
AS_OF = dt.date(2026, 5, 1)
IMPORT_GOAL = 3.0
DUPLICATES_GOAL_SECONDS = 60.0


def _rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child_process(function: Callable[[], Any], queue: Any) -> None:
    import django
    from django.db import connections

    django.setup()
    connections.close_all()
    start_rss = _rss_mib()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, peak, peak - start_rss, result))


def measured(function: Callable[[], Any]) -> tuple[float, float, float, Any]:
    """Run ``function`` in a forked process: (seconds, peak RSS MiB, peak growth MiB, its result)."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child_process, args=(function, queue))
    process.start()
    result = queue.get()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"step failed with exit code {process.exitcode}")
    return result


# ----------------------------------------------------------------------------------------------------------
# The messy file
# ----------------------------------------------------------------------------------------------------------

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số định danh cá nhân", "Thôn/bản",
          "Họ tên cha/mẹ/người chăm sóc", "SĐT", "ĐKKS", "Nhóm HCĐB", "Khuyết tật"]
ETHNIC_SPELLINGS = {"HMông": ["Mông", "H'Mông", "HMông", "Mèo", "Hmong", "08"], "Thái": ["Thái", "thái", "03"],
                    "Dao": ["Dao", "Dao đỏ", "09"], "Kinh": ["Kinh", "kinh", "01"], "Giáy": ["Giáy", "25"],
                    "Hà Nhì": ["Hà Nhì", "Hà nhì"], "La Hủ": ["La Hủ"], "Lự": ["Lự"], "Khơ-mú": ["Khơ Mú", "Khơ-mú"],
                    "Mảng": ["Mảng"], "Cống": ["Cống"], "Si La": ["Si La"]}


def write_messy_file(path: Path, rows: int) -> dict[str, int]:
    """Write the benchmark file; returns how many rows of each planted kind it holds."""
    from openpyxl import Workbook

    from treem.core.intake.encodings import encode_tcvn3
    from treem.registry.demo import PEOPLES

    rng = random.Random(2026)
    villages = [f"Bản {a} {b}" for a, b in zip(("Nà", "Hon", "Pậu", "Sáng", "Lùng", "Chu", "Cang", "Mé"),
                                              ("Tăm", "Khoang", "Phiêng", "Thàng", "Vàng", "Pho", "Lếch", "Đán"),
                                              strict=True)]
    planted = {"bad_date": 0, "too_old": 0, "no_name": 0, "unknown_ethnicity": 0, "repeat": 0, "tcvn3": 0}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(["ỦY BAN NHÂN DÂN XÃ BÌNH LƯ"])
    sheet.append(["DANH SÁCH TRẺ EM DƯỚI 16 TUỔI (CẬP NHẬT THÁNG 5/2026)"])
    sheet.append([])
    sheet.append(HEADER)
    weights = [people.share for people in PEOPLES]
    previous: list[Any] | None = None
    for number in range(1, rows + 1):
        if previous is not None and rng.random() < 0.01:
            sheet.append([number, *previous[1:]])
            planted["repeat"] += 1
            continue
        people = rng.choices(PEOPLES, weights=weights)[0]
        sex = "M" if rng.random() < 0.515 else "F"
        middle = rng.choice(people.boy_middles if sex == "M" else people.girl_middles)
        given = rng.choice(people.boy_names if sex == "M" else people.girl_names)
        name = f"{rng.choice(people.families)} {middle} {given}"
        roll = rng.random()
        if roll < 0.05:
            name = encode_tcvn3(name)
            planted["tcvn3"] += 1
        elif roll < 0.15:
            name = name.upper()
        elif roll < 0.25:
            name = "  " + name.lower() + " "
        born = AS_OF - dt.timedelta(days=rng.randint(0, 16 * 365 - 10))
        roll = rng.random()
        birth: Any
        if roll < 0.4:
            birth = dt.datetime(born.year, born.month, born.day)
        elif roll < 0.7:
            birth = f"{born:%d/%m/%Y}"
        elif roll < 0.8:
            birth = f"{born.day}/{born.month}/{born:%y}"
        elif roll < 0.9:
            birth = born.isoformat()
        elif roll < 0.95:
            birth = (born - dt.date(1899, 12, 30)).days
        elif roll < 0.98:
            birth = f"{born:%m/%Y}"
        else:
            birth = str(born.year)
        roll = rng.random()
        if roll < 0.006:
            birth = f"31/02/{born.year}"
            planted["bad_date"] += 1
        elif roll < 0.012:
            birth = f"{born.day:02d}/{born.month:02d}/{AS_OF.year - 17}"
            planted["too_old"] += 1
        sex_cell = rng.choice(["Nam", "nam", "M", "1"] if sex == "M" else ["Nữ", "nữ", "nu", "F", "2"])
        ethnicity = rng.choice(ETHNIC_SPELLINGS.get(people.ethnic_name, [people.ethnic_name]))
        if rng.random() < 0.004:
            ethnicity = "Kinhh"
            planted["unknown_ethnicity"] += 1
        century = (born.year // 100 - 19) * 2 + (0 if sex == "M" else 1)
        digits = f"012{century}{born.year % 100:02d}{rng.randint(0, 999_999):06d}"
        roll = rng.random()
        personal_id: Any = "" if roll < 0.1 else (int(digits) if roll < 0.4 else digits)
        if rng.random() < 0.004:
            name = ""
            planted["no_name"] += 1
        guardian = f"{rng.choice(people.families)} {rng.choice(people.boy_middles)} {rng.choice(people.boy_names)}"
        phone = f"09{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.6 else ""
        row = [number, name, birth, sex_cell, ethnicity, personal_id, rng.choice(villages), guardian, phone,
               rng.choice(["x", "Có", "có", "1", "", "Không"]), "d" if rng.random() < 0.01 else "",
               "x" if rng.random() < 0.01 else ""]
        sheet.append(row)
        previous = row
    workbook.save(path)
    return planted


# ----------------------------------------------------------------------------------------------------------
# Steps (each runs in its own process)
# ----------------------------------------------------------------------------------------------------------


def floor_read_and_insert(path: Path) -> int:
    """python-calamine reads the file; each data line becomes one child row, bulk-inserted in batches."""
    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from treem.hierarchy.selectors import unit_with_code_on
    from treem.registry.models import Child

    commune = unit_with_code_on(code=COMMUNE, on=AS_OF)
    workbook = CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_index(0).iter_rows()
    inserted = 0
    batch: list[Child] = []
    with transaction.atomic():
        for number, cells in enumerate(rows, start=1):
            if number <= 4 or not cells or cells[1] in ("", None):
                continue
            born = cells[2] if isinstance(cells[2], dt.date) else AS_OF
            batch.append(Child(full_name=str(cells[1])[:150], name_folded=str(cells[1])[:150].lower(),
                               birth_date=born if not isinstance(born, dt.datetime) else born.date(), sex="M",
                               commune=commune))
            if len(batch) == 2000:
                Child.objects.bulk_create(batch)
                inserted += len(batch)
                batch = []
        Child.objects.bulk_create(batch)
        inserted += len(batch)
        transaction.set_rollback(True)
    return inserted


def import_end_to_end(path: Path) -> dict[str, Any]:
    from treem.hierarchy.selectors import unit_with_code_on
    from treem.registry.imports import import_children_file

    commune = unit_with_code_on(code=COMMUNE, on=AS_OF)
    assert commune is not None
    summary = import_children_file(actor=None, path=path, commune=commune, as_of=AS_OF,
                                   rejected_path=WORKDIR / "tu-choi.xlsx")
    return summary.as_dict()


def seed_full_demo() -> int:
    from treem.registry.demo import seed_children
    from treem.registry.models import Child

    seed_children(size=os.environ.get("BENCH_REGISTRY_DEMO_SIZE", "full"), stdout=lambda message: None,
                  find_duplicates=False)
    return Child.objects.active().count()


def load_records() -> int:
    from treem.registry.duplicates import load_candidates

    return len(load_candidates())


def detect_all() -> dict[str, int]:
    from treem.registry.duplicates import detect_duplicates

    result = detect_duplicates()
    return {"children": result.children, "pairs": result.found, "new": result.created}


def main() -> None:
    import django
    from django.core.management import call_command

    WORKDIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_reference", quiet=True)

    path = WORKDIR / "danh-sach-100000.xlsx"
    started = time.perf_counter()
    planted = write_messy_file(path, ROWS)
    print(f"generated {ROWS:,} rows ({path.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - started:.1f} s;"
          f" planted: {planted}")

    floor_seconds, floor_peak, floor_growth, inserted = measured(lambda: floor_read_and_insert(path))
    print(f"floor  (calamine read + bulk insert of {inserted:,} rows): {floor_seconds:6.1f} s, peak RSS "
          f"{floor_peak:.0f} MiB (+{floor_growth:.0f})")
    seconds, peak, growth, summary = measured(lambda: import_end_to_end(path))
    print(f"import (end to end, {summary['rows']:,} rows: {summary['created']:,} created, {summary['updated']:,} "
          f"updated, {summary['rejected']:,} rejected, {summary['possible_duplicates']:,} possible duplicates): "
          f"{seconds:6.1f} s, peak RSS {peak:.0f} MiB (+{growth:.0f})")
    assert summary["rows"] == summary["created"] + summary["updated"] + summary["rejected"]
    ratio = seconds / floor_seconds
    print(f"import / floor = {ratio:.2f}× (goal ≤ {IMPORT_GOAL:.0f}×) – {'met' if ratio <= IMPORT_GOAL else 'NOT met'}")
    again_seconds, again_peak, _, again = measured(lambda: import_end_to_end(path))
    print(f"import of the same file again: {again['created']:,} created, {again['updated']:,} updated "
          f"({again['changed']:,} changed), {again['rejected']:,} rejected: {again_seconds:6.1f} s "
          f"({again_seconds / floor_seconds:.2f}× the floor), peak RSS {again_peak:.0f} MiB")
    assert again["created"] == 0

    if os.environ.get("BENCH_REGISTRY_SKIP_DUPLICATES"):
        return
    seed_seconds, _, _, active = measured(seed_full_demo)
    print(f"seeded the full demo registry in {seed_seconds:.0f} s: {active:,} active children in all")
    load_seconds, load_peak, _, loaded = measured(load_records)
    print(f"baseline (loading {loaded:,} records for comparison): {load_seconds:6.1f} s, peak RSS {load_peak:.0f} MiB")
    dup_seconds, dup_peak, dup_growth, found = measured(detect_all)
    print(f"duplicate detection over {found['children']:,} children: {dup_seconds:6.1f} s, peak RSS {dup_peak:.0f} MiB "
          f"(+{dup_growth:.0f}); {found['pairs']:,} candidate pairs")
    print(f"detection / loading = {dup_seconds / load_seconds:.1f}×; goal under {DUPLICATES_GOAL_SECONDS:.0f} s – "
          f"{'met' if dup_seconds < DUPLICATES_GOAL_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    main()
