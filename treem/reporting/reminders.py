"""Reminders to reporters who have not submitted: 14, 7, 3 and 1 days before the deadline, and when overdue (the
day after the deadline, then every 7 days until entries lock). Each goes by e-mail (Django's e-mail settings, sent
after the transaction commits) and as an in-app notification. A user gets at most one notification per report,
kind and day, so running ``send_reminders`` twice on a day sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from treem.accounts.models import Assignment, User
from treem.core.roles import Role
from treem.reporting.models import Notification, ReporterKind, ReportingCycle, Submission

REMINDER_DAYS = (14, 7, 3, 1)
OVERDUE_EVERY_DAYS = 7


@dataclass
class ReminderRun:
    notifications: int = 0
    emails: int = 0
    reports: int = 0


def recipients_of(submission: Submission, *, on: date) -> list[User]:
    """Who writes a report: the agency's reporting officers, or the officers assigned to the commune/district."""
    assignments = Assignment.objects.active(on).filter(user__is_active=True)
    if submission.kind == ReporterKind.AGENCY:
        assignments = assignments.filter(role=Role.AGENCY_REPORTER, agency=submission.agency)
    else:
        assignments = assignments.filter(role=Role.COMMUNE_OFFICER, org_unit_id=submission.org_unit_id)
    user_ids = assignments.values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=user_ids).order_by("username"))


def _link(submission: Submission) -> str:
    return reverse("reporting:submission", args=[submission.pk])


def _notify(*, user: User, submission: Submission, kind: str, today: date, days_before: int | None, subject: str,
            body: str) -> tuple[bool, bool]:
    notification, created = Notification.objects.get_or_create(
        recipient=user, submission=submission, kind=kind, sent_on=today,
        defaults={"days_before": days_before, "subject": subject, "body": body, "link": _link(submission),
                  "emailed": bool(user.email)},
    )
    if created and user.email:
        site = getattr(settings, "SITE_URL", "").rstrip("/")
        message = f"{body}\n\n{site}{notification.link}" if site else body
        transaction.on_commit(lambda: send_mail(subject, message, None, [user.email], fail_silently=False))
    return created, created and bool(user.email)


@transaction.atomic
def send_reminders(*, today: date) -> ReminderRun:
    """Send the reminders due on ``today`` for every open cycle."""
    run = ReminderRun()
    for cycle in ReportingCycle.objects.filter(opens_on__lte=today).select_related("plan"):
        deadline_day = cycle.deadline_local.date()
        days = (deadline_day - today).days
        if days in REMINDER_DAYS:
            kind = Notification.Kind.REMINDER
            subject = f"Còn {days} ngày đến hạn nộp báo cáo năm {cycle.year}"
        elif days < 0 and (-days - 1) % OVERDUE_EVERY_DAYS == 0 and today <= cycle.locks_at.date():
            kind = Notification.Kind.OVERDUE
            subject = f"Đã quá hạn nộp báo cáo năm {cycle.year} ({-days} ngày)"
        else:
            continue
        pending = cycle.submissions.filter(status__in=Submission.EDITABLE).select_related("agency", "org_unit")
        for submission in pending:
            body = (f"Báo cáo kết quả thực hiện kế hoạch năm {cycle.year} của {submission.reporter_name} "
                    f"({submission.get_status_display().lower()}) có hạn nộp "
                    f"{cycle.deadline_local:%H:%M ngày %d/%m/%Y}. Vui lòng hoàn thành và nộp trên treem.")
            recipients = recipients_of(submission, on=today)
            if recipients:
                run.reports += 1
            for user in recipients:
                created, emailed = _notify(user=user, submission=submission, kind=kind, today=today,
                                           days_before=days, subject=subject, body=body)
                run.notifications += int(created)
                run.emails += int(emailed)
    return run


def notify_returned(*, submission: Submission) -> int:
    """Tell the reporters that their report was returned, with the coordinator's comment."""
    today = submission.reviewed_at.date() if submission.reviewed_at else date.today()
    subject = f"Báo cáo năm {submission.cycle.year} bị trả lại để sửa"
    body = f"Ý kiến của cơ quan thường trực: {submission.review_comment}"
    count = 0
    for user in recipients_of(submission, on=today):
        created, _ = _notify(user=user, submission=submission, kind=Notification.Kind.RETURNED, today=today,
                             days_before=None, subject=subject, body=body)
        count += int(created)
    return count
