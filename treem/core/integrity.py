"""Tamper evidence for the audit trail: a hash chain sealed after the fact and verified by a command.

Audit rows are written by ``record_event`` and, in bulk, by the child import's prepared inserts, so the chain is
not computed when a row is written: ``seal_audit_log`` appends one ``AuditSeal`` link for every row not sealed
yet, in id order, each link's digest being SHA-256 over the previous link's digest and the row's content.
``verify_audit_log`` recomputes every link and reports the first row that was changed or removed after it was
sealed, the rows not sealed yet, and the head of the chain, which an operator copies somewhere the database's
administrators cannot write (docs/security.md says what this does and does not prove).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from treem.core.models import AuditEvent, AuditSeal

GENESIS = "0" * 64
CONTENT_FIELDS = ("id", "at", "actor_id", "actor_username", "verb", "action", "object_type", "object_id",
                  "object_repr", "org_unit_path", "before", "after", "reason", "ip_address")
BATCH = 2000
_LOCK_KEY = 0x7472_6565_6D5F_5345  # "treem_SE": one sealer at a time on PostgreSQL


def canonical_content(row: Mapping[str, Any]) -> bytes:
    """A row's content as bytes that do not depend on the database: sorted keys, the time in UTC."""
    values = {name: row[name] for name in CONTENT_FIELDS}
    values["at"] = row["at"].astimezone(UTC).isoformat(timespec="microseconds")
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)
    return text.encode("utf-8")


def link_digest(previous: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(previous.encode("ascii") + b"\n" + canonical_content(row)).hexdigest()


@dataclass(frozen=True)
class SealResult:
    sealed: int
    head_id: int | None
    head_digest: str


def _head() -> AuditSeal | None:
    return AuditSeal.objects.order_by("-id").first()


def _unsealed_rows() -> Iterator[dict[str, Any]]:
    unsealed = AuditEvent.objects.filter(~Exists(AuditSeal.objects.filter(event_id=OuterRef("id"))))
    return unsealed.order_by("id").values(*CONTENT_FIELDS).iterator(chunk_size=BATCH)


@transaction.atomic
def seal_audit_log() -> SealResult:
    """Append a link for every audit row not sealed yet (committed rows only), in id order."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    head = _head()
    previous = head.digest if head is not None else GENESIS
    sealed = 0
    pending: list[AuditSeal] = []
    for row in _unsealed_rows():
        previous = link_digest(previous, row)
        pending.append(AuditSeal(event_id=row["id"], digest=previous))
        if len(pending) >= BATCH:
            AuditSeal.objects.bulk_create(pending)
            sealed += len(pending)
            pending = []
    AuditSeal.objects.bulk_create(pending)
    sealed += len(pending)
    head = _head()
    return SealResult(sealed=sealed, head_id=head.pk if head else None, head_digest=head.digest if head else GENESIS)


@dataclass(frozen=True)
class Problem:
    seal_id: int
    event_id: int
    kind: str  # "altered" (content or chain changed) or "removed" (the row is gone)

    @property
    def message(self) -> str:
        if self.kind == "removed":
            return f"Mắt xích #{self.seal_id}: dòng nhật ký {self.event_id} đã bị xoá sau khi niêm phong."
        return (f"Mắt xích #{self.seal_id}: dòng nhật ký {self.event_id} (hoặc chuỗi niêm phong) đã bị sửa sau khi "
                "niêm phong.")


@dataclass
class Verification:
    sealed: int = 0
    problems: list[Problem] = field(default_factory=list)
    unsealed: int = 0
    unsealed_below_head: list[int] = field(default_factory=list)
    head_id: int | None = None
    head_digest: str = GENESIS
    anchor_mismatches: list[str] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        return not self.problems and not self.anchor_mismatches

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def _chunks(items: Iterable[AuditSeal], size: int) -> Iterator[list[AuditSeal]]:
    chunk: list[AuditSeal] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def verify_audit_log(*, anchors: Sequence[tuple[int, str]] = ()) -> Verification:
    """Recompute the chain link by link against the rows as they are now.

    ``anchors`` are (link id, digest) pairs recorded earlier outside the database: a chain rebuilt from scratch by
    someone who could write both tables is consistent in itself but no longer matches them.
    """
    result = Verification()
    previous = GENESIS
    highest_sealed_event = 0
    seals = AuditSeal.objects.order_by("id").only("id", "event_id", "digest").iterator(chunk_size=BATCH)
    for chunk in _chunks(seals, BATCH):
        rows = {row["id"]: row for row in
                AuditEvent.objects.filter(id__in=[seal.event_id for seal in chunk]).values(*CONTENT_FIELDS)}
        for seal in chunk:
            result.sealed += 1
            highest_sealed_event = max(highest_sealed_event, seal.event_id)
            row = rows.get(seal.event_id)
            if row is None:
                result.problems.append(Problem(seal_id=seal.pk, event_id=seal.event_id, kind="removed"))
            elif link_digest(previous, row) != seal.digest:
                result.problems.append(Problem(seal_id=seal.pk, event_id=seal.event_id, kind="altered"))
            previous = seal.digest
            result.head_id, result.head_digest = seal.pk, seal.digest
    unsealed = AuditEvent.objects.filter(~Exists(AuditSeal.objects.filter(event_id=OuterRef("id"))))
    result.unsealed = unsealed.count()
    result.unsealed_below_head = list(unsealed.filter(id__lt=highest_sealed_event).order_by("id")
                                      .values_list("id", flat=True)[:20])
    stored = dict(AuditSeal.objects.filter(id__in=[seal_id for seal_id, _ in anchors]).values_list("id", "digest"))
    for seal_id, digest in anchors:
        if stored.get(seal_id) != digest:
            result.anchor_mismatches.append(
                f"Mắt xích #{seal_id} không còn mang mã băm đã ghi lại ({digest[:12]}…): chuỗi đã bị dựng lại.")
    return result
