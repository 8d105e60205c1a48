"""Writes of the protection domain: reporting a case, working its steps, referring, transferring, breaking the
glass, raising deadline alerts, and recording incidents.

Every service takes the acting user first (keyword-only), runs in one transaction, validates before saving and
writes one audit event; workflow transitions lock the case row first. E-mails leave only after commit and carry a
case number, never a child's name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from treem.accounts.models import User
from treem.core.access import has_capability, scope_paths
from treem.core.audit import changed_fields, field_label, record_event, snapshot, to_json
from treem.core.calendar import WorkingCalendar, working_calendar
from treem.core.models import AuditEvent, EthnicGroup
from treem.hierarchy.models import Agency, OrgUnit, Village
from treem.notices.models import Notice
from treem.notices.services import NoticeDraft, notify, notify_all
from treem.protection.models import (
    Case,
    CaseService,
    CaseStep,
    CaseWorker,
    EmergencyAccess,
    Incident,
    IncidentKind,
    Referral,
    RiskLevel,
    Supervision,
    SupportPlan,
)
from treem.protection.permissions import BREAK_GLASS, RECORD_INCIDENTS, WORK_CASES
from treem.protection.selectors import case_for_emergency_access, supervisors_of
from treem.protection.workflow import (
    Outcome,
    StepKind,
    deadline_rule,
    due_at,
    next_step,
)
from treem.registry.models import Child

Actor = AbstractBaseUser | None

EMERGENCY_ACCESS_HOURS = 12
MINIMUM_REASON_LENGTH = 20

# Fields of a case that its workers may edit (PATCH); the workflow fields change only through the step services.
EDITABLE_CASE_FIELDS = (
    "village", "child", "child_full_name", "child_birth_date", "child_age_years", "child_sex", "child_ethnic_group",
    "child_address", "guardian_name", "guardian_phone", "special_circumstance", "reported_via", "reporter_name",
    "reporter_phone", "occurred_place", "harm_kind", "perpetrator_relation", "summary",
)


class StaleVersionError(Exception):
    """The case changed since the version the editor started from; nothing was saved.

    ``changes`` lists what the others changed since then (who, when, field, before, after), so the editor can see
    it and re-apply their own input on top of the current version.
    """

    def __init__(self, *, case: Case, expected_version: int, changes: list[dict[str, Any]]) -> None:
        self.case = case
        self.expected_version = expected_version
        self.current_version = case.version
        self.changes = changes
        super().__init__(
            f"Hồ sơ {case.number} đã được người khác sửa (phiên bản {case.version}, bạn đang sửa phiên bản "
            f"{expected_version}). Thay đổi của bạn chưa được lưu; xem thay đổi của họ rồi nhập lại."
        )


class StepAlreadyDoneError(Exception):
    """The step was completed in the meantime (by someone else, or by a second click)."""


def _check_scope(actor: Actor, org_unit: OrgUnit, capability: str) -> None:
    """A human actor must hold ``capability`` over ``org_unit``; None is the system (commands, demo)."""
    if actor is None:
        return
    if not any(org_unit.path.startswith(root) for root in scope_paths(actor, capability=capability)):
        raise PermissionDenied("Đơn vị này nằm ngoài phạm vi được phân công của bạn.")


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _next_number(org_unit: OrgUnit, year: int) -> str:
    prefix = f"BV-{org_unit.code}-{year}-"
    last = (Case.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
            .first())
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _open_step(
    *, case: Case, kind: str, opened_at: datetime, calendar: WorkingCalendar, cycle: int = 1,
    plan: SupportPlan | None = None, is_new_plan: bool = False,
) -> CaseStep:
    rule = deadline_rule(kind, is_in_danger=case.is_in_danger, is_new_plan=is_new_plan)
    step = CaseStep(
        case=case, kind=kind, cycle=cycle, opened_at=opened_at, plan=plan,
        due_at=due_at(kind, reported_at=case.reported_at, opened_at=opened_at, calendar=calendar,
                      is_in_danger=case.is_in_danger, is_new_plan=is_new_plan,
                      plan_review_on=plan.review_on if plan else None),
        deadline_label=f"{rule.label} — {rule.basis}" if rule.basis else rule.label,
    )
    step.full_clean()
    step.save()
    return step


def _bump(case: Case) -> None:
    case.version += 1


def _case_url(case: Case) -> str:
    return reverse("protection:case", args=[case.pk])


# ---------------------------------------------------------------------------------------------------------------
# Reporting and editing a case


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
    _check_scope(actor, org_unit, WORK_CASES)
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
    receipt = _open_step(case=case, kind=StepKind.RECEIVE, opened_at=reported_at, calendar=calendar)
    receipt.status = CaseStep.Status.DONE
    receipt.completed_at = reported_at
    receipt.completed_by = actor if isinstance(actor, User) else None
    receipt.outcome = Outcome.DONE
    receipt.is_on_time = True
    receipt.data = to_json({"reported_via": reported_via, "reporter_name": reporter_name,
                            "occurred_place": occurred_place, "is_in_danger": is_in_danger})
    receipt.save()
    _open_step(case=case, kind=StepKind.VERIFY, opened_at=receipt.completed_at, calendar=calendar)
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=case, action="report_case",
                 org_unit_path=org_unit.path, after=snapshot(case))
    for user in assigned[:1]:
        if actor is not None and user.pk == actor.pk:
            continue
        notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key=f"assigned:{case.pk}:{user.pk}:{case.version}",
               title=f"Bạn được phân công hồ sơ {case.number}", about=case, url=_case_url(case))
    return case


def changes_since(case: Case, version: int) -> list[dict[str, Any]]:
    """What changed in ``case`` after ``version``: one entry per changed field of each later edit."""
    changes: list[dict[str, Any]] = []
    events = (AuditEvent.objects.for_object(case)
              .filter(verb__in=[AuditEvent.Verb.UPDATE, AuditEvent.Verb.TRANSITION]).order_by("at", "id"))
    for event in events:
        after = event.after or {}
        if int(after.get("version", 0)) <= version:
            continue
        for name in changed_fields(event.before, event.after):
            if name in {"version", "updated_at"}:
                continue
            changes.append({"at": event.at, "by": event.actor_username, "field": name,
                            "label": _field_label(name), "before": (event.before or {}).get(name),
                            "after": after.get(name)})
    return changes


def _field_label(attname: str) -> str:
    return field_label(Case, attname, {"workers": "người quản lý trường hợp"})


@transaction.atomic
def update_case(*, actor: Actor, case: Case, expected_version: int, changes: Mapping[str, Any]) -> Case:
    """Edit a case's details. Refused with ``StaleVersionError`` (nothing saved) when ``expected_version`` is old."""
    unknown = set(changes) - set(EDITABLE_CASE_FIELDS)
    if unknown:
        raise ValidationError({name: "Không sửa được trường này." for name in sorted(unknown)})
    locked = _lock(case)
    if locked.version != expected_version:
        raise StaleVersionError(case=locked, expected_version=expected_version,
                                changes=changes_since(locked, expected_version))
    before = snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    if not changed_fields(before, snapshot(locked)):
        return locked
    _bump(locked)
    locked.full_clean()
    locked.save()
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=locked, action="update_case",
                 org_unit_path=locked.org_unit.path, before=before, after=snapshot(locked))
    return locked


