"""Referrals to another agency: referring, recording the answer, recording the follow-up."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import User
from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent
from treem.hierarchy.models import Agency
from treem.protection.models import (
    Case,
    Referral,
)
from treem.protection.services.access import Actor, check_case_access


@transaction.atomic
def refer_case(
    *, actor: Actor, case: Case, target: str, target_name: str, reason: str, follow_up_on: date,
    target_agency: Agency | None = None, referred_at: datetime | None = None,
) -> Referral:
    """Refer the case to another agency. The case stays with its workers: a referral moves no access."""
    check_case_access(actor, case)
    referred_at = referred_at or timezone.now()
    if follow_up_on < timezone.localtime(referred_at).date():
        raise ValidationError({"follow_up_on": "Ngày theo dõi lại phải từ ngày chuyển gửi trở đi."})
    referral = Referral(case=case, target=target, target_name=target_name, target_agency=target_agency,
                        reason=reason, follow_up_on=follow_up_on, referred_at=referred_at,
                        referred_by=actor if isinstance(actor, User) else None)
    referral.full_clean()
    referral.save()
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=referral, action="refer_case",
                 org_unit_path=case.org_unit.path, after=snapshot(referral))
    return referral


@transaction.atomic
def record_referral_response(
    *, actor: Actor, referral: Referral, is_accepted: bool, responded_on: date, note: str = "",
) -> Referral:
    """The receiving agency accepted or refused the referral (a refusal needs its reason)."""
    check_case_access(actor, referral.case)
    if referral.status != Referral.Status.PENDING:
        raise ValidationError(_("Chuyển gửi này đã có trả lời."))
    if not is_accepted and not note.strip():
        raise ValidationError({"note": "Ghi lý do từ chối."})
    before = snapshot(referral)
    referral.status = Referral.Status.ACCEPTED if is_accepted else Referral.Status.REFUSED
    referral.responded_on = responded_on
    referral.response_note = note
    referral.full_clean()
    referral.save()
    record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=referral, action="record_referral_response",
                 org_unit_path=referral.case.org_unit.path, before=before, after=snapshot(referral))
    return referral


@transaction.atomic
def record_referral_follow_up(*, actor: Actor, referral: Referral, followed_up_on: date, note: str) -> Referral:
    check_case_access(actor, referral.case)
    if not note.strip():
        raise ValidationError({"note": "Ghi kết quả theo dõi."})
    before = snapshot(referral)
    referral.followed_up_on = followed_up_on
    referral.follow_up_note = note
    referral.full_clean()
    referral.save()
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=referral, action="record_referral_follow_up",
                 org_unit_path=referral.case.org_unit.path, before=before, after=snapshot(referral))
    return referral
