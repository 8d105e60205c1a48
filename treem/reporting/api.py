"""API: the yearly reporting cycle — cycles, the reports a caller may see, their figures, and the workflow
(submit, return, approve) with optimistic concurrency.

The same selectors and services as the pages, so the same rules: a report outside the caller's assignments is
the same 404 as a missing one; every write is audited by its service. Each report carries a ``version`` (also its
``ETag``); a write sends it back as ``If-Match`` (412 when stale) or as the body's ``version`` (409 when stale), and
a stale write saves nothing.

This module does not use postponed annotations: the operations are wrapped by ``api_require``, and Ninja resolves
parameter annotations in the wrapper's module, so the schemas must be real objects, not strings.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from treem.core.access import api_require
from treem.core.api_choices import choices_text
from treem.core.api_concurrency import IF_MATCH, VersionConflictOut, conflict_responses, expected_version, set_etag
from treem.core.api_errors import ApiError, invalid
from treem.core.api_paging import limit_query, offset_query, page
from treem.reporting import selectors, services
from treem.reporting.models import ReporterKind, ReportingCycle, Submission, SubmissionVersion, TaskProgress
from treem.reporting.permissions import REVIEW_SUBMISSIONS, VIEW_SUBMISSIONS, WRITE_SUBMISSION

router = Router(tags=["Báo cáo định kỳ"])
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_LIMIT = 500
MAX_CELLS = 500


STATUS_TEXT = "trạng thái: " + choices_text(Submission.Status)
KIND_TEXT = "đối tượng báo cáo: " + choices_text(ReporterKind)
TASK_STATUS_TEXT = "tình hình thực hiện: " + choices_text(TaskProgress.Status)
DECISION_TEXT = "kết quả xem xét: " + choices_text(SubmissionVersion.Decision)


class CycleOut(Schema):
    year: int
    plan_code: str
    opens_on: date
    deadline_at: datetime = Field(description="hạn nộp; nộp lần đầu sau lúc này là nộp muộn")
    locks_at: datetime = Field(description="sau lúc này không nhập, không nộp được nữa")
    is_demo: bool

    @staticmethod
    def of(cycle: ReportingCycle) -> "CycleOut":
        return CycleOut(year=cycle.year, plan_code=cycle.plan.code, opens_on=cycle.opens_on,
                        deadline_at=cycle.deadline_at, locks_at=cycle.locks_at, is_demo=cycle.is_demo)


class CycleListOut(Schema):
    count: int
    items: list[CycleOut]


class SubmissionItemOut(Schema):
    id: int
    year: int
    kind: ReporterKind = Field(description=KIND_TEXT)
    agency_code: str | None
    org_unit_code: str
    reporter_name: str
    status: Submission.Status = Field(description=STATUS_TEXT)
    status_label: str
    deadline_at: datetime
    first_submitted_at: datetime | None
    is_late: bool

    @staticmethod
    def fields_of(submission: Submission) -> dict[str, Any]:
        return {
            "id": submission.pk, "year": submission.cycle.year, "kind": submission.kind,
            "agency_code": submission.agency.code if submission.agency else None,
            "org_unit_code": submission.org_unit.code, "reporter_name": submission.reporter_name,
            "status": submission.status, "status_label": str(submission.get_status_display()),
            "deadline_at": submission.cycle.deadline_at, "first_submitted_at": submission.first_submitted_at,
            "is_late": submission.is_late,
        }


class SubmissionListOut(Schema):
    count: int
    items: list[SubmissionItemOut]


class ReviewOut(Schema):
    number: int = Field(description="phiên bản số (mỗi lần nộp là một phiên bản)")
    submitted_at: datetime
    is_late: bool
    decision: SubmissionVersion.Decision = Field(description=DECISION_TEXT)
    decision_label: str
    review_comment: str
    reviewed_at: datetime | None


class SubmissionOut(SubmissionItemOut):
    version: str = Field(description="phiên bản hiện tại để kiểm tra xung đột (cũng là ETag); gửi lại khi ghi")
    locks_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_comment: str
    narrative: str
    is_editable: bool
    versions: list[ReviewOut] = Field(description="các lần nộp và kết quả xem xét, cũ nhất trước")

    @staticmethod
    def of(submission: Submission) -> "SubmissionOut":
        versions = [ReviewOut(number=row.number, submitted_at=row.submitted_at, is_late=row.is_late,
                              decision=SubmissionVersion.Decision(row.decision),
                              decision_label=str(row.get_decision_display()),
                              review_comment=row.review_comment, reviewed_at=row.reviewed_at)
                    for row in submission.versions.order_by("number")]
        return SubmissionOut(**SubmissionItemOut.fields_of(submission),
                             version=selectors.submission_version(submission),
                             locks_at=submission.cycle.locks_at, submitted_at=submission.submitted_at,
                             reviewed_at=submission.reviewed_at, review_comment=submission.review_comment,
                             narrative=submission.narrative, is_editable=submission.is_editable, versions=versions)


class FindingOut(Schema):
    rule: str
    severity: Literal["error", "warning"] = Field(
        description="`error`: lỗi (chặn nộp); `warning`: cảnh báo (cần giải trình)")
    message: str


class CellOut(Schema):
    element_code: str
    element_name: str
    unit: str = Field(description="đơn vị tính của phần tử dữ liệu")
    org_unit_code: str
    org_unit_name: str
    value: str = Field(description="số liệu viết kiểu Việt Nam (\"1234,5\"); rỗng khi chưa nhập")
    comment: str
    findings: list[FindingOut]


class ValuesOut(Schema):
    version: str
    cells: list[CellOut]


class CellIn(Schema):
    element_code: str = Field(max_length=64)
    org_unit_code: str = Field(max_length=32)
    value: str | None = Field(None, max_length=32, description="\"1234,5\", \"1.234\" (dấu chấm ngăn cách hàng "
                              "nghìn) hoặc \"1234.5\"; rỗng hoặc null để xoá số liệu")
    comment: str = Field("", max_length=1000, description="giải trình; cần khi số liệu có cảnh báo")


class ValuesIn(Schema):
    version: str | None = Field(None, max_length=64, description="phiên bản đã đọc; hoặc gửi header If-Match")
    cells: list[CellIn] = Field(min_length=1, max_length=MAX_CELLS)


class TransitionIn(Schema):
    version: str | None = Field(None, max_length=64, description="phiên bản đã đọc; hoặc gửi header If-Match")


class ReturnIn(TransitionIn):
    comment: str = Field(min_length=1, max_length=4000, description="ý kiến khi trả lại (bắt buộc)")


class ApproveIn(TransitionIn):
    comment: str = Field("", max_length=4000)


class NarrativeIn(Schema):
    version: str | None = Field(None, max_length=64, description="phiên bản đã đọc; hoặc gửi header If-Match")
    narrative: str = Field(max_length=20000, description="đánh giá chung (phần C); cần có trước khi nộp")


class TaskProgressOut(Schema):
    id: int
    assignment_code: str
    title: str
    status: TaskProgress.Status = Field(description=TASK_STATUS_TEXT)
    status_label: str
    results: str
    difficulties: str
    proposals: str
    evidence: list[str] = Field(description="tên các tệp minh chứng đang có")

    @staticmethod
    def of(progress: TaskProgress) -> "TaskProgressOut":
        return TaskProgressOut(
            id=progress.pk, assignment_code=progress.assignment.code, title=progress.assignment.title,
            status=TaskProgress.Status(progress.status), status_label=str(progress.get_status_display()),
            results=progress.results, difficulties=progress.difficulties, proposals=progress.proposals,
            evidence=[row.original_name for row in progress.evidence.filter(deleted_at__isnull=True)])


class TaskReportOut(TaskProgressOut):
    """One reporter's progress on one duty, with the report it belongs to."""

    submission_id: int
    year: int
    kind: ReporterKind = Field(description=KIND_TEXT)
    reporter_name: str
    org_unit_code: str
    agency_code: str | None
    submission_status: Submission.Status = Field(description=STATUS_TEXT)
    updated_at: datetime = Field(description="lần ghi tiến độ gần nhất")

    @staticmethod
    def of_report(progress: TaskProgress) -> "TaskReportOut":
        submission = progress.submission
        return TaskReportOut(
            **TaskProgressOut.of(progress).model_dump(), submission_id=submission.pk, year=submission.cycle.year,
            kind=ReporterKind(submission.kind), reporter_name=submission.reporter_name,
            org_unit_code=submission.org_unit.code,
            agency_code=submission.agency.code if submission.agency else None,
            submission_status=Submission.Status(submission.status), updated_at=progress.updated_at)


