"""API: cases and incidents, scoped like the pages; optimistic concurrency on PATCH."""

from __future__ import annotations

from datetime import timedelta
from typing import get_args

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from treem.accounts.tests.factories import user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.protection import selectors, services
from treem.protection.api import ClosureReason, EmergencyMeasure
from treem.protection.forms import CLOSURE_REASONS, EMERGENCY_MEASURES
from treem.protection.models import Case, CaseStep, Incident, ReportChannel
from treem.protection.tests.factories import CHILD_NAME, OTHER, OWN, incident, make_case, open_step, worker
from treem.protection.workflow import StepKind

pytestmark = pytest.mark.django_db


def test_listing_cases_gives_my_cases_with_initials_only(client: Client) -> None:
    actor = worker()
    mine = make_case(actor, reported_at=timezone.now() - timedelta(days=10))
    make_case(worker())
    client.force_login(actor)
    response = client.get("/api/v1/cases")
    assert response.status_code == 200
    rows = response.json()
    assert [row["number"] for row in rows] == [mine.number]
    assert rows[0]["child_initials"] == mine.masked_name and CHILD_NAME not in response.content.decode()
    assert rows[0]["open_step"] == "verify" and rows[0]["is_overdue"] is True


def test_reporting_and_opening_a_case_through_the_api(client: Client) -> None:
    actor = worker()
    client.force_login(actor)
    response = client.post("/api/v1/cases", data={
        "org_unit_code": OWN, "reported_via": "hotline_111", "reported_at": timezone.now().isoformat(),
        "child_full_name": "Lò Văn Pánh", "child_sex": "M", "child_age_years": 13, "child_ethnic_group_code": "03",
        "harm_kind": "child_labour", "summary": "Trẻ làm thuê ở mỏ đá", "is_in_danger": True,
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["child_full_name"] == "Lò Văn Pánh" and body["version"] == 1
    assert [step["kind"] for step in body["steps"]] == ["receive", "verify"]
    opened = client.get(f"/api/v1/cases/{body['id']}")
    assert opened.status_code == 200
    case = Case.objects.get(pk=body["id"])
    assert AuditEvent.objects.for_object(case).filter(verb=AuditEvent.Verb.VIEW).count() == 2


def test_reporting_in_another_commune_or_with_bad_data_is_refused(client: Client) -> None:
    client.force_login(worker())
    payload = {"org_unit_code": OTHER, "reported_via": "school", "reported_at": timezone.now().isoformat(),
               "child_full_name": "A", "child_sex": "M", "child_age_years": 5, "harm_kind": "other", "summary": "x"}
    refused = client.post("/api/v1/cases", data=payload, content_type="application/json")
    assert refused.status_code == 422 and "org_unit_code" in refused.json()["errors"]
    payload.update(org_unit_code=OWN, child_age_years=None)
    missing = client.post("/api/v1/cases", data=payload, content_type="application/json")
    assert missing.status_code == 422 and "child_birth_date" in missing.json()["errors"]
    assert not Case.objects.exists()


def test_a_patch_with_a_stale_version_is_refused_with_the_others_change(client: Client) -> None:
    first, second = worker(), worker()
    case = make_case(first, workers=[first, second])
    client.force_login(first)
    ok = client.patch(f"/api/v1/cases/{case.pk}", data={"version": 1, "guardian_phone": "0912345678"},
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    client.force_login(second)
    refused = client.patch(f"/api/v1/cases/{case.pk}", data={"version": 1, "guardian_phone": "0987654321"},
                           content_type="application/json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["current_version"] == 2
    assert [(c["field"], c["after"]) for c in body["changes"]] == [("guardian_phone", "0912345678")]
    case.refresh_from_db()
    assert case.guardian_phone == "0912345678"


def test_a_case_not_assigned_is_the_same_404_as_a_missing_one(client: Client) -> None:
    case = make_case()
    client.force_login(worker())
    hidden = client.get(f"/api/v1/cases/{case.pk}")
    missing = client.get("/api/v1/cases/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert client.get("/api/v1/cases").status_code == 403


def test_incidents_through_the_api_are_scoped(client: Client) -> None:
    incident(OWN)
    incident(OTHER)
    officer = user_with_role(Role.COMMUNE_OFFICER, OWN)
    client.force_login(officer)
    rows = client.get("/api/v1/incidents?year=2026").json()
    assert [row["org_unit_code"] for row in rows] == [OWN]
    created = client.post("/api/v1/incidents", data={
        "org_unit_code": OWN, "occurred_on": timezone.localdate().isoformat(), "kind": "traffic",
        "child_age_years": 14, "child_sex": "M", "outcome": "injury", "child_ethnic_group_code": "08"},
        content_type="application/json")
    assert created.status_code == 201, created.content
    refused = client.post("/api/v1/incidents", data={
        "org_unit_code": OTHER, "occurred_on": timezone.localdate().isoformat(), "kind": "traffic",
        "child_age_years": 14, "child_sex": "M", "outcome": "injury"}, content_type="application/json")
    assert refused.status_code == 422 and "org_unit_code" in refused.json()["errors"]
    assert Incident.objects.count() == 3
    unknown_kind = client.get("/api/v1/incidents?kind=unknown")
    assert unknown_kind.status_code == 422 and "kind" in unknown_kind.json()["errors"]
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert client.get("/api/v1/incidents").status_code == 403


def test_a_case_registered_on_the_spot_is_linked_to_a_registry_child_the_worker_may_see(client: Client) -> None:
    from treem.registry.tests.factories import child_in

    actor = worker()
    case = make_case(actor)
    own_child, other_child = child_in(OWN), child_in(OTHER)
    client.force_login(actor)
    refused = client.patch(f"/api/v1/cases/{case.pk}", data={"version": case.version, "child_id": other_child.pk},
                           content_type="application/json")
    assert refused.status_code == 422 and "child_id" in refused.json()["errors"]
    linked = client.patch(f"/api/v1/cases/{case.pk}", data={"version": case.version, "child_id": own_child.pk},
                          content_type="application/json")
    assert linked.status_code == 200 and linked.json()["child_id"] == own_child.pk


# ---------------------------------------------------------------------------------------------------------------
# Working a case through the API: steps, referrals, transfer, breaking the glass

VERIFY_FORM = {"kind": "verify", "outcome": "confirmed", "findings": "Đã gặp trẻ và gia đình.", "risk_level": "high",
               "is_in_danger": True, "emergency_measures": ["safe_place"],
               "emergency_measures_at": "2026-06-01T08:00:00+07:00"}


def _json(client: Client, url: str, body: dict[str, object], **headers: str) -> HttpResponse:
    return client.post(url, data=body, content_type="application/json", headers=headers)  # type: ignore[return-value]


def test_a_cases_steps_give_kind_deadline_on_time_flag_and_the_form_to_fill(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    client.force_login(actor)
    response = client.get(f"/api/v1/cases/{case.pk}/steps")
    assert response.status_code == 200
    receive, verify = response.json()
    assert receive["kind"] == "receive" and receive["status"] == "done" and receive["form"] == []
    assert verify["kind"] == "verify" and verify["status"] == "open" and verify["is_on_time"] is None
    assert verify["due_at"] and verify["deadline"]
    fields = {field["name"]: field for field in verify["form"]}
    assert fields["outcome"]["type"] == "choice" and fields["outcome"]["required"] is True
    assert {choice["value"] for choice in fields["outcome"]["choices"]} == {"confirmed", "unfounded"}
    assert fields["emergency_measures"]["type"] == "multiple_choice"


def test_completing_a_step_through_the_api_opens_the_next_one_and_raises_the_version(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    step = open_step(case)
    client.force_login(actor)
    response = _json(client, f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete",
                     {"version": case.version, "form": VERIFY_FORM})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["completed"]["status"] == "done" and body["completed"]["outcome"] == "confirmed"
    assert body["completed"]["is_on_time"] is True and body["next_step"]["kind"] == "assess"
    case.refresh_from_db()
    assert case.risk_level == "high" and body["case_version"] == case.version == 2
    assert AuditEvent.objects.filter(action="complete_step:verify", object_id=str(step.pk)).count() == 1


def test_a_step_form_that_breaks_its_rules_is_refused_next_to_its_field(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    step = open_step(case)
    client.force_login(actor)
    in_danger_without_measures = {**VERIFY_FORM, "emergency_measures": []}
    refused = _json(client, f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete", {"form": in_danger_without_measures})
    assert refused.status_code == 422 and "form.emergency_measures" in refused.json()["errors"]
    wrong_kind = _json(client, f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete",
                       {"form": {"kind": "services", "summary": "Xong"}})
    assert wrong_kind.status_code == 422 and "form.kind" in wrong_kind.json()["errors"]
    assert open_step(case).pk == step.pk


def test_a_stale_if_match_is_412_a_stale_version_409_a_step_already_done_409_and_none_saves(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    step = open_step(case)
    client.force_login(actor)
    client.patch(f"/api/v1/cases/{case.pk}", data={"version": 1, "guardian_name": "Giàng A Tủa"},
                 content_type="application/json")
    stale = _json(client, f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete", {"form": VERIFY_FORM},
                  **{"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    assert [change["field"] for change in stale.json()["changes"]] == ["guardian_name"]
    stale_body = _json(client, f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete", {"version": 1,
                       "form": VERIFY_FORM})
    assert stale_body.status_code == 409 and stale_body.json()["current_version"] == 2
    assert open_step(case).pk == step.pk
    done = _json(client, f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete", {"version": 2, "form": VERIFY_FORM})
    assert done.status_code == 200
    again = _json(client, f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete", {"version": done.json()["case_version"],
                                                                                  "form": VERIFY_FORM})
    assert again.status_code == 409 and "đã được" in again.json()["detail"]
    assert CaseStep.objects.filter(case=case, kind="assess").count() == 1


def test_case_work_operations_are_404_for_an_unassigned_worker_and_a_neighbouring_officer(client: Client) -> None:
    case = make_case(worker())
    step = open_step(case)
    referral = services.refer_case(actor=None, case=case, target="health", target_name="Trạm y tế xã",
                                   reason="Khám vết thương", follow_up_on=timezone.localdate())
    calls = [
        ("get", f"/api/v1/cases/{case.pk}/steps", None),
        ("post", f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete", {"form": VERIFY_FORM}),
        ("get", f"/api/v1/cases/{case.pk}/referrals", None),
        ("post", f"/api/v1/cases/{case.pk}/referrals", {"target": "police", "target_name": "Công an xã",
                                                         "reason": "Báo tin", "follow_up_on": "2099-01-01"}),
        ("post", f"/api/v1/cases/{case.pk}/referrals/{referral.pk}/response",
         {"is_accepted": True, "responded_on": "2026-06-02"}),
        ("post", f"/api/v1/cases/{case.pk}/transfer", {"to_user_id": 1, "reason": "Đổi người"}),
    ]
    for outsider in (worker(), user_with_role(Role.COMMUNE_OFFICER, OTHER)):
        client.force_login(outsider)
        for method, url, body in calls:
            response = (client.get(url) if method == "get" else
                        client.post(url, data=body, content_type="application/json"))
            assert response.status_code == 404, (outsider, url, response.content)
    assert open_step(case).pk == step.pk and case.referrals.count() == 1


def test_referring_and_recording_the_response_through_the_api(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    client.force_login(actor)
    created = _json(client, f"/api/v1/cases/{case.pk}/referrals", {
        "target": "health", "target_name": "Trạm y tế xã", "reason": "Khám vết thương",
        "follow_up_on": timezone.localdate().isoformat()})
    assert created.status_code == 201, created.content
    referral_id = created.json()["id"]
    assert created.json()["status"] == "pending"
    refused_without_reason = _json(client, f"/api/v1/cases/{case.pk}/referrals/{referral_id}/response",
                                   {"is_accepted": False, "responded_on": timezone.localdate().isoformat()})
    assert refused_without_reason.status_code == 422 and "note" in refused_without_reason.json()["errors"]
    accepted = _json(client, f"/api/v1/cases/{case.pk}/referrals/{referral_id}/response",
                     {"is_accepted": True, "responded_on": timezone.localdate().isoformat()})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    listed = client.get(f"/api/v1/cases/{case.pk}/referrals").json()
    assert [(row["id"], row["status"]) for row in listed] == [(referral_id, "accepted")]
    assert AuditEvent.objects.filter(action="record_referral_response").count() == 1


def test_transferring_through_the_api_hands_the_case_over_and_checks_who_may(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    colleague = worker()
    client.force_login(actor)
    elsewhere = worker(OTHER)
    not_eligible = _json(client, f"/api/v1/cases/{case.pk}/transfer",
                         {"to_user_id": elsewhere.pk, "reason": "Chuyển công tác"})
    assert not_eligible.status_code == 422 and "to_user_id" in not_eligible.json()["errors"]
    stale = _json(client, f"/api/v1/cases/{case.pk}/transfer",
                  {"to_user_id": colleague.pk, "reason": "Chuyển công tác", "version": case.version + 5})
    assert stale.status_code == 409
    moved = _json(client, f"/api/v1/cases/{case.pk}/transfer",
                  {"to_user_id": colleague.pk, "reason": "Chuyển công tác", "version": case.version})
    assert moved.status_code == 200, moved.content
    assert moved.json()["to_username"] == colleague.username and moved.json()["can_still_open"] is False
    assert client.get(f"/api/v1/cases/{case.pk}/steps").status_code == 404
    client.force_login(colleague)
    assert client.get(f"/api/v1/cases/{case.pk}/steps").status_code == 200


def test_a_worker_with_emergency_access_may_open_but_not_transfer_the_case(client: Client) -> None:
    case = make_case(worker())
    on_call = worker()
    client.force_login(on_call)
    short = _json(client, "/api/v1/cases/emergency-access", {"number": case.number, "reason": "gấp"})
    assert short.status_code == 422 and "reason" in short.json()["errors"]
    reason = "Trẻ bị đánh trong đêm, không liên lạc được cán bộ phụ trách"
    unknown = _json(client, "/api/v1/cases/emergency-access", {"number": "KHONG-CO", "reason": reason})
    assert unknown.status_code == 422 and "number" in unknown.json()["errors"]
    granted = _json(client, "/api/v1/cases/emergency-access", {"number": case.number, "reason": reason})
    assert granted.status_code == 201, granted.content
    assert granted.json()["case_id"] == case.pk
    assert client.get(f"/api/v1/cases/{case.pk}/steps").status_code == 200
    refused = _json(client, f"/api/v1/cases/{case.pk}/transfer", {"to_user_id": on_call.pk, "reason": "Tôi nhận",
                                                                   "version": case.version})
    assert refused.status_code == 403
    assert AuditEvent.objects.for_object(case).filter(action="break_glass", actor=on_call).count() == 1
    assert not AuditEvent.objects.filter(action="transfer_case").exists()


def test_a_leader_cannot_break_the_glass_through_the_api(client: Client) -> None:
    case = make_case()
    client.force_login(user_with_role(Role.LEADER, "12"))
    response = _json(client, "/api/v1/cases/emergency-access", {"number": case.number, "reason": "x" * 40})
    assert response.status_code == 403


def test_the_fixed_choices_of_the_step_bodies_match_the_forms() -> None:
    assert set(get_args(EmergencyMeasure)) == {value for value, _label in EMERGENCY_MEASURES}
    assert set(get_args(ClosureReason)) == {value for value, _label in CLOSURE_REASONS}


def test_the_schema_states_the_choices_with_their_labels_and_the_birth_date_or_age_rule(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    case_in = components["CaseIn"]["properties"]
    channels = case_in["reported_via"]["description"]
    assert all(f"`{value}`: {label}" in channels for value, label in ReportChannel.choices)
    assert "`M`" in case_in["child_sex"]["description"]
    assert "child_age_years" in case_in["child_birth_date"]["description"]
    step_kind = components["StepDetailOut"]["properties"]["kind"]
    enum_ref = step_kind.get("$ref") or step_kind["allOf"][0]["$ref"]
    assert set(components[enum_ref.rsplit("/", 1)[1]]["enum"]) == {value for value, _label in StepKind.choices}
    assert "Xác minh, đánh giá nguy cơ ban đầu" in step_kind["description"]
    complete = schema["paths"]["/api/v1/cases/{case_id}/steps/{step_id}/complete"]["post"]
    assert {"200", "404", "409", "422"} <= set(complete["responses"])


def test_completing_a_step_or_transferring_without_the_case_version_is_428_and_changes_nothing(client: Client) -> None:
    actor = worker()
    case = make_case(actor)
    step = open_step(case)
    colleague = worker()
    client.force_login(actor)
    complete = _json(client, f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete", {"form": VERIFY_FORM})
    assert complete.status_code == 428 and "version" in complete.json()["errors"]
    transfer = _json(client, f"/api/v1/cases/{case.pk}/transfer", {"to_user_id": colleague.pk, "reason": "Nghỉ"})
    assert transfer.status_code == 428
    case.refresh_from_db()
    assert open_step(case).pk == step.pk and case.version == 1
    assert selectors.can_work_case(actor, case)  # not transferred
    done = _json(client, f"/api/v1/cases/{case.pk}/steps/{step.pk}/complete", {"form": VERIFY_FORM},
                 **{"If-Match": '"1"'})
    assert done.status_code == 200 and done.json()["case_version"] == 2
