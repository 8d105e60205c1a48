"""Reports from other systems through ``/api/v1/intake``: the system's key and scope, idempotency, signatures, and
the origin recorded on the case and shown on its page."""

from __future__ import annotations

import json
import time
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.notices.models import Notice
from treem.protection.models import Case, ExternalReport, ExternalSystem, Incident, ProtectionLead, ReportChannel
from treem.protection.services import NewExternalSystem, register_external_system, revoke_external_system
from treem.protection.signatures import sign

OWN, OTHER = "03390", "03408"


def helpline(*, scope: str = OWN, kinds: tuple[str, ...] = ("case", "incident"),
             signature: bool = False) -> NewExternalSystem:
    return register_external_system(actor=None, name=f"Tổng đài 111 ({scope})", org_unit=unit(scope),
                                    allowed_kinds=kinds, channel=ReportChannel.HOTLINE_111,
                                    is_signature_required=signature)


def case_report(commune: str = OWN, reference: str = "111-2026-000123", **case: Any) -> dict[str, Any]:
    return {"external_reference": reference, "org_unit_code": commune, "case": {
        "reported_at": "2026-11-30T08:15:00+07:00", "child_full_name": "Lò Thị Mai", "child_sex": "F",
        "harm_kind": "physical_violence", "summary": "Cuộc gọi báo trẻ bị đánh nhiều lần.", "child_age_years": 9,
        "child_ethnic_group_code": "08", **case}}


def post(client: Client, path: str, payload: dict[str, Any], *, key: str, idempotency_key: str = "k-1",
         **headers: str) -> Any:
    return client.post(f"/api/v1/intake/{path}", data=json.dumps(payload), content_type="application/json",
                       HTTP_X_TREEM_KEY=key, HTTP_IDEMPOTENCY_KEY=idempotency_key, **headers)


