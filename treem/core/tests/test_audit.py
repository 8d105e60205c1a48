"""The audit trail is append-only, at the model, the queryset and the database level."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from treem.core.audit import changed_fields, record_event, record_read, snapshot
from treem.core.models import AuditEvent, AuditSeal, EthnicGroup

pytestmark = pytest.mark.django_db


def test_an_audit_row_cannot_be_changed_or_deleted_through_the_application() -> None:
    event = record_event(actor=None, verb=AuditEvent.Verb.UPDATE, object_type="x.y", object_id="1",
                         before={"a": 1}, after={"a": 2})
    event.reason = "sửa lén"
    with pytest.raises(AuditEvent.ImmutableError):
        event.save()
    with pytest.raises(AuditEvent.ImmutableError):
        event.delete()
    with pytest.raises(AuditEvent.ImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AuditEvent.ImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.postgres
def test_the_database_itself_refuses_to_update_or_delete_an_audit_row() -> None:
    event = record_event(actor=None, verb=AuditEvent.Verb.CREATE, object_type="x.y", object_id="2")
    for statement in ("UPDATE core_auditevent SET reason = 'x' WHERE id = %s",
                      "DELETE FROM core_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()


def test_a_snapshot_diff_names_the_changed_fields() -> None:
    group = EthnicGroup.objects.get(code="03")
    before = snapshot(group)
    group.name = "Thái (sửa)"
    assert changed_fields(before, snapshot(group)) == ["name"]


def test_record_read_marks_an_opening_of_a_sensitive_record() -> None:
    group = EthnicGroup.objects.get(code="03")
    event = record_read(actor=None, obj=group, org_unit_path="/12/", reason="xem thử")
    assert (event.verb, event.object_type, event.object_id) == ("view", "core.ethnicgroup", str(group.pk))


@pytest.mark.parametrize("model", ["auditevent", "auditseal"])
def test_the_admin_shows_audit_rows_but_offers_no_add_change_or_delete(model: str) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from treem.core.integrity import seal_audit_log

    event = record_event(actor=None, verb=AuditEvent.Verb.CREATE, object_type="x.y", object_id="3", reason="gốc")
    seal_audit_log()
    row_id = event.pk if model == "auditevent" else AuditSeal.objects.get(event_id=event.pk).pk
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("quan_tri_kiem_toan", password=None))
    base = f"/quan-tri/core/{model}/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{row_id}/change/").status_code == 200
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"reason": "giả"}).status_code == 403
    assert client.post(f"{base}{row_id}/change/", {"reason": "sửa"}).status_code == 403
    assert client.get(f"{base}{row_id}/delete/").status_code == 403
    assert client.post(f"{base}{row_id}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(base, {"action": "delete_selected", "_selected_action": [row_id], "post": "yes"})
    assert bulk.status_code in {200, 302}
    assert AuditEvent.objects.filter(pk=event.pk, reason="gốc").exists()
    assert AuditSeal.objects.filter(event_id=event.pk).exists()
