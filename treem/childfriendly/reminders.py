"""Notices of the child-friendly assessment, raised through reporting's reminder machinery.

- **Reminders to the commune**: a self-assessment not yet sent for review (a draft, or one returned) is due with
  the yearly report (``Assessment.deadline_on``, the reporting cycle's deadline). The commune's officers are reminded
  on the report's schedule (``reporting.reminders.due_on``: 14, 7, 3 and 1 days before, the day after, then every 7
  days until the year's report entries lock), with the report's notice kinds and ``reminder_key``, so a second run
  the same day raises nothing. A returned assessment is editable again, so it is reminded again.
- **To the reviewing level**: when a commune submits, the coordinators of the unit that recognises it on that day
  (``selectors.reviewing_unit_for``; the nearest level above holding coordinators if that unit has none) are told
  that an assessment waits for them. The daily run raises the same notice (same key: one per submission and
  coordinator) for every assessment still waiting, so a coordinator assigned after the submission is told too.
- **Returned**: the commune's officers and the submitter are told, with the reviewer's comment.

``AssessmentReminders`` is registered with ``register_reminder_source`` in the app's ``ready``; the daily
``manage.py send_reminders`` (and the deployment's daily job) runs it with the reports' reminders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.urls import reverse
from django.utils import timezone

from treem.accounts.models import Assignment
from treem.childfriendly.models import Assessment
from treem.childfriendly.selectors import reviewing_unit_for
from treem.core.roles import Role
from treem.hierarchy.models import OrgUnit
from treem.notices.models import Notice
from treem.notices.services import NoticeDraft, about_record, notify_all
from treem.reporting.models import ReportingCycle
from treem.reporting.reminders import SourceReminders, commune_officer_ids, due_on, reminder_key

LABEL = "bản đánh giá xã phù hợp với trẻ em"


def subject_of(assessment: Assessment) -> str:
    """How the assessment is named in notice keys (reports are named by their bare id)."""
    return f"childfriendly-assessment-{assessment.pk}"


def _link(assessment: Assessment) -> str:
    return reverse("childfriendly:assessment", args=[assessment.pk])


def _lock_days(years: Iterable[int]) -> dict[int, date]:
    """The day each year's report entries lock (the last day an overdue reminder goes)."""
    locks: dict[int, date] = {}
    for year, locks_at in ReportingCycle.objects.filter(year__in=set(years)).values_list("year", "locks_at"):
        day = timezone.localtime(locks_at).date()
        locks[year] = max(locks.get(year, day), day)
    return locks


def _due_drafts(assessments: list[Assessment], *, today: date) -> tuple[list[NoticeDraft], int]:
    locks = _lock_days(assessment.year for assessment in assessments)
    due = {assessment.pk: found for assessment in assessments if assessment.deadline_on is not None
           and (found := due_on(deadline_on=assessment.deadline_on, today=today,
                                last_on=locks.get(assessment.year))) is not None}
    if not due:
        return [], 0
    officers = commune_officer_ids({assessment.org_unit_id for assessment in assessments if assessment.pk in due},
                                   on=today)
    drafts: list[NoticeDraft] = []
    records = 0
    for assessment in assessments:
        reminder = due.get(assessment.pk)
        recipients = officers.get(assessment.org_unit_id, [])
        if reminder is None or not recipients or assessment.deadline_on is None:
            continue
        records += 1
        if reminder.is_overdue:
            title = (f"Đã quá hạn gửi bản đánh giá xã phù hợp với trẻ em năm {assessment.year} "
                     f"({reminder.days} ngày)")
        else:
            title = f"Còn {reminder.days} ngày đến hạn gửi bản đánh giá xã phù hợp với trẻ em năm {assessment.year}"
        body = (f"Bản tự đánh giá xã phù hợp với trẻ em năm {assessment.year} của {assessment.org_unit.name} "
                f"({assessment.get_status_display().lower()}) có hạn gửi ngày {assessment.deadline_on:%d/%m/%Y}. "
                f"Vui lòng hoàn thành và gửi thẩm định trên treem.")
        drafts += [NoticeDraft(recipient_id=user_id, kind=reminder.kind, title=title, body=body, url=_link(assessment),
                               key=reminder_key(kind=reminder.kind, subject=subject_of(assessment),
                                                recipient_id=user_id, on=today),
                               **about_record(assessment))
                   for user_id in recipients]
    return drafts, records


def _ancestor_paths(path: str) -> list[str]:
    """``/12/105/`` → ``["/", "/12/", "/12/105/"]``."""
    parts = [part for part in path.split("/") if part]
    return ["/"] + ["/" + "/".join(parts[:length]) + "/" for length in range(1, len(parts) + 1)]


