"""Protection's notices move to the one inbox (``notices.Notice``), keys and read state included.

The keys stay as they were (``overdue:<step>:<user>``, ``follow-up:<referral>:<user>``…), so an alert already
raised is not raised again by ``check_case_deadlines``; the case a notice was about is named like the audit trail
names it (``protection.case`` and its id).
"""

from django.db import migrations

KINDS = ("overdue_step", "follow_up_due", "break_glass", "assigned")


def into_notices(apps, schema_editor):
    Old = apps.get_model("protection", "Notice")
    Notice = apps.get_model("notices", "Notice")
    batch = []
    for old in Old.objects.order_by("pk").iterator(chunk_size=2000):
        batch.append(Notice(
            recipient_id=old.recipient_id, kind=old.kind, key=old.key, title=old.title, body=old.body, url=old.url,
            object_type="protection.case" if old.case_id else "", object_id=str(old.case_id or ""),
            created_at=old.created_at, read_at=old.read_at, emailed_at=old.emailed_at))
        if len(batch) == 2000:
            Notice.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Notice.objects.bulk_create(batch, ignore_conflicts=True)


def back_to_protection(apps, schema_editor):
    Old = apps.get_model("protection", "Notice")
    Notice = apps.get_model("notices", "Notice")
    batch = []
    for notice in Notice.objects.filter(kind__in=KINDS).order_by("pk").iterator(chunk_size=2000):
        batch.append(Old(
            recipient_id=notice.recipient_id, kind=notice.kind, key=notice.key, title=notice.title,
            body=notice.body, url=notice.url,
            case_id=int(notice.object_id) if notice.object_type == "protection.case" and notice.object_id else None,
            read_at=notice.read_at, emailed_at=notice.emailed_at))
    Old.objects.bulk_create(batch, batch_size=2000)
    Notice.objects.filter(kind__in=KINDS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0001_notice"),
        ("protection", "0001_cases_steps_referrals_incidents"),
    ]

    operations = [
        migrations.RunPython(into_notices, back_to_protection),
        migrations.DeleteModel(name="Notice"),
    ]
