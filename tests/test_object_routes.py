"""An officer of one commune gets 404 for another commune's objects on every route that takes an object.

``OBJECT_ROUTES`` lists each route that names an object, with how to build the address of an object of the
officer's own commune and of a neighbouring one. A test fails when a route with a path parameter is missing from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from config.api import api
from treem.accounts.tests.factories import unit, user_with_role
from treem.childfriendly.tests.object_routes import (
    CHILDFRIENDLY_MISSING_OBJECT_URLS,
    CHILDFRIENDLY_OBJECT_ROUTES,
    CHILDFRIENDLY_WRITE_ROUTES,
)
from treem.core.roles import Role
from treem.nutrition.tests.object_routes import NUTRITION_MISSING_OBJECT_URLS, NUTRITION_OBJECT_ROUTES

pytestmark = pytest.mark.django_db

OWN, OTHER = "03390", "03408"

def _report_of(code: str) -> int:
    """The 2026 report of the commune with ``code`` (the cycle is opened on first use)."""
    from treem.reporting.tests.conftest import load_plan_and_rules
    from treem.reporting.tests.factories import commune_report, cycle

    load_plan_and_rules()
    return commune_report(cycle(2026), code).pk


def _evidence_of(code: str) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from treem.reporting.models import Submission
    from treem.reporting.services import attach_evidence, ensure_task_progress

    progress = ensure_task_progress(Submission.objects.get(pk=_report_of(code)))[0]
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return attach_evidence(actor=user_with_role(Role.COMMUNE_OFFICER, code), progress=progress, upload=upload).pk


def _child_of(code: str) -> int:
    from treem.registry.tests.factories import child_in

    return child_in(code).pk


def _child_import_of(code: str) -> int:
    """A finished import of the commune with ``code``, with its file of rejected rows."""
    import tempfile
    from datetime import date
    from pathlib import Path

    import openpyxl

    from treem.core.intake.models import ImportRecord, ImportStatus

    rejected = Path(tempfile.mkdtemp()) / "tu-choi.xlsx"
    openpyxl.Workbook().save(rejected)
    return ImportRecord.objects.create(kind="children", org_unit=unit(code), as_of=date.today(),
                                       original_name="ds.xlsx", stored_file=str(rejected.with_name("ds.xlsx")),
                                       status=ImportStatus.DONE, summary={"rows": 0}, rejected_file=str(rejected)).pk


def _duplicate_pair_of(code: str) -> int:
    from treem.registry.models import DuplicateCandidate

    first, second = sorted((_child_of(code), _child_of(code)))
    return DuplicateCandidate.objects.create(child_a_id=first, child_b_id=second, score=0.9, reasons=[]).pk


def with_plan(url: str) -> str:
    """The address, once the Lai Châu plan is loaded (its pages and figures need it)."""
    from treem.plans.tests.factories import ensure_lai_chau_plan

    ensure_lai_chau_plan()
    return url


OBJECT_ROUTES: dict[str, Callable[[str], str]] = {
    "GET /api/v1/org-units/{code}": lambda code: f"/api/v1/org-units/{code}",
    "GET /don-vi/?unit=": lambda code: f"/don-vi/?unit={unit(code).uid}",
    "GET /chi-tieu/?unit=": lambda code: with_plan(f"/chi-tieu/?unit={unit(code).uid}"),
    "GET /chi-tieu/{code}/?unit=": lambda code: with_plan(f"/chi-tieu/I05/?unit={unit(code).uid}"),
    "GET /chi-tieu/{code}/xuat.xlsx?unit=": lambda code: with_plan(f"/chi-tieu/I05/xuat.xlsx?unit={unit(code).uid}"),
    "GET /chi-tieu/xuat.xlsx?unit=": lambda code: with_plan(f"/chi-tieu/xuat.xlsx?unit={unit(code).uid}"),
    "GET /api/v1/indicator-values?org_unit=": lambda code: with_plan(
        f"/api/v1/indicator-values?indicator=I05&period=2026&org_unit={code}"),
    "GET /bao-cao/bao-cao/{id}/": lambda code: f"/bao-cao/bao-cao/{_report_of(code)}/",
    "GET /bao-cao/bao-cao/{id}/phien-ban/": lambda code: f"/bao-cao/bao-cao/{_report_of(code)}/phien-ban/",
    "GET /bao-cao/minh-chung/{id}/": lambda code: f"/bao-cao/minh-chung/{_evidence_of(code)}/",
    "GET /api/v1/children/{child_id}": lambda code: f"/api/v1/children/{_child_of(code)}",
    "PATCH /api/v1/children/{child_id}": lambda code: f"/api/v1/children/{_child_of(code)}",
    "GET /api/v1/children/imports/{import_id}": lambda code: f"/api/v1/children/imports/{_child_import_of(code)}",
    "GET /api/v1/children/{child_id}/history": lambda code: f"/api/v1/children/{_child_of(code)}/history",
    "GET /api/v1/imports/{import_id}": lambda code: f"/api/v1/imports/{_child_import_of(code)}",
    "GET /api/v1/imports/{import_id}/rows": lambda code: f"/api/v1/imports/{_child_import_of(code)}/rows",
    "GET /tre-em/{id}/": lambda code: f"/tre-em/{_child_of(code)}/",
    "GET /tre-em/{id}/sua/": lambda code: f"/tre-em/{_child_of(code)}/sua/",
    "GET /tre-em/{id}/du-lieu-ca-nhan/": lambda code: f"/tre-em/{_child_of(code)}/du-lieu-ca-nhan/",
    "GET /tre-em/nhap/{id}/": lambda code: f"/tre-em/nhap/{_child_import_of(code)}/",
    "GET /tre-em/nhap/{id}/dong-bi-tu-choi.xlsx": lambda code: f"/tre-em/nhap/{_child_import_of(code)}/"
                                                               "dong-bi-tu-choi.xlsx",
    "GET /tre-em/trung-lap/{id}/": lambda code: f"/tre-em/trung-lap/{_duplicate_pair_of(code)}/",
    **NUTRITION_OBJECT_ROUTES,
    **CHILDFRIENDLY_OBJECT_ROUTES,
    "GET /api/v1/reporting/submissions/{submission_id}":
        lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}",
    "GET /api/v1/reporting/submissions/{submission_id}/values":
        lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/values",
    "GET /api/v1/reporting/submissions/{submission_id}/tasks":
        lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/tasks",
    "GET /api/v1/reporting/submissions/{submission_id}/tasks/{progress_id}":
        lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/tasks/{_task_of(code)}",
    "GET /api/v1/reporting/submissions/{submission_id}/tasks/{progress_id}/evidence":
        lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/tasks/{_task_of(code)}/evidence",
    "GET /api/v1/reporting/evidence/{evidence_id}": lambda code: f"/api/v1/reporting/evidence/{_evidence_of(code)}",
    "GET /api/v1/reporting/evidence/{evidence_id}/file":
        lambda code: f"/api/v1/reporting/evidence/{_evidence_of(code)}/file",
    "GET /api/v1/incidents/{incident_id}": lambda code: f"/api/v1/incidents/{_incident_of(code)}",
    "GET /api/v1/nutrition/imports/{import_id}":
        lambda code: f"/api/v1/nutrition/imports/{_measurement_import_of(code)}",
    "GET /api/v1/nutrition/imports/{import_id}/rows":
        lambda code: f"/api/v1/nutrition/imports/{_measurement_import_of(code)}/rows",
}


def _incident_of(code: str) -> int:
    from treem.protection.tests.factories import incident

    return incident(code).pk

# Routes whose address holds an object id rather than a commune code: the address of an object that does not exist.
MISSING_OBJECT_URLS: dict[str, str] = {
    "GET /api/v1/children/{child_id}": "/api/v1/children/987654321",
    "PATCH /api/v1/children/{child_id}": "/api/v1/children/987654321",
    "GET /api/v1/children/imports/{import_id}": "/api/v1/children/imports/987654321",
    "GET /api/v1/children/{child_id}/history": "/api/v1/children/987654321/history",
    "GET /api/v1/imports/{import_id}": "/api/v1/imports/987654321",
    "GET /api/v1/imports/{import_id}/rows": "/api/v1/imports/987654321/rows",
    **NUTRITION_MISSING_OBJECT_URLS,
    **CHILDFRIENDLY_MISSING_OBJECT_URLS,
    "GET /api/v1/reporting/submissions/{submission_id}": "/api/v1/reporting/submissions/987654321",
    "GET /api/v1/reporting/submissions/{submission_id}/values": "/api/v1/reporting/submissions/987654321/values",
    "GET /api/v1/reporting/submissions/{submission_id}/tasks": "/api/v1/reporting/submissions/987654321/tasks",
    "GET /api/v1/reporting/submissions/{submission_id}/tasks/{progress_id}":
        "/api/v1/reporting/submissions/987654321/tasks/1",
    "GET /api/v1/reporting/submissions/{submission_id}/tasks/{progress_id}/evidence":
        "/api/v1/reporting/submissions/987654321/tasks/1/evidence",
    "GET /api/v1/reporting/evidence/{evidence_id}": "/api/v1/reporting/evidence/987654321",
    "GET /api/v1/reporting/evidence/{evidence_id}/file": "/api/v1/reporting/evidence/987654321/file",
    "GET /api/v1/incidents/{incident_id}": "/api/v1/incidents/987654321",
    "GET /api/v1/nutrition/imports/{import_id}": "/api/v1/nutrition/imports/987654321",
    "GET /api/v1/nutrition/imports/{import_id}/rows": "/api/v1/nutrition/imports/987654321/rows",
}

# Routes whose object belongs to no commune (a plan is one document for the whole province): every holder of an
# assignment reads them, and nobody without one (tests/test_url_permissions.py, treem/plans/tests/test_api.py).
NOT_TERRITORIAL_ROUTES = {"GET /api/v1/plans/{plan_id}/indicators", "GET /api/v1/reporting/cycles/{year}",
                          "GET /api/v1/plans/{plan_id}/tasks", "GET /api/v1/plans/{plan_id}/assignments"}

# Writes of a report, by the role that may make them: (method, address builder from a commune code, role).
REPORT_WRITE_ROUTES: dict[str, tuple[Callable[[str], str], str]] = {
    "PATCH /api/v1/reporting/submissions/{submission_id}":
        (lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}", Role.COMMUNE_OFFICER),
    "PATCH /api/v1/reporting/submissions/{submission_id}/values":
        (lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/values", Role.COMMUNE_OFFICER),
    "PATCH /api/v1/reporting/submissions/{submission_id}/tasks/{progress_id}":
        (lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/tasks/{_task_of(code)}",
         Role.COMMUNE_OFFICER),
    "POST /api/v1/reporting/submissions/{submission_id}/submit":
        (lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/submit", Role.COMMUNE_OFFICER),
    "POST /api/v1/reporting/submissions/{submission_id}/return":
        (lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/return", Role.COORDINATOR),
    "POST /api/v1/reporting/submissions/{submission_id}/approve":
        (lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/approve", Role.COORDINATOR),
}


def _task_of(code: str) -> int:
    from treem.reporting.models import Submission
    from treem.reporting.services import ensure_task_progress

    return ensure_task_progress(Submission.objects.get(pk=_report_of(code)))[0].pk


@pytest.mark.parametrize("route", sorted(REPORT_WRITE_ROUTES))
def test_a_write_of_a_neighbours_report_is_404_before_anything_is_read(client: Client, route: str) -> None:
    """Own report: the body is read and judged (no version sent: 428); a neighbour's: 404, the same as missing."""
    method = route.split(" ", 1)[0]
    build, role = REPORT_WRITE_ROUTES[route]
    client.force_login(user_with_role(role, OWN))
    body = json.dumps({"status": "done", "narrative": "", "comment": "x", "cells": [
        {"element_code": "DE_COMMUNE_PLAY_SPACE", "org_unit_code": OWN, "value": "1"}]})
    own = client.generic(method, build(OWN), body, content_type="application/json")
    other = client.generic(method, build(OTHER), body, content_type="application/json")
    assert own.status_code == 428, own.content
    assert other.status_code == 404


