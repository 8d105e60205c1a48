"""The data migrations that moved reporting's notifications and protection's notices into the one inbox keep every
row, its read state and its key, and can be reversed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from treem.core.tests.migrations import migrate
from treem.notices.models import Notice
from treem.notices.tests.factories import some_users

BEFORE = [("reporting", "0001_reporting_cycle"), ("protection", "0001_cases_steps_referrals_incidents"),
          ("notices", "0001_notice")]
AFTER = [("reporting", "0002_notifications_into_notices"), ("protection", "0002_notices_into_notices_app")]


@pytest.mark.django_db(transaction=True)
def test_every_notification_and_notice_moves_with_its_read_state(reference_data: None) -> None:
    reader, other = some_users(2)
    read_at = timezone.now()
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    notification = old.get_model("reporting", "Notification")
    protection_notice = old.get_model("protection", "Notice")
    notification.objects.create(recipient_id=reader.pk, kind="reminder", sent_on=date(2026, 11, 17),
                                days_before=14, subject="Còn 14 ngày", body="Nộp báo cáo", link="/bao-cao/",
                                emailed=True, read_at=read_at)
    notification.objects.create(recipient_id=other.pk, kind="overdue", sent_on=date(2026, 12, 2), days_before=-1,
                                subject="Quá hạn", body="Quá hạn 1 ngày")
    protection_notice.objects.create(recipient_id=reader.pk, kind="overdue_step", key="overdue:7:1",
                                     title="Quá hạn: xác minh", url="/bao-ve/truong-hop/7/")

    migrate(AFTER)

    notices = {notice.title: notice for notice in Notice.objects.all()}
    assert set(notices) == {"Còn 14 ngày", "Quá hạn", "Quá hạn: xác minh"}
    reminder = notices["Còn 14 ngày"]
    assert reminder.recipient_id == reader.pk and reminder.kind == Notice.Kind.REPORT_DUE
    assert reminder.key == f"report_due::{reader.pk}:2026-11-17"
    assert reminder.read_at is not None and reminder.emailed_at is not None and reminder.url == "/bao-cao/"
    assert notices["Quá hạn"].read_at is None and notices["Quá hạn"].emailed_at is None
    assert notices["Quá hạn"].kind == Notice.Kind.REPORT_OVERDUE
    step = notices["Quá hạn: xác minh"]
    assert step.key == "overdue:7:1" and step.kind == Notice.Kind.OVERDUE_STEP and step.read_at is None

    back = migrate(BEFORE).loader.project_state(BEFORE).apps
    assert back.get_model("reporting", "Notification").objects.filter(read_at__isnull=False).count() == 1
    assert back.get_model("reporting", "Notification").objects.count() == 2
    assert back.get_model("protection", "Notice").objects.get().key == "overdue:7:1"
    migrate(AFTER)
    assert Notice.objects.count() == 3
    executor = MigrationExecutor(connection)  # back to the latest schema, for the tests that run after this one
    executor.migrate(executor.loader.graph.leaf_nodes())
