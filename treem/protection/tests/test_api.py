"""API: cases and incidents, scoped like the pages; optimistic concurrency on PATCH."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from treem.accounts.tests.factories import user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.protection.models import Case, Incident
from treem.protection.tests.factories import CHILD_NAME, OTHER, OWN, incident, make_case, worker

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
