"""Breaking the glass: emergency access to a case not assigned to the user, for a written reason."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import User
from treem.core.access import has_capability
from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.notices.models import Notice
from treem.notices.services import notify
from treem.protection.models import (
    EmergencyAccess,
)
from treem.protection.permissions import BREAK_GLASS
from treem.protection.selectors import case_for_emergency_access, supervisors_of
from treem.protection.services.cases import MINIMUM_REASON_LENGTH
from treem.protection.services.notices import case_url

EMERGENCY_ACCESS_HOURS = 12


@transaction.atomic
def break_glass(*, actor: User, number: str, reason: str, now: datetime | None = None) -> EmergencyAccess:
    """Emergency access to a case not assigned to ``actor``, for a written reason, for a few hours.

    Only users who may break the glass in the case's commune can; the access is audited with its reason and the
    supervisors of the case's workers (and the workers) are notified at once.
    """
    if not has_capability(actor, BREAK_GLASS):
        raise PermissionDenied(_("Bạn không có quyền truy cập khẩn cấp."))
    if len(reason.strip()) < MINIMUM_REASON_LENGTH:
        raise ValidationError({"reason": f"Ghi rõ lý do khẩn cấp (ít nhất {MINIMUM_REASON_LENGTH} ký tự)."})
    case = case_for_emergency_access(actor, number=number)
    if case is None:
        raise ValidationError({"number": "Không tìm thấy hồ sơ có số này trong phạm vi của bạn."})
    now = now or timezone.now()
    access = EmergencyAccess(case=case, user=actor, reason=reason.strip(), granted_at=now,
                             expires_at=now + timedelta(hours=EMERGENCY_ACCESS_HOURS))
    access.full_clean()
    access.save()
    record_event(actor=actor, verb=AuditEvent.Verb.VIEW, obj=case, action="break_glass",
                 org_unit_path=case.org_unit.path, reason=reason.strip(),
                 after={"emergency_access_id": access.pk, "expires_at": access.expires_at})
    recipients = set(supervisors_of(case)) | set(case.workers.current().values_list("user_id", flat=True))
    recipients.discard(actor.pk)
    when = timezone.localtime(now).strftime("%d/%m/%Y %H:%M")
    for recipient_id in sorted(recipients):
        notify(recipient_id=recipient_id, kind=Notice.Kind.BREAK_GLASS, key=f"break-glass:{access.pk}:{recipient_id}",
               title=f"Truy cập khẩn cấp hồ sơ {case.number}",
               body=f"{actor} đã truy cập khẩn cấp hồ sơ {case.number} lúc {when}. Lý do: {reason.strip()}",
               about=case, url=case_url(case))
    return access
