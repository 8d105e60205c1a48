"""Working a case's steps: opening a step with its deadline, locking the case and the open step, completing a step."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import User
from treem.core.audit import changed_fields, record_event, snapshot, to_json
from treem.core.calendar import WorkingCalendar, working_calendar
from treem.core.models import AuditEvent
from treem.protection.models import (
    Case,
    CaseStep,
    RiskLevel,
    SupportPlan,
)
from treem.protection.services.access import Actor, check_case_access
from treem.protection.services.errors import StepAlreadyDoneError, ensure_version
from treem.protection.workflow import (
    Outcome,
    StepKind,
    deadline_rule,
    due_at,
    next_step,
)


def lock_case(case: Case) -> Case:
    """The case's row, locked until the transaction ends (every workflow transition starts here)."""
    return Case.objects.select_for_update().get(pk=case.pk)


def open_case_step(
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


def bump_version(case: Case) -> None:
    """A change to the case: raise its version, which ``update_case`` compares with the editor's."""
    case.version += 1


def save_new_version(case: Case) -> None:
    """Raise the locked case's version and store it: a change to the case beyond its own fields (its plan)."""
    bump_version(case)
    case.save(update_fields=["version", "updated_at"])


def lock_open_step(step: CaseStep) -> CaseStep:
    """The step's row, locked; ``StepAlreadyDoneError`` if someone completed it in the meantime."""
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
    expected_version: int | None = None,
) -> CaseStep | None:
    """Finish an open step with its form and open the next one (the transition table decides which).

    Verification records whether the child is in danger and the emergency measures; review rates the risk
    (Cao / Trung bình / Thấp) and decides to close or make a new plan; closure closes the case. The plan step is
    finished by ``approve_plan``. Returns the next step (None when the case is closed). With ``expected_version``,
    ``StaleVersionError`` (nothing saved) when the case changed since.
    """
    check_case_access(actor, step.case)
    case = lock_case(step.case)
    ensure_version(case, expected_version)
    step = lock_open_step(step)
    if step.kind == StepKind.PLAN:
        raise ValidationError(_("Bước lập kế hoạch hoàn thành khi Chủ tịch UBND xã phê duyệt kế hoạch."))
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
        next_open = open_case_step(case=case, kind=following, opened_at=now, calendar=calendar, cycle=cycle,
                               is_new_plan=step.kind == StepKind.REVIEW)
    else:
        next_open = open_case_step(case=case, kind=following, opened_at=now, calendar=calendar, cycle=step.cycle,
                               plan=plan if following in {StepKind.REVIEW, StepKind.SERVICES} else None)
    if changed_fields(before_case, snapshot(case)):
        bump_version(case)
        case.full_clean()
        case.save()
        record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=case, action=f"complete_step:{step.kind}",
                     org_unit_path=case.org_unit.path, before=before_case, after=snapshot(case))
    record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=step, action=f"complete_step:{step.kind}",
                 org_unit_path=case.org_unit.path, before=before, after=snapshot(step))
    return next_open
