"""The sync of field records through its service and its endpoint: idempotency, field-level conflicts,
permissions and the audit trail."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.fieldwork.models import SyncReceipt
from treem.fieldwork.records import read_record
from treem.fieldwork.services import KEY_TAKEN, NOT_FOUND, sync_field_records
from treem.nutrition.models import Measurement
from treem.nutrition.services import record_measurement
from treem.nutrition.tests.factories import child_in

pytestmark = pytest.mark.django_db

EMPTY = {"weight_kg": None, "length_cm": None, "position": "", "has_oedema": False}


def a_child(commune: str = "03390", name: str = "Lò Thị Mai") -> Any:
    return child_in(commune, birth_date=timezone.localdate() - timedelta(days=400), full_name=name)


def raw(child: Any, *, key: str | None = None, base: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
    return {"key": key or str(uuid.uuid4()), "kind": "measurement", "child_id": child.pk,
            "measured_on": timezone.localdate().isoformat(), "device_at": "2026-03-01T02:03:04.000Z",
            "values": {**EMPTY, "position": "L", **values}, "base": base}


def sync(actor: Any, *items: dict[str, Any]) -> list[dict[str, Any]]:
    return sync_field_records(actor=actor, records=[read_record(item) for item in items], synced_at=timezone.now())


def test_a_record_is_saved_through_the_measurement_service_and_audited_with_both_times() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    child = a_child()
    record = raw(child, weight_kg="9.6", length_cm="75.7")
    [answer] = sync(officer, record)
    assert answer["status"] == "synced" and answer["replayed"] is False
    measurement = Measurement.objects.get(child=child)
    assert measurement.weight_kg == Decimal("9.60") and measurement.waz is not None
    assert answer["server"]["weight_kg"] == "9.60"
    event = AuditEvent.objects.get(action="sync_field_record")
    assert event.after["device_at"] == "2026-03-01T02:03:04+00:00"
    assert event.after["synced_at"] and event.after["object_id"] == str(measurement.pk)
    assert event.actor_id == officer.pk and event.org_unit_path == child.commune.path
    assert AuditEvent.objects.filter(action="record_measurement").count() == 1


def test_a_replayed_record_gets_the_same_answer_and_creates_nothing_twice() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    child = a_child()
    record = raw(child, weight_kg="9.6")
    first = sync(officer, record)[0]
    again = sync(officer, record, record)
    assert [item["replayed"] for item in again] == [True, True]
    assert all(item["measurement_id"] == first["measurement_id"] for item in again)
    assert Measurement.objects.filter(child=child).count() == 1
    assert SyncReceipt.objects.count() == 1
    assert AuditEvent.objects.filter(action__in=["record_measurement", "correct_measurement"]).count() == 1
    assert AuditEvent.objects.filter(action="sync_field_record").count() == 1


def test_a_server_change_since_the_devices_copy_is_a_conflict_with_both_values_and_nothing_is_saved() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    colleague = user_with_role(Role.COMMUNE_OFFICER, "03390")
    child = a_child()
    record_measurement(actor=colleague, child=child, measured_on=timezone.localdate(), weight_kg=Decimal("10.2"),
                       length_cm=None, position="L")
    [answer] = sync(officer, raw(child, weight_kg="9.6", base=None))
    assert answer["status"] == "conflict"
    assert answer["fields"] == {"weight_kg": {"server": "10.20", "device": "9.6"}}
    assert Measurement.objects.get(child=child).weight_kg == Decimal("10.20")
    # The officer keeps the device's value: a new record based on the server's value now goes through.
    [kept] = sync(officer, raw(child, weight_kg="9.6", base=answer["server"]))
    assert kept["status"] == "synced"
    assert Measurement.objects.get(child=child).weight_kg == Decimal("9.60")


def test_fields_changed_on_different_sides_merge_without_a_conflict() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    child = a_child()
    on = timezone.localdate()
    record_measurement(actor=officer, child=child, measured_on=on, weight_kg=Decimal("9.0"),
                       length_cm=Decimal("75.0"), position="L")
    base = {"weight_kg": "9.00", "length_cm": "75.00", "position": "L", "has_oedema": False}
    record_measurement(actor=officer, child=child, measured_on=on, weight_kg=Decimal("9.0"),
                       length_cm=Decimal("76.0"), position="L")  # the server's length changed meanwhile
    [answer] = sync(officer, raw(child, weight_kg="9.4", length_cm="75.00", base=base))
    assert answer["status"] == "synced"
    measurement = Measurement.objects.get(child=child)
    assert (measurement.weight_kg, measurement.length_cm) == (Decimal("9.40"), Decimal("76.00"))


def test_values_the_server_refuses_come_back_with_the_vietnamese_reason() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    [answer] = sync(officer, raw(a_child(), weight_kg="200"))
    assert answer["status"] == "refused"
    assert answer["message"] == "Cân nặng 200,0 kg vượt quá 150 kg."
    assert not Measurement.objects.exists()
    assert SyncReceipt.objects.get().status == "refused"


def test_an_officer_cannot_sync_a_child_of_a_neighbouring_commune() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    [answer] = sync(officer, raw(a_child("03408"), weight_kg="9.6"))
    assert answer == {"key": answer["key"], "status": "refused", "message": NOT_FOUND, "replayed": False}
    assert not Measurement.objects.exists()


def test_a_key_already_used_by_another_user_is_refused_without_revealing_its_answer() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    other = user_with_role(Role.COMMUNE_OFFICER, "03390")
    record = raw(a_child(), weight_kg="9.6")
    sync(officer, record)
    [answer] = sync(other, record)
    assert answer["status"] == "refused" and answer["message"] == KEY_TAKEN and "measurement_id" not in answer


def test_a_user_without_the_field_capability_is_refused_by_the_service() -> None:
    leader = user_with_role(Role.LEADER, "03390")
    with pytest.raises(PermissionDenied):
        sync(leader, raw(a_child(), weight_kg="9.6"))


def test_the_endpoint_answers_each_record_and_refuses_other_roles(client: Client) -> None:
    child = a_child()
    body = json.dumps({"records": [raw(child, weight_kg="9.6"), {"key": "k-2", "kind": "measurement"}]})
    client.force_login(user_with_role(Role.LEADER, "03390"))
    assert client.post("/thuc-dia/dong-bo/", body, content_type="application/json").status_code == 403
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    response = client.post("/thuc-dia/dong-bo/", body, content_type="application/json")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    statuses = [item["status"] for item in response.json()["results"]]
    assert statuses == ["synced", "refused"]
    assert client.post("/thuc-dia/dong-bo/", "{", content_type="application/json").status_code == 400


def test_the_bundle_needs_the_password_and_holds_only_the_officers_commune(client: Client) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    own, neighbour = a_child(name="Lò Thị Mai"), a_child("03408", name="Giàng A Hàng")
    client.force_login(officer)
    assert client.post("/thuc-dia/du-lieu.json", {"password": "sai-mat-khau-roi"}).status_code == 403
    response = client.post("/thuc-dia/du-lieu.json", {"password": TEST_PASSWORD})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    assert [item["id"] for item in data["children"]] == [own.pk]
    assert neighbour.full_name not in response.content.decode()
    assert data["offline_days"] == 7 and data["key"]["salt"] and data["key"]["iterations"] >= 100_000
    other = Client()
    other.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    assert other.post("/thuc-dia/du-lieu.json", {"password": TEST_PASSWORD}).json()["key"]["salt"] != data["key"][
        "salt"]


def test_the_service_worker_and_manifest_cover_the_field_pages(client: Client) -> None:
    worker = client.get("/thuc-dia/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/thuc-dia/"
    assert "du-lieu.json" in worker.content.decode()  # named among what is never kept
    manifest = client.get("/thuc-dia/manifest.webmanifest").json()
    assert manifest["scope"] == "/thuc-dia/" and len(manifest["icons"]) == 2


def test_the_rules_served_are_the_servers_own_definitions(client: Client) -> None:
    from treem.nutrition.checks import MEASUREMENT_RULES

    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    data = client.get("/thuc-dia/quy-tac.json").json()
    assert data["measurement"] == json.loads(json.dumps(MEASUREMENT_RULES))
    assert isinstance(data["report_values"], list)
