"""Writes of the reporting cycle: opening a cycle, writing a report, submitting it, returning or approving it.

The workflow is an explicit transition table (``TRANSITIONS``); every transition locks the report's row first,
stores a version when a report is submitted, and writes one audit event. Figures are stored with
``treem.indicators.services.enter_data_values`` after the same validation rules as every other channel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import User
from treem.core.access import ensure_permitted
from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent
from treem.core.uploads import DISK_FULL_MESSAGE, is_disk_full
from treem.hierarchy.models import OrgUnit
from treem.indicators.services import ValueInput, can_enter_value, enter_data_values
from treem.plans.models import DataElement, Plan
from treem.reporting.consolidated import build_docx, build_xlsx, consolidated_report
from treem.reporting.evidence import ACCEPTED_LABEL, detect_kind
from treem.reporting.models import (
    ConsolidatedBuild,
    Evidence,
    ReporterKind,
    ReportingCycle,
    Submission,
    SubmissionVersion,
    TaskProgress,
    default_deadline,
    default_lock,
)
from treem.reporting.permissions import (
    BUILD_CONSOLIDATED_REPORT,
    REVIEW_SUBMISSIONS,
    WRITE_SUBMISSION,
)
from treem.reporting.reminders import notify_returned
from treem.reporting.reporters import duties_of, elements_of, entry_units, expected_reporters
from treem.reporting.selectors import (
    consolidated_scope_key,
    report_values,
    submission_findings,
    submission_version,
    submissions_for,
)
from treem.reporting.validation import CellInput, Finding, blocking, check_cells

Status = Submission.Status

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({Status.NOT_STARTED, Status.DRAFT, Status.RETURNED}), Status.SUBMITTED),
    "return": (frozenset({Status.SUBMITTED}), Status.RETURNED),
    "approve": (frozenset({Status.SUBMITTED}), Status.APPROVED),
}

DEFAULT_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class SubmissionBlocked(ValidationError):
    """A report cannot be submitted: the findings that block it, each tied to its figure."""

    def __init__(self, findings: Sequence[Finding], problems: Sequence[str] = ()) -> None:
        self.findings = list(findings)
        self.problems = list(problems)
        super().__init__([*self.problems, *(finding.message for finding in self.findings)])


class StaleSubmission(Exception):
    """A write based on a version of the report that somebody else has changed since; nothing was saved."""

    def __init__(self, current_version: str) -> None:
        super().__init__(gettext("Báo cáo đã được người khác thay đổi; hãy tải lại rồi thử lại."))
        self.current_version = current_version


def _ensure_version(submission: Submission, expected_version: str | None) -> None:
    """Refuse a write based on an older version (``None``: the caller does not ask for the check)."""
    if expected_version is not None:
        current = submission_version(submission)
        if current != expected_version:
            raise StaleSubmission(current)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _check_transition(submission: Submission, action: str) -> str:
    allowed, target = TRANSITIONS[action]
    if submission.status not in allowed:
        raise ValidationError(f"Không thể thực hiện thao tác này khi báo cáo đang ở trạng thái "
                              f"“{submission.get_status_display()}”.")
    return target


def _ensure_reporter(actor: AbstractBaseUser | None, submission: Submission) -> None:
    """Refuse anyone but a reporter of this very report (its agency's officer, its commune's officer)."""
    ensure_permitted(actor, WRITE_SUBMISSION)
    if actor is not None and not submissions_for(actor, capability=WRITE_SUBMISSION).filter(
            pk=submission.pk).exists():
        raise PermissionDenied(gettext("Bạn không được soạn hoặc nộp báo cáo này."))


def _ensure_reviewer(actor: AbstractBaseUser | None, submission: Submission) -> None:
    """Refuse anyone who may not review this report (the coordinating agency, administrators of its subtree)."""
    ensure_permitted(actor, REVIEW_SUBMISSIONS, path=submission.org_unit.path)


def _locked(submission: Submission) -> Submission:
    return Submission.objects.select_for_update(of=("self",)).select_related("cycle", "agency", "org_unit").get(
        pk=submission.pk)


# ---- cycles -----------------------------------------------------------------------------------------------------


@transaction.atomic
def open_reporting_cycle(
    *,
    actor: AbstractBaseUser | None,
    plan: Plan,
    year: int,
    opens_on: date | None = None,
    deadline_at: datetime | None = None,
    locks_at: datetime | None = None,
    is_demo: bool = False,
) -> ReportingCycle:
    """Open the cycle of ``year`` (deadline 1 December 23:59 local time unless given) and create the report of
    every expected reporter. Opening a cycle that exists adds the reporters that are missing and nothing else."""
    ensure_permitted(actor, REVIEW_SUBMISSIONS)
    cycle = ReportingCycle.objects.filter(plan=plan, year=year).first()
    if cycle is None:
        cycle = ReportingCycle(plan=plan, year=year, opens_on=opens_on or date(year, 1, 1),
                               deadline_at=deadline_at or default_deadline(year),
                               locks_at=locks_at or default_lock(year), is_demo=is_demo)
        cycle.full_clean()
        cycle.save()
        record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=cycle, after=snapshot(cycle),
                     action="open_reporting_cycle")
    add_expected_reporters(actor=actor, cycle=cycle)
    return cycle


@transaction.atomic
def add_expected_reporters(*, actor: AbstractBaseUser | None, cycle: ReportingCycle) -> int:
    """Create a (not started) report for each expected reporter that has none; returns how many were created."""
    ensure_permitted(actor, REVIEW_SUBMISSIONS)
    existing_agencies = set(cycle.submissions.filter(agency__isnull=False).values_list("agency_id", flat=True))
    existing_units = set(cycle.submissions.filter(agency__isnull=True).values_list("org_unit_id", flat=True))
    created = []
    for reporter in expected_reporters(plan=cycle.plan, year=cycle.year):
        if reporter.agency is not None:
            if reporter.agency.pk in existing_agencies:
                continue
        elif reporter.org_unit.pk in existing_units:
            continue
        created.append(Submission(cycle=cycle, kind=reporter.kind, agency=reporter.agency,
                                  org_unit=reporter.org_unit, is_demo=cycle.is_demo))
    Submission.objects.bulk_create(created)
    if created:
        record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=cycle, action="add_expected_reporters",
                     after={"reports_created": len(created)})
    return len(created)


@transaction.atomic
def update_reporting_cycle(*, actor: AbstractBaseUser | None, cycle: ReportingCycle, opens_on: date,
                           deadline_at: datetime, locks_at: datetime) -> ReportingCycle:
    """Move a cycle's dates (opening, deadline, locking)."""
    ensure_permitted(actor, REVIEW_SUBMISSIONS)
    before = snapshot(cycle)
    cycle.opens_on, cycle.deadline_at, cycle.locks_at = opens_on, deadline_at, locks_at
    cycle.full_clean()
    cycle.save()
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=cycle, before=before, after=snapshot(cycle),
                 action="update_reporting_cycle")
    return cycle


