"""The support plan (Mẫu 04): drafting, its services, their delivery, and the commune chair's approval."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import User
from treem.core.audit import record_event, snapshot, to_json
from treem.core.calendar import WorkingCalendar, working_calendar
from treem.core.models import AuditEvent
from treem.hierarchy.models import Agency
from treem.protection.models import (
    Case,
    CaseService,
    CaseStep,
    SupportPlan,
)
from treem.protection.services.access import Actor, check_case_access
from treem.protection.services.errors import ensure_version
from treem.protection.services.steps import lock_case, lock_open_step, open_case_step, save_new_version
from treem.protection.workflow import (
    Outcome,
    StepKind,
)


@transaction.atomic
def save_plan(
    *, actor: Actor, case: Case, goals: str, starts_on: date, review_on: date, measures: str = "",
    expected_version: int | None = None,
) -> SupportPlan:
    """Write (or rewrite) the draft plan of the open plan step; approval by the commune chair completes it. The
    case's version goes up (the plan is part of the case: an approval or another draft based on the version before
    is stale); with ``expected_version``, ``StaleVersionError`` (nothing saved) when the case changed since."""
    check_case_access(actor, case)
    case = lock_case(case)
    ensure_version(case, expected_version)
    step = case.steps.filter(status=CaseStep.Status.OPEN, kind=StepKind.PLAN).first()
    if step is None:
        raise ValidationError(_("Hồ sơ không ở bước lập kế hoạch."))
    plan = step.plan or SupportPlan(case=case, number=step.cycle, drafted_by=actor if isinstance(actor, User) else None)
    if plan.status != SupportPlan.Status.DRAFT:
        raise ValidationError(_("Kế hoạch đã phê duyệt không sửa được; lập kế hoạch mới sau khi đánh giá."))
    before = snapshot(plan) if plan.pk else None
    plan.goals, plan.measures, plan.starts_on, plan.review_on = goals, measures, starts_on, review_on
    plan.full_clean()
    plan.save()
    if step.plan_id != plan.pk:
        step.plan = plan
        step.save(update_fields=["plan", "updated_at"])
    save_new_version(case)
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE if before else AuditEvent.Verb.CREATE, obj=plan,
                 action="save_plan", org_unit_path=case.org_unit.path, before=before, after=snapshot(plan))
    return plan


@transaction.atomic
def add_service(
    *, actor: Actor, plan: SupportPlan, kind: str, description: str, provider_name: str, planned_on: date,
    provider_agency: Agency | None = None,
) -> CaseService:
    """Add a service (health care, psychological support, legal aid…) with its provider and planned date."""
    check_case_access(actor, plan.case)
    if plan.status == SupportPlan.Status.ENDED:
        raise ValidationError(_("Kế hoạch đã kết thúc."))
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
    check_case_access(actor, service.plan.case)
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
    expected_version: int | None = None,
) -> CaseStep:
    """Record the commune chair's approval: the plan step is done (on time or not) and the services step opens.
    With ``expected_version``, ``StaleVersionError`` (nothing saved) when the case changed since (a draft rewritten
    meanwhile raised it: the chair approved what the caller read)."""
    check_case_access(actor, plan.case)
    case = lock_case(plan.case)
    ensure_version(case, expected_version)
    step = case.steps.filter(status=CaseStep.Status.OPEN, kind=StepKind.PLAN).first()
    if step is None or step.plan_id != plan.pk:
        raise ValidationError(_("Kế hoạch này không ở bước chờ phê duyệt."))
    step = lock_open_step(step)
    if not plan.services.exists():
        raise ValidationError(_("Kế hoạch cần ít nhất một dịch vụ hỗ trợ, can thiệp."))
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
    return open_case_step(case=case, kind=StepKind.SERVICES, opened_at=now, calendar=calendar or working_calendar(),
                      cycle=step.cycle, plan=plan)
