"""The incident register: recording an injury or abuse report, and deleting a row entered twice."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from treem.accounts.models import User
from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent, EthnicGroup
from treem.hierarchy.models import OrgUnit, Village
from treem.protection.models import (
    Case,
    Incident,
    IncidentKind,
)
from treem.protection.permissions import RECORD_INCIDENTS
from treem.protection.services.access import Actor, check_scope


@transaction.atomic
def record_incident(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    occurred_on: date,
    kind: str,
    child_age_years: int,
    child_sex: str,
    outcome: str,
    child_ethnic_group: EthnicGroup | None = None,
    village: Village | None = None,
    place: str = "",
    harm_kind: str = "",
    actions_taken: str = "",
    case: Case | None = None,
    is_demo: bool = False,
) -> Incident:
    """Write an injury or an abuse report in the commune's register (no name is kept)."""
    check_scope(actor, org_unit, RECORD_INCIDENTS)
    if org_unit.level != "commune":
        raise ValidationError({"org_unit": "Vụ việc phải thuộc một xã."})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "Ngày xảy ra không được sau hôm nay."})
    if kind == IncidentKind.ABUSE and not harm_kind:
        raise ValidationError({"harm_kind": "Chọn hình thức xâm hại."})
    if village is not None and village.org_unit_id != org_unit.pk:
        raise ValidationError({"village": "Thôn, bản không thuộc xã đã chọn."})
    incident = Incident(org_unit=org_unit, village=village, place=place, occurred_on=occurred_on, kind=kind,
                        harm_kind=harm_kind if kind == IncidentKind.ABUSE else "", child_age_years=child_age_years,
                        child_sex=child_sex, child_ethnic_group=child_ethnic_group, outcome=outcome,
                        actions_taken=actions_taken, case=case,
                        recorded_by=actor if isinstance(actor, User) else None, is_demo=is_demo)
    incident.full_clean()
    incident.save()
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=incident, action="record_incident",
                 org_unit_path=org_unit.path, after=snapshot(incident))
    return incident


@transaction.atomic
def delete_incident(*, actor: Actor, incident: Incident, reason: str) -> Incident:
    check_scope(actor, incident.org_unit, RECORD_INCIDENTS)
    if not reason.strip():
        raise ValidationError({"reason": "Ghi lý do xoá."})
    before = snapshot(incident)
    incident.deleted_at = timezone.now()
    incident.save(update_fields=["deleted_at", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.DELETE, obj=incident, action="delete_incident",
                 org_unit_path=incident.org_unit.path, before=before, after=snapshot(incident), reason=reason)
    return incident
