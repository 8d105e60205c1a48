"""API: a case's support plan (draft, services, approval, delivery), a referral's follow-up, one incident, and the
case PATCH's versions (If-Match 412, body version 409, neither 428) — the same services and scope as the page."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from treem.core.models import AuditEvent
from treem.protection import services
from treem.protection.models import CaseService, Referral, SupportPlan
from treem.protection.tests.factories import OTHER, advance_to_plan, incident, make_case, open_step, worker
from treem.protection.workflow import StepKind

pytestmark = pytest.mark.django_db


def _send(client: Client, method: str, url: str, body: dict[str, object], **headers: str) -> HttpResponse:
    return getattr(client, method)(url, data=body, content_type="application/json", headers=headers)


def test_a_plan_is_drafted_given_services_approved_and_delivered_through_the_api(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    advance_to_plan(case, actor)
    client.force_login(actor)
    today = timezone.localdate().isoformat()
    assert client.get(f"/api/v1/cases/{case.pk}/plan").status_code == 404
    too_early = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/services", {
        "kind": "psychological", "description": "Tư vấn", "provider_name": "Trạm y tế", "planned_on": today})
    assert too_early.status_code == 422
    version = client.get(f"/api/v1/cases/{case.pk}").json()["version"]
    draft = _send(client, "put", f"/api/v1/cases/{case.pk}/plan", {"goals": "Trẻ an toàn", "starts_on": today,
                                                                     "review_on": today, "version": version})
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    assert draft.json()["case_version"] == version + 1 and draft["ETag"] == f'"{version + 1}"'
    redraft = _send(client, "put", f"/api/v1/cases/{case.pk}/plan", {"goals": "Trẻ an toàn, đi học lại",
                                                                       "starts_on": today, "review_on": today},
                    **{"If-Match": draft["ETag"]})
    assert redraft.json()["id"] == draft.json()["id"] and SupportPlan.objects.get().goals == "Trẻ an toàn, đi học lại"
    assert client.get(f"/api/v1/cases/{case.pk}/plan")["ETag"] == redraft["ETag"]
    unapproved = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/approve",
                       {"approved_on": today, "approver_name": "Lò Văn Thành"}, **{"If-Match": redraft["ETag"]})
    assert unapproved.status_code == 422  # a plan needs at least one service
    service = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/services", {
        "kind": "psychological", "description": "Tư vấn tâm lý", "provider_name": "Trạm y tế xã", "planned_on": today,
    }, **{"Idempotency-Key": "dich-vu-1"})
    assert service.status_code == 201 and service.json()["kind"] == "psychological"
    again = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/services", {
        "kind": "psychological", "description": "Tư vấn tâm lý", "provider_name": "Trạm y tế xã", "planned_on": today,
    }, **{"Idempotency-Key": "dich-vu-1"})
    assert again.json() == service.json() and CaseService.objects.count() == 1
    early = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/services/{service.json()['id']}/delivery",
                  {"delivered_on": today})
    assert early.status_code == 422 and "delivered_on" in early.json()["errors"]  # not approved yet
    approved = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/approve",
                     {"approved_on": today, "approver_name": "Lò Văn Thành", "decision_number": "12/QĐ-UBND",
                      "version": redraft.json()["case_version"]})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["plan"]["status"] == "approved" and approved.json()["next_step"]["kind"] == "services"
    assert open_step(case).kind == StepKind.SERVICES
    delivered = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/services/{service.json()['id']}/delivery",
                      {"delivered_on": today, "result": "Trẻ ổn định"})
    assert delivered.status_code == 200 and delivered.json()["delivered_on"] == today
    listing = client.get(f"/api/v1/cases/{case.pk}/plan/services")
    assert listing["X-Total-Count"] == "1" and listing.json()[0]["result"] == "Trẻ ổn định"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"save_plan", "add_service", "approve_plan", "record_service_delivery"} <= actions


def test_a_referrals_follow_up_is_recorded_through_the_api(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    referral = services.refer_case(actor=actor, case=case, target="health", target_name="Trạm y tế",
                                   reason="Khám", follow_up_on=timezone.localdate())
    client.force_login(actor)
    response = _send(client, "post", f"/api/v1/cases/{case.pk}/referrals/{referral.pk}/follow-up",
                     {"followed_up_on": timezone.localdate().isoformat(), "note": "Trẻ đã được khám"})
    assert response.status_code == 200 and response.json()["follow_up_note"] == "Trẻ đã được khám"
    assert Referral.objects.get().followed_up_on == timezone.localdate()
    client.force_login(worker(OTHER))
    assert _send(client, "post", f"/api/v1/cases/{case.pk}/referrals/{referral.pk}/follow-up",
                 {"followed_up_on": timezone.localdate().isoformat(), "note": "x"}).status_code == 404


def test_a_plan_of_a_case_not_assigned_is_404(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    advance_to_plan(case, actor)
    client.force_login(worker(OTHER))
    assert client.get(f"/api/v1/cases/{case.pk}/plan").status_code == 404
    assert _send(client, "put", f"/api/v1/cases/{case.pk}/plan", {"goals": "x", "starts_on": "2026-01-01",
                                                                    "review_on": "2026-01-02"}).status_code == 404
    assert SupportPlan.objects.count() == 0


def test_one_incident_is_read_in_scope_and_404_outside(client: Client) -> None:
    own, other = incident(), incident(OTHER)
    client.force_login(worker())
    response = client.get(f"/api/v1/incidents/{own.pk}")
    assert response.status_code == 200 and response.json()["id"] == own.pk
    assert client.get(f"/api/v1/incidents/{other.pk}").status_code == 404


def test_a_case_patch_needs_a_version_and_a_stale_if_match_is_412(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    client.force_login(actor)
    read = client.get(f"/api/v1/cases/{case.pk}")
    assert read["ETag"] == '"1"'
    missing = _send(client, "patch", f"/api/v1/cases/{case.pk}", {"guardian_name": "Giàng A Tủa"})
    assert missing.status_code == 428
    saved = _send(client, "patch", f"/api/v1/cases/{case.pk}", {"guardian_name": "Giàng A Tủa"},
                  **{"If-Match": read["ETag"]})
    assert saved.status_code == 200 and saved["ETag"] == '"2"'
    stale = _send(client, "patch", f"/api/v1/cases/{case.pk}", {"guardian_name": "Ly Thị Mỷ"},
                  **{"If-Match": read["ETag"]})
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    nonsense = _send(client, "patch", f"/api/v1/cases/{case.pk}", {"guardian_name": "Ly Thị Mỷ"},
                     **{"If-Match": '"abc"'})
    assert nonsense.status_code == 412
    case.refresh_from_db()
    assert case.guardian_name == "Giàng A Tủa"


def test_case_lists_are_bounded_with_a_total_and_an_unknown_status_is_422(client: Client) -> None:
    actor = worker()
    for _number in range(3):
        make_case(actor)
    client.force_login(actor)
    first = client.get("/api/v1/cases?limit=2")
    assert len(first.json()) == 2 and first["X-Total-Count"] == "3"
    assert len(client.get("/api/v1/cases?limit=2&offset=2").json()) == 1
    too_many = client.get("/api/v1/cases?limit=501")
    assert too_many.status_code == 422 and "limit" in too_many.json()["errors"]
    assert client.get("/api/v1/cases?status=bogus").status_code == 422


def test_a_plan_write_or_approval_needs_the_case_version_and_a_stale_one_saves_nothing(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    advance_to_plan(case, actor)
    client.force_login(actor)
    today = timezone.localdate().isoformat()
    body = {"goals": "Trẻ an toàn", "starts_on": today, "review_on": today}
    missing = _send(client, "put", f"/api/v1/cases/{case.pk}/plan", body)
    assert missing.status_code == 428 and "version" in missing.json()["errors"]
    version = client.get(f"/api/v1/cases/{case.pk}").json()["version"]
    assert _send(client, "put", f"/api/v1/cases/{case.pk}/plan", {**body, "version": version}).status_code == 200
    stale_body = _send(client, "put", f"/api/v1/cases/{case.pk}/plan", {**body, "goals": "Khác", "version": version})
    assert stale_body.status_code == 409 and stale_body.json()["current_version"] == version + 1
    stale_header = _send(client, "put", f"/api/v1/cases/{case.pk}/plan", {**body, "goals": "Khác"},
                         **{"If-Match": f'"{version}"'})
    assert stale_header.status_code == 412 and SupportPlan.objects.get().goals == "Trẻ an toàn"
    services.add_service(actor=actor, plan=SupportPlan.objects.get(), kind="psychological", description="Tư vấn",
                         provider_name="Trạm y tế", planned_on=timezone.localdate())
    approval = {"approved_on": today, "approver_name": "Lò Văn Thành"}
    assert _send(client, "post", f"/api/v1/cases/{case.pk}/plan/approve", approval).status_code == 428
    stale = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/approve", {**approval, "version": version})
    assert stale.status_code == 409 and SupportPlan.objects.get().status == SupportPlan.Status.DRAFT
    assert open_step(case).kind == StepKind.PLAN
    stale_if_match = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/approve", approval,
                           **{"If-Match": f'"{version}"'})
    assert stale_if_match.status_code == 412
    approved = _send(client, "post", f"/api/v1/cases/{case.pk}/plan/approve", approval,
                     **{"If-Match": f'"{version + 1}"'})
    assert approved.status_code == 200 and approved.json()["case_version"] == version + 1
