"""Pages of the reporting cycle: my reports, one report (htmx partial saves), review, versions, the status board,
the consolidated report and evidence downloads."""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from treem.core.access import has_capability, require
from treem.core.audit import record_read
from treem.core.models import AuditEvent
from treem.core.worker import worker_is_running
from treem.plans.selectors import plans_for
from treem.reporting.exports import status_board_workbook
from treem.reporting.models import ConsolidatedBuild, ReportingCycle, Submission, TaskProgress
from treem.reporting.permissions import (
    BUILD_CONSOLIDATED_REPORT,
    REVIEW_SUBMISSIONS,
    VIEW_STATUS_BOARD,
    VIEW_SUBMISSIONS,
    WRITE_SUBMISSION,
)
from treem.reporting.selectors import (
    changed_since,
    consolidated_build_for,
    consolidated_builds,
    cycle_of_year,
    cycles,
    evidence_for,
    report_cell,
    status_board,
    submission_for,
    submissions_for,
    value_grid,
)
from treem.reporting.services import (
    SubmissionBlocked,
    approve_report,
    attach_evidence,
    enqueue_consolidated_build,
    ensure_task_progress,
    enter_report_value,
    execute_consolidated_build,
    open_reporting_cycle,
    remove_evidence,
    request_consolidated_build,
    return_report,
    save_narrative,
    save_task_progress,
    submit_report,
)

TEMPLATE = "reporting/submission.html"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _can_write(request: HttpRequest, submission: Submission) -> bool:
    return has_capability(request.user, WRITE_SUBMISSION) and submissions_for(
        request.user, capability=WRITE_SUBMISSION).filter(pk=submission.pk).exists()


def _writable(request: HttpRequest, submission_id: int) -> Submission:
    return submission_for(request.user, submission_id=submission_id, capability=WRITE_SUBMISSION)


@require(VIEW_SUBMISSIONS)
def index(request: HttpRequest) -> HttpResponse:
    """The cycles, and the reports the user may see in the latest one."""
    all_cycles = list(cycles())
    year = request.GET.get("nam")
    current = next((item for item in all_cycles if str(item.year) == year), all_cycles[0] if all_cycles else None)
    reports = submissions_for(request.user, cycle=current).order_by("kind", "org_unit__name", "agency__code") \
        if current else submissions_for(request.user).none()
    return render(request, "reporting/index.html", {
        "cycles": all_cycles, "current": current, "reports": reports[:200],
        "can_review": has_capability(request.user, REVIEW_SUBMISSIONS),
        "can_board": has_capability(request.user, VIEW_STATUS_BOARD),
        "next_year": timezone.localdate().year,
    })


@require(REVIEW_SUBMISSIONS)
@require_POST
def open_cycle(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.POST.get("year", ""))
        plan = plans_for(request.user).first()
        if plan is None or not plan.start_year <= year <= plan.end_year + 1:
            raise ValueError(year)
    except ValueError:
        messages.error(request, _("Năm không hợp lệ hoặc chưa nạp kế hoạch."))
        return redirect("reporting:index")
    open_reporting_cycle(actor=request.user, plan=plan, year=year)  # type: ignore[arg-type]
    messages.success(request, _("Đã mở kỳ báo cáo năm %(year)s.") % {"year": year})
    return redirect("reporting:board", year=year)


# ---- one report -------------------------------------------------------------------------------------------------