# ---- writing a report -------------------------------------------------------------------------------------------


def _ensure_editable(submission: Submission, *, now: datetime) -> None:
    if not submission.is_editable:
        raise ValidationError(f"Báo cáo đang ở trạng thái “{submission.get_status_display()}”, không sửa được.")
    if submission.cycle.is_locked_at(now):
        raise ValidationError(f"Kỳ báo cáo năm {submission.cycle.year} đã khóa nhập từ "
                              f"{timezone.localtime(submission.cycle.locks_at):%H:%M %d/%m/%Y}.")


def _mark_draft(submission: Submission) -> None:
    if submission.status == Status.NOT_STARTED:
        submission.status = Status.DRAFT
        submission.save(update_fields=["status", "updated_at"])


@transaction.atomic
def save_narrative(*, actor: AbstractBaseUser, submission: Submission, narrative: str,
                   now: datetime | None = None, expected_version: str | None = None) -> Submission:
    """Keep the report's general assessment (part C)."""
    _ensure_reporter(actor, submission)
    submission = _locked(submission)
    _ensure_version(submission, expected_version)
    _ensure_editable(submission, now=_now(now))
    before = snapshot(submission)
    submission.narrative = narrative.strip()
    if submission.status == Status.NOT_STARTED:
        submission.status = Status.DRAFT
    submission.full_clean()
    submission.save()
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=submission, before=before, after=snapshot(submission),
                 org_unit_path=submission.org_unit.path, action="save_narrative")
    return submission


