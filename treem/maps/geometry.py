"""Reading boundary files and preparing their shapes for the browser.

- **Reading**: GeoJSON (a FeatureCollection, or a single Feature) or a zipped Shapefile (``.shp`` + ``.dbf``, and a
  ``.prj`` when there is one), read with pyshp: pure Python, no GDAL. Each feature comes out as a
  :class:`SourceFeature`: its position in the file, its attributes and its shape as a shapely geometry (or the reason
  it has none).
- **Coordinate system**: shapes must be in WGS 84 longitude/latitude (EPSG:4326, the GeoJSON standard). A ``.prj``
  naming a projection (VN-2000 / UTM, Web Mercator…), a GeoJSON ``crs`` member naming another system, or
  coordinates outside −180…180 / −90…90 (metres, not degrees) are refused: nothing is reprojected, since a wrong
  guess would silently move every commune.
- **Simplification** for the browser: the communes' shapes are simplified *together*
  (``shapely.coverage_simplify``, Visvalingam–Whyatt over the coverage), so a border shared by two communes is
  simplified once and both keep the same line: no gaps or overlaps appear between neighbours. A set that is not a
  clean coverage (overlapping shapes) falls back to simplifying each shape alone with topology preserved.
  Coordinates are then rounded (:data:`COORDINATE_DECIMALS`, about 11 m).
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapefile
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from treem.core.intake.errors import ImportRefused

BOUNDARY_SUFFIXES = (".geojson", ".json", ".zip")
# Visvalingam–Whyatt tolerance, in degrees (about 90 m in Lai Châu): a commune of a few thousand vertices keeps a
# few hundred, enough for a map of the province on a screen or an A4 page.
SIMPLIFY_TOLERANCE = 0.0008
COORDINATE_DECIMALS = 4
GEOGRAPHIC_CRS_NAMES = ("crs84", "epsg::4326", "epsg:4326", "wgs84", "wgs 84", "wgs_1984")


@dataclass
class SourceFeature:
    """One feature as read from the file (``index`` counts from 1, as an officer counts)."""

    index: int
    properties: dict[str, Any]
    geometry: BaseGeometry | None
    problems: list[str] = field(default_factory=list)


@dataclass
class SourceFile:
    features: list[SourceFeature]
    crs_problem: str = ""


def read_boundary_file(path: Path) -> SourceFile:
    """The features of a GeoJSON or zipped Shapefile; ``ImportRefused`` for a file that is neither."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zipped_shapefile(path)
    if suffix in (".geojson", ".json"):
        return _read_geojson(path.read_bytes())
    raise ImportRefused("Chỉ nhận tệp GeoJSON (.geojson, .json) hoặc Shapefile nén (.zip).")


# -- GeoJSON --------------------------------------------------------------------------------------------------


def _read_geojson(data: bytes) -> SourceFile:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused("Tệp không phải GeoJSON hợp lệ (không đọc được JSON).") from error
    if not isinstance(document, dict):
        raise ImportRefused("Tệp không phải GeoJSON: cần một FeatureCollection.")
    if document.get("type") == "Feature":
        raw_features: list[Any] = [document]
    elif document.get("type") == "FeatureCollection" and isinstance(document.get("features"), list):
        raw_features = document["features"]
    else:
        raise ImportRefused("Tệp không phải GeoJSON: cần một FeatureCollection.")
    crs_problem = _geojson_crs_problem(document.get("crs"))
    features = []
    for index, raw in enumerate(raw_features, start=1):
        properties = raw.get("properties") if isinstance(raw, dict) else None
        feature = SourceFeature(index=index, properties=dict(properties or {}), geometry=None)
        raw_geometry = raw.get("geometry") if isinstance(raw, dict) else None
        if not raw_geometry:
            feature.problems.append("Đối tượng không có hình (geometry rỗng).")
        else:
            try:
                feature.geometry = shape(raw_geometry)
            except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
                feature.problems.append("Hình không đọc được (sai cấu trúc tọa độ GeoJSON).")
        features.append(feature)
    return SourceFile(features=features, crs_problem=crs_problem)


def _geojson_crs_problem(crs: Any) -> str:
    """The old GeoJSON ``crs`` member (2008 draft); the standard (RFC 7946) has none and means WGS 84."""
    if not crs:
        return ""
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else str(crs)
    if any(known in name.lower() for known in GEOGRAPHIC_CRS_NAMES):
        return ""
    return (f"Hệ tọa độ của tệp là “{name}”, không phải WGS 84 kinh độ/vĩ độ (EPSG:4326). Hãy xuất lại tệp "
            "theo WGS 84.")


# -- Shapefile ------------------------------------------------------------------------------------------------


