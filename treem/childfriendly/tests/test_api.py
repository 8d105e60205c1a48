"""The assessment's API through HTTP: the evidence upload that lets an officer change a pre-filled figure (the
page's checks, the ``override_prefill`` audit, once per Idempotency-Key), the evidence download, their errors in the
one error schema, and their declaration in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from treem.accounts.tests.factories import unit
from treem.childfriendly.models import Assessment, Evidence, Score
from treem.childfriendly.services import start_assessment
from treem.childfriendly.tests.factories import OTHER, OWN, PDF, officer
from treem.core.models import AuditEvent

pytestmark = pytest.mark.django_db

API = "/api/v1/child-friendly/assessments"
ERROR_REF = "#/components/schemas/ErrorOut"


def started(code: str = OWN) -> Assessment:
    return start_assessment(actor=None, org_unit=unit(code), year=2026)


def upload(client: Client, assessment: Assessment, code: str, data: dict[str, Any], *,
           content: bytes = PDF, name: str = "bien-ban.pdf", headers: dict[str, str] | None = None) -> Any:
    return client.post(f"{API}/{assessment.pk}/scores/{code}/evidence",
                       {**data, "file": SimpleUploadedFile(name, content)}, headers=headers or {})


def test_an_officer_changes_a_prefilled_figure_with_a_reason_and_a_file_and_it_is_audited(client: Client) -> None:
    assessment = started()
    user = officer()
    client.force_login(user)
    response = upload(client, assessment, "5.1", {"value": "1", "reason": "Một trẻ bị bỏng chưa ghi sổ"},
                      headers={"Idempotency-Key": "sua-5.1"})
    assert response.status_code == 201, response.content
    body = response.json()
    [score] = [score for score in body["scores"] if score["code"] == "5.1"]
    assert (score["value"], score["prefilled_value"], score["points"]) == ("1.00", "0.00", "0.00")
    assert score["override_reason"] == "Một trẻ bị bỏng chưa ghi sổ"
    [evidence] = score["evidence"]
    assert (evidence["original_name"], evidence["content_type"], evidence["size"]) == ("bien-ban.pdf",
                                                                                       "application/pdf", len(PDF))
    kept = Evidence.objects.get()
    assert kept.uploaded_by == user and kept.score.sub_item.code == "5.1"
    event = AuditEvent.objects.get(action="override_prefill", object_id=str(assessment.pk))
    assert event.actor == user and event.after["5.1"]["evidence"] == kept.sha256
    retried = upload(client, assessment, "5.1", {"value": "1", "reason": "Một trẻ bị bỏng chưa ghi sổ"},
                     headers={"Idempotency-Key": "sua-5.1"})
    assert retried.status_code == 201 and retried["Idempotent-Replayed"] == "true"
    assert Evidence.objects.count() == 1 and AuditEvent.objects.filter(action="override_prefill").count() == 1

    download = client.get(f"{API}/{assessment.pk}/evidence/{kept.pk}/file")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.EXPORT, object_type="childfriendly.evidence").count() == 1


def test_a_changed_prefilled_figure_without_a_reason_is_422_next_to_the_field_and_nothing_is_kept(
        client: Client) -> None:
    assessment = started()
    client.force_login(officer())
    response = upload(client, assessment, "5.1", {"value": "2"})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["errors"]["reason_5.1"] == ["Mục 5.1: số liệu khác số liệu điền sẵn (0), cần ghi lý do."]
    assert not Evidence.objects.exists()
    assert Score.objects.get(assessment=assessment, sub_item__code="5.1").value == 0


def test_a_file_that_is_not_a_document_is_422_under_the_evidence_field(client: Client) -> None:
    assessment = started()
    client.force_login(officer())
    response = upload(client, assessment, "5.1", {"value": "1", "reason": "lý do"},
                      content=b"<script>alert(1)</script>", name="bien-ban.pdf")
    assert response.status_code == 422
    assert "Loại tệp minh chứng không được chấp nhận" in response.json()["errors"]["evidence_5.1"][0]
    assert not Evidence.objects.exists() and not AuditEvent.objects.filter(action="override_prefill").exists()


def test_points_above_the_maximum_are_422_and_a_figure_left_out_keeps_the_current_one(client: Client) -> None:
    assessment = started()
    client.force_login(officer())
    refused = upload(client, assessment, "6.1", {"value": "96", "points": "51"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"points_6.1": ["Mục 6.1: điểm 51 vượt quá điểm tối đa 50 của mục."]}
    kept = upload(client, assessment, "5.1", {})
    assert kept.status_code == 201, kept.content
    [score] = [score for score in kept.json()["scores"] if score["code"] == "5.1"]
    assert score["value"] == "0.00" and len(score["evidence"]) == 1
    assert AuditEvent.objects.filter(action="save_scores", object_id=str(assessment.pk)).count() == 1


def test_a_neighbours_assessment_an_unknown_sub_item_and_a_missing_file_answer_404_and_422(client: Client) -> None:
    theirs, own = started(OTHER), started(OWN)
    client.force_login(officer(OWN))
    assert upload(client, theirs, "5.1", {"value": "1", "reason": "x"}).status_code == 404
    assert upload(client, own, "99.9", {"value": "1"}).status_code == 404
    missing_file = client.post(f"{API}/{own.pk}/scores/5.1/evidence", {"value": "1", "reason": "x"})
    assert missing_file.status_code == 422 and "file" in str(missing_file.json()["errors"])
    other_file = Evidence.objects.create(assessment=theirs, original_name="x.pdf", content_type="application/pdf",
                                         size=1, sha256="0" * 64, file="x.pdf")
    assert client.get(f"{API}/{theirs.pk}/evidence/{other_file.pk}/file").status_code == 404
    assert client.get(f"{API}/{own.pk}/evidence/{other_file.pk}/file").status_code == 404
    assert not Evidence.objects.filter(assessment=own).exists()


def test_a_submitted_assessment_takes_no_evidence(client: Client) -> None:
    assessment = started()
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    client.force_login(officer())
    response = upload(client, assessment, "5.1", {"value": "1", "reason": "lý do"})
    assert response.status_code == 422 and "status" in response.json()["errors"]
    assert not Evidence.objects.exists()


def test_the_upload_is_declared_as_multipart_with_its_errors_and_an_idempotency_key(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/child-friendly/assessments/{assessment_id}/scores/{code}/evidence"]["post"]
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in form:
        form = document["components"]["schemas"][form["$ref"].rsplit("/", 1)[-1]]
    assert {"file", "value", "points", "reason"} <= set(form["properties"]) and form["required"] == ["file"]
    assert "Idempotency-Key" in {parameter["name"] for parameter in operation["parameters"]}
    for status in ("401", "403", "404", "422"):
        assert operation["responses"][status]["content"]["application/json"]["schema"]["$ref"] == ERROR_REF
    assert "201" in operation["responses"]
    download = document["paths"]["/api/v1/child-friendly/assessments/{assessment_id}/evidence/{evidence_id}/file"]
    assert "application/octet-stream" in download["get"]["responses"]["200"]["content"]


def test_in_english_the_refusals_are_english(client: Client, settings: Any) -> None:
    assessment = started()
    client.force_login(officer())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(client, assessment, "5.1", {"value": "2"})
    assert response.status_code == 422
    assert response.json()["errors"]["reason_5.1"] == [
        "Item 5.1: the figure differs from the pre-filled one (0); give a reason."]
    refused = upload(client, assessment, "6.1", {"value": "101", "reason": "x"})
    assert refused.json()["errors"]["value_6.1"] == ["Item 6.1: a share cannot exceed 100 % (received 101 %)."]


def test_the_list_is_paged_with_its_total_and_only_the_callers_communes(client: Client) -> None:
    from treem.accounts.tests.factories import user_with_role
    from treem.core.roles import Role

    communes = [OWN, OTHER, "03388"]
    ids = {started(code).pk for code in communes}
    client.force_login(user_with_role(Role.COORDINATOR, "12"))
    first = client.get(f"{API}?year=2026&limit=2")
    second = client.get(f"{API}?year=2026&limit=2&offset=2")
    assert first.status_code == second.status_code == 200
    assert first["X-Total-Count"] == "3" and first.json()["count"] == 3
    pages = [row["id"] for row in first.json()["results"]] + [row["id"] for row in second.json()["results"]]
    assert len(first.json()["results"]) == 2 and set(pages) == ids and len(pages) == 3
    assert client.get(f"{API}?limit=501").status_code == 422
    client.force_login(officer(OWN))
    own = client.get(f"{API}?year=2026").json()
    assert own["count"] == 1 and [row["id"] for row in own["results"]] == [started_id(OWN)]


def started_id(code: str) -> int:
    return Assessment.objects.get(org_unit=unit(code), year=2026).pk
