"""Writes of the inbox: raising notices (in bulk, once per key, e-mailed after commit) and marking them read.

``notify_all`` is the one way a notice is written. It inserts the new notices with one set-based statement per batch
(``INSERT … ON CONFLICT (key) DO NOTHING RETURNING key``, on SQLite and PostgreSQL alike), so whatever the number of
notices it runs a few queries, a key already taken is skipped by the database itself (a job run twice, or two jobs
at once, never notifies twice), and it learns exactly which notices are new, to e-mail only those once the
transaction commits.

Notices are side effects of a domain's own audited write (a transfer, an emergency access) or of a scheduled job,
so raising one writes no audit row of its own; marking notices read is the recipient's act and is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.notices.models import Notice

BATCH_SIZE = 500
KEY_LENGTH = Notice._meta.get_field("key").max_length or 200
TITLE_LENGTH = Notice._meta.get_field("title").max_length or 255
URL_LENGTH = Notice._meta.get_field("url").max_length or 255


@dataclass(frozen=True)
class NoticeDraft:
    """A notice to raise: to whom, what, and about which record (named as the audit trail names it: the model's
    ``app_label.model`` and the record's id; ``about_record(obj)`` gives both)."""

    recipient_id: int
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""
    object_type: str = ""
    object_id: str = ""


def about_record(obj: models.Model | None) -> dict[str, str]:
    """The ``object_type`` and ``object_id`` of a draft about ``obj``."""
    if obj is None:
        return {"object_type": "", "object_id": ""}
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk)}


@dataclass(frozen=True)
class NoticeRun:
    """What a call to ``notify_all`` did: the keys of the notices created, and how many e-mails are queued."""

    created_keys: tuple[str, ...]
    emails: int

    @property
    def created(self) -> int:
        return len(self.created_keys)


_COLUMNS = ("recipient_id", "kind", "key", "title", "body", "url", "object_type", "object_id", "created_at")


def _row(draft: NoticeDraft, created_at: Any) -> tuple[Any, ...]:
    return (draft.recipient_id, draft.kind, draft.key[:KEY_LENGTH], draft.title[:TITLE_LENGTH], draft.body,
            draft.url[:URL_LENGTH], draft.object_type, draft.object_id, created_at)


def _insert_new(rows: Sequence[tuple[Any, ...]]) -> list[str]:
    """Insert ``rows``, skipping any whose key exists; the keys actually inserted."""
    quote = connection.ops.quote_name
    table = quote(Notice._meta.db_table)
    columns = ", ".join(quote(column) for column in _COLUMNS)
    placeholders = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    inserted: list[str] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start:start + BATCH_SIZE]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(batch))} "
                f"ON CONFLICT ({quote('key')}) DO NOTHING RETURNING {quote('key')}",
                [value for row in batch for value in row])
            inserted.extend(key for (key,) in cursor.fetchall())
    return inserted


@transaction.atomic
def notify_all(drafts: Iterable[NoticeDraft]) -> NoticeRun:
    """Raise every notice of ``drafts`` whose key is not taken yet; e-mail the new ones after commit."""
    unique: dict[str, NoticeDraft] = {}
    for draft in drafts:
        unique.setdefault(draft.key[:KEY_LENGTH], draft)
    if not unique:
        return NoticeRun(created_keys=(), emails=0)
    created_at = Notice._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    created_keys = _insert_new([_row(draft, created_at) for draft in unique.values()])
    if not created_keys:
        return NoticeRun(created_keys=(), emails=0)
    created = [unique[key] for key in created_keys]
    emails = dict(get_user_model().objects.filter(pk__in={draft.recipient_id for draft in created})
                  .exclude(email="").values_list("pk", "email"))
    messages = [(draft.key[:KEY_LENGTH], draft.title, draft.body, draft.url, emails[draft.recipient_id])
                for draft in created if draft.recipient_id in emails]
    if messages:
        transaction.on_commit(lambda: send_notice_emails(messages))
    return NoticeRun(created_keys=tuple(created_keys), emails=len(messages))


def notify(
    *, recipient_id: int, kind: str, key: str, title: str, body: str = "", url: str = "",
    about: models.Model | None = None,
) -> bool:
    """Raise one notice (``notify_all`` of one draft); False if its key was taken already."""
    run = notify_all([NoticeDraft(recipient_id=recipient_id, kind=kind, key=key, title=title, body=body, url=url,
                                  **about_record(about))])
    return run.created == 1


def send_notice_emails(messages: Sequence[tuple[str, str, str, str, str]]) -> int:
    """Send each notice's e-mail (key, title, body, link, address) over one connection; mark the sent ones.

    A mail server that refuses does not undo anything: the notices stay in the inbox, unmarked as e-mailed.
    """
    site = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    mail = get_connection(fail_silently=True)
    sent: list[str] = []
    with mail:
        for key, title, body, url, address in messages:
            link = f"{site}{url}" if url else ""
            message = EmailMessage(subject=f"[treem] {title}", body=f"{body}\n\n{link}".strip(),
                                   from_email=settings.DEFAULT_FROM_EMAIL, to=[address], connection=mail)
            if message.send():
                sent.append(key)
    for start in range(0, len(sent), BATCH_SIZE):
        Notice.objects.filter(key__in=sent[start:start + BATCH_SIZE]).update(emailed_at=timezone.now())
    return len(sent)


@transaction.atomic
def mark_notice_read(*, actor: AbstractBaseUser, notice: Notice) -> Notice:
    """The recipient has read ``notice``; nobody else may mark it."""
    if actor.pk is None or notice.recipient_id != actor.pk:
        raise PermissionDenied(_("Thông báo này không phải của bạn."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=notice, action="mark_notice_read",
                     after={"read_at": notice.read_at})
    return notice


@transaction.atomic
def mark_all_notices_read(*, actor: AbstractBaseUser) -> int:
    """Mark every unread notice of ``actor`` read (one audit row for the lot); how many were unread."""
    if actor.pk is None:
        raise PermissionDenied(_("Thông báo này không phải của bạn."))
    now = timezone.now()
    count = Notice.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=now)
    if count:
        record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, object_type=Notice._meta.label_lower,
                     object_repr=f"{count} thông báo", action="mark_all_notices_read",
                     after={"read_at": now, "count": count})
    return count