def _read_zipped_shapefile(path: Path) -> SourceFile:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ImportRefused("Tệp .zip bị hỏng hoặc không phải tệp nén.") from error
    with archive:
        names = [name for name in archive.namelist() if not name.endswith("/") and "__MACOSX" not in name]
        shp = next((name for name in names if name.lower().endswith(".shp")), None)
        if shp is None:
            raise ImportRefused("Tệp nén không có Shapefile (.shp).")
        stem = shp[:-4]
        parts = {name[len(stem):].lower(): name for name in names if name.startswith(stem)}
        if ".dbf" not in parts or ".shx" not in parts:
            raise ImportRefused("Shapefile thiếu tệp .dbf hoặc .shx đi kèm.")
        crs_problem = _prj_problem(archive.read(parts[".prj"]).decode("latin-1")) if ".prj" in parts else ""
        encoding = "utf-8"
        if ".cpg" in parts:
            encoding = archive.read(parts[".cpg"]).decode("ascii", "ignore").strip() or "utf-8"
        try:
            reader = shapefile.Reader(shp=io.BytesIO(archive.read(shp)), dbf=io.BytesIO(archive.read(parts[".dbf"])),
                                      shx=io.BytesIO(archive.read(parts[".shx"])), encoding=encoding,
                                      encodingErrors="replace")
            records = list(reader.iterShapeRecords())
        except (shapefile.ShapefileException, ValueError, LookupError, struct.error) as error:
            raise ImportRefused("Không đọc được Shapefile trong tệp nén.") from error
    features = []
    for index, record in enumerate(records, start=1):
        feature = SourceFeature(index=index, properties=dict(record.record.as_dict()), geometry=None)
        interface = record.shape.__geo_interface__
        if not interface or not interface.get("coordinates"):
            feature.problems.append("Đối tượng không có hình (geometry rỗng).")
        else:
            try:
                feature.geometry = shape(interface)
            except (ValueError, TypeError, shapely.errors.GEOSException):
                feature.problems.append("Hình không đọc được.")
        features.append(feature)
    return SourceFile(features=features, crs_problem=crs_problem)


def _prj_problem(prj: str) -> str:
    """A .prj in WKT: a PROJCS is projected (metres); a GEOGCS must be WGS 84."""
    text = prj.strip().upper()
    if not text:
        return ""
    if text.startswith("PROJCS") or "PROJECTION[" in text:
        name = text.split('"')[1] if '"' in text else "hệ tọa độ phẳng"
        return (f"Tệp .prj cho biết tọa độ phẳng ({name}), không phải WGS 84 kinh độ/vĩ độ (EPSG:4326). Hãy "
                "chuyển sang WGS 84 trước khi tải lên.")
    if "WGS" in text and "84" in text:
        return ""
    return "Tệp .prj không phải WGS 84 kinh độ/vĩ độ (EPSG:4326). Hãy chuyển sang WGS 84 trước khi tải lên."


# -- checks ---------------------------------------------------------------------------------------------------


def geometry_problems(geometry: BaseGeometry) -> list[str]:
    """Why a shape cannot be a commune's boundary: not an area, empty, outside lon/lat ranges, or invalid."""
    if not isinstance(geometry, Polygon | MultiPolygon):
        return [f"Hình phải là vùng (Polygon/MultiPolygon), không phải {geometry.geom_type}."]
    if geometry.is_empty:
        return ["Hình rỗng."]
    min_x, min_y, max_x, max_y = geometry.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        return ["Tọa độ nằm ngoài kinh độ −180…180 / vĩ độ −90…90: có lẽ là tọa độ phẳng (mét), không phải "
                "WGS 84."]
    if not geometry.is_valid:
        return [f"Hình không hợp lệ: {explain_validity(geometry)}."]
    return []


# -- simplification -------------------------------------------------------------------------------------------


def vertex_count(geometry: BaseGeometry) -> int:
    return int(shapely.get_num_coordinates(geometry))


def simplify_coverage(geometries: Sequence[BaseGeometry], *, tolerance: float = SIMPLIFY_TOLERANCE
                      ) -> list[BaseGeometry]:
    """The shapes simplified together, shared borders kept shared; each alone when they overlap."""
    if not geometries:
        return []
    if bool(shapely.coverage_is_valid(list(geometries))):
        simplified = list(shapely.coverage_simplify(list(geometries), tolerance))
    else:
        simplified = [geometry.simplify(tolerance, preserve_topology=True) for geometry in geometries]
    pairs = zip(simplified, geometries, strict=True)
    return [result if not result.is_empty else original for result, original in pairs]


def union_coverage(geometries: Iterable[BaseGeometry]) -> BaseGeometry:
    """The union of communes' shapes (a district from its communes)."""
    parts = list(geometries)
    if bool(shapely.coverage_is_valid(parts)):
        return shapely.coverage_union_all(parts)
    return shapely.union_all(parts)


def browser_geometry(geometry: BaseGeometry, *, decimals: int = COORDINATE_DECIMALS) -> dict[str, Any]:
    """GeoJSON geometry with rounded coordinates and no repeated points (what the page downloads), its outer rings
    clockwise: plotly.js draws with d3-geo, which takes a counter-clockwise ring (RFC 7946's order) on the sphere
    as the whole globe but that polygon."""
    rounded = shapely.set_precision(geometry, 10 ** -decimals, mode="pointwise")
    if rounded.is_empty:
        rounded = geometry
    rounded = shapely.orient_polygons(rounded, exterior_cw=True)
    document = mapping(rounded)
    return {"type": document["type"], "coordinates": _round(document["coordinates"], decimals)}


def _round(value: Any, decimals: int) -> Any:
    if isinstance(value, (int, float)):
        return round(float(value), decimals)
    if value and isinstance(value[0], (int, float)):
        return [round(float(number), decimals) for number in value[:2]]
    rounded = [_round(item, decimals) for item in value]
    if rounded and isinstance(rounded[0], list) and rounded[0] and isinstance(rounded[0][0], float):
        return [point for position, point in enumerate(rounded) if position == 0 or point != rounded[position - 1]]
    return rounded


def label_point(geometry: BaseGeometry) -> tuple[float, float]:
    """A point inside the shape (for a symbol or a label): (longitude, latitude)."""
    point = geometry.point_on_surface()
    return round(point.x, 5), round(point.y, 5)


def browser_vertices(document: dict[str, Any]) -> int:
    """Vertices of a GeoJSON geometry as the browser receives it."""
    def count(value: Any) -> int:
        if value and isinstance(value[0], (int, float)):
            return 1
        return sum(count(item) for item in value)
    return count(document["coordinates"])
