"""Reminders to reporters who have not submitted: 14, 7, 3 and 1 days before the deadline, and when overdue (the
day after the deadline, then every 7 days until entries lock). Each is a notice in the reporter's inbox, e-mailed
after the transaction commits (``treem.notices``). A user gets at most one notice per report, kind and day (the
notice's key says so), so running ``send_reminders`` twice on a day sends nothing twice.

The reminders of a day are gathered for every pending report first and raised in one ``notify_all``: a few queries
whatever the number of reports and reporters.

The schedule (``due_on``), the key (``reminder_key``) and the recipients (``commune_officer_ids``) serve every yearly
deadline, not only the report's: a domain above reporting whose records are due with the report (the child-friendly
self-assessment) registers a *reminder source* (``register_reminder_source``, from its ``AppConfig.ready``), and
``send_reminders`` raises that source's reminders of the day in the same ``notify_all``. Reporting never imports the
domains above it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

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
    """What a day's run did: notices created, e-mails queued, reports reminded, and the records each registered
    source reminded (by the source's label)."""

    notifications: int = 0
    emails: int = 0
    reports: int = 0
    by_source: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Due:
    """A reminder the schedule calls for: its kind (due or overdue) and the days left, or the days late."""

    kind: str
    days: int

    @property
    def is_overdue(self) -> bool:
        return self.kind == Notice.Kind.REPORT_OVERDUE


@dataclass(frozen=True)
class SourceReminders:
    """A source's reminders of one day: the notices to raise and how many of its records they are about."""

    drafts: list[NoticeDraft]
    records: int


class ReminderSource(Protocol):
    """Records due with the yearly report, reminded by ``send_reminders`` on the same schedule."""

    @property
    def label(self) -> str:
        """What the records are, for the command's output ("bản đánh giá xã phù hợp với trẻ em")."""
        ...

    def reminders(self, *, today: date) -> SourceReminders:
        """The notices due on ``today`` (keys from ``reminder_key``, so a second run the same day adds nothing)."""
        ...


_SOURCES: dict[str, ReminderSource] = {}


def register_reminder_source(name: str, source: ReminderSource) -> None:
    """Add ``source`` to the daily run under ``name`` (registering the same name again replaces it)."""
    _SOURCES[name] = source


def reminder_sources() -> list[ReminderSource]:
    return list(_SOURCES.values())


def due_on(*, deadline_on: date, today: date, last_on: date | None) -> Due | None:
    """The reminder due on ``today`` for a deadline: 14, 7, 3 and 1 days before it, then the day after it and every
    7 days until ``last_on`` (when entries lock; None: no end). None on the other days."""
    days = (deadline_on - today).days
    if days in REMINDER_DAYS:
        return Due(kind=Notice.Kind.REPORT_DUE, days=days)
    if days < 0 and (-days - 1) % OVERDUE_EVERY_DAYS == 0 and (last_on is None or today <= last_on):
        return Due(kind=Notice.Kind.REPORT_OVERDUE, days=-days)
    return None


def reminder_key(*, kind: str, subject: int | str, recipient_id: int, on: date) -> str:
    """The key of a reminder: once per record (``subject``: a report's id, or a source's own name of its record),
    kind, recipient and day."""
    return f"{kind}:{subject}:{recipient_id}:{on.isoformat()}"


def _assigned_user_ids(*, agencies: set[int], units: set[int],
                       on: date) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Active users active on ``on``: the reporting officers of each agency, the officers of each commune/district.
    One query."""
    by_agency: dict[int, set[int]] = defaultdict(set)
    by_unit: dict[int, set[int]] = defaultdict(set)
    if not agencies and not units:
        return by_agency, by_unit
    rows = (Assignment.objects.active(on).filter(user__is_active=True)
            .filter(Q(role=Role.AGENCY_REPORTER, agency_id__in=agencies)
                    | Q(role=Role.COMMUNE_OFFICER, org_unit_id__in=units))
            .values_list("role", "agency_id", "org_unit_id", "user_id"))
    for role, agency_id, org_unit_id, user_id in rows:
        if role == Role.AGENCY_REPORTER:
            by_agency[agency_id].add(user_id)
        else:
            by_unit[org_unit_id].add(user_id)
    return by_agency, by_unit


def commune_officer_ids(unit_ids: Iterable[int], *, on: date) -> dict[int, list[int]]:
    """The officers assigned to each unit (by org unit id) and active on ``on``; units without any are left out.
    One query."""
    _by_agency, by_unit = _assigned_user_ids(agencies=set(), units=set(unit_ids), on=on)
    return {unit_id: sorted(users) for unit_id, users in by_unit.items() if users}


def recipient_ids_of(submissions: Sequence[Submission], *, on: date) -> dict[int, list[int]]:
    """Who writes each report (by submission id): the agency's reporting officers, or the officers assigned to the
    commune/district, active on ``on``. One query for all of ``submissions``."""
    agencies = {submission.agency_id for submission in submissions
                if submission.kind == ReporterKind.AGENCY and submission.agency_id is not None}
    units = {submission.org_unit_id for submission in submissions if submission.kind != ReporterKind.AGENCY}
    by_agency, by_unit = _assigned_user_ids(agencies=agencies, units=units, on=on)
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
                        key=reminder_key(kind=kind, subject=submission.pk, recipient_id=user_id, on=today))
            for user_id in recipient_ids]


def reminder_due(cycle: ReportingCycle, *, today: date) -> tuple[str, str] | None:
    """The kind and title of the reminder ``cycle`` calls for on ``today``, or None if none is due that day."""
    due = due_on(deadline_on=cycle.deadline_local.date(), today=today,
                 last_on=timezone.localtime(cycle.locks_at).date())
    if due is None:
        return None
    if due.is_overdue:
        return due.kind, f"Đã quá hạn nộp báo cáo năm {cycle.year} ({due.days} ngày)"
    return due.kind, f"Còn {due.days} ngày đến hạn nộp báo cáo năm {cycle.year}"


@transaction.atomic
def send_reminders(*, today: date) -> ReminderRun:
    """Send the reminders due on ``today`` for every open cycle, and those of every registered source."""
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
    for source in reminder_sources():
        found = source.reminders(today=today)
        run.by_source[source.label] = run.by_source.get(source.label, 0) + found.records
        drafts += found.drafts
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