@transaction.atomic
def save_task_progress(*, actor: AbstractBaseUser, progress: TaskProgress, status: str, results: str,
                       difficulties: str, proposals: str, now: datetime | None = None,
                       expected_version: str | None = None) -> TaskProgress:
    """Keep what the report says about one duty: status, results, difficulties, proposals."""
    _ensure_reporter(actor, progress.submission)
    submission = _locked(progress.submission)
    _ensure_version(submission, expected_version)
    _ensure_editable(submission, now=_now(now))
    before = snapshot(progress)
    progress.status, progress.results = status, results.strip()
    progress.difficulties, progress.proposals = difficulties.strip(), proposals.strip()
    progress.full_clean()
    progress.save()
    _mark_draft(submission)
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=progress, before=before, after=snapshot(progress),
                 org_unit_path=submission.org_unit.path, action="save_task_progress")
    return progress


def ensure_task_progress(submission: Submission) -> list[TaskProgress]:
    """The report's rows of task progress, one per duty of its reporter (created when missing)."""
    duties = duties_of(plan=submission.cycle.plan, year=submission.cycle.year, kind=submission.kind,
                       agency=submission.agency)
    existing = {row.assignment_id: row for row in submission.task_progress.select_related("assignment")}
    missing = [TaskProgress(submission=submission, assignment=duty) for duty in duties if duty.pk not in existing]
    if missing and submission.is_editable:
        TaskProgress.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {row.assignment_id: row for row in submission.task_progress.select_related("assignment")}
    return [existing[duty.pk] for duty in duties if duty.pk in existing]


@dataclass
class CellResult:
    """What happened to one figure typed on the report page."""

    element: DataElement
    org_unit: OrgUnit
    value: Decimal | None
    comment: str
    saved: bool
    problems: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def needs_comment(self) -> bool:
        return any(not finding.is_error for finding in self.findings)


def _cell_input(element: DataElement, org_unit: OrgUnit, value: Decimal | None, comment: str, sex: str = "",
                ethnic_code: str = "") -> CellInput:
    return CellInput(element_code=element.code, org_unit_id=org_unit.pk, value=value, sex=sex,
                     ethnic_group_code=ethnic_code, comment=comment)


def parse_figure(raw: str | Decimal | int | None) -> Decimal | None:
    """A typed figure: "1.234" or "1234" (dots group thousands), "12,5"; empty → None; anything else → ValueError."""
    if raw is None:
        return None
    if isinstance(raw, Decimal | int):
        return Decimal(raw)
    text = raw.strip().replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") >= 1 and all(len(part) == 3 for part in text.split(".")[1:]):
        text = text.replace(".", "")
    try:
        figure = Decimal(text)
    except ArithmeticError as error:
        raise ValueError(raw) from error
    if not figure.is_finite():
        raise ValueError(raw)
    return figure