class TaskReportListOut(Schema):
    count: int
    items: list[TaskReportOut]


class TaskProgressIn(Schema):
    version: str | None = Field(None, max_length=64, description="phiên bản đã đọc; hoặc gửi header If-Match")
    status: TaskProgress.Status = Field(description=TASK_STATUS_TEXT)
    results: str = Field("", max_length=20000)
    difficulties: str = Field("", max_length=20000)
    proposals: str = Field("", max_length=20000)


CONFLICTS: dict[int, Any] = conflict_responses(VersionConflictOut)


def _stale(error: services.StaleSubmission, status: int) -> Status[VersionConflictOut]:
    return Status(status, VersionConflictOut(detail=str(error), current_version=error.current_version))


def _with_etag(response: HttpResponse, submission: Submission) -> None:
    set_etag(response, selectors.submission_version(submission))


@router.get("/reporting/cycles", response=CycleListOut, summary="Các kỳ báo cáo, năm gần nhất trước")
@api_require(VIEW_SUBMISSIONS)
def list_cycles(
    request: HttpRequest, response: HttpResponse,
    limit: int = limit_query(100, MAX_LIMIT, "kỳ"), offset: int = offset_query("kỳ"),
) -> CycleListOut:
    total, rows = page(response, selectors.cycles(), limit=limit, offset=offset)
    return CycleListOut(count=total, items=[CycleOut.of(cycle) for cycle in rows])


