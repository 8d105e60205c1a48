"""Reminders (``send_reminders``): who is reminded, on which days, overdue, never twice a day, and raised set-based.

The 2026 cycle's deadline is 1 December 2026 23:59 and entries lock on 31 December 2026 23:59 (local time).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from treem.accounts.models import Assignment
from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role
from treem.notices.models import Notice
from treem.reporting.models import Submission
from treem.reporting.reminders import reminder_key, send_reminders
from treem.reporting.tests.factories import (
    OTHER_COMMUNE,
    OWN_COMMUNE,
    agency_report,
    agency_reporter,
    commune_officer,
    commune_report,
    cycle,
)

pytestmark = pytest.mark.django_db

DEADLINE = date(2026, 12, 1)
REMINDER_DAYS = [DEADLINE - timedelta(days=days) for days in (14, 7, 3, 1)]
OVERDUE_DAYS = [date(2026, 12, 2), date(2026, 12, 9), date(2026, 12, 16), date(2026, 12, 23), date(2026, 12, 30)]


def notices_of(user: object) -> list[Notice]:
    return list(Notice.objects.filter(recipient=user).order_by("created_at", "id"))


def test_the_communes_officers_and_the_agencys_reporters_are_reminded_of_their_own_report_only() -> None:
    reporting_cycle = cycle(2026)
    officer = commune_officer(OWN_COMMUNE)
    neighbour = commune_officer(OTHER_COMMUNE)
    reporter = agency_reporter("SGDDT")
    coordinator = user_with_role(Role.COORDINATOR, "12", agency_code="SYT")
    send_reminders(today=REMINDER_DAYS[0])
    own = commune_report(reporting_cycle, OWN_COMMUNE)
    [officer_notice] = notices_of(officer)
    assert officer_notice.url == f"/bao-cao/bao-cao/{own.pk}/"
    assert list(Notice.objects.about(own).values_list("recipient_id", flat=True)) == [officer.pk]
    assert Notice.objects.about(commune_report(reporting_cycle, OTHER_COMMUNE)).get().recipient == neighbour
    assert Notice.objects.about(agency_report(reporting_cycle, "SGDDT")).get().recipient == reporter
    assert notices_of(coordinator) == []
    assert officer_notice.kind == Notice.Kind.REPORT_DUE and "14 ngày" in officer_notice.title


def test_inactive_users_ended_assignments_and_submitted_reports_are_not_reminded() -> None:
    reporting_cycle = cycle(2026)
    inactive = commune_officer(OWN_COMMUNE)
    inactive.is_active = False
    inactive.save()
    moved_on = commune_officer(OWN_COMMUNE)
    Assignment.objects.filter(user=moved_on).update(valid_to=REMINDER_DAYS[0] - timedelta(days=1))
    submitted_officer = commune_officer(OTHER_COMMUNE)
    Submission.objects.filter(pk=commune_report(reporting_cycle, OTHER_COMMUNE).pk).update(
        status=Submission.Status.SUBMITTED)
    run = send_reminders(today=REMINDER_DAYS[0])
    assert notices_of(inactive) == notices_of(moved_on) == notices_of(submitted_officer) == []
    assert run.notifications == 0 and run.reports == 0


@pytest.mark.parametrize("today", REMINDER_DAYS, ids=lambda day: f"{(DEADLINE - day).days}-days-before")
def test_a_reminder_goes_14_7_3_and_1_days_before_the_deadline(today: date) -> None:
    cycle(2026)
    officer = commune_officer()
    run = send_reminders(today=today)
    [notice] = notices_of(officer)
    assert notice.kind == Notice.Kind.REPORT_DUE
    assert f"Còn {(DEADLINE - today).days} ngày" in notice.title
    assert run.notifications == 1 and run.reports == 1


@pytest.mark.parametrize("today", [date(2026, 11, 1), date(2026, 11, 20), date(2026, 11, 29), DEADLINE,
                                   date(2026, 12, 3), date(2026, 12, 8)],
                         ids=lambda day: day.isoformat())
def test_no_reminder_on_the_other_days(today: date) -> None:
    cycle(2026)
    officer = commune_officer()
    assert send_reminders(today=today).notifications == 0
    assert notices_of(officer) == []


@pytest.mark.parametrize("today", OVERDUE_DAYS, ids=lambda day: day.isoformat())
def test_overdue_reports_are_reminded_the_day_after_the_deadline_then_every_seven_days(today: date) -> None:
    cycle(2026)
    officer = commune_officer()
    send_reminders(today=today)
    [notice] = notices_of(officer)
    assert notice.kind == Notice.Kind.REPORT_OVERDUE
    assert f"({(today - DEADLINE).days} ngày)" in notice.title


def test_no_overdue_reminder_once_entries_are_locked() -> None:
    cycle(2026)
    officer = commune_officer()
    assert send_reminders(today=date(2027, 1, 6)).notifications == 0
    assert notices_of(officer) == []


def test_running_twice_a_day_reminds_nobody_twice_and_the_next_reminder_day_reminds_again(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    reporting_cycle = cycle(2026)
    officer = user_with_role(Role.COMMUNE_OFFICER, OWN_COMMUNE, email="canbo@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders(today=REMINDER_DAYS[1])
    with django_capture_on_commit_callbacks(execute=True):
        second = send_reminders(today=REMINDER_DAYS[1])
    assert (first.notifications, first.emails) == (1, 1)
    assert (second.notifications, second.emails) == (0, 0)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["canbo@example.vn"]
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    assert notices_of(officer)[0].key == reminder_key(kind=Notice.Kind.REPORT_DUE, subject=submission.pk,
                                                      recipient_id=officer.pk, on=REMINDER_DAYS[1])
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(today=REMINDER_DAYS[2]).notifications == 1
    assert len(notices_of(officer)) == 2 and len(mail.outbox) == 2


def test_reminders_are_raised_set_based_whatever_the_number_of_reports_and_reporters() -> None:
    """The queries of a run do not grow with the reports pending or the officers to remind."""
    cycle(2026)
    commune_officer(OWN_COMMUNE)
    with CaptureQueriesContext(connection) as few:
        assert send_reminders(today=REMINDER_DAYS[0]).notifications == 1
    for _ in range(3):
        commune_officer(OWN_COMMUNE)
        commune_officer(OTHER_COMMUNE)
        agency_reporter("SGDDT")
        agency_reporter("SYT")
    with CaptureQueriesContext(connection) as many:
        assert send_reminders(today=REMINDER_DAYS[1]).notifications == 13
    assert len(many) == len(few)


def test_a_returned_report_tells_its_reporters_with_the_coordinators_comment() -> None:
    from treem.reporting.services import return_report, submit_report
    from treem.reporting.tests.factories import coordinator
    from treem.reporting.tests.test_services import BEFORE_DEADLINE, fill_commune_report

    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    officer, neighbour = commune_officer(OWN_COMMUNE), commune_officer(OTHER_COMMUNE)
    fill_commune_report(submission, officer)
    submit_report(actor=officer, submission=submission, now=BEFORE_DEADLINE)
    return_report(actor=coordinator(), submission=submission, comment="Bổ sung kết quả nhiệm vụ 3.",
                  now=BEFORE_DEADLINE + timedelta(days=1))
    [notice] = notices_of(officer)
    assert notice.kind == Notice.Kind.REPORT_RETURNED and "Bổ sung kết quả nhiệm vụ 3." in notice.body
    assert notices_of(neighbour) == []
