"""Reminders to reporters who have not submitted: 14, 7, 3 and 1 days before the deadline, and when overdue (the
day after the deadline, then every 7 days until entries lock). Each is a notice in the reporter's inbox, e-mailed
after the transaction commits (``treem.notices``). A user gets at most one notice per report, kind and day (the
notice's key says so), so running ``send_reminders`` twice on a day sends nothing twice.

The reminders of a day are gathered for every pending report first and raised in one ``notify_all``: a few queries
whatever the number of reports and reporters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from treem.accounts.models import Assignment, User
from treem.core.roles import Role
from treem.notices.models import Notice
from treem.notices.services import NoticeDraft, about_record, notify_all
from treem.reporting.models import ReporterKind, ReportingCycle, Submission

REMINDER_DAYS = (14, 7, 3, 1)
OVERDUE_EVERY_DAYS = 7


@dataclass
class ReminderRun:
    notifications: int = 0
    emails: int = 0
    reports: int = 0


def reminder_key(*, kind: str, submission_id: int, recipient_id: int, on: date) -> str:
    """The key of a reporting notice: once per report, kind, recipient and day."""
    return f"{kind}:{submission_id}:{recipient_id}:{on.isoformat()}"


def recipient_ids_of(submissions: Sequence[Submission], *, on: date) -> dict[int, list[int]]:
    """Who writes each report (by submission id): the agency's reporting officers, or the officers assigned to the
    commune/district, active on ``on``. One query for all of ``submissions``."""
    agencies = {submission.agency_id for submission in submissions if submission.kind == ReporterKind.AGENCY}
    units = {submission.org_unit_id for submission in submissions if submission.kind != ReporterKind.AGENCY}
    if not agencies and not units:
        return {}
    rows = (Assignment.objects.active(on).filter(user__is_active=True)
            .filter(Q(role=Role.AGENCY_REPORTER, agency_id__in=agencies)
                    | Q(role=Role.COMMUNE_OFFICER, org_unit_id__in=units))
            .values_list("role", "agency_id", "org_unit_id", "user_id"))
    by_agency: dict[int, set[int]] = defaultdict(set)
    by_unit: dict[int, set[int]] = defaultdict(set)
    for role, agency_id, org_unit_id, user_id in rows:
        if role == Role.AGENCY_REPORTER:
            by_agency[agency_id].add(user_id)
        else:
            by_unit[org_unit_id].add(user_id)
    result: dict[int, list[int]] = {}
    for submission in submissions:
        if submission.kind == ReporterKind.AGENCY:
            users = by_agency.get(submission.agency_id or 0, set())
        else:
            users = by_unit.get(submission.org_unit_id, set())
        if users:
            result[submission.pk] = sorted(users)
    return result


def recipients_of(submission: Submission, *, on: date) -> list[User]:
    """Who writes a report: the agency's reporting officers, or the officers assigned to the commune/district."""
    user_ids = recipient_ids_of([submission], on=on).get(submission.pk, [])
    return list(User.objects.filter(pk__in=user_ids).order_by("username"))


def _link(submission: Submission) -> str:
    return reverse("reporting:submission", args=[submission.pk])


def _drafts(*, submission: Submission, recipient_ids: Iterable[int], kind: str, today: date, title: str,
            body: str) -> list[NoticeDraft]:
    url = _link(submission)
    return [NoticeDraft(recipient_id=user_id, kind=kind, title=title, body=body, url=url, **about_record(submission),
                        key=reminder_key(kind=kind, submission_id=submission.pk, recipient_id=user_id, on=today))
            for user_id in recipient_ids]


def reminder_due(cycle: ReportingCycle, *, today: date) -> tuple[str, str] | None:
    """The kind and title of the reminder ``cycle`` calls for on ``today``, or None if none is due that day."""
    days = (cycle.deadline_local.date() - today).days
    if days in REMINDER_DAYS:
        return Notice.Kind.REPORT_DUE, f"Còn {days} ngày đến hạn nộp báo cáo năm {cycle.year}"
    if days < 0 and (-days - 1) % OVERDUE_EVERY_DAYS == 0 and today <= timezone.localtime(cycle.locks_at).date():
        return Notice.Kind.REPORT_OVERDUE, f"Đã quá hạn nộp báo cáo năm {cycle.year} ({-days} ngày)"
    return None


@transaction.atomic
def send_reminders(*, today: date) -> ReminderRun:
    """Send the reminders due on ``today`` for every open cycle."""
    run = ReminderRun()
    drafts: list[NoticeDraft] = []
    for cycle in ReportingCycle.objects.filter(opens_on__lte=today).select_related("plan"):
        due = reminder_due(cycle, today=today)
        if due is None:
            continue
        kind, title = due
        pending = list(cycle.submissions.filter(status__in=Submission.EDITABLE).select_related("agency", "org_unit"))
        recipients = recipient_ids_of(pending, on=today)
        for submission in pending:
            if submission.pk not in recipients:
                continue
            run.reports += 1
            body = (f"Báo cáo kết quả thực hiện kế hoạch năm {cycle.year} của {submission.reporter_name} "
                    f"({submission.get_status_display().lower()}) có hạn nộp "
                    f"{cycle.deadline_local:%H:%M ngày %d/%m/%Y}. Vui lòng hoàn thành và nộp trên treem.")
            drafts += _drafts(submission=submission, recipient_ids=recipients[submission.pk], kind=kind,
                              today=today, title=title, body=body)
    sent = notify_all(drafts)
    run.notifications, run.emails = sent.created, sent.emails
    return run


def notify_returned(*, submission: Submission) -> int:
    """Tell the reporters that their report was returned, with the coordinator's comment."""
    today = timezone.localtime(submission.reviewed_at).date() if submission.reviewed_at else timezone.localdate()
    recipients = recipient_ids_of([submission], on=today).get(submission.pk, [])
    sent = notify_all(_drafts(
        submission=submission, recipient_ids=recipients, kind=Notice.Kind.REPORT_RETURNED, today=today,
        title=f"Báo cáo năm {submission.cycle.year} bị trả lại để sửa",
        body=f"Ý kiến của cơ quan thường trực: {submission.review_comment}"))
    return sent.created
