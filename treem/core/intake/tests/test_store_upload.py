"""``store_upload`` takes the kinds of file it is told to (spreadsheets by default), and refuses the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from treem.core.intake.errors import UploadRefused
from treem.core.intake.runner import store_upload


def test_spreadsheets_by_default_and_other_kinds_only_when_named(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    path, name = store_upload(SimpleUploadedFile("danh-sach.csv", b"a,b\n"))
    assert path.read_bytes() == b"a,b\n" and name == "danh-sach.csv"
    with pytest.raises(UploadRefused, match="Excel"):
        store_upload(SimpleUploadedFile("ranh-gioi.geojson", b"{}"))
    path, _name = store_upload(SimpleUploadedFile("ranh-gioi.geojson", b"{}"), suffixes=(".geojson", ".zip"))
    assert path.suffix == ".geojson"
    with pytest.raises(UploadRefused, match=r"\.geojson, \.zip"):
        store_upload(SimpleUploadedFile("danh-sach.xlsx", b"x"), suffixes=(".geojson", ".zip"))