@transaction.atomic
def delete_case(*, actor: Actor, case: Case, reason: str) -> Case:
    """Soft-delete a case entered by mistake (a duplicate report): kept, audited, hidden from every page."""
    if len(reason.strip()) < MINIMUM_REASON_LENGTH:
        raise ValidationError({"reason": f"Ghi rõ lý do (ít nhất {MINIMUM_REASON_LENGTH} ký tự)."})
    locked = _lock(case)
    before = snapshot(locked)
    locked.deleted_at = timezone.now()
    _bump(locked)
    locked.save()
    record_event(actor=actor, verb=AuditEvent.Verb.DELETE, obj=locked, action="delete_case",
                 org_unit_path=locked.org_unit.path, before=before, after=snapshot(locked), reason=reason)
    return locked


# ---------------------------------------------------------------------------------------------------------------
# Steps


def _lock_open_step(step: CaseStep) -> CaseStep:
    locked = CaseStep.objects.select_for_update(of=("self",)).select_related("case", "plan").get(pk=step.pk)
    if locked.status != CaseStep.Status.OPEN:
        who = locked.completed_by or "người khác"
        when = timezone.localtime(locked.completed_at).strftime("%d/%m/%Y %H:%M") if locked.completed_at else ""
        raise StepAlreadyDoneError(f"Bước “{locked.get_kind_display()}” đã được {who} hoàn thành lúc {when}.")
    return locked


