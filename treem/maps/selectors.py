"""Reads of the maps domain, scoped to the requesting user.

``map_data`` is what the map page draws: for one source (an indicator…), year and level, the units of that level
in force on the year's reference date (31 December: 2024 on the 106 old communes or the 8 districts, 2026 on the
38 communes) that the user may see, each with its value from the engine, its shape (from the current boundary
sets, read through ``visible_to``) or, without one, a point to draw a proportional symbol at: the point inside an
uploaded shape if there is one, else the centroid of the bundled reference file (:data:`CENTROIDS_FILE`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from treem.core.access import UserLike, get_visible_or_404, visible_to
from treem.core.intake.models import ImportRecord
from treem.hierarchy.models import OrgUnit
from treem.indicators.engine import Unit, reference_date
from treem.indicators.selectors import Scope, default_year
from treem.maps.models import Boundary, BoundarySet
from treem.maps.permissions import MANAGE_BOUNDARIES, VIEW_MAPS
from treem.maps.services import KIND
from treem.maps.sources import MapSource, MapValue, sources_for
from treem.plans.models import Plan

CENTROIDS_FILE = Path(settings.BASE_DIR) / "reference_data" / "maps" / "laichau_centroids.csv"
LEVELS = ("commune", "district")


@dataclass(frozen=True)
class Centroid:
    in_force_on: date
    level: str
    code: str
    longitude: float
    latitude: float


@lru_cache(maxsize=1)
def bundled_centroids() -> tuple[Centroid, ...]:
    """The reference file's points (see ``reference_data/maps/PROVENANCE.md``)."""
    with CENTROIDS_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(Centroid(date.fromisoformat(row["in_force_on"]), row["level"], row["code"],
                              float(row["longitude"]), float(row["latitude"])) for row in csv.DictReader(handle))


def _bundled_point(unit: Unit) -> tuple[float, float] | None:
    for centroid in bundled_centroids():
        if centroid.code == unit.code and centroid.level == unit.level and unit.is_valid_on(centroid.in_force_on):
            return centroid.longitude, centroid.latitude
    return None


@dataclass
class MapUnit:
    unit: Unit
    value: MapValue | None
    url: str
    geometry: dict[str, Any] | None
    point: tuple[float, float] | None
    point_source: str  # "shape", "reference" or ""


@dataclass
class MapData:
    source: MapSource
    sources: list[MapSource]
    area: Unit
    year: int
    on: date
    level: str
    levels: list[str]
    units: list[MapUnit] = field(default_factory=list)

    @property
    def has_shapes(self) -> bool:
        return any(item.geometry is not None for item in self.units)

    @property
    def includes_demo(self) -> bool:
        return any(item.value is not None and item.value.includes_demo for item in self.units)


def levels_on(scope: Scope, *, on: date) -> list[str]:
    """The levels a map can be drawn at on ``on``: communes always, districts while they exist."""
    present = {unit.level for unit in scope.engine.hierarchy.valid_on(on)}
    return [level for level in LEVELS if level in present]


def map_data(user: UserLike, *, plan: Plan, source_key: str | None, year: int | None, level: str,
             unit_uid: str | None, today: date) -> MapData:
    """Everything the map page draws for one source, year and level (see the module's docstring)."""
    scope = Scope(user)
    sources = sources_for(plan)
    if not sources:
        raise ValidationError("Kế hoạch chưa có chỉ tiêu nào để vẽ bản đồ.")
    source = next((candidate for candidate in sources if candidate.key == source_key), sources[0])
    year = year or default_year(today=today)
    on = reference_date(year)
    levels = levels_on(scope, on=on)
    if level not in levels:
        raise ValidationError(f"Năm {year} không có đơn vị cấp này (từ 01/07/2025 không còn cấp huyện).")
    area = scope.area(unit_uid, today=on)
    if not area.is_valid_on(on):
        area = scope.default_area(today=on)
    units = [unit for unit in scope.engine.hierarchy.valid_on(on)
             if unit.level == level and unit.path.startswith(area.path) and scope.can_see(unit)]
    values = source.values(scope, units=units, year=year, on=on)
    shapes = {boundary.org_unit_id: boundary for boundary in
              visible_to(user, Boundary.objects.current().filter(org_unit_id__in=[unit.id for unit in units]),
                         capability=VIEW_MAPS).order_by("boundary_set__created_at", "pk")}
    result = []
    for unit in units:
        boundary = shapes.get(unit.id)
        point: tuple[float, float] | None
        if boundary is not None:
            point, point_source = (boundary.label_longitude, boundary.label_latitude), "shape"
        else:
            point = _bundled_point(unit)
            point_source = "reference" if point is not None else ""
        result.append(MapUnit(unit=unit, value=values.get(unit.id), url=source.unit_url(unit, year=year),
                              geometry=boundary.geometry if boundary is not None else None, point=point,
                              point_source=point_source))
    return MapData(source=source, sources=sources, area=area, year=year, on=on, level=level, levels=levels,
                   units=result)


def boundary_sets_for(user: UserLike) -> QuerySet[BoundarySet]:
    """Every set of shapes an administrator may manage (current and retired), newest first."""
    return visible_to(user, BoundarySet.objects.select_related("uploaded_by", "import_record"),
                      path_field="import_record__org_unit__path", capability=MANAGE_BOUNDARIES)


def boundary_upload_for(user: UserLike, record_id: int) -> ImportRecord:
    """One uploaded boundary file; the same 404 for missing and not yours."""
    return get_visible_or_404(user, ImportRecord.objects.filter(kind=KIND).select_related("org_unit"),
                              capability=MANAGE_BOUNDARIES, pk=record_id)


def boundary_uploads_for(user: UserLike) -> QuerySet[ImportRecord]:
    return visible_to(user, ImportRecord.objects.filter(kind=KIND).select_related("org_unit", "created_by"),
                      capability=MANAGE_BOUNDARIES)


def province_for(user: UserLike) -> OrgUnit | None:
    """The widest unit the administrator manages shapes for (the province)."""
    units = visible_to(user, OrgUnit.objects.filter(level="province"), path_field="path",
                       capability=MANAGE_BOUNDARIES).order_by("path")
    return units.first()
