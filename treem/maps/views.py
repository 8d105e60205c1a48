"""Pages of the maps: the map of an indicator (and its data as JSON), and the administrators' boundary uploads."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.access import require
from treem.core.intake.errors import UploadRefused
from treem.indicators.templatetags.indicator_format import vn_number
from treem.maps.forms import BoundaryUploadForm
from treem.maps.permissions import MANAGE_BOUNDARIES, VIEW_MAPS
from treem.maps.selectors import (
    MapData,
    boundary_sets_for,
    boundary_upload_for,
    boundary_uploads_for,
    map_data,
    province_for,
)
from treem.maps.services import confirm_boundaries, upload_boundaries
from treem.plans.selectors import plan_for

FIRST_YEAR, LAST_YEAR = 2000, 2100
LEVEL_LABELS = {"commune": "Xã", "district": "Huyện"}


def _year(request: HttpRequest) -> int | None:
    raw = (request.GET.get("year") or "").strip()
    return int(raw) if raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR else None


def _map(request: HttpRequest) -> MapData:
    plan = plan_for(request.user)
    try:
        return map_data(request.user, plan=plan, source_key=request.GET.get("source") or None, year=_year(request),
                        level=request.GET.get("level") or "commune", unit_uid=request.GET.get("unit") or None,
                        today=timezone.localdate())
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from error


def map_payload(data: MapData) -> dict[str, Any]:
    """What the page's script draws: the shapes as one GeoJSON collection (feature id = the unit's uid) and, per
    unit, its value with numerator, denominator and communes counted, its link and its symbol's point."""
    features = [{"type": "Feature", "id": item.unit.uid, "properties": {}, "geometry": item.geometry}
                for item in data.units if item.geometry is not None]
    units = []
    for item in data.units:
        value = item.value
        units.append({
            "uid": item.unit.uid, "code": item.unit.code, "name": item.unit.name,
            "value": None if value is None or value.value is None else round(float(value.value), 2),
            "value_text": vn_number(value.value if value is not None else None),
            "numerator": vn_number(value.numerator if value is not None else None, 0),
            "denominator": vn_number(value.denominator if value is not None else None, 0),
            "communes": value.units_counted if value is not None else 0,
            "url": item.url, "has_shape": item.geometry is not None,
            "lon": item.point[0] if item.point else None, "lat": item.point[1] if item.point else None,
            "point_source": item.point_source,
        })
    return {
        "title": f"{data.source.label} – {data.area.name}, {data.year}",
        "source": data.source.key, "unit": data.source.unit, "year": data.year,
        "on": data.on.strftime("%d/%m/%Y"), "level": data.level, "has_shapes": data.has_shapes,
        "labels": {"value": _("Giá trị"), "numerator": _("Tử số"), "denominator": _("Mẫu số"),
                   "communes": _("Số xã tính"), "no_value": _("Chưa có số liệu")},
        "filename": f"ban-do-{data.source.key.replace(':', '-')}-{data.level}-{data.year}",
        "geojson": {"type": "FeatureCollection", "features": features},
        "units": units,
    }


@require(VIEW_MAPS)
def map_page(request: HttpRequest) -> HttpResponse:
    """The choropleth of one source by commune (or district before 01/07/2025) for a year."""
    data = _map(request)
    payload = map_payload(data)
    return render(request, "maps/map.html", {
        "data": data, "payload": payload, "years": range(timezone.localdate().year, 2019, -1),
        "level_labels": [(level, _(LEVEL_LABELS[level])) for level in data.levels],
        "without_shape": [item for item in data.units if item.geometry is None],
        "query": request.GET.urlencode(),
    })


@require(VIEW_MAPS)
def map_json(request: HttpRequest) -> JsonResponse:
    """The map's data as JSON (the same as the page embeds)."""
    return JsonResponse(map_payload(_map(request)))


@require(MANAGE_BOUNDARIES)
def boundaries(request: HttpRequest) -> HttpResponse:
    """Upload a boundary file for a version of the hierarchy; the sets stored and the files waiting."""
    province = province_for(request.user)
    if province is None:
        raise PermissionDenied
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        hierarchy_on: date = form.cleaned_data["hierarchy_on"]
        try:
            record = upload_boundaries(actor=request.user, upload=form.cleaned_data["file"],  # type: ignore[arg-type]
                                       province=province, hierarchy_on=hierarchy_on)
        except UploadRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect("maps:boundary_upload", record_id=record.pk)
    return render(request, "maps/boundaries.html", {
        "form": form, "province": province, "sets": boundary_sets_for(request.user)[:50],
        "uploads": boundary_uploads_for(request.user)[:20],
    })


@require(MANAGE_BOUNDARIES)
def boundary_upload(request: HttpRequest, record_id: int) -> HttpResponse:
    """The per-feature report of one uploaded file; confirm it (accepting name matches one by one)."""
    record = boundary_upload_for(request.user, record_id)
    if request.method == "POST":
        accepted = [int(value) for value in request.POST.getlist("accept") if value.isdigit()]
        try:
            confirm_boundaries(actor=request.user, record=record, accepted_names=accepted)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã lưu ranh giới."))
        return redirect("maps:boundary_upload", record_id=record.pk)
    report = record.preview or {}
    return render(request, "maps/boundary_upload.html", {
        "record": record, "report": report, "summary": record.summary or {},
        "problems": [feature for feature in report.get("features", []) if feature["status"] == "problem"],
        "proposed": [feature for feature in report.get("features", []) if feature["status"] == "name_match"],
    })
