"""The notices protection raises (through ``treem.notices``): links to a case, and the deadline alerts job."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from treem.notices.models import Notice
from treem.notices.services import NoticeDraft, about_record, notify_all
from treem.protection.models import (
    Case,
    CaseStep,
    CaseWorker,
    ExternalReport,
    Incident,
    Referral,
    Supervision,
)
from treem.protection.selectors import intake_recipient_ids
from treem.protection.workflow import (
    StepKind,
)


def case_url(case: Case) -> str:
    """The case page a notice links to."""
    return reverse("protection:case", args=[case.pk])


_PLACEHOLDER_ID = 987654321


def case_urls() -> Callable[[int], str]:
    """``case_url`` by case id for many cases: the URL is reversed once and the id put in its place, because
    reversing it for each of thousands of cases costs more than the rest of a deadline run."""
    head, tail = reverse("protection:case", args=[_PLACEHOLDER_ID]).split(str(_PLACEHOLDER_ID))
    return lambda case_id: f"{head}{case_id}{tail}"


@dataclass(frozen=True)
class DeadlineCheck:
    overdue_steps: int
    notices_created: int
    follow_ups_due: int


@transaction.atomic
def raise_deadline_alerts(*, now: datetime | None = None) -> DeadlineCheck:
    """Notify the workers and their supervisors of every overdue step and every referral follow-up that is due.

    Each alert is raised once (its notice key names the step or referral and the recipient), so running this any
    number of times a day notifies nobody twice. Set-based: the overdue steps, the follow-ups, the workers and the
    supervisors are read as plain rows (four queries), and the notices are inserted by one ``notify_all``.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    live = {"case__deleted_at__isnull": True, "case__status": Case.Status.OPEN}
    overdue = list(CaseStep.objects.filter(status=CaseStep.Status.OPEN, due_at__lt=now, **live)
                   .values_list("pk", "kind", "due_at", "case_id", "case__number"))
    follow_ups = list(Referral.objects.filter(follow_up_on__lte=today, followed_up_on__isnull=True, **live)
                      .exclude(status=Referral.Status.REFUSED)
                      .values_list("pk", "target_name", "follow_up_on", "case_id", "case__number"))
    case_ids = {row[3] for row in overdue} | {row[3] for row in follow_ups}
    workers: dict[int, set[int]] = defaultdict(set)
    for case_id, user_id in CaseWorker.objects.current().filter(case_id__in=case_ids).values_list("case_id",
                                                                                                 "user_id"):
        workers[case_id].add(user_id)
    supervisors: dict[int, set[int]] = defaultdict(set)
    worker_ids = set().union(*workers.values())
    for worker_id, supervisor_id in Supervision.objects.filter(worker_id__in=worker_ids, is_active=True) \
            .values_list("worker_id", "supervisor_id"):
        supervisors[worker_id].add(supervisor_id)
    step_labels = dict(StepKind.choices)
    case_type = Case._meta.label_lower
    url_of = case_urls()

    drafts: list[NoticeDraft] = []
    for step_id, kind, step_due_at, case_id, number in overdue:
        case_workers = workers.get(case_id, set())
        recipients = case_workers.union(*(supervisors.get(worker, set()) for worker in case_workers))
        label = step_labels.get(kind, kind)
        title = f"Quá hạn: {label} – hồ sơ {number}"
        body = f"Bước “{label}” của hồ sơ {number} đã quá hạn (hạn {timezone.localtime(step_due_at):%d/%m/%Y %H:%M})."
        drafts.extend(NoticeDraft(recipient_id=recipient_id, kind=Notice.Kind.OVERDUE_STEP,
                                  key=f"overdue:{step_id}:{recipient_id}", title=title, body=body,
                                  url=url_of(case_id), object_type=case_type, object_id=str(case_id))
                      for recipient_id in sorted(recipients))
    for referral_id, target_name, follow_up_on, case_id, number in follow_ups:
        title = f"Đến hạn theo dõi chuyển gửi – hồ sơ {number}"
        body = f"Theo dõi lại việc chuyển gửi đến {target_name} (hạn {follow_up_on:%d/%m/%Y})."
        drafts.extend(NoticeDraft(recipient_id=recipient_id, kind=Notice.Kind.FOLLOW_UP_DUE,
                                  key=f"follow-up:{referral_id}:{recipient_id}", title=title, body=body,
                                  url=url_of(case_id), object_type=case_type, object_id=str(case_id))
                      for recipient_id in sorted(workers.get(case_id, set())))
    run = notify_all(drafts)
    return DeadlineCheck(overdue_steps=len(overdue), notices_created=run.created, follow_ups_due=len(follow_ups))


def alert_external_report(report: ExternalReport) -> int:
    """Tell the commune who must act on a report another system filed (nobody received it by hand): its protection
    leads, or those who may work cases there (``intake_recipient_ids``). Once per report and recipient; returns
    the number of notices raised."""
    system = report.system
    about: Case | Incident
    if report.case is not None:
        case = about = report.case
        org_unit = case.org_unit
        title = f"Tin báo mới từ {system.name}: hồ sơ {case.number}"
        body = (f"{system.name} đã chuyển một tin báo về trẻ em cần bảo vệ ở {org_unit.name}. Hồ sơ {case.number} "
                "chưa có người phụ trách: phân công và xác minh trong thời hạn của Nghị định 56/2017/NĐ-CP.")
        url = case_url(case)
    elif report.incident is not None:
        incident = about = report.incident
        org_unit = incident.org_unit
        title = f"Sổ tai nạn, thương tích: một ghi nhận mới từ {system.name}"
        body = (f"{system.name} đã ghi một {incident.get_kind_display().lower()} ngày "
                f"{incident.occurred_on:%d/%m/%Y} ở {org_unit.name}. Xem sổ và xử lý nếu trẻ cần được bảo vệ.")
        url = reverse("protection:incidents")
    else:
        return 0
    return notify_all(NoticeDraft(recipient_id=user_id, kind=Notice.Kind.EXTERNAL_REPORT,
                                  key=f"external:{report.pk}:{user_id}", title=title, body=body, url=url,
                                  **about_record(about))
                      for user_id in intake_recipient_ids(org_unit)).created