@pytest.mark.parametrize("route", sorted(CHILDFRIENDLY_WRITE_ROUTES))
def test_a_write_of_a_neighbours_assessment_is_404_and_changes_nothing(client: Client, route: str) -> None:
    """Own commune's assessment: the write is judged (200 or 201; 422 when the workflow refuses it; 428 without the
    version read); a neighbour's: 404."""
    from treem.childfriendly.tests.object_routes import assessment_of

    method = route.split(" ", 1)[0]
    build, role, body = CHILDFRIENDLY_WRITE_ROUTES[route]
    client.force_login(user_with_role(role, OWN if role == Role.COMMUNE_OFFICER else "12"))
    other_client = Client()
    other_client.force_login(user_with_role(role, OWN))

    def send(sender: Client, url: str) -> Any:
        if "file" in body:
            from django.core.files.uploadedfile import SimpleUploadedFile

            fields = {**body, "file": SimpleUploadedFile("bien-ban.pdf", body["file"])}  # type: ignore[arg-type]
            return sender.post(url, fields)
        return sender.generic(method, url, json.dumps(body), content_type="application/json")

    own = send(client, build(OWN))
    theirs = assessment_of(OTHER)
    before = (theirs.status, theirs.total, theirs.updated_at)
    other = send(other_client, build(OTHER))
    assert own.status_code in (200, 201, 422, 428), own.content  # 428: scores sent without the version read
    assert other.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.total, theirs.updated_at) == before