@transaction.atomic
def complete_step(
    *,
    actor: Actor,
    step: CaseStep,
    outcome: str = Outcome.DONE,
    data: Mapping[str, Any] | None = None,
    completed_at: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> CaseStep | None:
    """Finish an open step with its form and open the next one (the transition table decides which).

    Verification records whether the child is in danger and the emergency measures; review rates the risk
    (Cao / Trung bình / Thấp) and decides to close or make a new plan; closure closes the case. The plan step is
    finished by ``approve_plan``. Returns the next step (None when the case is closed).
    """
    case = _lock(step.case)
    step = _lock_open_step(step)
    if step.kind == StepKind.PLAN:
        raise ValidationError("Bước lập kế hoạch hoàn thành khi Chủ tịch UBND xã phê duyệt kế hoạch.")
    following = next_step(step.kind, outcome)
    calendar = calendar or working_calendar()
    now = completed_at or timezone.now()
    before_case = snapshot(case)
    before = snapshot(step)
    step.status = CaseStep.Status.DONE
    step.outcome = outcome
    step.data = to_json(dict(data or {}))
    step.completed_at = now
    step.completed_by = actor if isinstance(actor, User) else None
    step.is_on_time = now <= step.due_at
    step.full_clean()
    step.save()
    risk = (data or {}).get("risk_level")
    if risk in RiskLevel.values:
        case.risk_level = risk
    plan = step.plan or case.plans.order_by("-number").first()
    next_open: CaseStep | None = None
    if step.kind == StepKind.REVIEW and plan is not None and plan.status == SupportPlan.Status.APPROVED:
        plan_before = snapshot(plan)
        plan.status = SupportPlan.Status.ENDED
        plan.save(update_fields=["status", "updated_at"])
        record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=plan, action="end_plan",
                     org_unit_path=case.org_unit.path, before=plan_before, after=snapshot(plan))
    if following is None:
        case.status = Case.Status.CLOSED
        case.closed_at = now
    elif following == StepKind.PLAN:
        cycle = step.cycle + 1 if step.kind == StepKind.REVIEW else step.cycle
        next_open = _open_step(case=case, kind=following, opened_at=now, calendar=calendar, cycle=cycle,
                               is_new_plan=step.kind == StepKind.REVIEW)
    else:
        next_open = _open_step(case=case, kind=following, opened_at=now, calendar=calendar, cycle=step.cycle,
                               plan=plan if following in {StepKind.REVIEW, StepKind.SERVICES} else None)
    if changed_fields(before_case, snapshot(case)):
        _bump(case)
        case.full_clean()
        case.save()
        record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=case, action=f"complete_step:{step.kind}",
                     org_unit_path=case.org_unit.path, before=before_case, after=snapshot(case))
    record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=step, action=f"complete_step:{step.kind}",
                 org_unit_path=case.org_unit.path, before=before, after=snapshot(step))
    return next_open