def _submission_context(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    can_write = _can_write(request, submission) and submission.is_editable
    progress = ensure_task_progress(submission)
    return {
        "submission": submission, "cycle": submission.cycle, "can_write": can_write,
        "can_review": has_capability(request.user, REVIEW_SUBMISSIONS) and submission.status ==
        Submission.Status.SUBMITTED,
        "grid": value_grid(submission), "progress": progress, "task_statuses": TaskProgress.Status.choices,
        "versions": submission.versions.order_by("-number"),
        "is_locked_cycle": submission.cycle.is_locked_at(timezone.now()),
    }


@require(VIEW_SUBMISSIONS)
def submission_page(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = submission_for(request.user, submission_id=submission_id)
    context = _submission_context(request, submission)
    context["blocking"] = request.session.pop("blocking", [])
    return render(request, TEMPLATE, context)


@require(WRITE_SUBMISSION)
@require_POST
def save_value(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _writable(request, submission_id)
    element, org_unit = report_cell(element_id=request.POST.get("element", ""),
                                    org_unit_id=request.POST.get("unit", ""))
    raw = request.POST.get("value", "")
    comment = request.POST.get("comment", "")
    cell: dict[str, Any] = {"element": element, "unit": org_unit, "value": raw, "comment": comment,
                            "findings": [], "problems": []}
    try:
        result = enter_report_value(actor=request.user, submission=submission, element=element,  # type: ignore[arg-type]
                                    org_unit=org_unit, raw_value=raw, comment=comment)
        cell["findings"], cell["problems"], cell["saved"] = result.findings, result.problems, result.saved
    except ValidationError as error:
        cell["problems"] = error.messages
    except PermissionDenied:
        cell["problems"] = ["Bạn không được nhập số liệu này."]
    if _is_htmx(request):
        return render(request, f"{TEMPLATE}#cell", {"cell": cell, "submission": submission, "can_write": True})
    for problem in cell["problems"]:
        messages.error(request, f"{element.name} – {org_unit.name}: {problem}")
    return redirect("reporting:submission", submission_id=submission.pk)


@require(WRITE_SUBMISSION)
@require_POST
def save_task(request: HttpRequest, submission_id: int, progress_id: int) -> HttpResponse:
    submission = _writable(request, submission_id)
    progress = submission.task_progress.select_related("assignment").filter(pk=progress_id).first()
    if progress is None:
        raise Http404
    error_text = ""
    try:
        save_task_progress(actor=request.user, progress=progress,  # type: ignore[arg-type]
                           status=request.POST.get("status", ""), results=request.POST.get("results", ""),
                           difficulties=request.POST.get("difficulties", ""),
                           proposals=request.POST.get("proposals", ""))
    except ValidationError as error:
        error_text = " ".join(error.messages)
    if _is_htmx(request):
        return render(request, f"{TEMPLATE}#task", {
            "item": progress, "submission": submission, "can_write": True, "saved": not error_text,
            "task_error": error_text, "task_statuses": TaskProgress.Status.choices})
    if error_text:
        messages.error(request, error_text)
    return redirect("reporting:submission", submission_id=submission.pk)


@require(WRITE_SUBMISSION)
@require_POST
def save_narrative_view(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _writable(request, submission_id)
    error_text = ""
    try:
        submission = save_narrative(actor=request.user, submission=submission,  # type: ignore[arg-type]
                                    narrative=request.POST.get("narrative", ""))
    except ValidationError as error:
        error_text = " ".join(error.messages)
    if _is_htmx(request):
        return render(request, f"{TEMPLATE}#narrative", {"submission": submission, "can_write": True,
                                                        "saved": not error_text, "narrative_error": error_text})
    if error_text:
        messages.error(request, error_text)
    return redirect("reporting:submission", submission_id=submission.pk)


@require(WRITE_SUBMISSION)
@require_POST
def upload_evidence(request: HttpRequest, submission_id: int, progress_id: int) -> HttpResponse:
    submission = _writable(request, submission_id)
    progress = submission.task_progress.filter(pk=progress_id).first()
    upload = request.FILES.get("file")
    if progress is None:
        raise Http404
    if upload is None:
        messages.error(request, _("Chưa chọn tệp."))
    else:
        try:
            attach_evidence(actor=request.user, progress=progress, upload=upload)  # type: ignore[arg-type]
            messages.success(request, _("Đã tải lên %(file)s.") % {"file": upload.name})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(reverse("reporting:submission", args=[submission.pk]) + f"#nhiem-vu-{progress.pk}")


@require(WRITE_SUBMISSION)
@require_POST
def remove_evidence_view(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = evidence_for(request.user, evidence_id=evidence_id)
    submission = _writable(request, evidence.progress.submission_id)
    try:
        remove_evidence(actor=request.user, evidence=evidence)  # type: ignore[arg-type]
        messages.success(request, _("Đã xoá %(file)s.") % {"file": evidence.original_name})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reporting:submission", submission_id=submission.pk)


@require(VIEW_SUBMISSIONS)
def download_evidence(request: HttpRequest, evidence_id: int) -> FileResponse:
    """An evidence file, always as a download that the browser may not sniff or run."""
    evidence = evidence_for(request.user, evidence_id=evidence_id)
    record_read(actor=request.user, obj=evidence, org_unit_path=evidence.progress.submission.org_unit.path,
                verb=AuditEvent.Verb.EXPORT)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require(WRITE_SUBMISSION)
@require_POST
def submit_view(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _writable(request, submission_id)
    try:
        submit_report(actor=request.user, submission=submission)  # type: ignore[arg-type]
        messages.success(request, _("Đã nộp báo cáo."))
    except SubmissionBlocked as blocked:
        messages.error(request, _("Chưa nộp được: còn %(n)s vấn đề (xem bên cạnh từng ô).") % {
            "n": len(blocked.findings) + len(blocked.problems)})
        for problem in blocked.problems:
            messages.error(request, problem)
        request.session["blocking"] = [finding.message for finding in blocked.findings][:50]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reporting:submission", submission_id=submission.pk)


@require(REVIEW_SUBMISSIONS)
@require_POST
def review_view(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = submission_for(request.user, submission_id=submission_id, capability=REVIEW_SUBMISSIONS)
    comment = request.POST.get("comment", "")
    try:
        if request.POST.get("decision") == "approve":
            approve_report(actor=request.user, submission=submission, comment=comment)  # type: ignore[arg-type]
            messages.success(request, _("Đã duyệt báo cáo; báo cáo đã khóa."))
        else:
            return_report(actor=request.user, submission=submission, comment=comment)  # type: ignore[arg-type]
            messages.success(request, _("Đã trả lại báo cáo kèm ý kiến."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reporting:submission", submission_id=submission.pk)


# ---- versions ---------------------------------------------------------------------------------------------------


def word_diff(before: str, after: str) -> SafeString:
    """Word-level differences: removed words in <del>, added in <ins>."""
    old, new = before.split(), after.split()
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(escape(" ".join(old[i1:i2])))
        if tag in ("delete", "replace"):
            parts.append(f"<del>{escape(' '.join(old[i1:i2]))}</del>")
        if tag in ("insert", "replace"):
            parts.append(f"<ins>{escape(' '.join(new[j1:j2]))}</ins>")
    return mark_safe(" ".join(parts))  # every piece is escaped above


def compare_contents(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The differences between two versions' contents, field by field."""
    changes: list[dict[str, Any]] = []
    if before.get("narrative", "") != after.get("narrative", ""):
        changes.append({"label": "Đánh giá chung", "diff": word_diff(before.get("narrative", ""),
                                                                      after.get("narrative", ""))})
    old_tasks = {task["code"]: task for task in before.get("tasks", [])}
    for task in after.get("tasks", []):
        old = old_tasks.get(task["code"], {})
        for name, label in (("status_label", "tình hình"), ("results", "kết quả"), ("difficulties", "khó khăn"),
                            ("proposals", "đề xuất")):
            if old.get(name, "") != task.get(name, ""):
                changes.append({"label": f"{task['code']} – {label}",
                                "diff": word_diff(str(old.get(name, "")), str(task.get(name, "")))})
        if old.get("evidence", []) != task.get("evidence", []):
            changes.append({"label": f"{task['code']} – minh chứng",
                            "diff": word_diff(", ".join(old.get("evidence", [])), ", ".join(task.get("evidence", [])))})

    def cells(content: dict[str, Any]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
        return {(row["element"], row["org_unit"], row["sex"], row["ethnic_group"]): row
                for row in content.get("values", [])}

    old_cells, new_cells = cells(before), cells(after)
    for key in sorted(set(old_cells) | set(new_cells)):
        old_row, new_row = old_cells.get(key, {}), new_cells.get(key, {})
        if (old_row.get("value"), old_row.get("comment")) != (new_row.get("value"), new_row.get("comment")):
            row = new_row or old_row
            changes.append({"label": f"{row['element_name']} – {row['org_unit_name']}",
                            "diff": word_diff(f"{old_row.get('value') or '(trống)'} {old_row.get('comment', '')}",
                                              f"{new_row.get('value') or '(trống)'} {new_row.get('comment', '')}")})
    return changes


@require(VIEW_SUBMISSIONS)
def versions_page(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = submission_for(request.user, submission_id=submission_id)
    versions = list(submission.versions.select_related("submitted_by", "reviewed_by").order_by("number"))
    by_number = {version.number: version for version in versions}
    comparison = None
    if len(versions) >= 2:
        try:
            first = int(request.GET.get("a", versions[-2].number))
            second = int(request.GET.get("b", versions[-1].number))
        except ValueError:
            first, second = versions[-2].number, versions[-1].number
        if first in by_number and second in by_number:
            comparison = {"a": by_number[first], "b": by_number[second],
                          "changes": compare_contents(by_number[first].content, by_number[second].content)}
    return render(request, "reporting/versions.html", {"submission": submission, "versions": versions,
                                                       "comparison": comparison})


# ---- the coordinator's board and the consolidated report --------------------------------------------------------


@require(VIEW_STATUS_BOARD)
def board(request: HttpRequest, year: int) -> HttpResponse:
    cycle = cycle_of_year(year=year)
    if cycle is None:
        raise Http404(_("Chưa mở kỳ báo cáo năm này."))
    data = status_board(request.user, cycle=cycle, capability=VIEW_STATUS_BOARD)
    kind = request.GET.get("loai", "")
    status = request.GET.get("trang-thai", "")
    rows = [row for row in data.rows if (not kind or row.submission.kind == kind) and (not status or
                                                                                        row.status == status)]
    return render(request, "reporting/board.html", {
        "board": data, "rows": rows, "cycle": cycle, "kind": kind, "status": status,
        "statuses": Submission.Status.choices,
        "can_build": has_capability(request.user, BUILD_CONSOLIDATED_REPORT),
        "can_review": has_capability(request.user, REVIEW_SUBMISSIONS),
    })


def _attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@require(VIEW_STATUS_BOARD)
def board_export(request: HttpRequest, year: int) -> HttpResponse:
    cycle = cycle_of_year(year=year)
    if cycle is None:
        raise Http404
    data = status_board(request.user, cycle=cycle, capability=VIEW_STATUS_BOARD)
    return _attachment(status_board_workbook(data), filename=f"tinh-hinh-bao-cao-{year}.xlsx",
                       content_type=XLSX_TYPE)


DOCUMENT_NAMES = {"docx": ("bao-cao-tong-hop-{year}.docx", DOCX_TYPE),
                  "xlsx": ("phu-luc-bao-cao-tong-hop-{year}.xlsx", XLSX_TYPE)}


def _cycle_or_404(year: int) -> ReportingCycle:
    cycle = cycle_of_year(year=year)
    if cycle is None:
        raise Http404(_("Chưa mở kỳ báo cáo năm này."))
    return cycle


@require(BUILD_CONSOLIDATED_REPORT)
def consolidated_page(request: HttpRequest, year: int) -> HttpResponse:
    """The consolidated report of a year: ask for a new build (made by the background worker, or at once when no
    worker runs), follow it, and download this build or an earlier one."""
    cycle = _cycle_or_404(year)
    if request.method == "POST":
        try:
            build, is_new = request_consolidated_build(actor=request.user, cycle=cycle)  # type: ignore[arg-type]
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return redirect("reporting:consolidated_page", year=year)
        if is_new and worker_is_running():
            transaction.on_commit(lambda: enqueue_consolidated_build(build))
            messages.info(request, _("Đã gửi yêu cầu lập báo cáo; trang này tự cập nhật khi lập xong."))
        elif is_new:
            build = execute_consolidated_build(build.pk)
        else:
            messages.info(request, _("Báo cáo đang được lập theo yêu cầu trước; trang này tự cập nhật khi xong."))
        return redirect("reporting:consolidated_page", year=year)
    builds = list(consolidated_builds(request.user, cycle=cycle)[:20])
    latest = next((build for build in builds if build.status == ConsolidatedBuild.Status.DONE), None)
    return render(request, "reporting/consolidated.html", {
        "cycle": cycle, "builds": builds, "latest": latest,
        "is_pending": any(build.is_pending for build in builds),
        "is_outdated": latest is not None and changed_since(latest),
    })


def _document(build: ConsolidatedBuild, file_format: str) -> FileResponse:
    name, content_type = DOCUMENT_NAMES[file_format]
    stored = build.docx if file_format == "docx" else build.xlsx
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=name.format(year=build.cycle.year),
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require(BUILD_CONSOLIDATED_REPORT)
def consolidated_document(request: HttpRequest, year: int, build_id: int, file_format: str) -> FileResponse:
    """One build's Word report or Excel annex, as it was built."""
    if file_format not in DOCUMENT_NAMES:
        raise Http404
    build = consolidated_build_for(request.user, cycle=_cycle_or_404(year), build_id=build_id)
    if build.status != ConsolidatedBuild.Status.DONE:
        raise Http404(_("Lần lập này chưa có tệp."))
    return _document(build, file_format)


@require(BUILD_CONSOLIDATED_REPORT)
def consolidated(request: HttpRequest, year: int, file_format: str) -> HttpResponseBase:
    """The latest built Word report or Excel annex of a year; without one, the page where it is built."""
    if file_format not in DOCUMENT_NAMES:
        raise Http404
    cycle = _cycle_or_404(year)
    latest = consolidated_builds(request.user, cycle=cycle).filter(status=ConsolidatedBuild.Status.DONE).first()
    if latest is None:
        messages.info(request, _("Chưa lập báo cáo tổng hợp năm này: bấm “Lập báo cáo” để lập."))
        return redirect("reporting:consolidated_page", year=year)
    return _document(latest, file_format)