def test_every_api_route_with_a_path_parameter_is_covered() -> None:
    routes = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            if "{" in path:
                for operation in path_view.operations:
                    for method in operation.methods:
                        routes.add(f"{method} /api/v1{prefix.rstrip('/')}{path}")
    assert routes <= (set(OBJECT_ROUTES) | set(CASE_ROUTES) | set(CASE_WRITE_ROUTES) | set(PAIR_WRITE_ROUTES)
                      | set(REPORT_WRITE_ROUTES) | set(CHILDFRIENDLY_WRITE_ROUTES) | set(OBJECT_WRITE_ROUTES)
                      | set(CASE_PLAN_ROUTES) | NOT_TERRITORIAL_ROUTES)


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_an_officer_gets_their_own_object_and_404_for_a_neighbours(client: Client, route: str) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, OWN)
    client.force_login(officer)
    build = OBJECT_ROUTES[route]
    assert client.get(build(OWN)).status_code == 200
    other = client.get(build(OTHER))
    assert other.status_code == 404
    missing_url = MISSING_OBJECT_URLS.get(route) or build(OWN).replace(OWN, "00000")
    missing = client.get(missing_url) if "api" in route else None
    if missing is not None:
        assert missing.status_code == 404
        assert missing.json() == other.json()


# Child-protection cases: the 404 applies to everyone not assigned to the case, officers of the same commune included
# (the case-assignment rule on top of the org-unit scope). Each builder takes the case id.
CASE_ROUTES: dict[str, Callable[[int], str]] = {
    "GET /api/v1/cases/{case_id}": lambda pk: f"/api/v1/cases/{pk}",
    "PATCH /api/v1/cases/{case_id}": lambda pk: f"/api/v1/cases/{pk}",
    "GET /bao-ve/truong-hop/{case_id}/": lambda pk: f"/bao-ve/truong-hop/{pk}/",
    "GET /bao-ve/truong-hop/{case_id}/sua/": lambda pk: f"/bao-ve/truong-hop/{pk}/sua/",
    "GET /bao-ve/truong-hop/{case_id}/chuyen-giao/": lambda pk: f"/bao-ve/truong-hop/{pk}/chuyen-giao/",
    "GET /bao-ve/truong-hop/{case_id}/mau-01.docx": lambda pk: f"/bao-ve/truong-hop/{pk}/mau-01.docx",
    "GET /api/v1/cases/{case_id}/steps": lambda pk: f"/api/v1/cases/{pk}/steps",
    "GET /api/v1/cases/{case_id}/referrals": lambda pk: f"/api/v1/cases/{pk}/referrals",
}


