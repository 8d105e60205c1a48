"""Reports from other systems (the national child helpline 111, a partner's case system): registering and revoking
a system, and receiving a report as a case (through ``report_case``) or an incident (through ``record_incident``)
with its origin recorded, once per idempotency key."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.access import ensure_permitted
from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent
from treem.hierarchy.models import OrgUnit
from treem.hierarchy.selectors import unit_with_code_on
from treem.protection.models import ExternalReport, ExternalSystem, IntakeKind
from treem.protection.permissions import MANAGE_EXTERNAL_SYSTEMS
from treem.protection.selectors import ethnic_group_by_code
from treem.protection.services.access import Actor
from treem.protection.services.cases import report_case
from treem.protection.services.incidents import record_incident
from treem.protection.services.notices import alert_external_report

KEY_PREFIX = "trx_"


class IdempotencyKeyReused(ValueError):
    """The idempotency key was used before for a different report: nothing is written."""


@dataclass(frozen=True)
class NewExternalSystem:
    system: ExternalSystem
    key: str
    signing_secret: str


@transaction.atomic
def register_external_system(
    *, actor: Actor, name: str, org_unit: OrgUnit, allowed_kinds: Sequence[str], channel: str,
    is_signature_required: bool = False,
) -> NewExternalSystem:
    """Create a system with a new key and signing secret, shown this once (only the key's digest is kept)."""
    ensure_permitted(actor, MANAGE_EXTERNAL_SYSTEMS, path=org_unit.path)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    secret = secrets.token_hex(32)
    system = ExternalSystem(name=name.strip(), key_digest=hashlib.sha256(key.encode("utf-8")).hexdigest(),
                            signing_secret=secret, org_unit=org_unit, allowed_kinds=list(dict.fromkeys(allowed_kinds)),
                            channel=channel, is_signature_required=is_signature_required)
    system.full_clean()
    system.save()
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=system, action="register_external_system",
                 org_unit_path=org_unit.path, after=_public_snapshot(system))
    return NewExternalSystem(system=system, key=key, signing_secret=secret)


@transaction.atomic
def revoke_external_system(*, actor: Actor, system: ExternalSystem, reason: str) -> ExternalSystem:
    """Stop a system's key at once; the system and its reports stay."""
    ensure_permitted(actor, MANAGE_EXTERNAL_SYSTEMS, path=system.org_unit.path)
    if not reason.strip():
        raise ValidationError({"reason": _("Ghi lý do thu hồi.")})
    before = _public_snapshot(system)
    system.is_active = False
    system.revoked_at = timezone.now()
    system.save(update_fields=["is_active", "revoked_at", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=system, action="revoke_external_system",
                 org_unit_path=system.org_unit.path, before=before, after=_public_snapshot(system), reason=reason)
    return system


def _public_snapshot(system: ExternalSystem) -> dict[str, Any]:
    """The system as the audit trail keeps it: never its key digest or signing secret."""
    return {key: value for key, value in snapshot(system).items() if key not in ("key_digest", "signing_secret")}


def body_digest(*, kind: str, external_reference: str, org_unit_code: str, details: Mapping[str, Any]) -> str:
    """A digest of what a report says (not of its bytes): the same report sent twice has the same digest."""
    canonical = json.dumps({"kind": kind, "external_reference": external_reference, "org_unit_code": org_unit_code,
                            "details": details}, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_system(system: ExternalSystem, *, kind: str, org_unit: OrgUnit | None) -> None:
    """The system's own rules, as ``ensure_permitted`` is a user's: active, allowed this kind, unit in scope."""
    if not system.is_active:
        raise PermissionDenied(_("Hệ thống này đã bị thu hồi khóa."))
    if kind not in system.allowed_kinds:
        raise PermissionDenied(_("Hệ thống này không được gửi loại báo cáo “%(kind)s”.") % {"kind": kind})
    if org_unit is not None and not system.covers(org_unit):
        raise PermissionDenied(_("Đơn vị này nằm ngoài phạm vi của hệ thống gửi."))


def _commune(code: str, on: date) -> OrgUnit:
    unit = unit_with_code_on(code=code, on=on)
    if unit is None:
        raise ValidationError({"org_unit_code": _("Không có đơn vị mã %(code)s vào ngày %(day)s.")
                               % {"code": code, "day": on.strftime("%d/%m/%Y")}})
    return unit


@transaction.atomic
def receive_external_report(
    *, system: ExternalSystem, idempotency_key: str, kind: str, external_reference: str, org_unit_code: str,
    details: Mapping[str, Any], was_signed: bool = False,
) -> tuple[ExternalReport, bool]:
    """File a report from ``system`` once: ``(report, True)`` when it was created now, ``(report, False)`` when
    this key was received before with the same report (nothing is written again). The same key with a different
    report raises ``IdempotencyKeyReused``; a kind the system may not send, or a unit outside its scope, raises
    ``PermissionDenied`` — and nothing is written in either case."""
    _check_system(system, kind=kind, org_unit=None)
    digest = body_digest(kind=kind, external_reference=external_reference, org_unit_code=org_unit_code,
                         details=details)
    ExternalSystem.objects.select_for_update().filter(pk=system.pk).first()  # one report of a system at a time
    earlier = ExternalReport.objects.filter(system=system, idempotency_key=idempotency_key).first()
    if earlier is not None:
        if earlier.body_digest != digest:
            raise IdempotencyKeyReused(_("Khóa Idempotency-Key này đã được dùng cho một báo cáo khác."))
        return earlier, False
    fields = dict(details)
    ethnic_code = fields.pop("child_ethnic_group_code", None)
    ethnic_group = ethnic_group_by_code(ethnic_code) if ethnic_code else None
    if ethnic_code and ethnic_group is None:
        raise ValidationError({"details.child_ethnic_group_code": _("Không có dân tộc mã %(code)s.")
                               % {"code": ethnic_code}})
    report = ExternalReport(system=system, idempotency_key=idempotency_key, body_digest=digest, kind=kind,
                            external_reference=external_reference, was_signed=was_signed)
    if kind == IntakeKind.CASE:
        reported_at: datetime = fields["reported_at"]
        on = timezone.localtime(reported_at).date() if timezone.is_aware(reported_at) else reported_at.date()
        org_unit = _commune(org_unit_code, on)
        _check_system(system, kind=kind, org_unit=org_unit)
        report.case = report_case(actor=None, org_unit=org_unit, reported_via=system.channel,
                                  child_ethnic_group=ethnic_group, **fields)
    else:
        org_unit = _commune(org_unit_code, fields["occurred_on"])
        _check_system(system, kind=kind, org_unit=org_unit)
        report.incident = record_incident(actor=None, org_unit=org_unit, child_ethnic_group=ethnic_group, **fields)
    report.full_clean()
    report.save()
    system.last_used_at = timezone.now()
    system.save(update_fields=["last_used_at", "updated_at"])
    record_event(actor=None, verb=AuditEvent.Verb.CREATE, obj=report, action="receive_external_report",
                 org_unit_path=org_unit.path,
                 after={**snapshot(report), "system": system.name, "external_reference": external_reference})
    alert_external_report(report)
    return report, True
