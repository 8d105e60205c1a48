"""Reporting's in-app notifications become notices of the one inbox (``notices.Notice``), read state included.

Each notification keeps its recipient, title, body, link, creation time and read time; its key is the one that
``send_reminders`` gives (kind, report, recipient, day), so a reminder already sent is not sent again.
"""

from datetime import date

from django.db import migrations

KINDS = {"reminder": "report_due", "overdue": "report_overdue", "returned": "report_returned"}
OLD_KINDS = {new: old for old, new in KINDS.items()}


def into_notices(apps, schema_editor):
    Notification = apps.get_model("reporting", "Notification")
    Notice = apps.get_model("notices", "Notice")
    batch = []
    for old in Notification.objects.order_by("pk").iterator(chunk_size=2000):
        kind = KINDS[old.kind]
        batch.append(Notice(
            recipient_id=old.recipient_id, kind=kind,
            key=f"{kind}:{old.submission_id or ''}:{old.recipient_id}:{old.sent_on.isoformat()}",
            title=old.subject, body=old.body, url=old.link,
            object_type="reporting.submission" if old.submission_id else "",
            object_id=str(old.submission_id or ""), created_at=old.created_at, read_at=old.read_at,
            emailed_at=old.created_at if old.emailed else None))
        if len(batch) == 2000:
            Notice.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Notice.objects.bulk_create(batch, ignore_conflicts=True)


def back_to_notifications(apps, schema_editor):
    Notification = apps.get_model("reporting", "Notification")
    Notice = apps.get_model("notices", "Notice")
    batch = []
    for notice in Notice.objects.filter(kind__in=OLD_KINDS).order_by("pk").iterator(chunk_size=2000):
        _kind, submission_id, _recipient, sent_on = notice.key.split(":")
        batch.append(Notification(
            recipient_id=notice.recipient_id, submission_id=int(submission_id) if submission_id else None,
            kind=OLD_KINDS[notice.kind], sent_on=date.fromisoformat(sent_on), subject=notice.title,
            body=notice.body, link=notice.url, emailed=notice.emailed_at is not None, read_at=notice.read_at))
    Notification.objects.bulk_create(batch, batch_size=2000)
    Notice.objects.filter(kind__in=OLD_KINDS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0001_notice"),
        ("reporting", "0001_reporting_cycle"),
    ]

    operations = [
        migrations.RunPython(into_notices, back_to_notifications),
        migrations.DeleteModel(name="Notification"),
    ]