@transaction.atomic
def enter_report_value(*, actor: AbstractBaseUser, submission: Submission, element: DataElement,
                       org_unit: OrgUnit, raw_value: str, comment: str = "",
                       now: datetime | None = None) -> CellResult:
    """Store one figure of a report (a draft may hold figures with errors: they block submission, not saving)."""
    _ensure_reporter(actor, submission)
    submission = _locked(submission)
    _ensure_editable(submission, now=_now(now))
    allowed = {item.pk for item in elements_of(plan=submission.cycle.plan, kind=submission.kind,
                                               agency=submission.agency)}
    units = {unit.pk for unit in entry_units(kind=submission.kind, org_unit=submission.org_unit,
                                             year=submission.cycle.year)}
    if element.pk not in allowed or org_unit.pk not in units or not can_enter_value(
            actor, data_element=element, org_unit=org_unit):
        raise PermissionDenied(_("Bạn không được nhập số liệu này."))
    result = CellResult(element=element, org_unit=org_unit, value=None, comment=comment.strip(), saved=False)
    try:
        result.value = parse_figure(raw_value)
    except ValueError:
        result.problems.append(f"“{raw_value}” không phải là số.")
        return result
    try:
        enter_data_values(actor=actor, org_unit=org_unit, year=submission.cycle.year, is_demo=submission.is_demo,
                          values=[ValueInput(data_element=element, value=result.value, comment=result.comment)])
    except ValidationError as error:
        result.problems.extend(_strip_code(message, element.code) for message in error.messages)
        return result
    result.saved = True
    cell = _cell_input(element, org_unit, result.value, result.comment)
    result.findings = check_cells([cell], year=submission.cycle.year).get(cell.key, [])
    _mark_draft(submission)
    return result


@dataclass(frozen=True)
class CellEntry:
    """One figure of a batch: the element and unit it is for, as typed, with its comment."""

    element: DataElement
    org_unit: OrgUnit
    raw_value: str
    comment: str = ""


@transaction.atomic
def enter_report_values(*, actor: AbstractBaseUser, submission: Submission, cells: Sequence[CellEntry],
                        expected_version: str | None = None, now: datetime | None = None) -> list[CellResult]:
    """Store a batch of figures of a report, all or none: a figure that cannot be stored (not a number, not the
    reporter's to enter) refuses the whole batch with a ``ValidationError`` naming each cell by its position
    (``cells.3.value``). Findings of the validation rules do not refuse a draft's figures; they are returned."""
    _ensure_reporter(actor, submission)
    locked = _locked(submission)
    _ensure_version(locked, expected_version)
    _ensure_editable(locked, now=_now(now))
    results: list[CellResult] = []
    problems: dict[str, list[str]] = {}
    for index, cell in enumerate(cells):
        try:
            result = enter_report_value(actor=actor, submission=locked, element=cell.element,
                                        org_unit=cell.org_unit, raw_value=cell.raw_value, comment=cell.comment,
                                        now=now)
        except PermissionDenied:
            problems[f"cells.{index}"] = [gettext("Bạn không được nhập số liệu này.")]
            continue
        if result.problems:
            problems[f"cells.{index}.value"] = result.problems
        results.append(result)
    if problems:
        raise ValidationError(problems)
    return results


def _strip_code(message: str, code: str) -> str:
    prefix = f"{code}: "
    return message[len(prefix):] if message.startswith(prefix) else message


# ---- evidence ---------------------------------------------------------------------------------------------------


def _evidence_snapshot(evidence: Evidence) -> dict[str, Any]:
    return {**snapshot(evidence, exclude=["file"]), "file": evidence.file.name}


