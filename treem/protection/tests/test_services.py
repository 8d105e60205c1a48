"""Writes: a case from report to closure, deadlines on the working-day calendar, concurrency, referrals and
transfers, emergency access, deadline alerts, and the incident register."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.calendar import WorkingCalendar, end_of_day
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.notices.models import Notice
from treem.protection import selectors, services
from treem.protection.models import (
    Case,
    CaseStep,
    EmergencyAccess,
    Incident,
    IncidentKind,
    Referral,
    RiskLevel,
    SupportPlan,
)
from treem.protection.tests.factories import (
    CHILD_NAME,
    OTHER,
    OWN,
    advance_to_plan,
    aware,
    incident,
    make_case,
    open_step,
    supervisor_of,
    worker,
)
from treem.protection.workflow import Outcome, StepKind

pytestmark = pytest.mark.django_db


def _plan_and_approve(case: Case, actor: object, *, approved_on: date | None = None) -> SupportPlan:
    today = timezone.localdate()
    plan = services.save_plan(actor=actor, case=case, goals="Trẻ an toàn.", starts_on=today,  # type: ignore[arg-type]
                              review_on=today + timedelta(days=30))
    services.add_service(actor=actor, plan=plan, kind="psychological", description="Tư vấn tâm lý",  # type: ignore[arg-type]
                         provider_name="Trạm Y tế xã", planned_on=today)
    services.approve_plan(actor=actor, plan=plan, approved_on=approved_on or today,  # type: ignore[arg-type]
                          approver_name="Lò Văn Thắng", decision_number="05/QĐ-UBND", calendar=WorkingCalendar())
    plan.refresh_from_db()
    return plan


def test_reporting_makes_the_reporter_the_primary_worker_and_opens_verification() -> None:
    reporter = worker()
    case = make_case(reporter)
    assert case.number.startswith(f"BV-{OWN}-")
    assert list(case.workers.values_list("user_id", "is_primary")) == [(reporter.pk, True)]
    receipt = case.steps.get(kind=StepKind.RECEIVE)
    assert receipt.status == CaseStep.Status.DONE and receipt.is_on_time
    assert open_step(case).kind == StepKind.VERIFY
    assert AuditEvent.objects.for_object(case).filter(verb=AuditEvent.Verb.CREATE).count() == 1
    assert CHILD_NAME not in str(case)


def test_case_numbers_follow_each_other_in_a_commune_and_year() -> None:
    first = make_case()
    second = make_case()
    assert int(second.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1


def test_a_case_needs_a_birth_date_or_an_age_and_a_commune() -> None:
    with pytest.raises(ValidationError):
        make_case(child_age_years=None)
    reporter = user_with_role(Role.CASE_WORKER, "12")
    with pytest.raises(ValidationError):
        services.report_case(actor=reporter, org_unit=unit("12"), reported_via="school", reported_at=timezone.now(),
                             child_full_name="A", child_sex="M", child_age_years=3, harm_kind="other", summary="x")


def test_a_worker_cannot_report_a_case_in_another_commune() -> None:
    with pytest.raises(PermissionDenied):
        make_case(worker(OWN), code=OTHER)


def test_a_case_goes_from_report_to_closure() -> None:
    actor = worker()
    case = make_case(actor)
    advance_to_plan(case, actor)
    plan = _plan_and_approve(case, actor)
    assert plan.status == SupportPlan.Status.APPROVED
    services_step = open_step(case)
    assert services_step.kind == StepKind.SERVICES and services_step.plan_id == plan.pk
    assert services_step.due_at == end_of_day(plan.review_on)
    services.record_service_delivery(actor=actor, service=plan.services.get(), delivered_on=timezone.localdate(),
                                     result="Trẻ ổn định.")
    services.complete_step(actor=actor, step=services_step, data={"summary": "Đã thực hiện."})
    review = open_step(case)
    assert review.kind == StepKind.REVIEW
    services.complete_step(actor=actor, step=review, outcome=Outcome.CLOSE,
                           data={"risk_level": RiskLevel.LOW, "decision": Outcome.CLOSE})
    closing = open_step(case)
    assert closing.kind == StepKind.CLOSE
    assert services.complete_step(actor=actor, step=closing, data={"reason": "goals_met"}) is None
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.closed_at is not None
    assert case.risk_level == RiskLevel.LOW
    assert not case.steps.filter(status=CaseStep.Status.OPEN).exists()
    assert list(case.steps.order_by("opened_at", "id").values_list("kind", flat=True)) == [
        StepKind.RECEIVE, StepKind.VERIFY, StepKind.ASSESS, StepKind.PLAN, StepKind.SERVICES, StepKind.REVIEW,
        StepKind.CLOSE]
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.ENDED
    transitions = AuditEvent.objects.filter(verb=AuditEvent.Verb.TRANSITION, org_unit_path=case.org_unit.path)
    assert transitions.count() >= 7


def test_an_unfounded_report_goes_straight_to_closure() -> None:
    actor = worker()
    case = make_case(actor)
    services.complete_step(actor=actor, step=open_step(case), outcome=Outcome.UNFOUNDED,
                           data={"findings": "Không có căn cứ.", "risk_level": "low"})
    assert open_step(case).kind == StepKind.CLOSE


def test_the_plan_deadline_skips_weekends_and_tet() -> None:
    """A report received on 17/02/2026, the first day of Tết, has its plan due at the end of 27/02/2026."""
    actor = worker()
    case = make_case(actor, reported_at=aware(2026, 2, 17, 10))
    step = advance_to_plan(case, actor, at=aware(2026, 2, 23, 15))
    assert step.due_at == end_of_day(date(2026, 2, 27))
    assert timezone.localtime(step.due_at).strftime("%d/%m/%Y") == "27/02/2026"
    assert "05 ngày làm việc" in step.deadline_label or "5 ngày làm việc" in step.deadline_label


def test_the_province_day_off_pushes_the_plan_deadline() -> None:
    from treem.core.models import CalendarDay

    CalendarDay.objects.create(on=date(2026, 3, 9), name="Nghỉ do lũ quét")
    actor = worker()
    case = make_case(actor, reported_at=aware(2026, 3, 4, 10))
    services.complete_step(actor=actor, step=open_step(case), outcome=Outcome.CONFIRMED, data={},
                           completed_at=aware(2026, 3, 4, 15))
    services.complete_step(actor=actor, step=open_step(case), data={}, completed_at=aware(2026, 3, 5, 15))
    assert timezone.localtime(open_step(case).due_at).date() == date(2026, 3, 12)


def test_a_child_in_danger_must_be_verified_within_twelve_hours() -> None:
    case = make_case(reported_at=aware(2026, 3, 7, 20), is_in_danger=True)
    assert timezone.localtime(open_step(case).due_at) == aware(2026, 3, 8, 8)


def test_approving_the_plan_after_its_deadline_marks_the_step_late() -> None:
    actor = worker()
    reported = timezone.now() - timedelta(days=30)
    case = make_case(actor, reported_at=reported)
    advance_to_plan(case, actor)
    _plan_and_approve(case, actor)
    plan_step = case.steps.get(kind=StepKind.PLAN)
    assert plan_step.is_on_time is False
    assert case.steps.get(kind=StepKind.VERIFY).is_on_time is False


def test_a_review_deciding_a_new_plan_opens_the_plan_step_of_the_next_cycle() -> None:
    actor = worker()
    case = make_case(actor)
    advance_to_plan(case, actor)
    first = _plan_and_approve(case, actor)
    services.complete_step(actor=actor, step=open_step(case), data={"summary": "x"})
    services.complete_step(actor=actor, step=open_step(case), outcome=Outcome.NEW_PLAN,
                           data={"risk_level": RiskLevel.HIGH, "decision": Outcome.NEW_PLAN})
    step = open_step(case)
    assert (step.kind, step.cycle) == (StepKind.PLAN, 2)
    second = _plan_and_approve(case, actor)
    assert second.number == 2
    first.refresh_from_db()
    assert first.status == SupportPlan.Status.ENDED
    case.refresh_from_db()
    assert case.risk_level == RiskLevel.HIGH


def test_a_step_completed_twice_is_refused_the_second_time() -> None:
    actor = worker()
    case = make_case(actor)
    step = open_step(case)
    services.complete_step(actor=actor, step=step, outcome=Outcome.CONFIRMED, data={})
    with pytest.raises(services.StepAlreadyDoneError):
        services.complete_step(actor=actor, step=step, outcome=Outcome.CONFIRMED, data={})
    assert case.steps.filter(kind=StepKind.ASSESS).count() == 1


def test_the_plan_step_is_completed_only_by_the_chairs_approval() -> None:
    actor = worker()
    case = make_case(actor)
    step = advance_to_plan(case, actor)
    with pytest.raises(ValidationError):
        services.complete_step(actor=actor, step=step, data={})
    plan = services.save_plan(actor=actor, case=case, goals="x", starts_on=timezone.localdate(),
                              review_on=timezone.localdate())
    with pytest.raises(ValidationError):  # no service yet
        services.approve_plan(actor=actor, plan=plan, approved_on=timezone.localdate(), approver_name="Chủ tịch")


def test_a_service_counts_as_delivered_only_under_an_approved_plan() -> None:
    actor = worker()
    case = make_case(actor)
    advance_to_plan(case, actor)
    plan = services.save_plan(actor=actor, case=case, goals="x", starts_on=timezone.localdate(),
                              review_on=timezone.localdate())
    service = services.add_service(actor=actor, plan=plan, kind="health", description="Khám",
                                   provider_name="Trạm Y tế", planned_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.record_service_delivery(actor=actor, service=service, delivered_on=timezone.localdate())


def test_two_concurrent_edits_the_second_is_refused_and_nothing_is_lost() -> None:
    first_worker = worker()
    second_worker = worker()
    case = make_case(first_worker, workers=[first_worker, second_worker])
    version = case.version
    services.update_case(actor=first_worker, case=case, expected_version=version,
                         changes={"guardian_phone": "0912345678"})
    with pytest.raises(services.StaleVersionError) as refused:
        services.update_case(actor=second_worker, case=case, expected_version=version,
                             changes={"guardian_phone": "0987654321", "child_address": "Bản Nà Xa"})
    case.refresh_from_db()
    assert case.guardian_phone == "0912345678"
    assert case.child_address == ""
    assert case.version == version + 1
    error = refused.value
    assert error.current_version == version + 1
    assert [(c["field"], c["before"], c["after"], c["by"]) for c in error.changes] == [
        ("guardian_phone", "", "0912345678", first_worker.username)]
    services.update_case(actor=second_worker, case=case, expected_version=error.current_version,
                         changes={"child_address": "Bản Nà Xa"})
    case.refresh_from_db()
    assert (case.guardian_phone, case.child_address, case.version) == ("0912345678", "Bản Nà Xa", version + 2)


def test_a_closure_is_audited_on_the_case_and_shown_to_an_edit_started_before_it() -> None:
    actor = worker()
    case = make_case(actor)
    version = case.version
    services.complete_step(actor=actor, step=open_step(case), outcome=Outcome.UNFOUNDED,
                           data={"findings": "Không có căn cứ.", "risk_level": "low"})
    services.complete_step(actor=actor, step=open_step(case), data={"reason": "unfounded"})
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    events = AuditEvent.objects.for_object(case).filter(verb=AuditEvent.Verb.UPDATE)
    assert {((event.before or {}).get("status"), (event.after or {}).get("status")) for event in events} == {
        (Case.Status.OPEN, Case.Status.OPEN), (Case.Status.OPEN, Case.Status.CLOSED)}  # risk rated, then closed
    with pytest.raises(services.StaleVersionError) as refused:
        services.update_case(actor=actor, case=case, expected_version=version, changes={"child_address": "Bản Mới"})
    assert {change["field"] for change in refused.value.changes} >= {"status", "risk_level"}


def test_an_edit_without_changes_keeps_the_version_and_unknown_fields_are_refused() -> None:
    case = make_case()
    same = services.update_case(actor=None, case=case, expected_version=case.version,
                                changes={"child_full_name": case.child_full_name})
    assert same.version == case.version
    with pytest.raises(ValidationError):
        services.update_case(actor=None, case=case, expected_version=case.version, changes={"status": "closed"})


def test_a_referral_keeps_the_workers_access_and_a_transfer_ends_it() -> None:
    original = worker()
    case = make_case(original)
    referral = services.refer_case(actor=original, case=case, target=Referral.Target.POLICE,
                                   target_name="Công an xã", reason="Đề nghị điều tra",
                                   follow_up_on=timezone.localdate() + timedelta(days=7))
    assert selectors.cases_for(original).filter(pk=case.pk).exists()
    services.record_referral_response(actor=original, referral=referral, is_accepted=True,
                                      responded_on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    successor = worker()
    services.transfer_case(actor=original, case=case, to_user=successor, reason="Cán bộ nghỉ sinh")
    assert not selectors.cases_for(original).filter(pk=case.pk).exists()
    assert selectors.cases_for(successor).filter(pk=case.pk).exists()
    assert Notice.objects.filter(recipient=successor, kind=Notice.Kind.ASSIGNED).about(case).exists()
    assert AuditEvent.objects.for_object(case).filter(action="transfer_case").exists()


def test_a_transfer_to_someone_outside_the_commune_is_refused() -> None:
    original = worker()
    case = make_case(original)
    with pytest.raises(ValidationError):
        services.transfer_case(actor=original, case=case, to_user=worker(OTHER), reason="x")


def test_a_refusal_needs_a_reason_and_a_follow_up_date_cannot_be_past() -> None:
    actor = worker()
    case = make_case(actor)
    with pytest.raises(ValidationError):
        services.refer_case(actor=actor, case=case, target="health", target_name="Bệnh viện", reason="x",
                            follow_up_on=timezone.localdate() - timedelta(days=1))
    referral = services.refer_case(actor=actor, case=case, target="health", target_name="Bệnh viện", reason="x",
                                   follow_up_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.record_referral_response(actor=actor, referral=referral, is_accepted=False,
                                          responded_on=timezone.localdate())


def test_break_the_glass_needs_a_reason_leaves_an_audit_row_and_notifies_the_supervisor() -> None:
    assigned = worker(email="assigned@example.org")
    supervisor = supervisor_of(assigned)
    supervisor.email = "supervisor@example.org"
    supervisor.save()
    case = make_case(assigned)
    on_call = worker()
    assert not selectors.cases_for(on_call).filter(pk=case.pk).exists()
    with pytest.raises(ValidationError):
        services.break_glass(actor=on_call, number=case.number, reason="gấp")
    reason = "Trẻ bị đánh trong đêm, cán bộ phụ trách không liên lạc được"
    access = services.break_glass(actor=on_call, number=case.number, reason=reason)
    assert selectors.cases_for(on_call).filter(pk=case.pk).exists()
    event = AuditEvent.objects.for_object(case).get(action="break_glass")
    assert event.actor_id == on_call.pk and event.reason == reason
    notices = Notice.objects.filter(kind=Notice.Kind.BREAK_GLASS).about(case)
    assert set(notices.values_list("recipient_id", flat=True)) == {supervisor.pk, assigned.pk}
    assert CHILD_NAME not in " ".join(notices.values_list("body", flat=True))
    later = access.expires_at + timedelta(minutes=1)
    assert not selectors.cases_for(on_call, now=later).filter(pk=case.pk).exists()


def test_break_the_glass_sends_the_emails_after_commit(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    assigned = worker()
    supervisor = supervisor_of(assigned)
    supervisor.email = "supervisor@example.org"
    supervisor.save()
    case = make_case(assigned)
    with django_capture_on_commit_callbacks(execute=True):
        services.break_glass(actor=worker(), number=case.number, reason="Khẩn cấp: trẻ đang gặp nguy hiểm tại nhà")
    assert [message.to for message in mail.outbox] == [["supervisor@example.org"]]
    assert case.number in mail.outbox[0].subject and CHILD_NAME not in mail.outbox[0].body


def test_break_the_glass_is_refused_outside_the_users_scope_and_without_the_capability() -> None:
    case = make_case(code=OWN)
    with pytest.raises(ValidationError):
        services.break_glass(actor=worker(OTHER), number=case.number, reason="x" * 30)
    with pytest.raises(PermissionDenied):
        services.break_glass(actor=user_with_role(Role.LEADER, "12"), number=case.number, reason="x" * 30)
    assert not EmergencyAccess.objects.exists()


def test_an_overdue_step_raises_an_alert_once(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    assigned = worker(email="worker@example.org")
    supervisor = supervisor_of(assigned)
    case = make_case(assigned, reported_at=aware(2026, 3, 2, 9))  # verification due 04/03/2026
    on_time = make_case(assigned, reported_at=aware(2026, 3, 5, 9))
    moment = aware(2026, 3, 5, 10)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.raise_deadline_alerts(now=moment)
    second = services.raise_deadline_alerts(now=moment + timedelta(hours=5))
    assert first.overdue_steps == 1 and first.notices_created == 2
    assert second.overdue_steps == 1 and second.notices_created == 0
    notices = Notice.objects.filter(kind=Notice.Kind.OVERDUE_STEP)
    assert set(notices.values_list("recipient_id", flat=True)) == {assigned.pk, supervisor.pk}
    assert set(notices.values_list("object_type", "object_id")) == {("protection.case", str(case.pk))}
    assert set(notices.values_list("url", flat=True)) == {reverse("protection:case", args=[case.pk])}
    assert not Notice.objects.about(on_time).exists()
    assert [message.to for message in mail.outbox] == [["worker@example.org"]]


def test_a_closed_case_raises_no_alert() -> None:
    actor = worker()
    case = make_case(actor, reported_at=timezone.now() - timedelta(days=20))
    services.complete_step(actor=actor, step=open_step(case), outcome=Outcome.UNFOUNDED, data={})
    services.complete_step(actor=actor, step=open_step(case), data={})
    assert services.raise_deadline_alerts().overdue_steps == 0


def test_a_referral_follow_up_that_is_due_notifies_the_worker() -> None:
    actor = worker()
    case = make_case(actor)
    services.refer_case(actor=actor, case=case, target="education", target_name="Trường", reason="Hỗ trợ học",
                        follow_up_on=timezone.localdate())
    result = services.raise_deadline_alerts(now=timezone.now() + timedelta(hours=1))
    assert result.follow_ups_due == 1
    assert Notice.objects.filter(kind=Notice.Kind.FOLLOW_UP_DUE, recipient=actor).count() == 1


def test_a_deleted_case_disappears_from_every_list_and_stays_audited() -> None:
    actor = worker()
    case = make_case(actor)
    with pytest.raises(ValidationError):
        services.delete_case(actor=actor, case=case, reason="nhầm")
    services.delete_case(actor=actor, case=case, reason="Nhập trùng với hồ sơ đã tiếp nhận hôm qua")
    assert Case.objects.filter(pk=case.pk).exists()
    assert not selectors.cases_for(actor).exists()
    assert selectors.case_counts(actor).total == 0
    assert AuditEvent.objects.for_object(case).filter(verb=AuditEvent.Verb.DELETE).exists()


def test_an_incident_is_recorded_without_a_name_and_abuse_needs_its_form() -> None:
    recorded = incident()
    assert recorded.kind == IncidentKind.DROWNING and recorded.harm_kind == ""
    assert AuditEvent.objects.for_object(recorded).filter(verb=AuditEvent.Verb.CREATE).exists()
    with pytest.raises(ValidationError):
        incident(kind=IncidentKind.ABUSE)
    with pytest.raises(ValidationError):
        incident(occurred_on=timezone.localdate() + timedelta(days=1))


def test_an_officer_cannot_record_an_incident_in_another_commune() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, OWN)
    with pytest.raises(PermissionDenied):
        services.record_incident(actor=officer, org_unit=unit(OTHER), occurred_on=date(2026, 6, 1), kind="fall",
                                 child_age_years=4, child_sex="F", outcome="injury")
    assert not Incident.objects.exists()


def test_a_deleted_incident_is_kept_and_audited() -> None:
    recorded = incident()
    services.delete_incident(actor=None, incident=recorded, reason="Ghi trùng")
    assert Incident.objects.active().count() == 0 and Incident.objects.count() == 1
