"""API of a task's evidence files: list, upload (checked by content, once per Idempotency-Key), download (audited,
as an attachment), soft removal — scoped to the caller's report like the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from treem.core.models import AuditEvent
from treem.reporting.models import Evidence
from treem.reporting.services import ensure_task_progress
from treem.reporting.tests.factories import OTHER_COMMUNE, OWN_COMMUNE, commune_officer, commune_report, cycle

pytestmark = pytest.mark.django_db

API = "/api/v1/reporting"
PDF = b"%PDF-1.4\n%treem\n1 0 obj<<>>endobj\n%%EOF\n"


def test_evidence_is_uploaded_listed_downloaded_and_removed_through_the_api(client: Client) -> None:
    submission = commune_report(cycle(2026), OWN_COMMUNE)
    progress = ensure_task_progress(submission)[0]
    client.force_login(commune_officer())
    path = f"{API}/submissions/{submission.pk}/tasks/{progress.pk}/evidence"
    created = client.post(path, {"file": SimpleUploadedFile("bien-ban.pdf", PDF)}, headers={"Idempotency-Key": "k1"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["original_name"], body["content_type"], body["size"]) == ("bien-ban.pdf", "application/pdf", len(PDF))
    retried = client.post(path, {"file": SimpleUploadedFile("bien-ban.pdf", PDF)}, headers={"Idempotency-Key": "k1"})
    assert retried.status_code == 201 and retried.json() == body and Evidence.objects.count() == 1
    listing = client.get(path)
    assert [item["id"] for item in listing.json()] == [body["id"]] and listing["X-Total-Count"] == "1"
    download = client.get(f"{API}/evidence/{body['id']}/file")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment") and download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.EXPORT, object_type="reporting.evidence").count() == 1
    removed = client.delete(f"{API}/evidence/{body['id']}")
    assert removed.status_code == 200 and removed.json()["removed_at"] is not None
    assert client.get(path).json() == [] and Evidence.objects.get().deleted_at is not None
    assert client.delete(f"{API}/evidence/{body['id']}").status_code == 404


def test_a_file_that_is_not_an_accepted_kind_is_422_and_nothing_is_kept(client: Client) -> None:
    submission = commune_report(cycle(2026), OWN_COMMUNE)
    progress = ensure_task_progress(submission)[0]
    client.force_login(commune_officer())
    refused = client.post(f"{API}/submissions/{submission.pk}/tasks/{progress.pk}/evidence",
                          {"file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")})
    assert refused.status_code == 422 and "file" in refused.json()["errors"]
    assert Evidence.objects.count() == 0


def test_the_evidence_of_a_neighbouring_communes_report_is_404(client: Client) -> None:
    reporting_cycle = cycle(2026)
    other = commune_report(reporting_cycle, OTHER_COMMUNE)
    progress = ensure_task_progress(other)[0]
    client.force_login(commune_officer(OTHER_COMMUNE))
    created = client.post(f"{API}/submissions/{other.pk}/tasks/{progress.pk}/evidence",
                          {"file": SimpleUploadedFile("bien-ban.pdf", PDF)}).json()
    client.force_login(commune_officer())
    for path in (f"{API}/submissions/{other.pk}/tasks/{progress.pk}/evidence", f"{API}/evidence/{created['id']}",
                 f"{API}/evidence/{created['id']}/file"):
        assert client.get(path).status_code == 404, path
    assert client.delete(f"{API}/evidence/{created['id']}").status_code == 404
    assert Evidence.objects.get().deleted_at is None
