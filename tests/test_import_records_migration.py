"""The data migrations that moved the per-domain import tables into the one import record keep every row."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from pytest_django.fixtures import Settings as SettingsWrapper

from treem.core.intake.models import ImportRecord

BEFORE = [("registry", "0002_updated_indexes"), ("nutrition", "0002_measurement_updated_index"),
          ("core", "0003_calendar_days")]


@pytest.mark.django_db(transaction=True)
def test_child_and_measurement_imports_are_carried_with_their_files(
    reference_data: None, tmp_path: Path, settings: SettingsWrapper
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    commune = old.get_model("hierarchy", "OrgUnit").objects.filter(code="03390").order_by("pk").first()
    rejected = tmp_path / "registry-imports" / "ds-dong-bi-tu-choi.xlsx"
    rejected.parent.mkdir(parents=True)
    rejected.write_bytes(b"child rejects")
    old.get_model("registry", "ChildImport").objects.create(
        commune=commune, as_of="2026-05-01", original_name="ds.xlsx", stored_file=str(rejected.with_name("ds.xlsx")),
        rejected_file=str(rejected), status="done", is_background=True, summary={"rows": 3}, task_id="t-1")
    old.get_model("nutrition", "MeasurementImport").objects.create(
        commune=commune, as_of="2025-06-30", original_name="can.xlsx", stored_file="nutrition/imports/7.xlsx",
        rejected_rows=b"measurement rejects", status="done", summary={"rows": 13, "outcomes": []})
    old.get_model("nutrition", "MeasurementImport").objects.create(
        commune=commune, as_of="2025-06-30", original_name="cho.xlsx", stored_file="", status="uploaded",
        preview={"rows": 2})

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    children = ImportRecord.objects.get(kind="children")
    assert (children.org_unit_id, children.original_name, children.status, children.summary, children.task_id,
            children.is_background) == (commune.pk, "ds.xlsx", "done", {"rows": 3}, "t-1", True)
    assert Path(children.rejected_file).read_bytes() == b"child rejects"
    assert children.carried_from.startswith("registry.childimport:")
    done, waiting = ImportRecord.objects.filter(kind="measurements").order_by("pk")
    assert done.stored_file == str(tmp_path / "nutrition" / "imports" / "7.xlsx")
    assert Path(done.rejected_file) == tmp_path / "nutrition" / "imports" / "7-dong-bi-tu-choi.xlsx"
    assert Path(done.rejected_file).read_bytes() == b"measurement rejects"
    assert (done.summary, waiting.status, waiting.preview, waiting.rejected_file) == (
        {"rows": 13, "outcomes": []}, "uploaded", {"rows": 2}, "")
