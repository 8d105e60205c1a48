"""Fault drills of the yearly reporting (docs/operations.md): two reviewers approving one report at the same
moment, the daily reminders started twice at once, and a full disk when an evidence file is uploaded."""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from treem.core.models import AuditEvent
from treem.core.uploads import DISK_FULL_MESSAGE
from treem.notices.models import Notice
from treem.reporting.models import Evidence, Submission
from treem.reporting.services import approve_report, ensure_task_progress, submit_report
from treem.reporting.tests.factories import (
    OTHER_COMMUNE,
    OWN_COMMUNE,
    commune_officer,
    commune_report,
    coordinator,
    cycle,
)
from treem.reporting.tests.test_services import BEFORE_DEADLINE, fill_commune_report


def at_once(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released together; each returns its result or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_the_same_report_at_once_one_wins_the_other_is_told(reference_data: None) -> None:
    submission = commune_report(cycle(2026), OWN_COMMUNE)
    officer = commune_officer()
    fill_commune_report(submission, officer)
    submit_report(actor=officer, submission=submission, now=BEFORE_DEADLINE)
    first, second = coordinator(), coordinator()
    moment = BEFORE_DEADLINE + timedelta(days=1)

    results = at_once(
        lambda: approve_report(actor=first, submission=Submission.objects.get(pk=submission.pk), now=moment),
        lambda: approve_report(actor=second, submission=Submission.objects.get(pk=submission.pk), now=moment),
    )

    approved = [result for result in results if isinstance(result, Submission)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert "Không thể thực hiện thao tác này khi báo cáo đang ở trạng thái “Đã duyệt”" in refused[0].messages[0]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    assert AuditEvent.objects.for_object(submission).filter(action="approve_report").count() == 1
    assert submission.versions.get().decision == "approved"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_daily_reminders_started_twice_at_once_remind_each_reporter_once(reference_data: None) -> None:
    cycle(2026)
    commune_officer()
    with_mail = commune_officer(OTHER_COMMUNE)
    with_mail.email = "canbo@example.vn"
    with_mail.save()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        results = at_once(lambda: call_command("send_reminders", date="2026-11-17", verbosity=0),
                          lambda: call_command("send_reminders", date="2026-11-17", verbosity=0))
        assert not [result for result in results if isinstance(result, Exception)], results
        assert Notice.objects.count() == 2
        assert len(mail.outbox) == 1
        call_command("send_reminders", date="2026-11-17", verbosity=0)
        assert Notice.objects.count() == 2 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_full_disk_on_an_evidence_upload_says_so_in_vietnamese_and_keeps_nothing(
        client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    submission = commune_report(cycle(2026), OWN_COMMUNE)
    officer = commune_officer()
    progress = ensure_task_progress(submission)[0]

    def disk_full(*args: Any, **kwargs: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    client.force_login(officer)
    response = client.post(f"/bao-cao/bao-cao/{submission.pk}/nhiem-vu/{progress.pk}/minh-chung/", {
        "file": SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")},
        follow=True)
    assert response.status_code == 200
    assert str(DISK_FULL_MESSAGE) in response.content.decode()
    assert Evidence.objects.count() == 0
    assert not AuditEvent.objects.filter(action="attach_evidence").exists()
