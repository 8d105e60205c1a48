"""Writes of the maps domain: taking in a boundary file, and retiring a set of boundaries.

A file comes in through the intake pipeline (``treem.core.intake``: ``store_upload``'s kind and size checks, an
``ImportRecord`` of kind ``map_boundaries`` on the province, audited), and is checked against the hierarchy of
the chosen date (:mod:`treem.maps.boundaries`): the report is the record's preview. Nothing is stored as
boundaries until the file is clean — then at once — or an administrator confirms it, accepting the proposed name
matches one by one; refused features are left out. Storing simplifies the shapes for the browser
(:mod:`treem.maps.geometry`), adds each district united from its communes (for the years before 01/07/2025) when
the file has every commune of the district, and retires the older sets for the same units (kept, never deleted).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from treem.core.access import ensure_permitted
from treem.core.audit import record_event
from treem.core.intake.errors import ImportRefused
from treem.core.intake.models import ImportRecord, ImportStatus
from treem.core.intake.runner import Actor, IntakeKind, Progress, RunResult, upload_import
from treem.core.models import AuditEvent
from treem.hierarchy.models import OrgUnit
from treem.maps.boundaries import NAME_MATCH, OK, CandidateUnit, analyse
from treem.maps.geometry import (
    BOUNDARY_SUFFIXES,
    SIMPLIFY_TOLERANCE,
    browser_geometry,
    browser_vertices,
    label_point,
    read_boundary_file,
    simplify_coverage,
    union_coverage,
    vertex_count,
)
from treem.maps.models import Boundary, BoundarySet
from treem.maps.permissions import MANAGE_BOUNDARIES

KIND = "map_boundaries"


def candidate_units(*, within: OrgUnit, on: date) -> list[CandidateUnit]:
    """The districts and communes in force on ``on`` under ``within``."""
    rows = (OrgUnit.objects.valid_on(on).within(within.path).filter(level__in=("district", "commune"))
            .order_by("path").values_list("id", "code", "name", "level", "path"))
    return [CandidateUnit(*row) for row in rows]


def check_boundary_file(record: ImportRecord) -> dict[str, Any]:
    """The report of the record's file against the hierarchy of its date."""
    source = read_boundary_file(Path(record.stored_file))
    return analyse(source, units=candidate_units(within=record.org_unit, on=record.as_of),
                   hierarchy_on=record.as_of)


def _run(record: ImportRecord, *, actor: Actor, dry_run: bool, max_rows: int | None,
         rejected_path: Path | None, progress: Progress | None) -> RunResult:
    """The intake pipeline's run: the check (a dry run); a real run stores what a clean file holds."""
    report = check_boundary_file(record)
    if dry_run:
        return RunResult(summary=report)
    if not report["is_clean"]:
        raise ImportRefused("Tệp ranh giới còn lỗi: cần quản trị viên xem và xác nhận.")
    boundary_set = _store(record, report=report, accepted_names=set(), actor=actor)
    return RunResult(summary={**report, "boundary_set": boundary_set.pk}, changed=True)


BOUNDARY_INTAKE = IntakeKind(name=KIND, capability=MANAGE_BOUNDARIES, run=_run, suffixes=BOUNDARY_SUFFIXES)


def upload_boundaries(*, actor: AbstractBaseUser, upload: UploadedFile, province: OrgUnit,
                      hierarchy_on: date) -> ImportRecord:
    """Take in a boundary file for the units in force on ``hierarchy_on``: store the file, check every feature;
    a clean file's shapes are stored at once, any other waits for :func:`confirm_boundaries`."""
    ensure_permitted(actor, MANAGE_BOUNDARIES, path=province.path)
    record = upload_import(kind=KIND, actor=actor, upload=upload, org_unit=province, as_of=hierarchy_on)
    if record.status == ImportStatus.UPLOADED and record.preview and record.preview.get("is_clean"):
        confirm_boundaries(actor=actor, record=record, accepted_names=())
        record.refresh_from_db()
    return record


@transaction.atomic
def confirm_boundaries(*, actor: AbstractBaseUser, record: ImportRecord,
                       accepted_names: Collection[int]) -> BoundarySet:
    """Store the shapes of an uploaded file as the administrator confirmed it: every feature matched by code, and
    those proposed by name whose numbers are in ``accepted_names``; refused features are left out."""
    ensure_permitted(actor, MANAGE_BOUNDARIES, path=record.org_unit.path)
    record = ImportRecord.objects.select_for_update().get(pk=record.pk)
    if record.kind != KIND or record.status != ImportStatus.UPLOADED:
        raise ValidationError("Tệp này không chờ xác nhận (đã lưu, đã hủy hoặc không phải tệp ranh giới).")
    try:
        report = check_boundary_file(record)
    except ImportRefused as error:
        raise ValidationError(str(error)) from error
    if not report["can_confirm"]:
        raise ValidationError("Không có đối tượng nào lưu được: hãy sửa tệp và tải lên lại.")
    boundary_set = _store(record, report=report, accepted_names=set(accepted_names), actor=actor)
    record.status = ImportStatus.DONE
    record.finished_at = timezone.now()
    record.summary = {"boundary_set": boundary_set.pk, "stored": boundary_set.boundaries.count(),
                      "accepted_names": sorted(accepted_names), "vertices_before": boundary_set.vertices_before,
                      "vertices_after": boundary_set.vertices_after, "payload_bytes": boundary_set.payload_bytes}
    record.save(update_fields=["status", "finished_at", "summary", "updated_at"])
    return boundary_set


