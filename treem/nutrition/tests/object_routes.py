"""Builders of the nutrition routes that name an object, for ``tests/test_object_routes.py``."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from treem.accounts.tests.factories import unit
from treem.core.intake.models import ImportRecord, ImportStatus
from treem.nutrition.models import Measurement
from treem.nutrition.tests.factories import child_in, measurement_with
from treem.registry.models import Child


def child_of(code: str) -> Child:
    """The same child of the commune each time it is asked for (the shared test builds an address twice)."""
    name = f"Trẻ kiểm thử phạm vi {code}"
    existing = Child.objects.filter(full_name=name).first()
    return existing or child_in(code, birth_date=timezone.localdate() - timedelta(days=400), full_name=name)


def measurement_of(code: str) -> Measurement:
    child = child_of(code)
    day = timezone.localdate() - timedelta(days=3)
    existing = Measurement.objects.filter(child=child, measured_on=day).first()
    return existing or measurement_with(child, measured_on=day, waz=-1.0, haz=-1.0, whz=0.0)


def import_of(code: str) -> ImportRecord:
    rejected = Path(tempfile.mkdtemp()) / "a-dong-bi-tu-choi.xlsx"
    rejected.write_bytes(b"PK")
    return ImportRecord.objects.create(kind="measurements", org_unit=unit(code), as_of=timezone.localdate(),
                                       original_name="a.xlsx", stored_file="", status=ImportStatus.DONE,
                                       rejected_file=str(rejected), summary={"rows": 0, "outcomes": []})


NUTRITION_OBJECT_ROUTES: dict[str, Callable[[str], str]] = {
    "GET /api/v1/nutrition/children/{child_id}/measurements":
        lambda code: f"/api/v1/nutrition/children/{child_of(code).pk}/measurements",
    "POST /api/v1/nutrition/children/{child_id}/measurements":
        lambda code: f"/api/v1/nutrition/children/{child_of(code).pk}/measurements",
    "GET /dinh-duong/tre/{child_id}/": lambda code: f"/dinh-duong/tre/{child_of(code).pk}/",
    "GET /dinh-duong/so-do/{measurement_id}/sua/": lambda code: f"/dinh-duong/so-do/{measurement_of(code).pk}/sua/",
    "GET /dinh-duong/nhap-excel/{import_id}/": lambda code: f"/dinh-duong/nhap-excel/{import_of(code).pk}/",
    "GET /dinh-duong/nhap-excel/{import_id}/dong-bi-tu-choi.xlsx":
        lambda code: f"/dinh-duong/nhap-excel/{import_of(code).pk}/dong-bi-tu-choi.xlsx",
    "GET /dinh-duong/?xa=": lambda code: f"/dinh-duong/?xa={unit(code).uid}",
    "GET /dinh-duong/ngay-can/?xa=": lambda code: f"/dinh-duong/ngay-can/?xa={unit(code).uid}",
    "GET /dinh-duong/theo-doi/?xa=": lambda code: f"/dinh-duong/theo-doi/?xa={unit(code).uid}",
    "GET /dinh-duong/nhap-excel/mau.xlsx?xa=": lambda code: f"/dinh-duong/nhap-excel/mau.xlsx?xa={unit(code).uid}",
}

NUTRITION_MISSING_OBJECT_URLS: dict[str, str] = {
    "GET /api/v1/nutrition/children/{child_id}/measurements": "/api/v1/nutrition/children/987654321/measurements",
    "POST /api/v1/nutrition/children/{child_id}/measurements": "/api/v1/nutrition/children/987654321/measurements",
}