@router.get("/reporting/cycles/{year}", response=CycleOut, summary="Kỳ báo cáo của một năm")
@api_require(VIEW_SUBMISSIONS)
def get_cycle(request: HttpRequest, year: int) -> CycleOut:
    cycle = selectors.cycle_of_year(year=year)
    if cycle is None:
        raise ApiError(404, gettext("Chưa mở kỳ báo cáo năm này."))
    return CycleOut.of(cycle)


@router.get("/reporting/submissions", response=SubmissionListOut,
            summary="Các báo cáo trong phạm vi của bạn (lọc theo năm, trạng thái)")
@api_require(VIEW_SUBMISSIONS)
def list_submissions(
    request: HttpRequest, response: HttpResponse,
    year: int | None = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="năm báo cáo"),
    status: Submission.Status | None = Query(None, description=STATUS_TEXT),  # noqa: B008
    limit: int = limit_query(100, MAX_LIMIT, "báo cáo"), offset: int = offset_query("báo cáo"),
) -> SubmissionListOut:
    found = selectors.submissions_for(request.user)
    if year is not None:
        found = found.filter(cycle__year=year)
    if status is not None:
        found = found.filter(status=status)
    found = found.order_by("-cycle__year", "kind", "org_unit__path", "agency__code", "pk")
    total, rows = page(response, found, limit=limit, offset=offset)
    return SubmissionListOut(count=total, items=[
        SubmissionItemOut(**SubmissionItemOut.fields_of(submission)) for submission in rows])


@router.get("/reporting/submissions/{submission_id}", response=SubmissionOut,
            summary="Một báo cáo: trạng thái, hạn nộp, phiên bản (ETag) và các lần xem xét")
