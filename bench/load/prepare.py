"""Writes what the load scenario needs to know about the bench database (run with the project's virtualenv).

Usage: DATABASE_URL=postgres://…/treem_bench_load .venv/bin/python bench/load/prepare.py OUTPUT.json
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from treem.hierarchy.models import OrgUnit  # noqa: E402
from treem.reporting.models import ReportingCycle, Submission  # noqa: E402

COMMUNE = "03390"


def import_file(path: Path, rows: int) -> None:
    """A commune's child list large enough to run as a background job."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["STT", "Họ và tên", "Ngày sinh", "GT", "Dân tộc", "Thôn/bản", "Họ tên cha/mẹ/người chăm sóc"])
        for number in range(1, rows + 1):
            writer.writerow([number, f"Lò Văn Tải {number:05d}", f"{1 + number % 28:02d}/{1 + number % 12:02d}/2018",
                             "Nam" if number % 2 else "Nữ", "Thái", "Bản Nà Tăm", f"Lò Văn Bố {number:05d}"])


def main() -> None:
    output = Path(sys.argv[1])
    cycle = ReportingCycle.objects.order_by("-year").first()
    if cycle is None:
        raise SystemExit("The bench database has no reporting cycle: run seed_demo on it first.")
    commune = OrgUnit.objects.get(code=COMMUNE, valid_to__isnull=True)
    own = Submission.objects.filter(cycle=cycle, org_unit=commune, agency__isnull=True).first()
    submitted = list(Submission.objects.filter(cycle=cycle, status="submitted").values_list("pk", flat=True))
    csv_path = output.with_name("import-children.csv")
    import_file(csv_path, rows=8000)  # over 512 KB: a background job, as a large commune list is
    facts = {"year": cycle.year, "commune_submission": own.pk if own else None, "submitted": submitted,
             "commune_pk": commune.pk, "import_file": str(csv_path)}
    output.write_text(json.dumps(facts))
    print(json.dumps({key: value for key, value in facts.items() if key != "submitted"}
                     | {"submitted": len(submitted)}))


if __name__ == "__main__":
    main()
