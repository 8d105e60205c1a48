"""Every write service of the reporting cycle decides itself who may call it: called directly by someone the pages
would never let in, it refuses with ``PermissionDenied`` and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from treem.accounts.models import User
from treem.accounts.tests.factories import UserFactory, unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.plans.models import DataElement, Plan
from treem.reporting import services
from treem.reporting.models import Evidence, ReportingCycle, Submission
from treem.reporting.rules import load_validation_rules
from treem.reporting.tests.factories import OTHER_COMMUNE, OWN_COMMUNE, commune_officer, commune_report, cycle

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BEFORE_DEADLINE = datetime(2026, 11, 20, 9, 0, tzinfo=HCM)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def neighbour() -> User:
    """The officer of the neighbouring commune: the right role, the wrong report."""
    return commune_officer(OTHER_COMMUNE)


def unassigned() -> User:
    return UserFactory()


def a_submitted_report(reporting_cycle: ReportingCycle) -> Submission:
    report = commune_report(reporting_cycle, OWN_COMMUNE)
    report.status = Submission.Status.SUBMITTED
    report.save(update_fields=["status"])
    return report


def _element() -> DataElement:
    return DataElement.objects.get(code="DE_COMMUNE_CHILD_FRIENDLY")


CALLS: dict[str, Callable[[User, ReportingCycle], Any]] = {
    "open_reporting_cycle": lambda actor, c: services.open_reporting_cycle(
        actor=actor, plan=Plan.objects.get(), year=2027),
    "add_expected_reporters": lambda actor, c: services.add_expected_reporters(actor=actor, cycle=c),
    "update_reporting_cycle": lambda actor, c: services.update_reporting_cycle(
        actor=actor, cycle=c, opens_on=c.opens_on, deadline_at=c.deadline_at, locks_at=c.locks_at),
    "save_narrative": lambda actor, c: services.save_narrative(
        actor=actor, submission=commune_report(c, OWN_COMMUNE), narrative="Đã làm.", now=BEFORE_DEADLINE),
    "save_task_progress": lambda actor, c: services.save_task_progress(
        actor=actor, progress=services.ensure_task_progress(commune_report(c, OWN_COMMUNE))[0], status="done",
        results="Xong.", difficulties="", proposals="", now=BEFORE_DEADLINE),
    "enter_report_value": lambda actor, c: services.enter_report_value(
        actor=actor, submission=commune_report(c, OWN_COMMUNE), element=_element(), org_unit=unit(OWN_COMMUNE),
        raw_value="1", now=BEFORE_DEADLINE),
    "attach_evidence": lambda actor, c: services.attach_evidence(
        actor=actor, progress=services.ensure_task_progress(commune_report(c, OWN_COMMUNE))[0],
        upload=SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf"), now=BEFORE_DEADLINE),
    "submit_report": lambda actor, c: services.submit_report(
        actor=actor, submission=commune_report(c, OWN_COMMUNE), now=BEFORE_DEADLINE),
    "return_report": lambda actor, c: services.return_report(
        actor=actor, submission=a_submitted_report(c), comment="Thiếu số liệu."),
    "approve_report": lambda actor, c: services.approve_report(actor=actor, submission=a_submitted_report(c)),
    "load_validation_rules": lambda actor, c: load_validation_rules(actor=actor),
}


@pytest.mark.parametrize("service", sorted(CALLS))
@pytest.mark.parametrize("who", ["neighbour", "unassigned"])
def test_a_service_called_by_someone_without_the_right_refuses_and_writes_nothing(service: str, who: str) -> None:
    reporting_cycle = cycle()
    actor = neighbour() if who == "neighbour" else unassigned()
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        CALLS[service](actor, reporting_cycle)
    assert AuditEvent.objects.count() == events
    assert not ReportingCycle.objects.filter(year=2027).exists()


def test_removing_evidence_is_refused_to_the_officer_of_another_commune() -> None:
    report = commune_report(cycle(), OWN_COMMUNE)
    progress = services.ensure_task_progress(report)[0]
    evidence = services.attach_evidence(actor=commune_officer(), progress=progress, now=BEFORE_DEADLINE,
                                        upload=SimpleUploadedFile("bien-ban.pdf", PDF))
    with pytest.raises(PermissionDenied):
        services.remove_evidence(actor=neighbour(), evidence=evidence, now=BEFORE_DEADLINE)
    assert Evidence.objects.get(pk=evidence.pk).deleted_at is None


def test_a_leader_who_sees_every_report_still_may_not_approve_one() -> None:
    report = a_submitted_report(cycle())
    with pytest.raises(PermissionDenied):
        services.approve_report(actor=user_with_role(Role.LEADER, "12"), submission=report)
    assert Submission.objects.get(pk=report.pk).status == Submission.Status.SUBMITTED


def test_the_reporters_themselves_are_let_through() -> None:
    """The refusals above are about the actor: the officer of the commune writes the same report."""
    report = commune_report(cycle(), OWN_COMMUNE)
    saved = services.save_narrative(actor=commune_officer(), submission=report, narrative="Đã làm.",
                                    now=BEFORE_DEADLINE)
    assert saved.narrative == "Đã làm."