@pytest.mark.parametrize("route", sorted(CASE_ROUTES))
def test_a_case_answers_its_assigned_worker_and_404_to_everyone_else(client: Client, route: str) -> None:
    from treem.protection.tests.factories import make_case

    assigned = user_with_role(Role.CASE_WORKER, OWN)
    case = make_case(assigned, code=OWN)
    method, build = route.split(" ", 1)[0], CASE_ROUTES[route]
    body = json.dumps({"version": case.version}) if method == "PATCH" else ""

    def status_for(user: object, url: str) -> tuple[int, bytes]:
        client.force_login(user)  # type: ignore[arg-type]
        response = client.generic(method, url, body, content_type="application/json")
        return response.status_code, response.content

    assert status_for(assigned, build(case.pk))[0] == 200
    outsiders = [user_with_role(Role.COMMUNE_OFFICER, OWN), user_with_role(Role.CASE_WORKER, OWN),
                 user_with_role(Role.COMMUNE_OFFICER, OTHER), user_with_role(Role.CASE_WORKER, OTHER)]
    for outsider in outsiders:
        assert status_for(outsider, build(case.pk))[0] == 404
    if "api" in route:
        assert status_for(outsiders[0], build(case.pk)) == status_for(outsiders[0], build(999999))


def _referral_of(case: Any) -> int:
    from django.utils import timezone

    from treem.protection.services import refer_case

    return refer_case(actor=None, case=case, target="health", target_name="Trạm y tế xã", reason="Khám",
                      follow_up_on=timezone.localdate()).pk