def evidence_max_bytes() -> int:
    return int(getattr(settings, "REPORTING_EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES))


@transaction.atomic
def attach_evidence(*, actor: AbstractBaseUser, progress: TaskProgress, upload: UploadedFile,
                    now: datetime | None = None) -> Evidence:
    """Keep an evidence file: its type is checked from its content, its size against the limit; it is stored
    under a random name."""
    _ensure_reporter(actor, progress.submission)
    submission = _locked(progress.submission)
    _ensure_editable(submission, now=_now(now))
    limit = evidence_max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError({"file": f"Tệp quá lớn: tối đa {limit // (1024 * 1024)} MB."})
    if upload.size == 0:
        raise ValidationError({"file": "Tệp rỗng."})
    kind = detect_kind(upload.file, name=upload.name or "") if upload.file is not None else None
    if kind is None:
        raise ValidationError({"file": f"Loại tệp không được chấp nhận: chỉ nhận {ACCEPTED_LABEL}."})
    kind_limit = min(limit, kind.max_bytes)
    if upload.size > kind_limit:
        raise ValidationError({"file": f"Tệp {kind.label} quá lớn: tối đa {kind_limit // (1024 * 1024)} MB."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original = (upload.name or "tep").replace("/", "_").replace("\\", "_")[:255]
    evidence = Evidence(progress=progress, original_name=original, content_type=kind.content_type,
                        size=upload.size, sha256=digest.hexdigest(), uploaded_by=actor)  # type: ignore[misc]
    try:
        evidence.file.save(f"minh-chung{kind.extension}", upload, save=False)
    except OSError as error:
        if is_disk_full(error):
            raise ValidationError({"file": DISK_FULL_MESSAGE}) from error
        raise
    evidence.full_clean()
    evidence.save()
    _mark_draft(submission)
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=evidence, after=_evidence_snapshot(evidence),
                 org_unit_path=submission.org_unit.path, action="attach_evidence")
    return evidence


@transaction.atomic
def remove_evidence(*, actor: AbstractBaseUser, evidence: Evidence, now: datetime | None = None) -> Evidence:
    """Soft-delete an evidence file (the file and the row stay; versions keep naming it)."""
    _ensure_reporter(actor, evidence.progress.submission)
    submission = _locked(evidence.progress.submission)
    _ensure_editable(submission, now=_now(now))
    before = _evidence_snapshot(evidence)
    evidence.deleted_at = _now(now)
    evidence.deleted_by = actor  # type: ignore[assignment]
    evidence.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.DELETE, obj=evidence, before=before,
                 after=_evidence_snapshot(evidence),
                 org_unit_path=submission.org_unit.path, action="remove_evidence")
    return evidence


# ---- the content of a report, and what blocks submitting it -----------------------------------------------------


def submission_content(submission: Submission) -> dict[str, Any]:
    """Everything a report says, as stored in a version: narrative, tasks with evidence, figures."""
    tasks = []
    for progress in submission.task_progress.select_related("assignment").order_by("assignment__order"):
        tasks.append({
            "code": progress.assignment.code, "title": progress.assignment.title,
            "status": progress.status, "status_label": str(progress.get_status_display()),
            "results": progress.results, "difficulties": progress.difficulties, "proposals": progress.proposals,
            "evidence": [evidence.original_name for evidence in progress.evidence.filter(deleted_at__isnull=True)],
        })
    values = [{
        "element": row.data_element.code, "element_name": row.data_element.name, "unit": row.data_element.unit,
        "org_unit": row.org_unit.code, "org_unit_name": row.org_unit.name, "sex": row.sex,
        "ethnic_group": row.ethnic_group.code if row.ethnic_group else "",
        "value": None if row.value is None else format(row.value.normalize(), "f"), "comment": row.comment,
    } for row in report_values(submission)]
    return {"narrative": submission.narrative, "tasks": tasks, "values": values}


# ---- transitions ------------------------------------------------------------------------------------------------


@transaction.atomic
def submit_report(*, actor: AbstractBaseUser, submission: Submission, now: datetime | None = None,
                  expected_version: str | None = None) -> Submission:
    """Submit a report (a new version). Refused while an error or an unexplained warning remains, or once the
    cycle is locked. The submission time is the server's; a first submission after the deadline is late."""
    _ensure_reporter(actor, submission)
    moment = _now(now)
    submission = _locked(submission)
    _ensure_version(submission, expected_version)
    target = _check_transition(submission, "submit")
    if submission.cycle.is_locked_at(moment):
        raise ValidationError(f"Kỳ báo cáo năm {submission.cycle.year} đã khóa, không nộp được nữa.")
    ensure_task_progress(submission)
    findings, comments = submission_findings(submission)
    blockers = blocking([finding for items in findings.values() for finding in items], comments=comments)
    problems = []
    if not submission.narrative.strip():
        problems.append("Chưa có đánh giá chung (phần C).")
    if blockers or problems:
        raise SubmissionBlocked(blockers, problems)
    before = snapshot(submission)
    submission.status = target
    submission.submitted_at = moment
    submission.submitted_by = actor  # type: ignore[assignment]
    if submission.first_submitted_at is None:
        submission.first_submitted_at = moment
    submission.version_count += 1
    submission.full_clean()
    submission.save()
    SubmissionVersion.objects.create(
        submission=submission, number=submission.version_count, content=submission_content(submission),
        submitted_at=moment, submitted_by=actor, is_late=submission.cycle.is_late(moment),  # type: ignore[misc]
    )
    record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=submission, before=before,
                 after=snapshot(submission), org_unit_path=submission.org_unit.path, action="submit_report")
    return submission


def _review(*, actor: AbstractBaseUser, submission: Submission, action: str, comment: str,
            now: datetime | None, expected_version: str | None) -> Submission:
    _ensure_reviewer(actor, submission)
    moment = _now(now)
    submission = _locked(submission)
    _ensure_version(submission, expected_version)
    target = _check_transition(submission, action)
    before = snapshot(submission)
    submission.status = target
    submission.reviewed_at = moment
    submission.reviewed_by = actor  # type: ignore[assignment]
    submission.review_comment = comment.strip() if action == "return" else submission.review_comment
    submission.full_clean()
    submission.save()
    version = submission.versions.order_by("-number").first()
    if version is not None:
        version.decision = (SubmissionVersion.Decision.RETURNED if action == "return"
                            else SubmissionVersion.Decision.APPROVED)
        version.review_comment = comment.strip()
        version.reviewed_at, version.reviewed_by = moment, actor  # type: ignore[assignment]
        version.save(update_fields=["decision", "review_comment", "reviewed_at", "reviewed_by", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.TRANSITION, obj=submission, before=before,
                 after=snapshot(submission), org_unit_path=submission.org_unit.path,
                 action="return_report" if action == "return" else "approve_report", reason=comment.strip())
    return submission


@transaction.atomic
def return_report(*, actor: AbstractBaseUser, submission: Submission, comment: str,
                  now: datetime | None = None, expected_version: str | None = None) -> Submission:
    """Send a submitted report back to its reporter with the reasons (a comment is required)."""
    if not comment.strip():
        raise ValidationError({"comment": "Cần ghi rõ ý kiến khi trả lại báo cáo."})
    submission = _review(actor=actor, submission=submission, action="return", comment=comment, now=now,
                         expected_version=expected_version)
    notify_returned(submission=submission)
    return submission


@transaction.atomic
def approve_report(*, actor: AbstractBaseUser, submission: Submission, comment: str = "",
                   now: datetime | None = None, expected_version: str | None = None) -> Submission:
    """Approve a submitted report; it is locked from then on."""
    return _review(actor=actor, submission=submission, action="approve", comment=comment, now=now,
                   expected_version=expected_version)


# ---- which report governs a figure (imports use it to refuse figures of submitted or approved reports) -----------


def governing_submission(*, element: DataElement, org_unit: OrgUnit, year: int) -> Submission | None:
    """The report through which a figure is reported: the element's agency's, or the commune's own."""
    cycle = ReportingCycle.objects.filter(plan_id=element.plan_id, year=year).first()
    if cycle is None:
        return None
    if element.reporter_agency_id is not None:
        return cycle.submissions.filter(agency_id=element.reporter_agency_id).select_related("cycle").first()
    if element.reporter_is_locality:
        return cycle.submissions.filter(kind=ReporterKind.COMMUNE, org_unit=org_unit) \
            .select_related("cycle").first()
    return None


# ---- the consolidated report, built in the background ----------------------------------------------------------


@transaction.atomic
def request_consolidated_build(*, actor: User, cycle: ReportingCycle) -> tuple[ConsolidatedBuild, bool]:
    """Ask for a new build of the year's consolidated report for the actor's scope. A build already waiting or
    running for the same cycle and scope is returned instead of a second one (two leaders asking at once get
    one build); the second value says whether a new build was queued."""
    ensure_permitted(actor, BUILD_CONSOLIDATED_REPORT)
    scope_key = consolidated_scope_key(actor)
    if not scope_key:
        raise PermissionDenied(gettext("Bạn không theo dõi đơn vị nào để tổng hợp."))
    ReportingCycle.objects.select_for_update().filter(pk=cycle.pk).first()  # one request of a cycle at a time
    pending = (ConsolidatedBuild.objects.filter(cycle=cycle, scope_key=scope_key,
                                                status__in=[ConsolidatedBuild.Status.QUEUED,
                                                            ConsolidatedBuild.Status.RUNNING])
               .order_by("-created_at").first())
    if pending is not None:
        return pending, False
    build = ConsolidatedBuild.objects.create(cycle=cycle, requested_by=actor, scope_key=scope_key)
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=build, action="request_consolidated_build",
                 org_unit_path=scope_key.split("|")[0], after={"year": cycle.year, "scope": scope_key})
    return build, True


def enqueue_consolidated_build(build: ConsolidatedBuild) -> ConsolidatedBuild:
    """Hand a queued build to the background worker (after the request's transaction commits)."""
    from treem.reporting.tasks import run_consolidated_build

    result = run_consolidated_build.enqueue(build.pk)
    ConsolidatedBuild.objects.filter(pk=build.pk).update(task_id=str(result.id))
    build.refresh_from_db()
    return build


def execute_consolidated_build(build_id: int) -> ConsolidatedBuild:
    """Build the Word report and the Excel annex of a queued build and store them. A failure is recorded on the
    build with its reason (nothing half-stored: the files are saved only once both are built)."""
    with transaction.atomic():
        build = ConsolidatedBuild.objects.select_for_update().select_related("cycle", "requested_by").get(
            pk=build_id)
        if build.status != ConsolidatedBuild.Status.QUEUED:
            return build
        build.status = ConsolidatedBuild.Status.RUNNING
        build.figures_as_of = timezone.now()
        build.save(update_fields=["status", "figures_as_of", "updated_at"])
    try:
        with translation.override("vi"):  # the report to the People's Committee is a Vietnamese document
            report = consolidated_report(user=build.requested_by, cycle=build.cycle, today=timezone.localdate())
            documents = (build_docx(report), build_xlsx(report))
    except Exception as error:
        return _end_build(build, status=ConsolidatedBuild.Status.FAILED,
                          error=gettext("Không lập được báo cáo. Chi tiết kỹ thuật: %(error)s")
                          % {"error": f"{type(error).__name__}: {error}"})
    year = build.cycle.year
    try:
        build.docx.save(f"bao-cao-tong-hop-{year}.docx", ContentFile(documents[0]), save=False)
        build.xlsx.save(f"phu-luc-bao-cao-tong-hop-{year}.xlsx", ContentFile(documents[1]), save=False)
    except OSError as error:
        message = (str(DISK_FULL_MESSAGE) if is_disk_full(error)
                   else gettext("Không lưu được tệp báo cáo: %(error)s") % {"error": error})
        return _end_build(build, status=ConsolidatedBuild.Status.FAILED, error=message)
    return _end_build(build, status=ConsolidatedBuild.Status.DONE, error="")


def _end_build(build: ConsolidatedBuild, *, status: str, error: str) -> ConsolidatedBuild:
    with transaction.atomic():
        build.status = status
        build.error = error
        build.finished_at = timezone.now()
        build.save(update_fields=["status", "error", "finished_at", "docx", "xlsx", "updated_at"])
        record_event(actor=None, verb=AuditEvent.Verb.TRANSITION, obj=build, action="execute_consolidated_build",
                     org_unit_path=build.scope_key.split("|")[0], after={"status": status}, reason=error)
    return build


def record_failed_build_job(build: ConsolidatedBuild | None, *, reason: str) -> None:
    """Mark a build whose job ended without it (the worker died) failed, with the job's reason."""
    if build is None or not build.is_pending:
        return
    _end_build(build, status=ConsolidatedBuild.Status.FAILED, error=reason)
