"""Reporting a case (Mẫu 01), editing it with optimistic concurrency, and deleting one entered by mistake."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from treem.accounts.models import User
from treem.core.audit import changed_fields, record_event, snapshot, to_json
from treem.core.calendar import WorkingCalendar, working_calendar
from treem.core.models import AuditEvent, EthnicGroup
from treem.hierarchy.models import OrgUnit, Village
from treem.notices.models import Notice
from treem.notices.services import notify
from treem.protection.models import (
    Case,
    CaseStep,
    CaseWorker,
)
from treem.protection.permissions import WORK_CASES
from treem.protection.services.access import Actor, check_case_access, check_scope
from treem.protection.services.errors import ensure_version
from treem.protection.services.notices import case_url
from treem.protection.services.steps import bump_version, lock_case, open_case_step
from treem.protection.workflow import (
    Outcome,
    StepKind,
)
from treem.registry.models import Child

MINIMUM_REASON_LENGTH = 20

# Fields of a case that its workers may edit (PATCH); the workflow fields change only through the step services.
EDITABLE_CASE_FIELDS = (
    "village", "child", "child_full_name", "child_birth_date", "child_age_years", "child_sex", "child_ethnic_group",
    "child_address", "guardian_name", "guardian_phone", "special_circumstance", "reported_via", "reporter_name",
    "reporter_phone", "occurred_place", "harm_kind", "perpetrator_relation", "summary",
)


def _next_number(org_unit: OrgUnit, year: int) -> str:
    prefix = f"BV-{org_unit.code}-{year}-"
    last = (Case.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
            .first())
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


@transaction.atomic
def report_case(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    reported_via: str,
    reported_at: datetime,
    child_full_name: str,
    child_sex: str,
    harm_kind: str,
    summary: str,
    child: Child | None = None,
    child_birth_date: date | None = None,
    child_age_years: int | None = None,
    child_ethnic_group: EthnicGroup | None = None,
    child_address: str = "",
    guardian_name: str = "",
    guardian_phone: str = "",
    village: Village | None = None,
    special_circumstance: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    occurred_place: str = "",
    perpetrator_relation: str = "unknown",
    is_in_danger: bool = False,
    workers: Iterable[User] = (),
    is_demo: bool = False,
    calendar: WorkingCalendar | None = None,
) -> Case:
    """Receive a report (step 1, Mẫu 01): the case is created, its receipt step done, and verification opened.

    The reporting user becomes the case's primary worker (or ``workers``, the first one primary). When the child
    is in danger, verification and emergency measures are due within 12 hours.
    """
    check_scope(actor, org_unit, WORK_CASES)
    if org_unit.level != "commune":
        raise ValidationError({"org_unit": "Trường hợp phải thuộc một xã."})
    if child is not None:
        child_full_name = child_full_name or child.full_name
        child_birth_date = child_birth_date or child.birth_date
        child_sex = child_sex or child.sex
        child_ethnic_group = child_ethnic_group or child.ethnic_group
    calendar = calendar or working_calendar()
    case = Case(
        org_unit=org_unit, village=village, child=child, child_full_name=child_full_name.strip(),
        child_birth_date=child_birth_date, child_age_years=child_age_years, child_sex=child_sex,
        child_ethnic_group=child_ethnic_group, child_address=child_address, guardian_name=guardian_name,
        guardian_phone=guardian_phone, special_circumstance=special_circumstance, reported_via=reported_via,
        reported_at=reported_at, reporter_name=reporter_name, reporter_phone=reporter_phone,
        occurred_place=occurred_place, harm_kind=harm_kind, perpetrator_relation=perpetrator_relation,
        summary=summary, is_in_danger=is_in_danger, created_by=actor if isinstance(actor, User) else None,
        is_demo=is_demo,
    )
    if child_birth_date is None and child_age_years is None:
        raise ValidationError({"child_birth_date": "Cần ngày sinh hoặc tuổi của trẻ."})
    year = timezone.localtime(reported_at).year
    for _attempt in range(5):
        case.number = _next_number(org_unit, year)
        case.full_clean()
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            case.pk = None
    else:
        raise IntegrityError("Không cấp được số hồ sơ, thử lại.")
    assigned = list(workers) or ([actor] if isinstance(actor, User) else [])
    for index, user in enumerate(assigned):
        CaseWorker.objects.create(case=case, user=user, is_primary=index == 0, assigned_at=timezone.now())
    receipt = open_case_step(case=case, kind=StepKind.RECEIVE, opened_at=reported_at, calendar=calendar)
    receipt.status = CaseStep.Status.DONE
    receipt.completed_at = reported_at
    receipt.completed_by = actor if isinstance(actor, User) else None
    receipt.outcome = Outcome.DONE
    receipt.is_on_time = True
    receipt.data = to_json({"reported_via": reported_via, "reporter_name": reporter_name,
                            "occurred_place": occurred_place, "is_in_danger": is_in_danger})
    receipt.save()
    open_case_step(case=case, kind=StepKind.VERIFY, opened_at=receipt.completed_at, calendar=calendar)
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=case, action="report_case",
                 org_unit_path=org_unit.path, after=snapshot(case))
    for user in assigned[:1]:
        if actor is not None and user.pk == actor.pk:
            continue
        notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key=f"assigned:{case.pk}:{user.pk}:{case.version}",
               title=f"Bạn được phân công hồ sơ {case.number}", about=case, url=case_url(case))
    return case




@transaction.atomic
def update_case(*, actor: Actor, case: Case, expected_version: int, changes: Mapping[str, Any]) -> Case:
    """Edit a case's details. Refused with ``StaleVersionError`` (nothing saved) when ``expected_version`` is old."""
    check_case_access(actor, case)
    unknown = set(changes) - set(EDITABLE_CASE_FIELDS)
    if unknown:
        raise ValidationError({name: "Không sửa được trường này." for name in sorted(unknown)})
    locked = lock_case(case)
    ensure_version(locked, expected_version)
    before = snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    if not changed_fields(before, snapshot(locked)):
        return locked
    bump_version(locked)
    locked.full_clean()
    locked.save()
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=locked, action="update_case",
                 org_unit_path=locked.org_unit.path, before=before, after=snapshot(locked))
    return locked


@transaction.atomic
def delete_case(*, actor: Actor, case: Case, reason: str) -> Case:
    """Soft-delete a case entered by mistake (a duplicate report): kept, audited, hidden from every page."""
    check_case_access(actor, case)
    if len(reason.strip()) < MINIMUM_REASON_LENGTH:
        raise ValidationError({"reason": f"Ghi rõ lý do (ít nhất {MINIMUM_REASON_LENGTH} ký tự)."})
    locked = lock_case(case)
    before = snapshot(locked)
    locked.deleted_at = timezone.now()
    bump_version(locked)
    locked.save()
    record_event(actor=actor, verb=AuditEvent.Verb.DELETE, obj=locked, action="delete_case",
                 org_unit_path=locked.org_unit.path, before=before, after=snapshot(locked), reason=reason)
    return locked
