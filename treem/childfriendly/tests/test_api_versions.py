"""API of the child-friendly assessments: saving scores takes the version read (If-Match 412, body 409, neither
428), and a stale write saves nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from treem.accounts.tests.factories import unit
from treem.childfriendly.models import Score
from treem.childfriendly.services import start_assessment
from treem.childfriendly.tests.factories import OWN, officer

pytestmark = pytest.mark.django_db

API = "/api/v1/child-friendly/assessments"


def _put(client: Client, url: str, body: dict[str, object], **headers: str) -> object:
    return client.put(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_saving_scores_needs_the_version_read_and_a_stale_one_saves_nothing(client: Client) -> None:
    assessment = start_assessment(actor=None, org_unit=unit(OWN), year=2026)
    client.force_login(officer())
    url = f"{API}/{assessment.pk}/scores"
    read = client.get(f"{API}/{assessment.pk}")
    assert read.status_code == 200 and read["ETag"] == f'"{read.json()["record_version"]}"'
    missing = _put(client, url, {"scores": [{"code": "1.1", "value": 1}]})
    assert missing.status_code == 428 and "version" in missing.json()["errors"]  # type: ignore[attr-defined]
    saved = _put(client, url, {"scores": [{"code": "1.1", "value": 1}]}, **{"If-Match": read["ETag"]})
    assert saved.status_code == 200, saved.content  # type: ignore[attr-defined]
    assert saved["ETag"] != read["ETag"]  # type: ignore[index]
    stale_header = _put(client, url, {"scores": [{"code": "1.1", "value": 0}]}, **{"If-Match": read["ETag"]})
    assert stale_header.status_code == 412  # type: ignore[attr-defined]
    assert stale_header.json()["current_version"] == saved.json()["record_version"]  # type: ignore[attr-defined]
    stale_body = _put(client, url, {"record_version": read.json()["record_version"],
                                    "scores": [{"code": "1.1", "value": 0}]})
    assert stale_body.status_code == 409  # type: ignore[attr-defined]
    assert Score.objects.get(assessment=assessment, sub_item__code="1.1").value == 1
    again = _put(client, url, {"record_version": saved.json()["record_version"],  # type: ignore[attr-defined]
                               "scores": [{"code": "1.1", "value": 0}]})
    assert again.status_code == 200  # type: ignore[attr-defined]
    assert Score.objects.get(assessment=assessment, sub_item__code="1.1").value == 0