def _open_step_of(case: Any) -> int:
    from treem.protection.tests.factories import open_step

    return open_step(case).pk


VERIFY_FORM = {"kind": "verify", "outcome": "unfounded", "findings": "Không có căn cứ.", "risk_level": "low"}


def _version_of(case: Any) -> int:
    """The case's version as stored now (a write takes the version read)."""
    from treem.protection.models import Case

    return int(Case.objects.get(pk=case.pk).version)

# Writes on a case: each builder takes the case and gives the address and a body its assigned worker may send.
CASE_WRITE_ROUTES: dict[str, Callable[[Any], tuple[str, dict[str, Any]]]] = {
    "POST /api/v1/cases/{case_id}/steps/{step_id}/complete": lambda case: (
        f"/api/v1/cases/{case.pk}/steps/{_open_step_of(case)}/complete",
        {"form": VERIFY_FORM, "version": _version_of(case)}),
    "POST /api/v1/cases/{case_id}/referrals": lambda case: (
        f"/api/v1/cases/{case.pk}/referrals",
        {"target": "police", "target_name": "Công an xã", "reason": "Báo tin", "follow_up_on": "2099-01-01"}),
    "POST /api/v1/cases/{case_id}/referrals/{referral_id}/response": lambda case: (
        f"/api/v1/cases/{case.pk}/referrals/{_referral_of(case)}/response",
        {"is_accepted": True, "responded_on": "2026-06-02"}),
    "POST /api/v1/cases/{case_id}/transfer": lambda case: (
        f"/api/v1/cases/{case.pk}/transfer",
        {"to_user_id": user_with_role(Role.CASE_WORKER, OWN).pk, "reason": "Chuyển công tác",
         "version": _version_of(case)}),
}


@pytest.mark.parametrize("route", sorted(CASE_WRITE_ROUTES))
def test_a_write_on_a_case_is_404_for_everyone_not_assigned_and_saves_nothing(client: Client, route: str) -> None:
    from treem.core.models import AuditEvent
    from treem.protection.tests.factories import make_case

    assigned = user_with_role(Role.CASE_WORKER, OWN)
    case = make_case(assigned, code=OWN)
    url, body = CASE_WRITE_ROUTES[route](case)
    events = AuditEvent.objects.count()
    for outsider in (user_with_role(Role.COMMUNE_OFFICER, OWN), user_with_role(Role.CASE_WORKER, OWN),
                     user_with_role(Role.COMMUNE_OFFICER, OTHER), user_with_role(Role.CASE_WORKER, OTHER)):
        client.force_login(outsider)
        assert client.post(url, data=body, content_type="application/json").status_code == 404
    assert AuditEvent.objects.count() == events
    client.force_login(assigned)
    assert client.post(url, data=body, content_type="application/json").status_code in {200, 201}