@api_require(VIEW_SUBMISSIONS)
def get_submission(request: HttpRequest, response: HttpResponse, submission_id: int) -> SubmissionOut:
    submission = selectors.submission_for(request.user, submission_id=submission_id)
    _with_etag(response, submission)
    return SubmissionOut.of(submission)


def _values_out(submission: Submission) -> ValuesOut:
    cells = [CellOut(element_code=cell["element"].code, element_name=cell["element"].name,
                     unit=cell["element"].unit, org_unit_code=cell["unit"].code, org_unit_name=cell["unit"].name,
                     value=cell["value"], comment=cell["comment"],
                     findings=[FindingOut(rule=finding.rule_code, severity=finding.severity,
                                          message=finding.message) for finding in cell["findings"]])
             for row in selectors.value_grid(submission) for cell in row["cells"]]
    return ValuesOut(version=selectors.submission_version(submission), cells=cells)


@router.get("/reporting/submissions/{submission_id}/values", response=ValuesOut,
            summary="Số liệu của báo cáo: mỗi ô (phần tử × đơn vị) với số liệu, giải trình và kết quả kiểm tra")
@api_require(VIEW_SUBMISSIONS)
def get_values(request: HttpRequest, response: HttpResponse, submission_id: int) -> ValuesOut:
    submission = selectors.submission_for(request.user, submission_id=submission_id)
    _with_etag(response, submission)
    return _values_out(submission)


@router.patch("/reporting/submissions/{submission_id}/values", response={200: ValuesOut, **CONFLICTS},
              summary="Nhập một loạt số liệu (tất cả hoặc không ô nào); 422 nêu từng ô không lưu được")
@api_require(WRITE_SUBMISSION)
def enter_values(request: HttpRequest, response: HttpResponse, submission_id: int, payload: ValuesIn,
                 if_match: str | None = IF_MATCH) -> Status[Any]:
    submission = selectors.submission_for(request.user, submission_id=submission_id, capability=WRITE_SUBMISSION)
    expected, stale_status = expected_version(if_match, payload.version)
    grid = {(cell["element"].code, cell["unit"].code): cell for row in selectors.value_grid(submission)
            for cell in row["cells"]}
    entries = []
    for index, cell_in in enumerate(payload.cells):
        cell = grid.get((cell_in.element_code, cell_in.org_unit_code))
        if cell is None:
            raise invalid(f"cells.{index}", gettext("Báo cáo này không có ô %(element)s – %(unit)s.") % {
                "element": cell_in.element_code, "unit": cell_in.org_unit_code})
        entries.append(services.CellEntry(element=cell["element"], org_unit=cell["unit"],
                                          raw_value=cell_in.value or "", comment=cell_in.comment))
    try:
        services.enter_report_values(actor=request.user, submission=submission, cells=entries,  # type: ignore[arg-type]
                                     expected_version=expected)
    except services.StaleSubmission as error:
        return _stale(error, stale_status)
    submission = selectors.submission_for(request.user, submission_id=submission.pk)
    _with_etag(response, submission)
    return Status(200, _values_out(submission))


def _blocked(error: services.SubmissionBlocked, submission: Submission) -> ApiError:
    """What blocks a submission, by cell (``cells.<element code>.<unit code>``); the rest under ``__all__``."""
    unit_codes = {cell["unit"].pk: cell["unit"].code for row in selectors.value_grid(submission)
                  for cell in row["cells"]}
    errors: dict[str, list[str]] = {}
    for finding in error.findings:
        element_code, unit_id = finding.cell[0], finding.cell[1]
        errors.setdefault(f"cells.{element_code}.{unit_codes.get(unit_id, unit_id)}", []).append(finding.message)
    if error.problems:
        errors["__all__"] = list(error.problems)
    return ApiError(422, gettext("Chưa nộp được: còn %(n)s vấn đề.") % {
        "n": len(error.findings) + len(error.problems)}, errors)