def reviewer_ids(reviewing_units: Iterable[OrgUnit], *, on: date) -> dict[int, list[int]]:
    """The coordinators told of an assessment waiting at each reviewing unit (by its id): those assigned to the
    unit itself, or else to the nearest unit above it that has any, active on ``on``. One query."""
    units = {unit.pk: unit for unit in reviewing_units}
    paths = {path for unit in units.values() for path in _ancestor_paths(unit.path)}
    by_path: dict[str, set[int]] = defaultdict(set)
    for path, user_id in (Assignment.objects.active(on).filter(user__is_active=True, role=Role.COORDINATOR,
                                                               org_unit__path__in=paths)
                          .values_list("org_unit__path", "user_id")):
        by_path[path].add(user_id)
    result: dict[int, list[int]] = {}
    for unit_id, unit in units.items():
        for path in reversed(_ancestor_paths(unit.path)):
            if by_path.get(path):
                result[unit_id] = sorted(by_path[path])
                break
    return result


def _review_drafts(assessment: Assessment, recipient_ids: Iterable[int]) -> list[NoticeDraft]:
    submitted_at = assessment.submitted_at or timezone.now()
    submitted = timezone.localtime(submitted_at)
    return [NoticeDraft(
        recipient_id=user_id, kind=Notice.Kind.AWAITING_REVIEW,
        key=f"{Notice.Kind.AWAITING_REVIEW}:{subject_of(assessment)}:{user_id}:{submitted:%Y%m%d%H%M%S}",
        title=f"{assessment.org_unit.name} gửi bản đánh giá xã phù hợp với trẻ em năm {assessment.year} "
              f"chờ thẩm định",
        body=(f"{assessment.org_unit.name} đã gửi bản tự đánh giá năm {assessment.year} lúc "
              f"{submitted:%H:%M ngày %d/%m/%Y} ({assessment.total:f} điểm). Vui lòng thẩm định: công nhận hoặc "
              f"trả lại kèm ý kiến."),
        url=_link(assessment), **about_record(assessment)) for user_id in recipient_ids]


def _waiting_drafts(assessments: list[Assessment], *, today: date) -> tuple[list[NoticeDraft], int]:
    reviewers: dict[int, OrgUnit] = {}
    for assessment in assessments:
        unit = reviewing_unit_for(assessment.org_unit, on=today)
        if unit is not None:
            reviewers[assessment.pk] = unit
    coordinators = reviewer_ids(reviewers.values(), on=today)
    drafts: list[NoticeDraft] = []
    records = 0
    for assessment in assessments:
        unit = reviewers.get(assessment.pk)
        recipients = coordinators.get(unit.pk, []) if unit is not None else []
        if recipients:
            records += 1
            drafts += _review_drafts(assessment, recipients)
    return drafts, records


class AssessmentReminders:
    """The reminder source of the child-friendly assessment (see the module's docstring)."""

    label = LABEL

    def reminders(self, *, today: date) -> SourceReminders:
        open_statuses = [Assessment.Status.DRAFT, Assessment.Status.RETURNED, Assessment.Status.SUBMITTED]
        rows = list(Assessment.objects.active().filter(status__in=open_statuses)
                    .select_related("org_unit__parent__parent"))
        pending = [row for row in rows if row.is_editable]
        waiting = [row for row in rows if row.status == Assessment.Status.SUBMITTED]
        due, due_records = _due_drafts(pending, today=today)
        review, review_records = _waiting_drafts(waiting, today=today)
        return SourceReminders(drafts=due + review, records=due_records + review_records)


def notify_awaiting_review(*, assessment: Assessment) -> int:
    """Tell the reviewing level's coordinators that ``assessment`` was submitted; the number of notices raised."""
    submitted_on = timezone.localtime(assessment.submitted_at or timezone.now()).date()
    unit = reviewing_unit_for(assessment.org_unit, on=submitted_on)
    if unit is None:
        return 0
    recipients = reviewer_ids([unit], on=submitted_on).get(unit.pk, [])
    return notify_all(_review_drafts(assessment, recipients)).created


def notify_returned(*, assessment: Assessment) -> int:
    """Tell the commune's officers (and whoever submitted) that ``assessment`` was returned, with the comment."""
    reviewed_at = assessment.reviewed_at or timezone.now()
    today = timezone.localtime(reviewed_at).date()
    recipients = set(commune_officer_ids([assessment.org_unit_id], on=today).get(assessment.org_unit_id, []))
    if assessment.submitted_by_id is not None:
        recipients.add(assessment.submitted_by_id)
    return notify_all([NoticeDraft(
        recipient_id=user_id, kind=Notice.Kind.REPORT_RETURNED,
        key=f"childfriendly-returned:{assessment.pk}:{user_id}:{timezone.localtime(reviewed_at):%Y%m%d%H%M%S}",
        title=f"Bản đánh giá xã phù hợp với trẻ em năm {assessment.year} bị trả lại",
        body=assessment.review_comment, url=_link(assessment), **about_record(assessment))
        for user_id in sorted(recipients)]).created
