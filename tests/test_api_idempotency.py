"""Idempotency keys on the API's creating POSTs: a retry replays the first answer and creates nothing; the same key
with another request is 422; a refused request keeps no key; keys belong to one user; keys past their retention are
forgotten, and ``purge_idempotency_keys`` (a daily job) deletes them."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from treem.accounts.tests.factories import user_with_role
from treem.core.models import IdempotencyKey
from treem.core.roles import Role
from treem.protection.models import Case, Incident

pytestmark = pytest.mark.django_db

COMMUNE = "03390"
INCIDENT = {"org_unit_code": COMMUNE, "occurred_on": "2026-06-01", "kind": "drowning", "child_age_years": 8,
            "child_sex": "M", "outcome": "injury"}


def _officer() -> Client:
    client = Client()
    user = user_with_role(Role.COMMUNE_OFFICER, COMMUNE)
    user.assignments.create(role=Role.CASE_WORKER, org_unit=user.assignments.get().org_unit)
    client.force_login(user)
    return client


def _post(client: Client, path: str, body: dict[str, object], key: str | None) -> object:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(path, body, content_type="application/json", headers=headers)


def test_a_retry_with_the_same_key_and_body_replays_the_answer_and_creates_nothing() -> None:
    client = _officer()
    first = _post(client, "/api/v1/incidents", INCIDENT, "vu-1")
    # the same body with its keys in another order is the same request
    retry = _post(client, "/api/v1/incidents", dict(reversed(list(INCIDENT.items()))), "vu-1")
    assert first.status_code == retry.status_code == 201  # type: ignore[attr-defined]
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"  # type: ignore[attr-defined,index]
    assert Incident.objects.count() == 1
    without_key = _post(client, "/api/v1/incidents", INCIDENT, None)
    assert without_key.status_code == 201 and Incident.objects.count() == 2  # type: ignore[attr-defined]


def test_the_same_key_on_another_request_is_422_and_creates_nothing() -> None:
    client = _officer()
    _post(client, "/api/v1/incidents", INCIDENT, "vu-2")
    other_body = _post(client, "/api/v1/incidents", {**INCIDENT, "child_age_years": 9}, "vu-2")
    assert other_body.status_code == 422 and "Idempotency-Key" in other_body.json()["errors"]  # type: ignore[attr-defined]
    other_path = _post(client, "/api/v1/cases", {"org_unit_code": COMMUNE}, "vu-2")
    assert other_path.status_code == 422  # type: ignore[attr-defined]
    assert Incident.objects.count() == 1 and Case.objects.count() == 0


def test_a_refused_request_keeps_no_key_so_the_corrected_one_may_use_it() -> None:
    client = _officer()
    refused = _post(client, "/api/v1/incidents", {**INCIDENT, "org_unit_code": "03408"}, "vu-3")
    assert refused.status_code == 422 and IdempotencyKey.objects.count() == 0  # type: ignore[attr-defined]
    corrected = _post(client, "/api/v1/incidents", INCIDENT, "vu-3")
    assert corrected.status_code == 201 and Incident.objects.count() == 1  # type: ignore[attr-defined]


def test_keys_belong_to_one_user() -> None:
    first, second = _officer(), _officer()
    assert _post(first, "/api/v1/incidents", INCIDENT, "chung").status_code == 201  # type: ignore[attr-defined]
    assert _post(second, "/api/v1/incidents", INCIDENT, "chung").status_code == 201  # type: ignore[attr-defined]
    assert Incident.objects.count() == 2


def test_a_key_past_its_retention_is_forgotten_and_the_daily_purge_deletes_it(settings: object) -> None:
    client = _officer()
    _post(client, "/api/v1/incidents", INCIDENT, "cu")
    _post(client, "/api/v1/incidents", INCIDENT, "moi")
    IdempotencyKey.objects.filter(key="cu").update(created_at=timezone.now() - timedelta(hours=49))
    IdempotencyKey.objects.filter(key="moi").update(created_at=timezone.now() - timedelta(hours=47))
    assert _post(client, "/api/v1/incidents", INCIDENT, "moi").status_code == 201  # type: ignore[attr-defined]
    assert Incident.objects.count() == 2  # "moi" replayed
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert "1" in out.getvalue() and set(IdempotencyKey.objects.values_list("key", flat=True)) == {"moi"}
    assert _post(client, "/api/v1/incidents", INCIDENT, "cu").status_code == 201  # type: ignore[attr-defined]
    assert Incident.objects.count() == 3  # a forgotten key is a new request