def _versioned_write(request: HttpRequest, response: HttpResponse, *, submission_id: int, capability: str,
                     version: str | None, if_match: str | None,
                     write: Callable[[Submission, str | None], Submission]) -> Status[Any]:
    """One write on a report the caller may reach, made against the version the caller read (If-Match or the
    body's ``version``): the report with its new ETag, or the stale answer when somebody changed it since."""
    submission = selectors.submission_for(request.user, submission_id=submission_id, capability=capability)
    expected, stale_status = expected_version(if_match, version)
    try:
        submission = write(submission, expected)
    except services.StaleSubmission as error:
        return _stale(error, stale_status)
    _with_etag(response, submission)
    return Status(200, SubmissionOut.of(submission))


@router.post("/reporting/submissions/{submission_id}/submit", response={200: SubmissionOut, **CONFLICTS},
             summary="Nộp báo cáo; 422 nêu từng ô còn lỗi hoặc cảnh báo chưa giải trình")
@api_require(WRITE_SUBMISSION)
def submit(request: HttpRequest, response: HttpResponse, submission_id: int, payload: TransitionIn,
           if_match: str | None = IF_MATCH) -> Status[Any]:
    def write(submission: Submission, expected: str | None) -> Submission:
        try:
            return services.submit_report(actor=request.user, submission=submission,  # type: ignore[arg-type]
                                          expected_version=expected)
        except services.SubmissionBlocked as error:
            raise _blocked(error, submission) from error

    return _versioned_write(request, response, submission_id=submission_id, capability=WRITE_SUBMISSION,
                            version=payload.version, if_match=if_match, write=write)


@router.post("/reporting/submissions/{submission_id}/return", response={200: SubmissionOut, **CONFLICTS},
             summary="Trả lại báo cáo đã nộp kèm ý kiến (điều phối tỉnh)")
@api_require(REVIEW_SUBMISSIONS)
def return_submission(request: HttpRequest, response: HttpResponse, submission_id: int, payload: ReturnIn,
                      if_match: str | None = IF_MATCH) -> Status[Any]:
    return _versioned_write(
        request, response, submission_id=submission_id, capability=REVIEW_SUBMISSIONS, version=payload.version,
        if_match=if_match, write=lambda submission, expected: services.return_report(
            actor=request.user, submission=submission, comment=payload.comment,  # type: ignore[arg-type]
            expected_version=expected))


@router.post("/reporting/submissions/{submission_id}/approve", response={200: SubmissionOut, **CONFLICTS},
             summary="Duyệt báo cáo đã nộp; báo cáo khóa từ đó (điều phối tỉnh)")
@api_require(REVIEW_SUBMISSIONS)
def approve_submission(request: HttpRequest, response: HttpResponse, submission_id: int, payload: ApproveIn,
                       if_match: str | None = IF_MATCH) -> Status[Any]:
    return _versioned_write(
        request, response, submission_id=submission_id, capability=REVIEW_SUBMISSIONS, version=payload.version,
        if_match=if_match, write=lambda submission, expected: services.approve_report(
            actor=request.user, submission=submission, comment=payload.comment,  # type: ignore[arg-type]
            expected_version=expected))


@router.patch("/reporting/submissions/{submission_id}", response={200: SubmissionOut, **CONFLICTS},
              summary="Ghi đánh giá chung (phần C) của báo cáo")
@api_require(WRITE_SUBMISSION)
def save_narrative(request: HttpRequest, response: HttpResponse, submission_id: int, payload: NarrativeIn,
                   if_match: str | None = IF_MATCH) -> Status[Any]:
    def write(submission: Submission, expected: str | None) -> Submission:
        saved = services.save_narrative(actor=request.user, submission=submission,  # type: ignore[arg-type]
                                        narrative=payload.narrative, expected_version=expected)
        return selectors.submission_for(request.user, submission_id=saved.pk)

    return _versioned_write(request, response, submission_id=submission_id, capability=WRITE_SUBMISSION,
                            version=payload.version, if_match=if_match, write=write)