@transaction.atomic
def save_plan(
    *, actor: Actor, case: Case, goals: str, starts_on: date, review_on: date, measures: str = "",
) -> SupportPlan:
    """Write (or rewrite) the draft plan of the open plan step; approval by the commune chair completes it."""
    case = _lock(case)
    step = case.steps.filter(status=CaseStep.Status.OPEN, kind=StepKind.PLAN).first()
    if step is None:
        raise ValidationError("Hồ sơ không ở bước lập kế hoạch.")
    plan = step.plan or SupportPlan(case=case, number=step.cycle, drafted_by=actor if isinstance(actor, User) else None)
    if plan.status != SupportPlan.Status.DRAFT:
        raise ValidationError("Kế hoạch đã phê duyệt không sửa được; lập kế hoạch mới sau khi đánh giá.")
    before = snapshot(plan) if plan.pk else None
    plan.goals, plan.measures, plan.starts_on, plan.review_on = goals, measures, starts_on, review_on
    plan.full_clean()
    plan.save()
    if step.plan_id != plan.pk:
        step.plan = plan
        step.save(update_fields=["plan", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE if before else AuditEvent.Verb.CREATE, obj=plan,
                 action="save_plan", org_unit_path=case.org_unit.path, before=before, after=snapshot(plan))
    return plan


@transaction.atomic
def add_service(
    *, actor: Actor, plan: SupportPlan, kind: str, description: str, provider_name: str, planned_on: date,
    provider_agency: Agency | None = None,
) -> CaseService:
    """Add a service (health care, psychological support, legal aid…) with its provider and planned date."""
    if plan.status == SupportPlan.Status.ENDED:
        raise ValidationError("Kế hoạch đã kết thúc.")
    service = CaseService(plan=plan, kind=kind, description=description, provider_name=provider_name,
                          provider_agency=provider_agency, planned_on=planned_on)
    service.full_clean()
    service.save()
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=service, action="add_service",
                 org_unit_path=plan.case.org_unit.path, after=snapshot(service))
    return service


@transaction.atomic
def record_service_delivery(*, actor: Actor, service: CaseService, delivered_on: date, result: str = "") -> CaseService:
    """Record that a service was delivered (under an approved plan: it then counts for indicator I13)."""
    if service.plan.status == SupportPlan.Status.DRAFT:
        raise ValidationError({"delivered_on": "Kế hoạch chưa được phê duyệt."})
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": "Ngày thực hiện không được sau hôm nay."})
    before = snapshot(service)
    service.delivered_on = delivered_on
    service.result = result
    service.full_clean()
    service.save()
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=service, action="record_service_delivery",
                 org_unit_path=service.plan.case.org_unit.path, before=before, after=snapshot(service))
    return service


@transaction.atomic
def approve_plan(
    *, actor: Actor, plan: SupportPlan, approved_on: date, approver_name: str, decision_number: str = "",
    calendar: WorkingCalendar | None = None, completed_at: datetime | None = None,
) -> CaseStep:
    """Record the commune chair's approval: the plan step is done (on time or not) and the services step opens."""
    case = _lock(plan.case)
    step = case.steps.filter(status=CaseStep.Status.OPEN, kind=StepKind.PLAN).first()
    if step is None or step.plan_id != plan.pk:
        raise ValidationError("Kế hoạch này không ở bước chờ phê duyệt.")
    step = _lock_open_step(step)
    if not plan.services.exists():
        raise ValidationError("Kế hoạch cần ít nhất một dịch vụ hỗ trợ, can thiệp.")
    if approved_on > timezone.localdate():
        raise ValidationError({"approved_on": "Ngày phê duyệt không được sau hôm nay."})
    if not approver_name.strip():
        raise ValidationError({"approver_name": "Ghi tên Chủ tịch (hoặc Phó Chủ tịch được ủy quyền) UBND xã."})
    before = snapshot(plan)
    plan.status = SupportPlan.Status.APPROVED
    plan.approved_on = approved_on
    plan.approver_name = approver_name.strip()
    plan.decision_number = decision_number
    plan.full_clean()
    plan.save()
    for earlier in case.plans.filter(status=SupportPlan.Status.APPROVED).exclude(pk=plan.pk):
        earlier_before = snapshot(earlier)
        earlier.status = SupportPlan.Status.ENDED
        earlier.save(update_fields=["status", "updated_at"])
        record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=earlier, action="end_plan",
                     org_unit_path=case.org_unit.path, before=earlier_before, after=snapshot(earlier))
    step_before = snapshot(step)
    step.status = CaseStep.Status.DONE
    step.outcome = Outcome.DONE
    now = completed_at or timezone.now()
    step.completed_at = now
    step.completed_by = actor if isinstance(actor, User) else None
    step.is_on_time = approved_on <= timezone.localtime(step.due_at).date()
    step.data = to_json({"approved_on": approved_on, "approver_name": plan.approver_name,
                         "decision_number": decision_number, "plan_number": plan.number})
    step.save()
    record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=plan, action="approve_plan",
                 org_unit_path=case.org_unit.path, before=before, after=snapshot(plan))
    record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=step, action="complete_step:plan",
                 org_unit_path=case.org_unit.path, before=step_before, after=snapshot(step))
    return _open_step(case=case, kind=StepKind.SERVICES, opened_at=now, calendar=calendar or working_calendar(),
                      cycle=step.cycle, plan=plan)


