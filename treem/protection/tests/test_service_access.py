"""Every write service of protection checks its acting user: called directly (as the API, a command or a future
caller would), by a user who is not entitled to the case or the commune, it refuses with ``PermissionDenied`` and
changes nothing. ``None`` is the system (commands, demo) and passes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from treem.accounts.models import User
from treem.accounts.tests.factories import unit, user_with_role
from treem.core.calendar import WorkingCalendar
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.protection import services
from treem.protection.models import Case, CaseService, Referral, SupportPlan
from treem.protection.tests.factories import OTHER, OWN, advance_to_plan, incident, make_case, open_step, worker
from treem.protection.workflow import Outcome

pytestmark = pytest.mark.django_db

Attempt = Callable[[User], Any]


def _case(owner: User) -> Case:
    return make_case(owner)


def _draft(owner: User) -> SupportPlan:
    case = _case(owner)
    advance_to_plan(case, owner)
    today = timezone.localdate()
    return services.save_plan(actor=owner, case=case, goals="Trẻ an toàn.", starts_on=today,
                              review_on=today + timedelta(days=30))


def _with_service(owner: User) -> tuple[SupportPlan, CaseService]:
    plan = _draft(owner)
    service = services.add_service(actor=owner, plan=plan, kind="psychological", description="Tư vấn",
                                   provider_name="Trạm Y tế xã", planned_on=timezone.localdate())
    return plan, service


def _approved_service(owner: User) -> CaseService:
    plan, service = _with_service(owner)
    services.approve_plan(actor=owner, plan=plan, approved_on=timezone.localdate(), approver_name="Lò Văn Thắng",
                          calendar=WorkingCalendar())
    service.refresh_from_db()
    return service


def _referral(owner: User) -> Referral:
    return services.refer_case(actor=owner, case=_case(owner), target=Referral.Target.POLICE,
                               target_name="Công an xã", reason="Đề nghị điều tra",
                               follow_up_on=timezone.localdate() + timedelta(days=7))


def attempt_update_case(owner: User) -> Attempt:
    case = _case(owner)
    return lambda actor: services.update_case(actor=actor, case=case, expected_version=case.version,
                                              changes={"summary": "Sửa bởi người không được giao"})


def attempt_delete_case(owner: User) -> Attempt:
    case = _case(owner)
    return lambda actor: services.delete_case(actor=actor, case=case, reason="Nhập trùng với hồ sơ đã tiếp nhận")


def attempt_complete_step(owner: User) -> Attempt:
    step = open_step(_case(owner))
    return lambda actor: services.complete_step(actor=actor, step=step, outcome=Outcome.CONFIRMED,
                                                data={"findings": "x", "risk_level": "low"})


def attempt_save_plan(owner: User) -> Attempt:
    case = _case(owner)
    advance_to_plan(case, owner)
    today = timezone.localdate()
    return lambda actor: services.save_plan(actor=actor, case=case, goals="x", starts_on=today,
                                            review_on=today + timedelta(days=30))


def attempt_add_service(owner: User) -> Attempt:
    plan = _draft(owner)
    return lambda actor: services.add_service(actor=actor, plan=plan, kind="legal", description="x",
                                              provider_name="Phòng Tư pháp", planned_on=timezone.localdate())


def attempt_approve_plan(owner: User) -> Attempt:
    plan, _service = _with_service(owner)
    return lambda actor: services.approve_plan(actor=actor, plan=plan, approved_on=timezone.localdate(),
                                               approver_name="Lò Văn Thắng", calendar=WorkingCalendar())


def attempt_record_service_delivery(owner: User) -> Attempt:
    service = _approved_service(owner)
    return lambda actor: services.record_service_delivery(actor=actor, service=service,
                                                          delivered_on=timezone.localdate())


def attempt_refer_case(owner: User) -> Attempt:
    case = _case(owner)
    return lambda actor: services.refer_case(actor=actor, case=case, target=Referral.Target.HEALTH,
                                             target_name="Bệnh viện", reason="x",
                                             follow_up_on=timezone.localdate() + timedelta(days=7))


def attempt_record_referral_response(owner: User) -> Attempt:
    referral = _referral(owner)
    return lambda actor: services.record_referral_response(actor=actor, referral=referral, is_accepted=True,
                                                           responded_on=timezone.localdate())


def attempt_record_referral_follow_up(owner: User) -> Attempt:
    referral = _referral(owner)
    return lambda actor: services.record_referral_follow_up(actor=actor, referral=referral,
                                                            followed_up_on=timezone.localdate(), note="Đã gặp")


def attempt_transfer_case(owner: User) -> Attempt:
    case = _case(owner)
    successor = worker(OWN)
    return lambda actor: services.transfer_case(actor=actor, case=case, to_user=successor, reason="Tự nhận hồ sơ")


def attempt_report_case_in_a_commune_outside_the_scope(owner: User) -> Attempt:
    return lambda actor: services.report_case(
        actor=actor, org_unit=unit(OTHER), reported_via="school", reported_at=timezone.now(),
        child_full_name="Trẻ", child_sex="F", child_age_years=8, harm_kind="neglect", summary="x")


def attempt_record_incident_in_a_commune_outside_the_scope(owner: User) -> Attempt:
    return lambda actor: services.record_incident(
        actor=actor, org_unit=unit(OTHER), occurred_on=timezone.localdate(), kind="drowning", child_age_years=6,
        child_sex="M", outcome="injured")


def attempt_delete_incident_of_another_commune(owner: User) -> Attempt:
    recorded = incident(OTHER)
    return lambda actor: services.delete_incident(actor=actor, incident=recorded, reason="Ghi trùng")


def attempt_break_glass_without_the_capability(owner: User) -> Attempt:
    case = _case(owner)
    return lambda actor: services.break_glass(actor=actor, number=case.number,
                                              reason="Trẻ đang gặp nguy hiểm, cần xem ngay hồ sơ")


ATTEMPTS = [
    attempt_update_case, attempt_delete_case, attempt_complete_step, attempt_save_plan, attempt_add_service,
    attempt_approve_plan, attempt_record_service_delivery, attempt_refer_case, attempt_record_referral_response,
    attempt_record_referral_follow_up, attempt_transfer_case, attempt_report_case_in_a_commune_outside_the_scope,
    attempt_record_incident_in_a_commune_outside_the_scope, attempt_delete_incident_of_another_commune,
    attempt_break_glass_without_the_capability,
]


def intruder_for(attempt: Callable[[User], Attempt]) -> User:
    """A case worker of the same commune who is not assigned to the case; for breaking the glass, the commune's
    officer, who may work cases but not break the glass."""
    if attempt is attempt_break_glass_without_the_capability:
        return user_with_role(Role.COMMUNE_OFFICER, OWN)
    return worker(OWN)


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda attempt: attempt.__name__.removeprefix("attempt_"))
def test_a_write_by_a_user_not_entitled_is_refused_and_changes_nothing(attempt: Callable[[User], Attempt]) -> None:
    owner = worker(OWN)
    call = attempt(owner)
    intruder = intruder_for(attempt)
    events = AuditEvent.objects.exclude(verb=AuditEvent.Verb.VIEW).count()
    with pytest.raises(PermissionDenied):
        call(intruder)
    assert AuditEvent.objects.exclude(verb=AuditEvent.Verb.VIEW).count() == events


@pytest.mark.parametrize("attempt", [attempt_update_case, attempt_complete_step, attempt_refer_case,
                                     attempt_transfer_case],
                         ids=lambda attempt: attempt.__name__.removeprefix("attempt_"))
def test_the_assigned_worker_and_the_system_may_write(attempt: Callable[[User], Attempt]) -> None:
    owner = worker(OWN)
    attempt(owner)(owner)
    attempt(worker(OWN))(None)  # type: ignore[arg-type]


def test_an_emergency_access_lets_the_user_work_the_case_but_not_transfer_it() -> None:
    owner = worker(OWN)
    case = _case(owner)
    colleague = worker(OWN)
    services.break_glass(actor=colleague, number=case.number, reason="Trẻ đang gặp nguy hiểm, cần xem ngay hồ sơ")
    services.update_case(actor=colleague, case=case, expected_version=case.version,
                         changes={"summary": "Bổ sung khi truy cập khẩn cấp"})
    with pytest.raises(PermissionDenied):
        services.transfer_case(actor=colleague, case=case, to_user=colleague, reason="Tự nhận hồ sơ")


def test_the_supervisor_and_the_communes_protection_lead_may_transfer() -> None:
    from treem.protection.models import ProtectionLead
    from treem.protection.tests.factories import supervisor_of

    owner = worker(OWN)
    case = _case(owner)
    supervisor = supervisor_of(owner)
    services.transfer_case(actor=supervisor, case=case, to_user=worker(OWN), reason="Cân đối khối lượng")
    lead = worker(OWN)
    ProtectionLead.objects.create(user=lead, org_unit=unit(OWN))
    services.transfer_case(actor=lead, case=case, to_user=worker(OWN), reason="Cán bộ nghỉ phép dài")
    assert case.workers.current().count() == 1
