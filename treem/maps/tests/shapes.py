"""Synthetic boundary files for tests and the benchmark: made-up shapes, never real boundaries.

The units are laid on a grid of cells over Lai Châu's longitudes and latitudes. Every border between two cells is
one wiggly line with ``vertices_per_edge`` points, shared exactly by both cells (a clean coverage, as official
boundaries are), so a commune has about ``4 × vertices_per_edge`` vertices.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Sequence
from typing import Any

import shapefile

WEST, SOUTH, CELL = 102.3, 21.7, 0.14


def _edge(start: tuple[float, float], end: tuple[float, float], *, points: int, seed: int) -> list[list[float]]:
    """A deterministic wiggly line from ``start`` to ``end`` (both ends exact)."""
    (x0, y0), (x1, y1) = start, end
    line = []
    for step in range(points):
        t = step / (points - 1)
        wiggle = 0.0
        if 0 < step < points - 1:
            wiggle = CELL * 0.04 * math.sin(t * math.pi * 7 + seed) * math.sin(t * math.pi)
        # the wiggle goes across the edge: along y for a horizontal edge, along x for a vertical one
        dx, dy = (0.0, wiggle) if y0 == y1 else (wiggle, 0.0)
        line.append([x0 + (x1 - x0) * t + dx, y0 + (y1 - y0) * t + dy])
    return line


def grid_rings(count: int, *, vertices_per_edge: int = 6) -> list[list[list[float]]]:
    """Closed rings (lon, lat) of ``count`` cells of a grid, neighbours sharing their borders exactly."""
    columns = max(1, math.ceil(math.sqrt(count)))
    corners = {(i, j): (WEST + i * CELL, SOUTH + j * CELL) for i in range(columns + 1) for j in range(columns + 1)}
    edges: dict[tuple[tuple[int, int], tuple[int, int]], list[list[float]]] = {}

    def edge(a: tuple[int, int], b: tuple[int, int]) -> list[list[float]]:
        key = (a, b) if a < b else (b, a)
        if key not in edges:
            seed = key[0][0] * 31 + key[0][1] * 17 + key[1][0] * 7 + key[1][1]
            edges[key] = _edge(corners[key[0]], corners[key[1]], points=vertices_per_edge, seed=seed)
        line = edges[key]
        return line if key == (a, b) else list(reversed(line))

    rings = []
    for position in range(count):
        i, j = position % columns, position // columns
        a, b, c, d = (i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)
        ring: list[list[float]] = []
        for start, end in ((a, b), (b, c), (c, d), (d, a)):
            ring.extend(edge(start, end)[:-1])
        ring.append(ring[0])
        rings.append(ring)
    return rings


def feature_collection(units: Sequence[Any], *, vertices_per_edge: int = 6, code_key: str = "ma",
                       extra: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A GeoJSON FeatureCollection with one polygon per unit (``code`` and ``name`` attributes)."""
    features = [{"type": "Feature", "properties": {code_key: unit.code, "ten": unit.name},
                 "geometry": {"type": "Polygon", "coordinates": [ring]}}
                for unit, ring in zip(units, grid_rings(len(units), vertices_per_edge=vertices_per_edge), strict=True)]
    return {"type": "FeatureCollection", "features": [*features, *extra]}


def geojson_bytes(collection: dict[str, Any]) -> bytes:
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


WGS84_PRJ = ('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
             'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')
VN2000_UTM_PRJ = ('PROJCS["VN_2000_UTM_Zone_48N",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",'
                  'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
                  'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],UNIT["Meter",1.0]]')


def zipped_shapefile(collection: dict[str, Any], *, prj: str | None = WGS84_PRJ, name: str = "ranh-gioi") -> bytes:
    """The same features as a zipped Shapefile (.shp, .shx, .dbf, and .prj/.cpg), written with pyshp."""
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding="utf-8") as writer:
        writer.field("MA_XA", "C", size=10)
        writer.field("TEN_XA", "C", size=80)
        for feature in collection["features"]:
            properties = feature["properties"]
            writer.record(str(properties.get("ma", "")), str(properties.get("ten", "")))
            writer.poly(feature["geometry"]["coordinates"])
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(f"{name}.shp", shp.getvalue())
        bundle.writestr(f"{name}.shx", shx.getvalue())
        bundle.writestr(f"{name}.dbf", dbf.getvalue())
        bundle.writestr(f"{name}.cpg", "UTF-8")
        if prj is not None:
            bundle.writestr(f"{name}.prj", prj)
    return archive.getvalue()
