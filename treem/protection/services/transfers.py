"""Handing a case over to another worker, which ends the current workers' access."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from treem.accounts.models import User
from treem.core.access import has_capability, scope_paths
from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.notices.models import Notice
from treem.notices.services import notify
from treem.protection.models import (
    Case,
    CaseWorker,
)
from treem.protection.permissions import WORK_CASES
from treem.protection.services.access import Actor, check_can_transfer
from treem.protection.services.errors import ensure_version
from treem.protection.services.notices import case_url
from treem.protection.services.steps import bump_version, lock_case


@transaction.atomic
def transfer_case(
    *, actor: Actor, case: Case, to_user: User, reason: str, expected_version: int | None = None,
) -> Case:
    """Hand the case over: the current workers' assignments end and ``to_user`` becomes the primary worker.

    Unlike a referral, the previous workers lose access (unless they supervise or lead). ``to_user`` must be
    able to work cases in the case's commune. With ``expected_version``, ``StaleVersionError`` (nothing saved) when
    the case changed since.
    """
    check_can_transfer(actor, case)
    locked = lock_case(case)
    ensure_version(locked, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": "Ghi lý do chuyển giao."})
    if not has_capability(to_user, WORK_CASES) or not any(
            locked.org_unit.path.startswith(root) for root in scope_paths(to_user, capability=WORK_CASES)):
        raise ValidationError({"to_user": "Người nhận không được phân công quản lý trường hợp ở xã này."})
    now = timezone.now()
    before = {"workers": list(locked.workers.current().values_list("user_id", flat=True)), "version": locked.version}
    locked.workers.current().update(ended_at=now, end_reason=f"Chuyển giao: {reason}"[:255])
    CaseWorker.objects.create(case=locked, user=to_user, is_primary=True, assigned_at=now)
    bump_version(locked)
    locked.save(update_fields=["version", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=locked, action="transfer_case",
                 org_unit_path=locked.org_unit.path, before=before,
                 after={"workers": [to_user.pk], "version": locked.version}, reason=reason)
    notify(recipient_id=to_user.pk, kind=Notice.Kind.ASSIGNED,
           key=f"assigned:{locked.pk}:{to_user.pk}:{locked.version}",
           title=f"Bạn được chuyển giao hồ sơ {locked.number}", about=locked, url=case_url(locked))
    return locked