PAIR_WRITE_ROUTES: dict[str, Callable[[int], tuple[str, dict[str, Any]]]] = {
    "POST /api/v1/duplicates/{candidate_id}/merge": lambda pk: (
        f"/api/v1/duplicates/{pk}/merge", {"keep_child_id": _pair_child_a(pk)}),
    "POST /api/v1/duplicates/{candidate_id}/not-the-same": lambda pk: (f"/api/v1/duplicates/{pk}/not-the-same", {}),
}


def _pair_child_a(pk: int) -> int:
    from treem.registry.models import DuplicateCandidate

    return DuplicateCandidate.objects.get(pk=pk).child_a_id


@pytest.mark.parametrize("route", sorted(PAIR_WRITE_ROUTES))
def test_a_decision_on_a_pair_is_the_own_officers_and_404_for_a_neighbour(client: Client, route: str) -> None:
    theirs = _duplicate_pair_of(OTHER)
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, OWN))
    url, body = PAIR_WRITE_ROUTES[route](theirs)
    neighbour = client.post(url, data=body, content_type="application/json")
    missing = client.post(url.replace(f"/{theirs}/", "/987654321/"), data=body, content_type="application/json")
    assert neighbour.status_code == missing.status_code == 404 and neighbour.json() == missing.json()
    own_url, own_body = PAIR_WRITE_ROUTES[route](_duplicate_pair_of(OWN))
    assert client.post(own_url, data=own_body, content_type="application/json").status_code == 200


def _measurement_of(code: str) -> int:
    from treem.nutrition.tests.object_routes import measurement_of

    return measurement_of(code).pk


def _measurement_import_of(code: str) -> int:
    from treem.nutrition.tests.object_routes import import_of

    return import_of(code).pk


PDF = b"%PDF-1.4\n%treem\n1 0 obj<<>>endobj\n%%EOF\n"

# Writes on an object of a commune: the address builder, whether the body is a file, and what the own commune's
# officer gets (a refusal that shows the object was reached — no version: 428; a finished import: 409 — or success).
OBJECT_WRITE_ROUTES: dict[str, tuple[Callable[[str], str], dict[str, Any] | None, int]] = {
    "PATCH /api/v1/nutrition/measurements/{measurement_id}":
        (lambda code: f"/api/v1/nutrition/measurements/{_measurement_of(code)}", {"reason": "x"}, 428),
    "DELETE /api/v1/nutrition/measurements/{measurement_id}":
        (lambda code: f"/api/v1/nutrition/measurements/{_measurement_of(code)}?reason=nhầm", None, 200),
    "POST /api/v1/nutrition/imports/{import_id}/confirm":
        (lambda code: f"/api/v1/nutrition/imports/{_measurement_import_of(code)}/confirm", {}, 409),
    "POST /api/v1/reporting/submissions/{submission_id}/tasks/{progress_id}/evidence":
        (lambda code: f"/api/v1/reporting/submissions/{_report_of(code)}/tasks/{_task_of(code)}/evidence",
         {"file": PDF}, 201),
    "DELETE /api/v1/reporting/evidence/{evidence_id}":
        (lambda code: f"/api/v1/reporting/evidence/{_evidence_of(code)}", None, 200),
}


@pytest.mark.parametrize("route", sorted(OBJECT_WRITE_ROUTES))
def test_a_write_on_a_neighbours_object_is_404_and_saves_nothing(client: Client, route: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from treem.core.models import AuditEvent

    method = route.split(" ", 1)[0]
    build, body, own_status = OBJECT_WRITE_ROUTES[route]
    theirs = build(OTHER)
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, OWN))

    def send(url: str) -> Any:
        if body is not None and "file" in body:
            return client.post(url, {"file": SimpleUploadedFile("bien-ban.pdf", body["file"])})
        return client.generic(method, url, json.dumps(body or {}), content_type="application/json")

    events = AuditEvent.objects.exclude(verb=AuditEvent.Verb.VIEW).count()
    assert send(theirs).status_code == 404
    assert AuditEvent.objects.exclude(verb=AuditEvent.Verb.VIEW).count() == events
    assert send(build(OWN)).status_code == own_status