@pytest.mark.django_db
class TestReceiving:
    def test_a_case_is_received_with_its_origin_and_shown_on_the_case_page(self, client: Client) -> None:
        system = helpline()
        response = post(client, "cases", case_report(), key=system.key)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["kind"] == "case" and body["is_replay"] is False and body["case_number"].startswith("BV-03390-")
        case = Case.objects.get(number=body["case_number"])
        assert case.reported_via == ReportChannel.HOTLINE_111 and case.child_ethnic_group.code == "08"
        origin = ExternalReport.objects.get(case=case)
        assert origin.system == system.system and origin.external_reference == "111-2026-000123"
        assert AuditEvent.objects.filter(action="receive_external_report", object_id=str(origin.pk)).exists()
        lead = user_with_role(Role.CASE_WORKER, OWN)
        ProtectionLead.objects.create(org_unit=case.org_unit, user=lead)
        client.force_login(lead)
        page = client.get(reverse("protection:case", args=[case.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Nguồn gửi" in text and "Tổng đài 111" in text and "111-2026-000123" in text

    def test_an_incident_is_received(self, client: Client) -> None:
        system = helpline()
        payload = {"external_reference": "P-77", "org_unit_code": OWN, "incident": {
            "occurred_on": "2026-11-28", "kind": "drowning", "child_age_years": 6, "child_sex": "M",
            "outcome": "injury", "place": "Suối Nậm Lụm"}}
        response = post(client, "incidents", payload, key=system.key)
        assert response.status_code == 201, response.json()
        incident = Incident.objects.get(pk=response.json()["incident_id"])
        assert incident.external_reports.get().external_reference == "P-77"

    def test_a_retried_report_creates_nothing_twice_and_a_changed_one_is_refused(self, client: Client) -> None:
        system = helpline()
        first = post(client, "cases", case_report(), key=system.key, idempotency_key="call-42")
        again = post(client, "cases", case_report(), key=system.key, idempotency_key="call-42")
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["is_replay"] is True and again.json()["case_number"] == first.json()["case_number"]
        changed = post(client, "cases", case_report(summary="Nội dung khác."), key=system.key,
                       idempotency_key="call-42")
        assert changed.status_code == 422 and "Idempotency-Key" in changed.json()["errors"]
        assert Case.objects.count() == 1 and ExternalReport.objects.count() == 1

    def test_a_commune_outside_the_systems_scope_is_403_and_nothing_is_written(self, client: Client) -> None:
        system = helpline(scope=OWN)
        response = post(client, "cases", case_report(commune=OTHER), key=system.key)
        assert response.status_code == 403 and set(response.json()) == {"detail", "errors"}
        assert not Case.objects.exists() and not ExternalReport.objects.exists()

    def test_a_kind_the_system_may_not_send_is_403(self, client: Client) -> None:
        system = helpline(kinds=("case",))
        payload = {"external_reference": "P-1", "org_unit_code": OWN, "incident": {
            "occurred_on": "2026-11-28", "kind": "fall", "child_age_years": 6, "child_sex": "M", "outcome": "none"}}
        assert post(client, "incidents", payload, key=system.key).status_code == 403
        assert not Incident.objects.exists()

    def test_an_invalid_report_is_422_and_writes_nothing(self, client: Client) -> None:
        system = helpline()
        response = post(client, "cases", case_report(child_age_years=None), key=system.key)
        assert response.status_code == 422 and "child_birth_date" in response.json()["errors"]
        assert not ExternalReport.objects.exists()


@pytest.mark.django_db
class TestWhoIsAlerted:
    """A report from another system reaches no one by hand: the commune must be told, or the child waits."""

    def test_the_communes_protection_lead_is_alerted_once_with_a_link_to_the_case(self, client: Client) -> None:
        lead = user_with_role(Role.CASE_WORKER, OWN)
        ProtectionLead.objects.create(org_unit=unit(OWN), user=lead)
        other_worker = user_with_role(Role.CASE_WORKER, OWN)
        system = helpline()
        body = post(client, "cases", case_report(), key=system.key, idempotency_key="call-7").json()
        post(client, "cases", case_report(), key=system.key, idempotency_key="call-7")  # a retry
        case = Case.objects.get(number=body["case_number"])
        notices = list(Notice.objects.filter(kind=Notice.Kind.EXTERNAL_REPORT))
        assert [notice.recipient_id for notice in notices] == [lead.pk]
        assert case.number in notices[0].title and notices[0].url == reverse("protection:case", args=[case.pk])
        assert not Notice.objects.filter(recipient=other_worker).exists()

    def test_without_a_lead_those_who_may_work_cases_in_the_commune_are_alerted(self, client: Client) -> None:
        worker = user_with_role(Role.CASE_WORKER, OWN)
        supervisor = user_with_role(Role.CASE_SUPERVISOR, OWN)
        elsewhere = user_with_role(Role.CASE_WORKER, OTHER)
        leader = user_with_role(Role.LEADER, OWN)
        system = helpline()
        payload = {"external_reference": "P-78", "org_unit_code": OWN, "incident": {
            "occurred_on": "2026-11-28", "kind": "drowning", "child_age_years": 6, "child_sex": "M",
            "outcome": "injury"}}
        assert post(client, "incidents", payload, key=system.key).status_code == 201
        recipients = set(Notice.objects.filter(kind=Notice.Kind.EXTERNAL_REPORT).values_list("recipient_id",
                                                                                             flat=True))
        assert recipients == {worker.pk, supervisor.pk}
        assert elsewhere.pk not in recipients and leader.pk not in recipients


@pytest.mark.django_db
class TestKeysAndSignatures:
    def test_no_key_a_wrong_key_and_a_revoked_key_are_401(self, client: Client) -> None:
        system = helpline()
        assert client.post("/api/v1/intake/cases", data=json.dumps(case_report()), content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="k").status_code == 401
        assert post(client, "cases", case_report(), key="trx_wrong").status_code == 401
        revoke_external_system(actor=None, system=system.system, reason="Đổi khóa định kỳ.")
        assert post(client, "cases", case_report(), key=system.key).status_code == 401

    def test_a_user_token_does_not_open_the_intake(self, client: Client) -> None:
        client.force_login(user_with_role(Role.CASE_WORKER, OWN))
        response = client.post("/api/v1/intake/cases", data=json.dumps(case_report()),
                               content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
        assert response.status_code == 401

    def test_a_system_that_must_sign_is_refused_unsigned_stale_or_forged(self, client: Client) -> None:
        system = helpline(signature=True)
        body = json.dumps(case_report()).encode()
        assert post(client, "cases", case_report(), key=system.key).status_code == 401

        def signed(timestamp: int, secret: str = system.signing_secret) -> Any:
            return client.post("/api/v1/intake/cases", data=body, content_type="application/json",
                               HTTP_X_TREEM_KEY=system.key, HTTP_IDEMPOTENCY_KEY="s-1",
                               HTTP_X_TREEM_TIMESTAMP=str(timestamp),
                               HTTP_X_TREEM_SIGNATURE=sign(secret=secret, timestamp=str(timestamp), body=body))

        stale = signed(int(time.time()) - 6 * 60)
        assert stale.status_code == 401 and "5 phút" in stale.json()["detail"]
        assert signed(int(time.time()), secret="0" * 64).status_code == 401
        assert not Case.objects.exists()
        good = signed(int(time.time()))
        assert good.status_code == 201, good.json()
        assert ExternalReport.objects.get().was_signed is True

    def test_the_command_adds_lists_and_revokes(self) -> None:
        output = StringIO()
        call_command("external_systems", "add", "Đối tác A", "--org-unit", "12", "--kinds", "case,incident",
                     "--require-signature", stdout=output)
        printed = output.getvalue()
        key = next(line.split(": ", 1)[1] for line in printed.splitlines() if line.startswith("X-Treem-Key"))
        system = ExternalSystem.objects.get(name="Đối tác A")
        assert key not in (system.key_digest, system.signing_secret) and system.is_signature_required
        call_command("external_systems", "revoke", "Đối tác A", "--reason", "Hết hợp đồng.", stdout=output)
        call_command("external_systems", "list", stdout=output)
        assert "đã thu hồi" in output.getvalue() and key not in output.getvalue().split("X-Treem-Key: ")[0]

    def test_only_an_administrator_registers_a_system(self) -> None:
        with pytest.raises(PermissionDenied):
            register_external_system(actor=user_with_role(Role.COORDINATOR, "12"), name="X", org_unit=unit("12"),
                                     allowed_kinds=["case"], channel=ReportChannel.OTHER)