# ---------------------------------------------------------------------------------------------------------------
# Referrals, transfers, emergency access


@transaction.atomic
def refer_case(
    *, actor: Actor, case: Case, target: str, target_name: str, reason: str, follow_up_on: date,
    target_agency: Agency | None = None, referred_at: datetime | None = None,
) -> Referral:
    """Refer the case to another agency. The case stays with its workers: a referral moves no access."""
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
    if referral.status != Referral.Status.PENDING:
        raise ValidationError("Chuyển gửi này đã có trả lời.")
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


@transaction.atomic
def transfer_case(*, actor: Actor, case: Case, to_user: User, reason: str) -> Case:
    """Hand the case over: the current workers' assignments end and ``to_user`` becomes the primary worker.

    Unlike a referral, the previous workers lose access (unless they supervise or lead). ``to_user`` must be
    able to work cases in the case's commune.
    """
    locked = _lock(case)
    if not reason.strip():
        raise ValidationError({"reason": "Ghi lý do chuyển giao."})
    if not has_capability(to_user, WORK_CASES) or not any(
            locked.org_unit.path.startswith(root) for root in scope_paths(to_user, capability=WORK_CASES)):
        raise ValidationError({"to_user": "Người nhận không được phân công quản lý trường hợp ở xã này."})
    now = timezone.now()
    before = {"workers": list(locked.workers.current().values_list("user_id", flat=True)), "version": locked.version}
    locked.workers.current().update(ended_at=now, end_reason=f"Chuyển giao: {reason}"[:255])
    CaseWorker.objects.create(case=locked, user=to_user, is_primary=True, assigned_at=now)
    _bump(locked)
    locked.save(update_fields=["version", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=locked, action="transfer_case",
                 org_unit_path=locked.org_unit.path, before=before,
                 after={"workers": [to_user.pk], "version": locked.version}, reason=reason)
    notify(recipient_id=to_user.pk, kind=Notice.Kind.ASSIGNED,
           key=f"assigned:{locked.pk}:{to_user.pk}:{locked.version}",
           title=f"Bạn được chuyển giao hồ sơ {locked.number}", about=locked, url=_case_url(locked))
    return locked


@transaction.atomic
def break_glass(*, actor: User, number: str, reason: str, now: datetime | None = None) -> EmergencyAccess:
    """Emergency access to a case not assigned to ``actor``, for a written reason, for a few hours.

    Only users who may break the glass in the case's commune can; the access is audited with its reason and the
    supervisors of the case's workers (and the workers) are notified at once.
    """
    if not has_capability(actor, BREAK_GLASS):
        raise PermissionDenied("Bạn không có quyền truy cập khẩn cấp.")
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
               about=case, url=_case_url(case))
    return access


# ---------------------------------------------------------------------------------------------------------------
# Deadlines


@dataclass(frozen=True)
class DeadlineCheck:
    overdue_steps: int
    notices_created: int
    follow_ups_due: int