def _case_at_plan_step(worker: Any) -> Any:
    from django.utils import timezone

    from treem.protection import services
    from treem.protection.tests.factories import advance_to_plan, make_case

    case = make_case(worker, code=OWN)
    advance_to_plan(case, worker)
    plan = services.save_plan(actor=worker, case=case, goals="Trẻ an toàn", starts_on=timezone.localdate(),
                              review_on=timezone.localdate())
    services.add_service(actor=worker, plan=plan, kind="psychological", description="Tư vấn",
                         provider_name="Trạm y tế", planned_on=timezone.localdate())
    return case


def _service_of(case: Any) -> int:
    from treem.protection.selectors import current_plan, open_step

    step = open_step(case)
    plan = step.plan if step is not None and step.plan is not None else current_plan(case)
    return int(plan.services.get().pk)


TODAY_TEXT = "2026-01-01"

# A case's plan and a referral's follow-up: (method, address and body from the case, the assigned worker's status).
CASE_PLAN_ROUTES: dict[str, tuple[str, Callable[[Any], tuple[str, dict[str, Any]]], int]] = {
    "GET /api/v1/cases/{case_id}/plan": ("GET", lambda case: (f"/api/v1/cases/{case.pk}/plan", {}), 200),
    "PUT /api/v1/cases/{case_id}/plan": ("PUT", lambda case: (
        f"/api/v1/cases/{case.pk}/plan", {"goals": "Trẻ đi học lại", "starts_on": TODAY_TEXT,
                                          "review_on": TODAY_TEXT, "version": _version_of(case)}), 200),
    "GET /api/v1/cases/{case_id}/plan/services": ("GET", lambda case: (
        f"/api/v1/cases/{case.pk}/plan/services", {}), 200),
    "POST /api/v1/cases/{case_id}/plan/services": ("POST", lambda case: (
        f"/api/v1/cases/{case.pk}/plan/services", {"kind": "legal_aid", "description": "Trợ giúp pháp lý",
                                                   "provider_name": "Phòng Tư pháp", "planned_on": TODAY_TEXT}), 201),
    "POST /api/v1/cases/{case_id}/plan/services/{service_id}/delivery": ("POST", lambda case: (
        f"/api/v1/cases/{case.pk}/plan/services/{_service_of(case)}/delivery", {"delivered_on": TODAY_TEXT}), 422),
    "POST /api/v1/cases/{case_id}/plan/approve": ("POST", lambda case: (
        f"/api/v1/cases/{case.pk}/plan/approve", {"approved_on": TODAY_TEXT, "approver_name": "Lò Văn Thành",
                                                  "version": _version_of(case)}), 200),
    "POST /api/v1/cases/{case_id}/referrals/{referral_id}/follow-up": ("POST", lambda case: (
        f"/api/v1/cases/{case.pk}/referrals/{_referral_of(case)}/follow-up",
        {"followed_up_on": TODAY_TEXT, "note": "Đã khám"}), 200),
}


@pytest.mark.parametrize("route", sorted(CASE_PLAN_ROUTES))
def test_a_cases_plan_answers_its_assigned_worker_and_404_to_everyone_else(client: Client, route: str) -> None:
    """(The delivery of a service of a plan not yet approved is refused with 422: it reached the service.)"""
    from treem.core.models import AuditEvent

    assigned = user_with_role(Role.CASE_WORKER, OWN)
    case = _case_at_plan_step(assigned)
    method, build, assigned_status = CASE_PLAN_ROUTES[route]
    url, body = build(case)
    events = AuditEvent.objects.exclude(verb=AuditEvent.Verb.VIEW).count()
    for outsider in (user_with_role(Role.COMMUNE_OFFICER, OWN), user_with_role(Role.CASE_WORKER, OWN),
                     user_with_role(Role.COMMUNE_OFFICER, OTHER), user_with_role(Role.CASE_WORKER, OTHER)):
        client.force_login(outsider)
        assert client.generic(method, url, json.dumps(body), content_type="application/json").status_code == 404
    assert AuditEvent.objects.exclude(verb=AuditEvent.Verb.VIEW).count() == events
    client.force_login(assigned)
    assert client.generic(method, url, json.dumps(body), content_type="application/json").status_code == \
        assigned_status
