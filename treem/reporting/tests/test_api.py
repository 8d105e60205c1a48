"""API of the reporting cycle: scoped like the pages, the workflow, and optimistic concurrency on every write."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from treem.core.models import AuditEvent
from treem.indicators.models import DataValue
from treem.reporting.models import Submission
from treem.reporting.tests.factories import (
    OTHER_COMMUNE,
    OWN_COMMUNE,
    commune_officer,
    commune_report,
    coordinator,
    cycle,
)
from treem.reporting.tests.test_services import fill_commune_report

pytestmark = pytest.mark.django_db

API = "/api/v1/reporting"


def _json(client: Client, method: str, path: str, body: dict[str, Any], **headers: str) -> Any:
    return getattr(client, method)(path, data=body, content_type="application/json", headers=headers)


def test_cycles_are_listed_newest_first_and_one_year_is_found_or_404(client: Client) -> None:
    cycle(2025)
    cycle(2026)
    client.force_login(commune_officer())
    listing = client.get(f"{API}/cycles?limit=1").json()
    assert listing["count"] == 2 and [item["year"] for item in listing["items"]] == [2026]
    assert client.get(f"{API}/cycles/2025").json()["year"] == 2025
    missing = client.get(f"{API}/cycles/2031")
    assert missing.status_code == 404 and missing.json()["errors"] == {}


def test_a_commune_officer_lists_and_reads_only_their_communes_report(client: Client) -> None:
    reporting_cycle = cycle(2026)
    own, other = commune_report(reporting_cycle, OWN_COMMUNE), commune_report(reporting_cycle, OTHER_COMMUNE)
    client.force_login(commune_officer())
    listing = client.get(f"{API}/submissions?year=2026&status=not_started").json()
    assert [item["id"] for item in listing["items"]] == [own.pk] and listing["count"] == 1
    assert client.get(f"{API}/submissions?year=2026&status=approved").json()["count"] == 0
    detail = client.get(f"{API}/submissions/{own.pk}")
    assert detail.status_code == 200 and detail.json()["status"] == "not_started"
    assert detail["ETag"] == f'"{detail.json()["version"]}"'
    for path in (f"{API}/submissions/{other.pk}", f"{API}/submissions/{other.pk}/values"):
        assert client.get(path).status_code == 404
    refused = _json(client, "patch", f"{API}/submissions/{other.pk}/values",
                    {"version": "x", "cells": [{"element_code": "DE_COMMUNE_PLAY_SPACE",
                                                "org_unit_code": OTHER_COMMUNE, "value": "1"}]})
    assert refused.status_code == 404
    assert client.post(f"{API}/submissions/{other.pk}/submit", data={"version": "x"},
                       content_type="application/json").status_code == 404


def test_entering_a_batch_of_figures_stores_them_and_answers_the_new_version(client: Client) -> None:
    report = commune_report(cycle(2026), OWN_COMMUNE)
    client.force_login(commune_officer())
    before = client.get(f"{API}/submissions/{report.pk}/values")
    response = _json(client, "patch", f"{API}/submissions/{report.pk}/values", {"cells": [
        {"element_code": "DE_COMMUNE_CHILD_FRIENDLY", "org_unit_code": OWN_COMMUNE, "value": "1"},
        {"element_code": "DE_COMMUNE_PLAY_SPACE", "org_unit_code": OWN_COMMUNE, "value": "0", "comment": "Chưa có"},
    ]}, **{"If-Match": before["ETag"]})
    assert response.status_code == 200, response.json()
    cells = {cell["element_code"]: cell for cell in response.json()["cells"]}
    assert cells["DE_COMMUNE_CHILD_FRIENDLY"]["value"] == "1" and cells["DE_COMMUNE_PLAY_SPACE"]["comment"] == "Chưa có"
    assert response.json()["version"] != before.json()["version"]
    assert response["ETag"] == f'"{response.json()["version"]}"'
    assert DataValue.objects.filter(org_unit__code=OWN_COMMUNE, year=2026,
                                    data_element__code="DE_COMMUNE_PLAY_SPACE").get().value == 0


def test_a_batch_with_one_bad_cell_saves_nothing_and_names_the_cell(client: Client) -> None:
    report = commune_report(cycle(2026), OWN_COMMUNE)
    client.force_login(commune_officer())
    version = client.get(f"{API}/submissions/{report.pk}").json()["version"]
    response = _json(client, "patch", f"{API}/submissions/{report.pk}/values", {"version": version, "cells": [
        {"element_code": "DE_COMMUNE_CHILD_FRIENDLY", "org_unit_code": OWN_COMMUNE, "value": "1"},
        {"element_code": "DE_COMMUNE_PLAY_SPACE", "org_unit_code": OWN_COMMUNE, "value": "nhiều"},
    ]})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["cells.1.value"]
    assert not DataValue.objects.filter(org_unit__code=OWN_COMMUNE, year=2026).exists()
    unknown = _json(client, "patch", f"{API}/submissions/{report.pk}/values", {"version": version, "cells": [
        {"element_code": "DE_COMMUNE_PLAY_SPACE", "org_unit_code": OTHER_COMMUNE, "value": "1"}]})
    assert unknown.status_code == 422 and list(unknown.json()["errors"]) == ["cells.0"]


def test_a_stale_write_answers_412_or_409_and_saves_nothing(client: Client) -> None:
    report = commune_report(cycle(2026), OWN_COMMUNE)
    client.force_login(commune_officer())
    old = client.get(f"{API}/submissions/{report.pk}").json()["version"]
    cell = {"element_code": "DE_COMMUNE_PLAY_SPACE", "org_unit_code": OWN_COMMUNE}
    assert _json(client, "patch", f"{API}/submissions/{report.pk}/values",
                 {"version": old, "cells": [{**cell, "value": "1"}]}).status_code == 200
    by_header = _json(client, "patch", f"{API}/submissions/{report.pk}/values",
                      {"cells": [{**cell, "value": "2"}]}, **{"If-Match": f'"{old}"'})
    by_body = _json(client, "patch", f"{API}/submissions/{report.pk}/values",
                    {"version": old, "cells": [{**cell, "value": "3"}]})
    current = client.get(f"{API}/submissions/{report.pk}").json()["version"]
    assert by_header.status_code == 412 and by_body.status_code == 409
    assert by_header.json()["current_version"] == by_body.json()["current_version"] == current != old
    assert DataValue.objects.get(org_unit__code=OWN_COMMUNE, year=2026,
                                 data_element__code="DE_COMMUNE_PLAY_SPACE").value == 1
    missing = _json(client, "patch", f"{API}/submissions/{report.pk}/values", {"cells": [{**cell, "value": "4"}]})
    assert missing.status_code == 428 and "version" in missing.json()["errors"]


def test_submitting_an_incomplete_report_names_what_blocks_it(client: Client) -> None:
    report = commune_report(cycle(2026), OWN_COMMUNE)
    client.force_login(commune_officer())
    version = client.get(f"{API}/submissions/{report.pk}").json()["version"]
    response = client.post(f"{API}/submissions/{report.pk}/submit", data={"version": version},
                           content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "__all__" in errors and any(key.startswith("cells.") and key.endswith(OWN_COMMUNE) for key in errors)
    report.refresh_from_db()
    assert report.status == Submission.Status.NOT_STARTED


def _transition(client: Client, report: Submission, action: str, **body: Any) -> Any:
    version = client.get(f"{API}/submissions/{report.pk}").json()["version"]
    return client.post(f"{API}/submissions/{report.pk}/{action}", data={"version": version, **body},
                       content_type="application/json")


def test_submit_return_submit_approve_through_the_api(client: Client) -> None:
    report = commune_report(cycle(2026), OWN_COMMUNE)
    officer, reviewer = commune_officer(), coordinator()
    fill_commune_report(report, officer)
    client.force_login(officer)
    submitted = _transition(client, report, "submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert _transition(client, report, "approve").status_code == 403  # a reporter does not review

    client.force_login(reviewer)
    assert _transition(client, report, "return", comment="").status_code == 422
    returned = _transition(client, report, "return", comment="Bổ sung số liệu điểm vui chơi.")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["versions"][0]["decision"] == "returned"

    client.force_login(officer)
    assert _transition(client, report, "submit").json()["status"] == "submitted"
    client.force_login(reviewer)
    approved = _transition(client, report, "approve").json()
    assert approved["status"] == "approved" and [row["decision"] for row in approved["versions"]] == [
        "returned", "approved"]
    assert _transition(client, report, "approve").status_code == 422  # already approved
    actions = list(AuditEvent.objects.filter(object_id=str(report.pk), verb=AuditEvent.Verb.TRANSITION)
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["submit_report", "return_report", "submit_report", "approve_report"]


def test_a_stale_review_is_refused_and_leaves_the_report_as_it_was(client: Client) -> None:
    report = commune_report(cycle(2026), OWN_COMMUNE)
    officer = commune_officer()
    fill_commune_report(report, officer)
    client.force_login(coordinator())
    old = client.get(f"{API}/submissions/{report.pk}").json()["version"]
    client.force_login(officer)
    assert _transition(client, report, "submit").status_code == 200
    client.force_login(coordinator())
    stale = client.post(f"{API}/submissions/{report.pk}/approve", data={}, content_type="application/json",
                        headers={"If-Match": f'"{old}"'})
    assert stale.status_code == 412
    report.refresh_from_db()
    assert report.status == Submission.Status.SUBMITTED


def test_a_report_written_only_through_the_api_can_be_submitted(client: Client) -> None:
    reporting_cycle = cycle(2026)
    report = commune_report(reporting_cycle, OWN_COMMUNE)
    client.force_login(commune_officer())
    assert client.get(f"{API}/submissions/{commune_report(reporting_cycle, OTHER_COMMUNE).pk}/tasks").status_code \
        == 404
    version = client.get(f"{API}/submissions/{report.pk}").json()["version"]
    values = _json(client, "patch", f"{API}/submissions/{report.pk}/values", {"version": version, "cells": [
        {"element_code": "DE_COMMUNE_CHILD_FRIENDLY", "org_unit_code": OWN_COMMUNE, "value": "1"},
        {"element_code": "DE_COMMUNE_PLAY_SPACE", "org_unit_code": OWN_COMMUNE, "value": "0"}]})
    version = values.json()["version"]
    tasks = client.get(f"{API}/submissions/{report.pk}/tasks")
    assert tasks.status_code == 200 and tasks.json() and tasks.json()[0]["status"] == "not_started"
    assert tasks["ETag"].strip('"') != version  # the first reading creates the report's rows of task progress
    version = tasks["ETag"].strip('"')
    for task in tasks.json():
        saved = _json(client, "patch", f"{API}/submissions/{report.pk}/tasks/{task['id']}", {
            "version": version, "status": "in_progress", "results": "Đã tổ chức 3 buổi truyền thông."})
        assert saved.status_code == 200 and saved.json()["status_label"] == "Đang triển khai"
        version = saved["ETag"].strip('"')
    stale = _json(client, "patch", f"{API}/submissions/{report.pk}", {"version": "cu", "narrative": "Đã làm."})
    assert stale.status_code == 409
    narrative = _json(client, "patch", f"{API}/submissions/{report.pk}", {"narrative": "Xã đã triển khai."},
                      **{"If-Match": f'"{version}"'})
    assert narrative.status_code == 200 and narrative.json()["narrative"] == "Xã đã triển khai."
    submitted = _transition(client, report, "submit")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted" and submitted.json()["versions"][0]["decision"] == ""


def test_task_progress_reports_are_listed_across_the_reports_in_scope_and_read_one_by_one(client: Client) -> None:
    reporting_cycle = cycle(2026)
    own, other = commune_report(reporting_cycle, OWN_COMMUNE), commune_report(reporting_cycle, OTHER_COMMUNE)
    officer = commune_officer()
    client.force_login(officer)
    own_tasks = client.get(f"{API}/submissions/{own.pk}/tasks").json()
    first = own_tasks[0]
    saved = _json(client, "patch", f"{API}/submissions/{own.pk}/tasks/{first['id']}", {
        "status": "done", "results": "Đã làm xong."}, **{"If-Match": client.get(
            f"{API}/submissions/{own.pk}")["ETag"]})
    assert saved.status_code == 200
    other_client = Client()
    other_client.force_login(commune_officer(OTHER_COMMUNE))
    other_tasks = other_client.get(f"{API}/submissions/{other.pk}/tasks").json()
    listing = client.get(f"{API}/task-progress?year=2026")
    assert listing.status_code == 200 and listing.json()["count"] == len(own_tasks) == int(listing["X-Total-Count"])
    assert {item["submission_id"] for item in listing.json()["items"]} == {own.pk}
    one_duty = client.get(f"{API}/task-progress", {"assignment": first["assignment_code"], "status": "done"}).json()
    assert [(item["id"], item["results"], item["org_unit_code"]) for item in one_duty["items"]] == [
        (first["id"], "Đã làm xong.", OWN_COMMUNE)]
    assert client.get(f"{API}/task-progress?status=finished").status_code == 422
    review = Client()
    review.force_login(coordinator())
    everything = review.get(f"{API}/task-progress", {"assignment": first["assignment_code"]}).json()
    assert {item["org_unit_code"] for item in everything["items"]} >= {OWN_COMMUNE, OTHER_COMMUNE}
    detail = client.get(f"{API}/submissions/{own.pk}/tasks/{first['id']}")
    assert detail.status_code == 200 and detail.json()["status"] == "done" and detail["ETag"] == saved["ETag"]
    assert client.get(f"{API}/submissions/{own.pk}/tasks/{other_tasks[0]['id']}").status_code == 404
    assert client.get(f"{API}/submissions/{other.pk}/tasks/{other_tasks[0]['id']}").status_code == 404
