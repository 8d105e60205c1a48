"""Raising notices: once per key, in a bounded number of queries, e-mailed after commit; marking them read."""

from __future__ import annotations

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from treem.core.models import AuditEvent
from treem.notices import services
from treem.notices.models import Notice
from treem.notices.services import NoticeDraft
from treem.notices.tests.factories import a_user, some_users

pytestmark = pytest.mark.django_db


def drafts(recipients: list[AbstractBaseUser], *, prefix: str = "test") -> list[NoticeDraft]:
    return [NoticeDraft(recipient_id=recipient.pk, kind=Notice.Kind.ASSIGNED, key=f"{prefix}:{recipient.pk}",
                        title=f"Thông báo cho {recipient.get_username()}", body="Nội dung", url="/bao-ve/")
            for recipient in recipients]


def test_a_notice_is_raised_once_per_key() -> None:
    user = a_user()
    assert services.notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key="k:1", title="Một")
    assert not services.notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key="k:1", title="Hai")
    assert list(Notice.objects.values_list("title", flat=True)) == ["Một"]


def test_notify_all_inserts_only_new_keys_and_says_which() -> None:
    users = some_users(3)
    services.notify_all(drafts(users[:1]))
    run = services.notify_all(drafts(users) + drafts(users[2:]))
    assert run.created == 2
    assert set(run.created_keys) == {f"test:{users[1].pk}", f"test:{users[2].pk}"}
    assert Notice.objects.count() == 3


def test_notify_all_runs_the_same_number_of_queries_for_ten_or_a_thousand_notices() -> None:
    """Set-based: one insert per batch of 500 and one read of the addresses, never a query per notice."""
    users = some_users(10)
    few = [NoticeDraft(recipient_id=users[index % 10].pk, kind=Notice.Kind.OVERDUE_STEP, key=f"few:{index}",
                       title="Quá hạn") for index in range(10)]
    many = [NoticeDraft(recipient_id=users[index % 10].pk, kind=Notice.Kind.OVERDUE_STEP, key=f"many:{index}",
                        title="Quá hạn") for index in range(450)]
    with CaptureQueriesContext(connection) as small:
        assert services.notify_all(few).created == 10
    with CaptureQueriesContext(connection) as large:
        assert services.notify_all(many).created == 450
    assert len(small) == len(large)
    with CaptureQueriesContext(connection) as again:
        assert services.notify_all(many).created == 0
    assert len(again) < len(large)
    assert Notice.objects.count() == 460


def test_more_than_one_batch_is_inserted_whole() -> None:
    user = a_user()
    many = [NoticeDraft(recipient_id=user.pk, kind=Notice.Kind.OVERDUE_STEP, key=f"batch:{index}", title="x")
            for index in range(services.BATCH_SIZE * 2 + 7)]
    assert services.notify_all(many).created == services.BATCH_SIZE * 2 + 7
    assert Notice.objects.filter(recipient=user).count() == services.BATCH_SIZE * 2 + 7


def test_e_mails_leave_after_commit_and_only_for_new_notices_to_users_with_an_address() -> None:
    with_mail = a_user(email="canbo@example.vn")
    without = a_user(email="")
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        run = services.notify_all(drafts([with_mail, without]))
    assert run.created == 2 and run.emails == 1
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [["canbo@example.vn"]]
    assert mail.outbox[0].subject == f"[treem] Thông báo cho {with_mail.get_username()}"
    assert mail.outbox[0].body.endswith("/bao-ve/")
    assert Notice.objects.get(recipient=with_mail).emailed_at is not None
    assert Notice.objects.get(recipient=without).emailed_at is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.notify_all(drafts([with_mail, without])).emails == 0
    assert len(mail.outbox) == 1


def test_a_notice_names_the_record_it_is_about() -> None:
    user = a_user()
    other = a_user()
    services.notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key="about:1", title="Về người dùng",
                    about=other)
    assert Notice.objects.about(other).get().recipient == user
    assert not Notice.objects.about(user).exists()


def test_only_the_recipient_marks_a_notice_read_and_it_is_audited() -> None:
    user, other = some_users(2)
    services.notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key="read:1", title="Đọc")
    notice = Notice.objects.get()
    with pytest.raises(PermissionDenied):
        services.mark_notice_read(actor=other, notice=notice)
    notice.refresh_from_db()
    assert notice.read_at is None
    services.mark_notice_read(actor=user, notice=notice)
    assert Notice.objects.get().read_at is not None
    assert AuditEvent.objects.filter(action="mark_notice_read", actor=user).count() == 1


def test_marking_all_read_touches_only_the_actors_notices() -> None:
    user, other = some_users(2)
    services.notify_all(drafts([user], prefix="a") + drafts([user], prefix="b") + drafts([other], prefix="c"))
    assert services.mark_all_notices_read(actor=user) == 2
    assert not Notice.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=other, read_at__isnull=True).count() == 1
    assert services.mark_all_notices_read(actor=user) == 0
