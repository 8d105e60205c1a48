"""Reminders of the child-friendly assessment through reporting's daily run (``send_reminders``): the commune's
officers on the report's schedule until the assessment is submitted, once a day; the reviewing level's coordinators
when an assessment waits for them.

The 2026 cycle's deadline is 1 December 2026 and entries lock on 31 December 2026; an assessment started while the
cycle exists takes its deadline.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from treem.accounts.tests.factories import unit, user_with_role
from treem.childfriendly.models import Assessment
from treem.childfriendly.services import review_assessment, start_assessment, submit_assessment
from treem.childfriendly.tests.factories import (
    BEFORE_REFORM,
    OLD_COMMUNE,
    OLD_DISTRICT,
    OTHER,
    OWN,
    assigned,
    officer,
    scored_assessment,
)
from treem.core.roles import Role
from treem.notices.models import Notice
from treem.reporting.reminders import send_reminders
from treem.reporting.tests.factories import cycle

pytestmark = pytest.mark.django_db

DEADLINE = date(2026, 12, 1)
BEFORE_DAYS = [DEADLINE - timedelta(days=days) for days in (14, 7, 3, 1)]
OVERDUE_DAYS = [date(2026, 12, 2), date(2026, 12, 9), date(2026, 12, 30)]
ASSESSMENT_TYPE = "childfriendly.assessment"


def assessment_notices(user: object) -> list[Notice]:
    return list(Notice.objects.filter(recipient=user, object_type=ASSESSMENT_TYPE).order_by("created_at", "id"))


def started(code: str = OWN) -> Assessment:
    return start_assessment(actor=None, org_unit=unit(code), year=2026)


def submitted_on(day: date, assessment: Assessment | None = None) -> Assessment:
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, 9, 0))
    return submit_assessment(actor=None, assessment=assessment or scored_assessment(), now=moment)


@pytest.mark.parametrize("today", BEFORE_DAYS, ids=lambda day: f"{(DEADLINE - day).days}-days-before")
def test_the_communes_officers_are_reminded_before_the_deadline_of_their_own_assessment_only(today: date) -> None:
    cycle(2026)
    own, other = started(OWN), started(OTHER)
    own_officer, other_officer = officer(OWN), officer(OTHER)
    coordinator = user_with_role(Role.COORDINATOR, "12", agency_code="SYT")
    run = send_reminders(today=today)
    [notice] = assessment_notices(own_officer)
    assert (notice.object_id, notice.kind) == (str(own.pk), Notice.Kind.REPORT_DUE)
    assert f"Còn {(DEADLINE - today).days} ngày đến hạn gửi bản đánh giá" in notice.title
    assert notice.url == f"/xa-phu-hop-tre-em/danh-gia/{own.pk}/"
    assert "01/12/2026" in notice.body and "Xã Bình Lư" in notice.body
    assert [item.object_id for item in assessment_notices(other_officer)] == [str(other.pk)]
    assert assessment_notices(coordinator) == []
    assert run.by_source["bản đánh giá xã phù hợp với trẻ em"] == 2


@pytest.mark.parametrize("today", [date(2026, 11, 1), date(2026, 11, 20), DEADLINE, date(2026, 12, 3),
                                   date(2027, 1, 6)], ids=lambda day: day.isoformat())
def test_no_reminder_on_the_other_days_nor_once_entries_are_locked(today: date) -> None:
    cycle(2026)
    started()
    own_officer = officer()
    send_reminders(today=today)
    assert assessment_notices(own_officer) == []


@pytest.mark.parametrize("today", OVERDUE_DAYS, ids=lambda day: day.isoformat())
def test_an_assessment_not_submitted_by_the_deadline_is_reminded_as_overdue(today: date) -> None:
    cycle(2026)
    started()
    own_officer = officer()
    send_reminders(today=today)
    [notice] = assessment_notices(own_officer)
    assert notice.kind == Notice.Kind.REPORT_OVERDUE
    assert f"Đã quá hạn gửi bản đánh giá xã phù hợp với trẻ em năm 2026 ({(today - DEADLINE).days} ngày)" \
        == notice.title


def test_a_second_run_the_same_day_sends_nothing_and_the_next_reminder_day_sends_again(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    cycle(2026)
    started()
    own_officer = user_with_role(Role.COMMUNE_OFFICER, OWN, email="canbo.xa@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=BEFORE_DAYS[1])
    with django_capture_on_commit_callbacks(execute=True):
        second = send_reminders(today=BEFORE_DAYS[1])
    assert len(assessment_notices(own_officer)) == 1
    assert second.notifications == 0 and second.emails == 0
    assert [message.subject for message in mail.outbox].count(
        "[treem] Còn 7 ngày đến hạn gửi bản đánh giá xã phù hợp với trẻ em năm 2026") == 1
    send_reminders(today=BEFORE_DAYS[2])
    assert len(assessment_notices(own_officer)) == 2


def test_no_reminder_after_submission_and_a_returned_assessment_is_reminded_again() -> None:
    cycle(2026)
    own_officer = officer()
    assessment = submitted_on(BEFORE_DAYS[0] - timedelta(days=1))
    send_reminders(today=BEFORE_DAYS[0])
    assert assessment_notices(own_officer) == []
    review_assessment(actor=None, assessment=assessment, decision="return", comment="Bổ sung biên bản mục 11.2")
    [returned] = assessment_notices(own_officer)
    assert returned.kind == Notice.Kind.REPORT_RETURNED and returned.body == "Bổ sung biên bản mục 11.2"
    send_reminders(today=BEFORE_DAYS[1])
    assert [notice.kind for notice in assessment_notices(own_officer)] == [Notice.Kind.REPORT_RETURNED,
                                                                          Notice.Kind.REPORT_DUE]


def test_an_assessment_without_a_deadline_is_not_reminded() -> None:
    started()
    own_officer = officer()
    assert Assessment.objects.get().deadline_on is None
    send_reminders(today=BEFORE_DAYS[0])
    assert assessment_notices(own_officer) == []


def test_the_reviewing_levels_coordinators_are_told_when_an_assessment_is_submitted_once() -> None:
    cycle(2026)
    coordinator = user_with_role(Role.COORDINATOR, "12", agency_code="SYT")
    own_officer = officer()
    assessment = submitted_on(BEFORE_DAYS[0])
    [notice] = assessment_notices(coordinator)
    assert notice.kind == Notice.Kind.AWAITING_REVIEW
    assert notice.title == "Xã Bình Lư gửi bản đánh giá xã phù hợp với trẻ em năm 2026 chờ thẩm định"
    assert notice.url == f"/xa-phu-hop-tre-em/danh-gia/{assessment.pk}/"
    assert assessment_notices(own_officer) == []
    late_coordinator = user_with_role(Role.COORDINATOR, "12", agency_code="SYT")
    run = send_reminders(today=BEFORE_DAYS[1])
    send_reminders(today=BEFORE_DAYS[2])
    assert len(assessment_notices(coordinator)) == 1
    assert [item.kind for item in assessment_notices(late_coordinator)] == [Notice.Kind.AWAITING_REVIEW]
    assert run.by_source["bản đánh giá xã phù hợp với trẻ em"] == 1


def test_before_the_reform_the_districts_coordinators_are_told_not_the_provinces() -> None:
    district_coordinator = assigned(Role.COORDINATOR, OLD_DISTRICT, on=BEFORE_REFORM)
    province_coordinator = user_with_role(Role.COORDINATOR, "12", agency_code="SYT")
    moment = timezone.make_aware(datetime(2024, 12, 10, 9, 0))
    submit_assessment(actor=None, assessment=scored_assessment(code=OLD_COMMUNE, year=2024, on=BEFORE_REFORM),
                      now=moment)
    assert [notice.kind for notice in assessment_notices(district_coordinator)] == [Notice.Kind.AWAITING_REVIEW]
    assert assessment_notices(province_coordinator) == []


def test_the_daily_command_reports_the_assessments_it_reminded() -> None:
    cycle(2026)
    started()
    officer()
    out = StringIO()
    call_command("send_reminders", date=BEFORE_DAYS[0].isoformat(), stdout=out)
    assert "bản đánh giá xã phù hợp với trẻ em: 1" in out.getvalue()
