"""Child-list imports move to the one import record of the intake pipeline (``core.ImportRecord``, kind
``children``): every row is copied with its files, status, preview and summary, then the old table is dropped."""

from django.db import migrations

FIELDS = ("as_of", "original_name", "stored_file", "rejected_file", "created_by_id", "status", "is_background",
          "preview", "summary", "error", "task_id", "started_at", "finished_at")


def copy_into_import_records(apps, schema_editor):
    ChildImport = apps.get_model("registry", "ChildImport")
    ImportRecord = apps.get_model("core", "ImportRecord")
    for old in ChildImport.objects.order_by("pk").iterator():
        record = ImportRecord.objects.create(kind="children", org_unit_id=old.commune_id,
                                             carried_from=f"registry.childimport:{old.pk}",
                                             **{name: getattr(old, name) for name in FIELDS})
        ImportRecord.objects.filter(pk=record.pk).update(created_at=old.created_at, updated_at=old.updated_at)


def copy_back(apps, schema_editor):
    ChildImport = apps.get_model("registry", "ChildImport")
    ImportRecord = apps.get_model("core", "ImportRecord")
    for record in ImportRecord.objects.filter(kind="children").order_by("pk").iterator():
        old = ChildImport.objects.create(commune_id=record.org_unit_id,
                                         **{name: getattr(record, name) for name in FIELDS})
        ChildImport.objects.filter(pk=old.pk).update(created_at=record.created_at, updated_at=record.updated_at)
    ImportRecord.objects.filter(kind="children").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_import_record'),
        ('registry', '0002_updated_indexes'),
    ]

    operations = [
        migrations.RunPython(copy_into_import_records, copy_back),
        migrations.DeleteModel(
            name='ChildImport',
        ),
    ]
