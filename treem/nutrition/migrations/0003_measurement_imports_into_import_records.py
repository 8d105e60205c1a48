"""Measurement imports move to the one import record of the intake pipeline (``core.ImportRecord``, kind
``measurements``): every row is copied with its status, preview and summary; the stored file's path becomes
absolute like every upload's, and the rejected rows kept in the database are written to a file beside the upload
(``rejected_file``), then the old table is dropped."""

from pathlib import Path

from django.conf import settings
from django.db import migrations

FIELDS = ("as_of", "original_name", "created_by_id", "status", "preview", "summary", "error")


def _absolute(stored_file):
    if not stored_file:
        return ""
    path = Path(stored_file)
    return str(path if path.is_absolute() else Path(settings.MEDIA_ROOT) / path)


def _rejected_path(stored_file, old_id):
    if stored_file:
        stored = Path(stored_file)
        return stored.with_name(f"{stored.stem}-dong-bi-tu-choi.xlsx")
    return Path(settings.MEDIA_ROOT) / "imports" / "carried" / f"so-do-{old_id}-dong-bi-tu-choi.xlsx"


def copy_into_import_records(apps, schema_editor):
    MeasurementImport = apps.get_model("nutrition", "MeasurementImport")
    ImportRecord = apps.get_model("core", "ImportRecord")
    for old in MeasurementImport.objects.order_by("pk").iterator():
        stored_file = _absolute(old.stored_file)
        rejected_file = ""
        if old.rejected_rows:
            path = _rejected_path(stored_file, old.pk)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(old.rejected_rows))
            rejected_file = str(path)
        record = ImportRecord.objects.create(kind="measurements", org_unit_id=old.commune_id,
                                             stored_file=stored_file, rejected_file=rejected_file,
                                             carried_from=f"nutrition.measurementimport:{old.pk}",
                                             **{name: getattr(old, name) for name in FIELDS})
        ImportRecord.objects.filter(pk=record.pk).update(created_at=old.created_at, updated_at=old.updated_at)


def copy_back(apps, schema_editor):
    MeasurementImport = apps.get_model("nutrition", "MeasurementImport")
    ImportRecord = apps.get_model("core", "ImportRecord")
    records = ImportRecord.objects.filter(kind="measurements")
    for record in records.order_by("pk").iterator():
        rejected = Path(record.rejected_file) if record.rejected_file else None
        status = record.status if record.status in ("uploaded", "done", "failed") else "failed"
        old = MeasurementImport.objects.create(
            commune_id=record.org_unit_id, stored_file=record.stored_file,
            rejected_rows=rejected.read_bytes() if rejected is not None and rejected.exists() else None,
            **{name: getattr(record, name) for name in FIELDS if name != "status"}, status=status)
        MeasurementImport.objects.filter(pk=old.pk).update(created_at=record.created_at, updated_at=record.updated_at)
    records.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_import_record'),
        ('nutrition', '0002_measurement_updated_index'),
    ]

    operations = [
        migrations.RunPython(copy_into_import_records, copy_back),
        migrations.DeleteModel(
            name='MeasurementImport',
        ),
    ]