@transaction.atomic
def raise_deadline_alerts(*, now: datetime | None = None) -> DeadlineCheck:
    """Notify the workers and their supervisors of every overdue step and every referral follow-up that is due.

    Each alert is raised once (its notice key names the step or referral and the recipient), so running this any
    number of times a day notifies nobody twice. Set-based: the overdue steps, the follow-ups, the workers and the
    supervisors are read as plain rows (four queries), and the notices are inserted by one ``notify_all``.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    live = {"case__deleted_at__isnull": True, "case__status": Case.Status.OPEN}
    overdue = list(CaseStep.objects.filter(status=CaseStep.Status.OPEN, due_at__lt=now, **live)
                   .values_list("pk", "kind", "due_at", "case_id", "case__number"))
    follow_ups = list(Referral.objects.filter(follow_up_on__lte=today, followed_up_on__isnull=True, **live)
                      .exclude(status=Referral.Status.REFUSED)
                      .values_list("pk", "target_name", "follow_up_on", "case_id", "case__number"))
    case_ids = {row[3] for row in overdue} | {row[3] for row in follow_ups}
    workers: dict[int, set[int]] = defaultdict(set)
    for case_id, user_id in CaseWorker.objects.current().filter(case_id__in=case_ids).values_list("case_id",
                                                                                                 "user_id"):
        workers[case_id].add(user_id)
    supervisors: dict[int, set[int]] = defaultdict(set)
    worker_ids = set().union(*workers.values())
    for worker_id, supervisor_id in Supervision.objects.filter(worker_id__in=worker_ids, is_active=True) \
            .values_list("worker_id", "supervisor_id"):
        supervisors[worker_id].add(supervisor_id)
    step_labels = dict(StepKind.choices)
    case_type = Case._meta.label_lower
    urls: dict[int, str] = {}

    def url_of(case_id: int) -> str:
        if case_id not in urls:
            urls[case_id] = reverse("protection:case", args=[case_id])
        return urls[case_id]

    drafts: list[NoticeDraft] = []
    for step_id, kind, step_due_at, case_id, number in overdue:
        case_workers = workers.get(case_id, set())
        recipients = case_workers.union(*(supervisors.get(worker, set()) for worker in case_workers))
        label = step_labels.get(kind, kind)
        title = f"Quá hạn: {label} – hồ sơ {number}"
        body = f"Bước “{label}” của hồ sơ {number} đã quá hạn (hạn {timezone.localtime(step_due_at):%d/%m/%Y %H:%M})."
        drafts.extend(NoticeDraft(recipient_id=recipient_id, kind=Notice.Kind.OVERDUE_STEP,
                                  key=f"overdue:{step_id}:{recipient_id}", title=title, body=body,
                                  url=url_of(case_id), object_type=case_type, object_id=str(case_id))
                      for recipient_id in sorted(recipients))
    for referral_id, target_name, follow_up_on, case_id, number in follow_ups:
        title = f"Đến hạn theo dõi chuyển gửi – hồ sơ {number}"
        body = f"Theo dõi lại việc chuyển gửi đến {target_name} (hạn {follow_up_on:%d/%m/%Y})."
        drafts.extend(NoticeDraft(recipient_id=recipient_id, kind=Notice.Kind.FOLLOW_UP_DUE,
                                  key=f"follow-up:{referral_id}:{recipient_id}", title=title, body=body,
                                  url=url_of(case_id), object_type=case_type, object_id=str(case_id))
                      for recipient_id in sorted(workers.get(case_id, set())))
    run = notify_all(drafts)
    return DeadlineCheck(overdue_steps=len(overdue), notices_created=run.created, follow_ups_due=len(follow_ups))


# ---------------------------------------------------------------------------------------------------------------
# The incident register


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
    _check_scope(actor, org_unit, RECORD_INCIDENTS)
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
    if not reason.strip():
        raise ValidationError({"reason": "Ghi lý do xoá."})
    before = snapshot(incident)
    incident.deleted_at = timezone.now()
    incident.save(update_fields=["deleted_at", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.DELETE, obj=incident, action="delete_incident",
                 org_unit_path=incident.org_unit.path, before=before, after=snapshot(incident), reason=reason)
    return incident