def _store(record: ImportRecord, *, report: dict[str, Any], accepted_names: set[int],
           actor: Actor) -> BoundarySet:
    source = read_boundary_file(Path(record.stored_file))
    geometries = {feature.index: feature.geometry for feature in source.features}
    kept = [feature for feature in report["features"]
            if feature["status"] == OK or (feature["status"] == NAME_MATCH and feature["index"] in accepted_names)]
    communes = [feature for feature in kept if feature["unit"]["level"] == "commune"]
    districts = {feature["unit"]["id"]: feature for feature in kept if feature["unit"]["level"] == "district"}
    shapes: list[tuple[int, str, int | None, BaseGeometry]] = []  # unit id, matched by, feature index, shape
    for feature in communes:
        geometry = geometries[feature["index"]]
        assert geometry is not None
        matched = str(Boundary.MatchedBy.CODE if feature["status"] == OK else Boundary.MatchedBy.NAME)
        shapes.append((feature["unit"]["id"], matched, feature["index"], geometry))
    district_shapes = _district_shapes(record, communes=shapes, given=districts, geometries=geometries)
    boundary_set = BoundarySet(hierarchy_on=record.as_of, import_record=record, original_name=record.original_name,
                               uploaded_by_id=getattr(actor, "pk", None), tolerance=SIMPLIFY_TOLERANCE)
    boundary_set.full_clean()
    boundary_set.save()
    rows = []
    for group in (shapes, district_shapes):
        simplified = simplify_coverage([shape for *_rest, shape in group])
        for (unit_id, matched, index, original), simple in zip(group, simplified, strict=True):
            document = browser_geometry(simple)
            longitude, latitude = label_point(original)
            rows.append(Boundary(boundary_set=boundary_set, org_unit_id=unit_id, matched_by=matched,
                                 feature_index=index, geometry=document, vertices_before=vertex_count(original),
                                 vertices_after=browser_vertices(document), label_longitude=longitude,
                                 label_latitude=latitude))
    Boundary.objects.bulk_create(rows)
    boundary_set.vertices_before = sum(row.vertices_before for row in rows)
    boundary_set.vertices_after = sum(row.vertices_after for row in rows)
    boundary_set.payload_bytes = len(json.dumps([row.geometry for row in rows], separators=(",", ":")))
    boundary_set.save(update_fields=["vertices_before", "vertices_after", "payload_bytes", "updated_at"])
    retired = _retire_older(boundary_set, unit_ids={row.org_unit_id for row in rows})
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=boundary_set, action="store_boundaries",
                 org_unit_path=record.org_unit.path,
                 after={"file": record.original_name, "hierarchy_on": record.as_of, "boundaries": len(rows),
                        "accepted_names": sorted(accepted_names), "retired_sets": retired,
                        "vertices_before": boundary_set.vertices_before,
                        "vertices_after": boundary_set.vertices_after, "payload_bytes": boundary_set.payload_bytes})
    return boundary_set


def _district_shapes(record: ImportRecord, *, communes: list[tuple[int, str, int | None, BaseGeometry]],
                     given: dict[int, dict[str, Any]], geometries: dict[int, BaseGeometry | None]
                     ) -> list[tuple[int, str, int | None, BaseGeometry]]:
    """Each district in force on the date: its own feature if the file has one, else the union of its communes
    when the file has all of them (a union of some would draw a smaller district than there is)."""
    units = candidate_units(within=record.org_unit, on=record.as_of)
    by_id = {unit.id: unit for unit in units}
    shapes_of = {unit_id: shape for unit_id, _matched, _index, shape in communes}
    result: list[tuple[int, str, int | None, BaseGeometry]] = []
    for district in (unit for unit in units if unit.level == "district"):
        if district.id in given:
            index = given[district.id]["index"]
            geometry = geometries[index]
            assert geometry is not None
            result.append((district.id, str(Boundary.MatchedBy.CODE), index, geometry))
            continue
        members = [unit.id for unit in by_id.values()
                   if unit.level == "commune" and unit.path.startswith(district.path)]
        if members and all(member in shapes_of for member in members):
            result.append((district.id, str(Boundary.MatchedBy.UNION), None,
                           union_coverage(shapes_of[member] for member in members)))
    return result


def _retire_older(boundary_set: BoundarySet, *, unit_ids: set[int]) -> list[int]:
    older = (BoundarySet.objects.current().exclude(pk=boundary_set.pk)
             .filter(boundaries__org_unit_id__in=unit_ids).distinct())
    retired = sorted(older.values_list("pk", flat=True))
    BoundarySet.objects.filter(pk__in=retired).update(retired_at=timezone.now())
    return retired


@transaction.atomic
def retire_boundary_set(*, actor: AbstractBaseUser, boundary_set: BoundarySet, reason: str) -> BoundarySet:
    """Take a set of shapes off the maps (kept, with its file and history)."""
    province = boundary_set.import_record.org_unit.path if boundary_set.import_record else "/"
    ensure_permitted(actor, MANAGE_BOUNDARIES, path=province)
    if not reason.strip():
        raise ValidationError("Cần ghi lý do thay thế bộ ranh giới.")
    boundary_set = BoundarySet.objects.select_for_update().get(pk=boundary_set.pk)
    if boundary_set.retired_at is not None:
        raise ValidationError("Bộ ranh giới này đã được thay thế.")
    boundary_set.retired_at = timezone.now()
    boundary_set.save(update_fields=["retired_at", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=boundary_set, action="retire_boundaries",
                 org_unit_path=province, before={"retired_at": None},
                 after={"retired_at": boundary_set.retired_at}, reason=reason)
    return boundary_set
