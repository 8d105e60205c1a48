"""Benchmark of the map page's data for Lai Châu's 106 old communes with shapes of realistic detail.

Run from the repository root: ``.venv/bin/python bench/bench_maps.py [--vertices 2000]``. It builds a throw-away
SQLite database in a temporary directory (migrations, reference data, the Lai Châu plan, entered values for every
commune in 2024), stores a synthetic boundary file of the 106 communes (about ``--vertices`` vertices each, borders
shared exactly between neighbours, as official boundaries are) through the upload service, and prints:

- **payload**: the bytes of the map's JSON (``/ban-do/du-lieu.json``: shapes simplified and rounded, values) and,
  as baselines, the same JSON with the unsimplified shapes and a plain JSON dump of the values alone;
- **render data time**: building that JSON for a province leader (``map_data`` + ``map_payload``: the engine's
  figures, the shapes read through ``visible_to``), against a baseline measured in the same run — the engine's
  figures alone for the same units (what the indicator pages already pay);
- the time to take in the file (check, simplify, store), against reading and parsing the file alone.

Each figure and its baseline run in turn, three times, best kept; peak memory traced in one further run of each.
"""

from __future__ import annotations

import argparse
import json
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

YEAR, OLD_DAY = 2024, date(2025, 6, 30)


def compare(function: Callable[[], Any], baseline: Callable[[], Any], *, rounds: int = 3
            ) -> tuple[tuple[float, float], tuple[float, float]]:
    best, best_baseline = float("inf"), float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        baseline()
        best_baseline = min(best_baseline, time.perf_counter() - start)
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return (best, traced_peak(function)), (best_baseline, traced_peak(baseline))


def traced_peak(function: Callable[[], Any]) -> float:
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
    parser.add_argument("--vertices", type=int, default=2000, help="vertices per commune before simplification")
    options = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="treem-bench-maps-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{workdir}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = f"{workdir}/media"
    call_command("migrate", verbosity=0)
    call_command("load_reference", quiet=True)
    call_command("load_plan", str(REPOSITORY / "reference_data" / "plans" / "lai-chau-2024.yaml"), quiet=True)
    run(options.vertices)


def run(vertices: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from treem.accounts.models import Assignment, User
    from treem.core.roles import Role
    from treem.hierarchy.models import OrgUnit
    from treem.indicators.engine import Engine, reference_date
    from treem.indicators.tests.helpers import fill
    from treem.maps.geometry import read_boundary_file
    from treem.maps.selectors import map_data
    from treem.maps.services import upload_boundaries
    from treem.maps.tests.shapes import feature_collection, geojson_bytes
    from treem.maps.views import map_payload
    from treem.plans.models import Indicator, Plan

    fill(years=range(YEAR, YEAR + 1))
    province = OrgUnit.objects.get(level="province", code="12")
    admin = User.objects.create(username="quan_tri_bench")
    Assignment.objects.create(user=admin, role=Role.ADMIN, org_unit=province)
    leader = User.objects.create(username="lanh_dao_bench")
    Assignment.objects.create(user=leader, role=Role.LEADER, org_unit=province)
    communes = list(OrgUnit.objects.valid_on(OLD_DAY).of_level("commune").order_by("path"))
    collection = feature_collection(communes, vertices_per_edge=max(3, vertices // 4 + 1))
    content = geojson_bytes(collection)
    raw_vertices = sum(len(feature["geometry"]["coordinates"][0]) for feature in collection["features"])
    print(f"{len(communes)} communes, {raw_vertices / len(communes):,.0f} vertices each on average, "
          f"file {len(content) / 2**20:.1f} MiB")

    def upload() -> Any:
        return upload_boundaries(actor=admin, upload=SimpleUploadedFile("ranh-gioi.geojson", content),
                                 province=province, hierarchy_on=OLD_DAY)

    stored_path = Path(os.environ["MEDIA_ROOT"]) / "parse-only.geojson"
    stored_path.parent.mkdir(parents=True, exist_ok=True)
    stored_path.write_bytes(content)
    report("take in the file (check, simplify, store 106 + 8 districts)",
           compare(upload, lambda: read_boundary_file(stored_path), rounds=2))

    plan = Plan.objects.get()
    indicator = Indicator.objects.get(code="I05")
    today = timezone.localdate()

    def render_data() -> bytes:
        data = map_data(leader, plan=plan, source_key="indicator:I05", year=YEAR, level="commune", unit_uid=None,
                        today=today)
        return json.dumps(map_payload(data), separators=(",", ":")).encode()

    def engine_only() -> None:
        engine = Engine()
        on = reference_date(YEAR)
        units = [unit.id for unit in engine.hierarchy.valid_on(on) if unit.level == "commune"]
        engine.figures(indicator, years=[YEAR], on=on, areas=units)

    payload = render_data()
    document = json.loads(payload)
    values_only = json.dumps([{key: unit[key] for key in ("uid", "value", "numerator", "denominator", "communes")}
                              for unit in document["units"]], separators=(",", ":")).encode()
    by_uid = {unit.uid: index for index, unit in enumerate(communes)}
    unsimplified = dict(document)
    unsimplified["geojson"] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": feature["id"], "properties": {},
         "geometry": collection["features"][by_uid[feature["id"]]]["geometry"]}
        for feature in document["geojson"]["features"]]}
    unsimplified_bytes = len(json.dumps(unsimplified, separators=(",", ":")).encode())
    sent_vertices = sum(len(feature["geometry"]["coordinates"][0]) for feature in document["geojson"]["features"])
    print(f"payload: {len(payload) / 1024:8.1f} KiB ({sent_vertices / len(communes):,.0f} vertices a commune)   "
          f"unsimplified {unsimplified_bytes / 1024:8.1f} KiB (ratio {len(payload) / unsimplified_bytes:.3f})   "
          f"values alone {len(values_only) / 1024:6.1f} KiB (ratio {len(payload) / len(values_only):.1f})")
    report("render data: map_data + JSON for 106 communes", compare(render_data, engine_only))


if __name__ == "__main__":
    main()
