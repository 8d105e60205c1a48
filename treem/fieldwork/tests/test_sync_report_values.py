"""Field records of a commune report's figures: stored through reporting's own service, with conflicts per field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone

from treem.fieldwork.records import read_record
from treem.fieldwork.selectors import field_report, stored_figure
from treem.fieldwork.services import REPORT_NOT_FOUND, sync_field_records
from treem.plans.models import DataElement
from treem.reporting.services import enter_report_value
from treem.reporting.tests.factories import OTHER_COMMUNE, OWN_COMMUNE, commune_officer, commune_report, cycle

pytestmark = pytest.mark.django_db


def figure(submission: Any, code: str, *, key: str | None = None, base: dict[str, Any] | None = None,
           value: str = "1", comment: str = "") -> dict[str, Any]:
    element = DataElement.objects.get(code=code)
    return {"key": key or str(uuid.uuid4()), "kind": "report_value", "submission_id": submission.pk,
            "element_id": element.pk, "org_unit_id": submission.org_unit_id, "device_at": "2026-11-20T08:00:00Z",
            "values": {"value": value, "comment": comment}, "base": base}


def sync(actor: Any, *items: dict[str, Any]) -> list[dict[str, Any]]:
    return sync_field_records(actor=actor, records=[read_record(item) for item in items], synced_at=timezone.now())


def test_a_figure_is_stored_through_the_report_and_its_rules_findings_come_back() -> None:
    submission = commune_report(cycle(), OWN_COMMUNE)
    officer = commune_officer()
    bundle = field_report(officer, commune=submission.org_unit)
    assert bundle is not None and bundle["submission_id"] == submission.pk
    assert "DE_COMMUNE_CHILD_FRIENDLY" in [item["code"] for item in bundle["elements"]]
    [answer] = sync(officer, figure(submission, "DE_COMMUNE_CHILD_FRIENDLY", value="2"))
    assert answer["status"] == "synced"
    assert answer["findings"] == ["Số xã, phường, thị trấn phù hợp với trẻ em của một xã chỉ nhận 0 (chưa đạt) "
                                  "hoặc 1 (đạt); nhận được 2."]
    element = DataElement.objects.get(code="DE_COMMUNE_CHILD_FRIENDLY")
    assert stored_figure(element=element, org_unit=submission.org_unit, year=2026) == {"value": "2", "comment": ""}
    submission.refresh_from_db()
    assert submission.status == "draft"


def test_a_figure_changed_on_the_server_meanwhile_is_a_conflict_and_stays() -> None:
    submission = commune_report(cycle(), OWN_COMMUNE)
    officer, colleague = commune_officer(), commune_officer()
    element = DataElement.objects.get(code="DE_COMMUNE_PLAY_SPACE")
    enter_report_value(actor=colleague, submission=submission, element=element, org_unit=submission.org_unit,
                       raw_value="0", comment="Điểm vui chơi đóng cửa")
    [answer] = sync(officer, figure(submission, "DE_COMMUNE_PLAY_SPACE", value="1", base=None))
    assert answer["status"] == "conflict"
    assert answer["fields"] == {"value": {"server": "0", "device": "1"}}  # the comment the device left alone
    assert stored_figure(element=element, org_unit=submission.org_unit, year=2026)["value"] == "0"
    # Keeping the device's value for the conflicting field only (the page sends the server's other fields).
    again = sync(officer, figure(submission, "DE_COMMUNE_PLAY_SPACE", value="1", comment="Điểm vui chơi đóng cửa",
                                 base=answer["server"]))
    assert again[0]["status"] == "synced"
    assert stored_figure(element=element, org_unit=submission.org_unit, year=2026) == {
        "value": "1", "comment": "Điểm vui chơi đóng cửa"}


def test_a_neighbouring_communes_report_is_refused() -> None:
    reporting_cycle = cycle()
    other = commune_report(reporting_cycle, OTHER_COMMUNE)
    [answer] = sync(commune_officer(), figure(other, "DE_COMMUNE_PLAY_SPACE"))
    assert answer["status"] == "refused" and answer["message"] == REPORT_NOT_FOUND


def test_a_figure_that_is_not_a_number_is_refused_with_the_reason() -> None:
    submission = commune_report(cycle(), OWN_COMMUNE)
    [answer] = sync(commune_officer(), figure(submission, "DE_COMMUNE_PLAY_SPACE", value="một"))
    assert answer["status"] == "refused" and answer["message"] == "“một” không phải là số."
