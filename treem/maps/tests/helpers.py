"""Shared set-up of the maps tests: the units of a hierarchy version, an administrator, an uploaded file."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from treem.hierarchy.models import OrgUnit

OLD_DAY, NEW_DAY = date(2025, 6, 30), date(2025, 7, 1)


def communes_on(on: date, *, district_code: str | None = None) -> list[OrgUnit]:
    units = OrgUnit.objects.valid_on(on).of_level("commune").order_by("path")
    if district_code:
        units = units.filter(parent__code=district_code)
    return list(units)


def province() -> OrgUnit:
    return OrgUnit.objects.get(level="province", code="12")


def upload_file(content: bytes, name: str = "ranh-gioi.geojson") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
