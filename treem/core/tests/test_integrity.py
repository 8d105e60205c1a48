"""The audit trail's hash chain: sealing, the verify command, and what it finds after someone with database access
changed, removed or inserted rows behind the application's back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from treem.core.audit import record_event
from treem.core.integrity import seal_audit_log, verify_audit_log
from treem.core.models import AuditEvent, AuditSeal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sealed_reference_rows() -> None:
    """The reference data's own audit rows are sealed first, so that each test counts only its own."""
    seal_audit_log()


@contextmanager
def behind_the_applications_back() -> Iterator[object]:
    """A cursor that writes as a database administrator would: on PostgreSQL the append-only triggers are off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def events(count: int) -> list[AuditEvent]:
    return [record_event(actor=None, verb=AuditEvent.Verb.CREATE, object_type="registry.child", object_id=str(n),
                         object_repr=f"Trẻ {n}", after={"full_name": f"Lò Văn {n}", "weight": 9.5})
            for n in range(count)]


def test_sealing_links_every_row_once_in_id_order() -> None:
    rows = events(5)
    first = seal_audit_log()
    assert first.sealed == 5
    assert list(AuditSeal.objects.order_by("id").values_list("event_id", flat=True))[-5:] == [row.pk for row in rows]
    assert seal_audit_log().sealed == 0
    events(2)
    again = seal_audit_log()
    assert again.sealed == 2 and again.head_id == AuditSeal.objects.order_by("-id").first().pk  # type: ignore[union-attr]


def test_an_untouched_log_verifies_and_the_command_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    events(3)
    call_command("verify_audit_log")
    output = capsys.readouterr().out
    assert "Đã niêm phong 3 dòng mới." in output and "nguyên vẹn" in output
    assert verify_audit_log().is_intact


def test_a_row_changed_after_sealing_is_reported_as_the_first_broken_link() -> None:
    rows = events(4)
    seal_audit_log()
    with behind_the_applications_back() as cursor:
        cursor.execute("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["Trẻ khác", rows[1].pk])
    result = verify_audit_log()
    assert not result.is_intact
    assert result.first_problem is not None
    assert (result.first_problem.event_id, result.first_problem.kind) == (rows[1].pk, "altered")
    with pytest.raises(CommandError, match=f"dòng nhật ký {rows[1].pk} "):
        call_command("verify_audit_log", "--no-seal")


def test_a_json_value_changed_after_sealing_is_found() -> None:
    rows = events(2)
    seal_audit_log()
    with behind_the_applications_back() as cursor:
        cursor.execute("UPDATE core_auditevent SET after = %s WHERE id = %s",
                       ['{"full_name": "Lò Văn 0", "weight": 19.5}', rows[0].pk])
    result = verify_audit_log()
    assert result.first_problem is not None and result.first_problem.event_id == rows[0].pk


def test_a_removed_row_is_reported_as_removed() -> None:
    rows = events(3)
    seal_audit_log()
    with behind_the_applications_back() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [rows[2].pk])
    result = verify_audit_log()
    assert [(problem.event_id, problem.kind) for problem in result.problems] == [(rows[2].pk, "removed")]


def test_a_link_removed_from_the_chain_breaks_the_next_link() -> None:
    rows = events(3)
    seal_audit_log()
    with behind_the_applications_back() as cursor:
        cursor.execute("DELETE FROM core_auditseal WHERE event_id = %s", [rows[1].pk])
    result = verify_audit_log()
    assert result.first_problem is not None and result.first_problem.event_id == rows[2].pk
    assert result.unsealed_below_head == [rows[1].pk]


def test_a_chain_rebuilt_from_scratch_is_consistent_but_no_longer_matches_its_anchor() -> None:
    rows = events(3)
    sealed = seal_audit_log()
    anchor = f"{sealed.head_id}:{sealed.head_digest}"
    call_command("verify_audit_log", "--no-seal", "--anchor", anchor)
    with behind_the_applications_back() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["sửa lén", rows[0].pk])
        cursor.execute("DELETE FROM core_auditseal")
    seal_audit_log()
    assert verify_audit_log().problems == []
    with pytest.raises(CommandError, match="mốc"):
        call_command("verify_audit_log", "--no-seal", "--anchor", anchor)


def test_rows_written_in_bulk_outside_record_event_are_sealed_too() -> None:
    """The child import inserts audit rows with prepared statements, not through the model."""
    events(1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (at, actor_username, verb, action, object_type, object_id, object_repr, "
            "org_unit_path, reason) VALUES (CURRENT_TIMESTAMP, '', 'import', 'import_children', 'registry.child', "
            "'99', 'Trẻ 99', '/12/', '')")
    assert seal_audit_log().sealed == 2
    assert verify_audit_log().is_intact


def test_seal_links_cannot_be_changed_or_removed_through_the_application() -> None:
    events(1)
    seal_audit_log()
    link = AuditSeal.objects.order_by("id").last()
    assert link is not None
    with pytest.raises(AuditEvent.ImmutableError):
        link.save()
    with pytest.raises(AuditEvent.ImmutableError):
        link.delete()
    with pytest.raises(AuditEvent.ImmutableError):
        AuditSeal.objects.all().update(digest="0" * 64)
    with pytest.raises(AuditEvent.ImmutableError):
        AuditSeal.objects.all().delete()