@router.get("/reporting/submissions/{submission_id}/tasks", response=list[TaskProgressOut],
            summary="Tiến độ các nhiệm vụ được giao mà báo cáo phải nêu")
@api_require(VIEW_SUBMISSIONS)
def list_task_progress(request: HttpRequest, response: HttpResponse, submission_id: int,
                       limit: int = limit_query(100, MAX_LIMIT, "nhiệm vụ"),
                       offset: int = offset_query("nhiệm vụ")) -> list[TaskProgressOut]:
    submission = selectors.submission_for(request.user, submission_id=submission_id)
    _total, found = page(response, list(services.ensure_task_progress(submission)), limit=limit, offset=offset)
    rows = [TaskProgressOut.of(progress) for progress in found]
    _with_etag(response, submission)
    return rows


@router.patch("/reporting/submissions/{submission_id}/tasks/{progress_id}",
              response={200: TaskProgressOut, **CONFLICTS},
              summary="Ghi tiến độ một nhiệm vụ: tình hình, kết quả, khó khăn, đề xuất")
@api_require(WRITE_SUBMISSION)
def save_task_progress(request: HttpRequest, response: HttpResponse, submission_id: int, progress_id: int,
                       payload: TaskProgressIn, if_match: str | None = IF_MATCH) -> Status[Any]:
    submission = selectors.submission_for(request.user, submission_id=submission_id, capability=WRITE_SUBMISSION)
    progress = selectors.task_progress_of(submission, progress_id=progress_id)
    expected, stale_status = expected_version(if_match, payload.version)
    try:
        progress = services.save_task_progress(
            actor=request.user, progress=progress, status=payload.status,  # type: ignore[arg-type]
            results=payload.results, difficulties=payload.difficulties, proposals=payload.proposals,
            expected_version=expected)
    except services.StaleSubmission as error:
        return _stale(error, stale_status)
    _with_etag(response, selectors.submission_for(request.user, submission_id=submission.pk))
    return Status(200, TaskProgressOut.of(progress))


@router.get("/reporting/submissions/{submission_id}/tasks/{progress_id}", response=TaskProgressOut,
            summary="Tiến độ một nhiệm vụ của báo cáo (ETag là phiên bản của báo cáo)")
@api_require(VIEW_SUBMISSIONS)
def get_task_progress(request: HttpRequest, response: HttpResponse, submission_id: int,
                      progress_id: int) -> TaskProgressOut:
    submission = selectors.submission_for(request.user, submission_id=submission_id)
    progress = selectors.task_progress_of(submission, progress_id=progress_id)
    _with_etag(response, submission)
    return TaskProgressOut.of(progress)


@router.get("/reporting/task-progress", response=TaskReportListOut,
            summary="Tiến độ các nhiệm vụ được giao do các đơn vị trong phạm vi của bạn báo cáo (lọc theo năm, "
            "mã nhiệm vụ, tình hình)")
@api_require(VIEW_SUBMISSIONS)
def list_task_reports(
    request: HttpRequest, response: HttpResponse,
    year: int | None = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="năm báo cáo"),
    assignment: str = Query("", max_length=32, description="mã nhiệm vụ được giao (`code` của "
                            "GET /plans/{plan_id}/assignments); rỗng: mọi nhiệm vụ"),
    status: TaskProgress.Status | None = Query(None, description=TASK_STATUS_TEXT),  # noqa: B008
    limit: int = limit_query(100, MAX_LIMIT, "báo cáo tiến độ"), offset: int = offset_query("báo cáo tiến độ"),
) -> TaskReportListOut:
    found = selectors.task_progress_reports(request.user, year=year, assignment_code=assignment,
                                            status=status or "")
    total, rows = page(response, found, limit=limit, offset=offset)
    return TaskReportListOut(count=total, items=[TaskReportOut.of_report(progress) for progress in rows])
