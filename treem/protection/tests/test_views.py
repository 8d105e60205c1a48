"""Pages: the queue, the case page and its actions, printing, concurrency, emergency access, confidentiality,
and the incident register with its chart."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from treem.accounts.models import User
from treem.accounts.tests.factories import user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.notices.models import Notice
from treem.protection import services
from treem.protection.models import Case, CaseStep, EmergencyAccess, Incident
from treem.protection.tests.factories import (
    CHILD_NAME,
    OTHER,
    OWN,
    advance_to_plan,
    incident,
    make_case,
    open_step,
    supervisor_of,
    worker,
)
from treem.protection.workflow import StepKind

pytestmark = pytest.mark.django_db


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def case_urls(case: Case) -> list[str]:
    return [
        reverse("protection:case", args=[case.pk]),
        reverse("protection:case_edit", args=[case.pk]),
        reverse("protection:case_transfer", args=[case.pk]),
        *[reverse("protection:case_form", args=[case.pk, number]) for number in ("01", "02", "03", "04", "05", "06")],
        f"/api/v1/cases/{case.pk}",
    ]


def listing_urls() -> list[str]:
    return [
        reverse("protection:queue"), reverse("protection:overview"), reverse("protection:caseload"),
        reverse("notices:inbox"), reverse("protection:incidents"), reverse("protection:incident_statistics"),
        "/api/v1/cases", "/api/v1/incidents", reverse("dashboards:home"),
    ]


def test_a_leader_an_unassigned_officer_and_another_communes_officer_get_no_identity_anywhere(client: Client) -> None:
    assigned = worker()
    case = make_case(assigned, guardian_name="Giàng A Chứ", reporter_name="Lò Thị Báo")
    identities = [CHILD_NAME, "Giàng A Chứ", "Lò Thị Báo", case.masked_name]
    outsiders = [
        user_with_role(Role.LEADER, "12"),
        user_with_role(Role.COMMUNE_OFFICER, OWN),
        worker(OWN),
        user_with_role(Role.COMMUNE_OFFICER, OTHER),
        user_with_role(Role.COORDINATOR, "12", agency_code="SYT"),
    ]
    for user in outsiders:
        signed_in(client, user)
        for url in case_urls(case):
            response = client.get(url)
            assert response.status_code in {403, 404}, (user, url, response.status_code)
            assert not any(name in response.content.decode() for name in identities), (user, url)
        patch = client.patch(f"/api/v1/cases/{case.pk}", data={"version": case.version, "summary": "x"},
                             content_type="application/json")
        assert patch.status_code in {403, 404}
        edit = client.post(reverse("protection:case_edit", args=[case.pk]), {"version": case.version})
        assert edit.status_code in {403, 404}
        for url in listing_urls():
            response = client.get(url)
            assert response.status_code in {200, 403}, (user, url)
            assert not any(name in response.content.decode() for name in identities), (user, url)
    case.refresh_from_db()
    assert case.summary != "x"
    assert not AuditEvent.objects.for_object(case).filter(verb__in=[AuditEvent.Verb.VIEW,
                                                                    AuditEvent.Verb.EXPORT]).exists()


def test_the_queue_lists_my_steps_overdue_first_and_masks_names(client: Client) -> None:
    actor = worker()
    late = make_case(actor, reported_at=timezone.now() - timedelta(days=10))
    make_case(actor)
    response = signed_in(client, actor).get(reverse("protection:queue"))
    body = response.content.decode()
    assert response.status_code == 200
    assert CHILD_NAME not in body and late.masked_name in body
    assert body.index(late.number) < body.index("Trong hạn")
    assert "Quá hạn" in body


def test_showing_names_in_the_queue_is_audited(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    response = signed_in(client, actor).get(reverse("protection:queue") + "?ten=1")
    assert CHILD_NAME in response.content.decode()
    assert AuditEvent.objects.for_object(case).filter(verb=AuditEvent.Verb.VIEW, actor=actor).count() == 1


def test_the_case_page_is_a_timeline_with_the_open_steps_deadline_and_the_opening_is_audited(client: Client) -> None:
    actor = worker()
    case = make_case(actor, is_in_danger=True)
    response = signed_in(client, actor).get(reverse("protection:case", args=[case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert CHILD_NAME in body and 'data-testid="timeline"' in body
    due = timezone.localtime(open_step(case).due_at).strftime("%d/%m/%Y %H:%M")
    assert due in body and "12 giờ" in body
    assert AuditEvent.objects.for_object(case).filter(verb=AuditEvent.Verb.VIEW, actor=actor).count() == 1


def test_a_supervisor_sees_the_case_and_the_caseload(client: Client) -> None:
    actor = worker()
    supervisor = supervisor_of(actor)
    case = make_case(actor, reported_at=timezone.now() - timedelta(days=10))
    signed_in(client, supervisor)
    assert client.get(reverse("protection:case", args=[case.pk])).status_code == 200
    caseload = client.get(reverse("protection:caseload")).content.decode()
    assert case.number in caseload and CHILD_NAME not in caseload and "Quá hạn" in caseload


def test_completing_a_step_through_the_case_page(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    step = open_step(case)
    url = reverse("protection:case", args=[case.pk])
    signed_in(client, actor)
    refused = client.post(url, {"action": "complete_step", "step": step.pk, "step-outcome": "confirmed",
                                "step-risk_level": "high", "step-is_in_danger": "on"})
    assert refused.status_code == 400
    assert "biện pháp khẩn cấp" in refused.content.decode()
    done = client.post(url, {"action": "complete_step", "step": step.pk, "step-outcome": "confirmed",
                             "step-findings": "Đã xác minh với công an xã", "step-risk_level": "high",
                             "step-is_in_danger": "on", "step-emergency_measures": ["safe_place", "police"],
                             "step-emergency_measures_at": timezone.localtime().strftime("%d/%m/%Y %H:%M")})
    assert done.status_code == 302
    step.refresh_from_db()
    assert step.status == CaseStep.Status.DONE and step.data["emergency_measures"] == ["safe_place", "police"]
    assert open_step(case).kind == StepKind.ASSESS


def test_planning_and_approving_through_the_case_page(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    advance_to_plan(case, actor)
    url = reverse("protection:case", args=[case.pk])
    signed_in(client, actor)
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert client.post(url, {"action": "save_plan", "plan-goals": "Trẻ an toàn", "plan-starts_on": today,
                             "plan-review_on": today}).status_code == 302
    assert client.post(url, {"action": "add_service", "service-kind": "legal_aid", "service-description": "Tư vấn",
                             "service-provider_name": "Trung tâm trợ giúp pháp lý",
                             "service-planned_on": today}).status_code == 302
    missing_name = client.post(url, {"action": "approve_plan", "approval-approved_on": today})
    assert missing_name.status_code == 400
    assert client.post(url, {"action": "approve_plan", "approval-approved_on": today,
                             "approval-approver_name": "Chủ tịch UBND xã"}).status_code == 302
    assert open_step(case).kind == StepKind.SERVICES
    service = case.plans.get().services.get()
    assert client.post(url, {"action": "deliver_service", "service": service.pk,
                             "delivery-delivered_on": today}).status_code == 302
    service.refresh_from_db()
    assert service.delivered_on == timezone.localdate()


def test_referring_and_recording_the_answer_through_the_case_page(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    url = reverse("protection:case", args=[case.pk])
    signed_in(client, actor)
    follow_up = (timezone.localdate() + timedelta(days=5)).strftime("%d/%m/%Y")
    assert client.post(url, {"action": "refer", "referral-target": "police", "referral-target_name": "Công an xã",
                             "referral-reason": "Đề nghị xử lý", "referral-follow_up_on": follow_up}).status_code == 302
    referral = case.referrals.get()
    refused = client.post(url, {"action": "respond_referral", "referral": referral.pk, "response-is_accepted": "0",
                                "response-responded_on": timezone.localdate().strftime("%d/%m/%Y")})
    assert refused.status_code == 400 and "lý do từ chối" in refused.content.decode()
    assert client.get(url).status_code == 200


def test_the_forms_print_as_word_documents_and_each_print_is_audited(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    signed_in(client, actor)
    for number in ("01", "02", "03", "04", "05", "06"):
        response = client.get(reverse("protection:case_form", args=[case.pk, number]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        assert f"MẪU SỐ {number}" in text
    exports = AuditEvent.objects.for_object(case).filter(verb=AuditEvent.Verb.EXPORT, actor=actor)
    assert exports.count() == 6
    assert client.get(reverse("protection:case_form", args=[case.pk, "07"])).status_code == 404


def test_two_concurrent_edits_the_second_is_refused_with_the_others_change_and_keeps_my_input(client: Client) -> None:
    first, second = worker(), worker()
    case = make_case(first, workers=[first, second])
    url = reverse("protection:case_edit", args=[case.pk])
    form = signed_in(client, second).get(url)
    assert form.status_code == 200
    stale_version = case.version
    services.update_case(actor=first, case=case, expected_version=stale_version,
                         changes={"guardian_phone": "0912345678"})
    data = {field: getattr(case, field) or "" for field in (
        "child_full_name", "child_sex", "child_address", "guardian_name", "reported_via", "reporter_name",
        "reporter_phone", "occurred_place", "harm_kind", "perpetrator_relation", "summary")}
    data.update({"child_age_years": case.child_age_years, "guardian_phone": "0987654321",
                 "child_address": "Bản Nà Xa", "version": stale_version})
    refused = client.post(url, data)
    body = refused.content.decode()
    assert refused.status_code == 409
    assert "0912345678" in body and "Bản Nà Xa" in body and "0987654321" in body
    case.refresh_from_db()
    assert case.guardian_phone == "0912345678" and case.child_address == ""
    assert f'name="version" value="{case.version}"' in body
    data["version"] = case.version
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert (case.guardian_phone, case.child_address) == ("0987654321", "Bản Nà Xa")


def test_break_the_glass_page_grants_access_audits_and_notifies(client: Client) -> None:
    assigned = worker()
    supervisor = supervisor_of(assigned)
    case = make_case(assigned)
    on_call = worker()
    signed_in(client, on_call)
    assert client.get(reverse("protection:case", args=[case.pk])).status_code == 404
    short = client.post(reverse("protection:emergency_access"), {"number": case.number, "reason": "gấp"})
    assert short.status_code == 200 and not EmergencyAccess.objects.exists()
    response = client.post(reverse("protection:emergency_access"), {
        "number": case.number, "reason": "Trẻ bị đánh trong đêm, không liên lạc được cán bộ phụ trách"})
    assert response.status_code == 302
    assert client.get(reverse("protection:case", args=[case.pk])).status_code == 200
    assert AuditEvent.objects.for_object(case).filter(action="break_glass", actor=on_call).count() == 1
    assert Notice.objects.filter(recipient=supervisor, kind=Notice.Kind.BREAK_GLASS).count() == 1
    notices = signed_in(client, supervisor).get(reverse("notices:inbox")).content.decode()
    assert case.number in notices


def test_a_leader_cannot_break_the_glass(client: Client) -> None:
    case = make_case()
    response = signed_in(client, user_with_role(Role.LEADER, "12")).post(
        reverse("protection:emergency_access"), {"number": case.number, "reason": "x" * 40})
    assert response.status_code == 403


def test_transferring_through_the_page_ends_my_access(client: Client) -> None:
    actor = worker()
    successor = worker()
    case = make_case(actor)
    signed_in(client, actor)
    url = reverse("protection:case_transfer", args=[case.pk])
    gone = worker()  # an assignment that has ended is no longer a possible recipient
    gone.assignments.update(valid_to=timezone.localdate() - timedelta(days=1))
    page = client.get(url).content.decode()
    assert successor.full_name in page and gone.full_name not in page
    response = client.post(url, {"to_user": successor.pk, "reason": "Cán bộ chuyển công tác"})
    assert response.status_code == 302 and response["Location"] == reverse("protection:queue")
    assert client.get(reverse("protection:case", args=[case.pk])).status_code == 404


def test_reporting_a_case_through_the_page(client: Client) -> None:
    actor = worker()
    from treem.accounts.tests.factories import unit

    response = signed_in(client, actor).post(reverse("protection:case_new"), {
        "org_unit": unit(OWN).pk, "reported_via": "hotline_111",
        "reported_at": timezone.localtime().strftime("%d/%m/%Y %H:%M"), "child_full_name": "Lò Thị Hoa",
        "child_age_years": "8", "child_sex": "F", "harm_kind": "emotional_violence", "perpetrator_relation": "parent",
        "summary": "Trẻ bị chửi mắng thường xuyên.",
    })
    assert response.status_code == 302
    case = Case.objects.get(child_full_name="Lò Thị Hoa")
    assert response["Location"] == reverse("protection:case", args=[case.pk])
    missing = client.post(reverse("protection:case_new"), {"org_unit": unit(OWN).pk})
    assert missing.status_code == 200 and "Cần ngày sinh hoặc tuổi" in missing.content.decode()


def test_the_incident_register_and_its_statistics(client: Client) -> None:
    incident(occurred_on=timezone.localdate().replace(day=1))
    officer = user_with_role(Role.COMMUNE_OFFICER, OWN)
    signed_in(client, officer)
    assert "Đuối nước" in client.get(reverse("protection:incidents")).content.decode()
    statistics = client.get(reverse("protection:incident_statistics")).content.decode()
    assert reverse("plotly_js") in statistics and "cdn" not in statistics.lower()
    assert 'id="chart-monthly-data"' in statistics
    from treem.accounts.tests.factories import unit

    response = client.post(reverse("protection:incident_new"), {
        "org_unit": unit(OWN).pk, "occurred_on": timezone.localdate().strftime("%d/%m/%Y"), "kind": "abuse",
        "child_age_years": "9", "child_sex": "F", "outcome": "none"})
    assert response.status_code == 200 and "Chọn hình thức xâm hại" in response.content.decode()
    assert Incident.objects.count() == 1


def test_a_leader_sees_the_statistics_but_not_the_register(client: Client) -> None:
    signed_in(client, user_with_role(Role.LEADER, "12"))
    assert client.get(reverse("protection:incident_statistics")).status_code == 200
    assert client.get(reverse("protection:incidents")).status_code == 403
    assert client.get(reverse("protection:overview")).status_code == 200
    assert client.get(reverse("protection:queue")).status_code == 403


def test_the_edit_page_links_the_case_to_a_registry_child(client: Client) -> None:
    from treem.registry.tests.factories import child_in

    actor = worker()
    case = make_case(actor)
    child = child_in(OWN)
    url = reverse("protection:case_edit", args=[case.pk])
    data = {"child_full_name": case.child_full_name, "child_sex": case.child_sex,
            "child_age_years": case.child_age_years, "reported_via": case.reported_via, "harm_kind": case.harm_kind,
            "perpetrator_relation": case.perpetrator_relation, "summary": case.summary, "version": case.version}
    signed_in(client, actor)
    missing = client.post(url, {**data, "child_id": 999999})
    assert missing.status_code == 400 and "Không tìm thấy hồ sơ trẻ em" in missing.content.decode()
    assert client.post(url, {**data, "child_id": child.pk}).status_code == 302
    case.refresh_from_db()
    assert case.child_id == child.pk
    page = client.get(reverse("protection:case", args=[case.pk])).content.decode()
    assert reverse("registry:child", args=[child.pk]) in page
