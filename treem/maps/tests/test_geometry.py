"""Reading and simplifying shapes: shared borders stay shared, vertices shrink, coordinates are rounded."""

from __future__ import annotations

from pathlib import Path

import shapely
from shapely.geometry import Polygon, shape

from treem.maps.geometry import (
    _prj_problem,
    browser_geometry,
    browser_vertices,
    read_boundary_file,
    simplify_coverage,
    vertex_count,
)
from treem.maps.tests.shapes import VN2000_UTM_PRJ, WGS84_PRJ, grid_rings


def _cells(count: int = 9, vertices_per_edge: int = 400) -> list[Polygon]:
    return [Polygon(ring) for ring in grid_rings(count, vertices_per_edge=vertices_per_edge)]


def test_simplifying_a_coverage_shrinks_the_vertices_and_keeps_neighbours_sharing_their_border() -> None:
    cells = _cells()
    simplified = simplify_coverage(cells)
    before = sum(vertex_count(cell) for cell in cells)
    after = sum(vertex_count(cell) for cell in simplified)
    assert after * 5 < before
    assert bool(shapely.coverage_is_valid(simplified))  # no overlaps appeared
    # the shared border of cells 0 and 1 is one line in both: their intersection is a line, not an area or a gap
    shared = simplified[0].intersection(simplified[1])
    assert shared.geom_type in ("LineString", "MultiLineString") and shared.length > 0.1
    total = shapely.union_all(cells).area
    assert abs(shapely.union_all(simplified).area - total) < 0.01 * total
    for original, simple in zip(cells, simplified, strict=True):
        assert simple.is_valid
        assert abs(simple.area - original.area) < 0.05 * original.area


def test_overlapping_shapes_are_simplified_one_by_one_and_stay_valid() -> None:
    first, second = _cells(2)
    overlapping = [first, shapely.affinity.translate(second, xoff=-0.03)]
    assert not bool(shapely.coverage_is_valid(overlapping))
    simplified = simplify_coverage(overlapping)
    assert all(shape.is_valid for shape in simplified)
    assert sum(vertex_count(shape) for shape in simplified) < sum(vertex_count(shape) for shape in overlapping) / 5


def test_the_browsers_geometry_has_rounded_coordinates_and_no_repeated_points() -> None:
    document = browser_geometry(Polygon([(103.123456, 22.1), (103.12346, 22.1), (103.5, 22.1), (103.5, 22.5),
                                         (103.123456, 22.1)]))
    ring = document["coordinates"][0]
    assert all(round(x, 4) == x and round(y, 4) == y for x, y in ring)
    assert all(ring[i] != ring[i + 1] for i in range(len(ring) - 1))
    assert browser_vertices(document) == len(ring)
    assert shape(document).is_valid
    assert not shapely.is_ccw(shape(document).exterior)  # clockwise, as d3-geo (plotly.js) wants


def test_a_prj_in_metres_is_a_wrong_coordinate_system_and_wgs84_is_right() -> None:
    assert "VN_2000_UTM_ZONE_48N" in _prj_problem(VN2000_UTM_PRJ)
    assert _prj_problem(WGS84_PRJ) == ""


def test_a_geojson_naming_another_crs_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.geojson"
    path.write_text('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
                    '"urn:ogc:def:crs:EPSG::3405"}}, "features": []}')
    assert "EPSG::3405" in read_boundary_file(path).crs_problem
    path.write_text('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
                    '"urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": []}')
    assert read_boundary_file(path).crs_problem == ""
