"""The reporting workflow: opening a cycle, writing, submitting, returning, approving; timeliness; validation."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from treem.accounts.tests.factories import unit
from treem.core.models import AuditEvent
from treem.indicators.models import DataValue
from treem.plans.models import DataElement, Plan
from treem.reporting.models import ReporterKind, Submission, SubmissionVersion
from treem.reporting.reporters import expected_reporters
from treem.reporting.selectors import status_board
from treem.reporting.services import (
    SubmissionBlocked,
    approve_report,
    attach_evidence,
    ensure_task_progress,
    enter_report_value,
    return_report,
    save_narrative,
    save_task_progress,
    submit_report,
)
from treem.reporting.tests.factories import (
    OWN_COMMUNE,
    agency_report,
    agency_reporter,
    commune_officer,
    commune_report,
    coordinator,
    cycle,
)

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BEFORE_DEADLINE = datetime(2026, 11, 20, 9, 0, tzinfo=HCM)
AFTER_DEADLINE = datetime(2026, 12, 2, 0, 1, tzinfo=HCM)


def fill_commune_report(submission: Submission, officer: object, *, now: datetime = BEFORE_DEADLINE) -> None:
    commune = submission.org_unit
    for code, value in (("DE_COMMUNE_CHILD_FRIENDLY", "1"), ("DE_COMMUNE_PLAY_SPACE", "0")):
        result = enter_report_value(actor=officer, submission=submission,  # type: ignore[arg-type]
                                    element=DataElement.objects.get(code=code), org_unit=commune, raw_value=value,
                                    now=now)
        assert result.saved, result.problems
    for progress in ensure_task_progress(submission):
        save_task_progress(actor=officer, progress=progress, status="in_progress", results="Đã tổ chức 3 buổi "  # type: ignore[arg-type]
                           "truyền thông.", difficulties="", proposals="", now=now)
    save_narrative(actor=officer, submission=submission, narrative="Xã đã triển khai kế hoạch.", now=now)  # type: ignore[arg-type]


def test_the_expected_reporters_follow_the_hierarchy_of_the_year() -> None:
    plan = Plan.objects.get()
    kinds_2024 = [reporter.kind for reporter in expected_reporters(plan=plan, year=2024)]
    kinds_2026 = [reporter.kind for reporter in expected_reporters(plan=plan, year=2026)]
    assert kinds_2024.count(ReporterKind.DISTRICT) == 8 and kinds_2024.count(ReporterKind.COMMUNE) == 106
    assert ReporterKind.DISTRICT not in kinds_2026 and kinds_2026.count(ReporterKind.COMMUNE) == 38
    agencies_2026 = {reporter.agency.code for reporter in expected_reporters(plan=plan, year=2026) if reporter.agency}
    assert "SYT" in agencies_2026 and "SLDTBXH" not in agencies_2026  # the labour department's duties moved
    assert "MTTQ" not in agencies_2026  # a request, not an assignment


def test_a_cycle_defaults_to_1_december_2359_local_time_and_opening_again_adds_nothing() -> None:
    first = cycle(2026)
    assert first.deadline_at == datetime(2026, 12, 1, 23, 59, tzinfo=HCM)
    count = first.submissions.count()
    assert cycle(2026).pk == first.pk and first.submissions.count() == count == 46


def test_submit_return_fix_resubmit_approve_locks_and_keeps_every_version() -> None:
    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    officer, reviewer = commune_officer(), coordinator()
    fill_commune_report(submission, officer)
    submit_report(actor=officer, submission=submission, now=BEFORE_DEADLINE)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED and submission.version_count == 1

    with pytest.raises(ValidationError):
        return_report(actor=reviewer, submission=submission, comment="  ")
    return_report(actor=reviewer, submission=submission, comment="Bổ sung kết quả nhiệm vụ 3.",
                  now=BEFORE_DEADLINE + timedelta(days=5))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    assert submission.review_comment == "Bổ sung kết quả nhiệm vụ 3."

    fix_time = AFTER_DEADLINE + timedelta(days=1)
    save_narrative(actor=officer, submission=submission, narrative="Xã đã triển khai kế hoạch; bổ sung nhiệm vụ 3.",
                   now=fix_time)
    submit_report(actor=officer, submission=submission, now=fix_time)
    approve_report(actor=reviewer, submission=submission, now=fix_time + timedelta(days=1))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED and submission.is_locked

    with pytest.raises(ValidationError):
        save_narrative(actor=officer, submission=submission, narrative="Sửa sau khi duyệt", now=fix_time)
    with pytest.raises(ValidationError):
        enter_report_value(actor=officer, submission=submission, org_unit=submission.org_unit, raw_value="0",
                           element=DataElement.objects.get(code="DE_COMMUNE_PLAY_SPACE"), now=fix_time)

    versions = list(submission.versions.order_by("number"))
    assert [version.number for version in versions] == [1, 2]
    assert versions[0].decision == SubmissionVersion.Decision.RETURNED
    assert versions[0].review_comment == "Bổ sung kết quả nhiệm vụ 3."
    assert versions[1].decision == SubmissionVersion.Decision.APPROVED
    assert versions[0].content["narrative"] != versions[1].content["narrative"]
    assert not versions[0].is_late and versions[1].is_late
    # Timeliness comes from the first submission: returned for corrections after it, the report stays on time.
    assert not submission.is_late
    verbs = list(AuditEvent.objects.for_object(submission).values_list("action", flat=True))
    assert {"submit_report", "return_report", "approve_report"} <= set(verbs)


def test_the_status_board_counts_on_time_and_late_from_the_submission_timestamps() -> None:
    reporting_cycle = cycle(2026)
    officer, reviewer = commune_officer(), coordinator()
    on_time = commune_report(reporting_cycle, OWN_COMMUNE)
    fill_commune_report(on_time, officer)
    submit_report(actor=officer, submission=on_time, now=datetime(2026, 12, 1, 23, 58, tzinfo=HCM))

    late_officer = commune_officer("03408")
    late = commune_report(reporting_cycle, "03408")
    fill_commune_report(late, late_officer, now=AFTER_DEADLINE)
    submit_report(actor=late_officer, submission=late, now=datetime(2026, 12, 2, 0, 0, tzinfo=HCM))

    board = status_board(reviewer, cycle=reporting_cycle)
    rows = {row.submission.pk: row for row in board.rows}
    assert rows[on_time.pk].timeliness == "on_time"
    assert rows[late.pk].timeliness == "late"
    assert board.overall.expected == 46 and board.overall.received == 2 and board.overall.on_time == 1
    communes = board.by_kind[ReporterKind.COMMUNE]
    assert (communes.expected, communes.received, communes.on_time) == (38, 2, 1)
    assert board.by_kind[ReporterKind.AGENCY].received == 0
    assert communes.completeness == Decimal(200) / 38 and communes.timeliness == Decimal(100) / 38


def test_errors_block_submission_and_warnings_need_a_comment() -> None:
    reporting_cycle = cycle(2026)
    submission = agency_report(reporting_cycle, "SGDDT")
    reporter = agency_reporter("SGDDT")
    commune = unit(OWN_COMMUNE)
    total = DataElement.objects.get(code="DE_SCHOOL_TOTAL")
    supported = DataElement.objects.get(code="DE_SCHOOL_PSYCH_SUPPORT")
    enter_report_value(actor=reporter, submission=submission, element=total, org_unit=commune, raw_value="4",
                       now=BEFORE_DEADLINE)
    result = enter_report_value(actor=reporter, submission=submission, element=supported, org_unit=commune,
                                raw_value="6", now=BEFORE_DEADLINE)
    assert result.saved  # a draft may hold it …
    assert [finding.rule_code for finding in result.findings] == ["VR_I04_NUM_LE_DEN"]
    assert "không được lớn hơn" in result.findings[0].message
    save_narrative(actor=reporter, submission=submission, narrative="Tổng hợp ngành giáo dục.", now=BEFORE_DEADLINE)
    with pytest.raises(SubmissionBlocked) as blocked:  # … but not be submitted
        submit_report(actor=reporter, submission=submission, now=BEFORE_DEADLINE)
    codes = {finding.rule_code for finding in blocked.value.findings}
    assert "VR_I04_NUM_LE_DEN" in codes and "VR_DE_EDU_FACILITY_TOTAL_REQUIRED" in codes


def test_a_change_of_more_than_half_from_last_year_is_a_warning_answered_by_a_comment() -> None:
    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    officer = commune_officer()
    element = DataElement.objects.get(code="DE_CHILD_PARTICIPATION_AWARE")
    DataValue.objects.create(data_element=element, org_unit=submission.org_unit, year=2025, value=100)
    result = enter_report_value(actor=officer, submission=submission, element=element, org_unit=submission.org_unit,
                                raw_value="400", now=BEFORE_DEADLINE)
    assert result.needs_comment and "so với năm trước" in result.findings[0].message
    fill_commune_report(submission, officer)
    with pytest.raises(SubmissionBlocked):
        submit_report(actor=officer, submission=submission, now=BEFORE_DEADLINE)
    enter_report_value(actor=officer, submission=submission, element=element, org_unit=submission.org_unit,
                       raw_value="400", comment="Năm nay triển khai mô hình ở tất cả các thôn.", now=BEFORE_DEADLINE)
    submit_report(actor=officer, submission=submission, now=BEFORE_DEADLINE)


def test_a_reporter_cannot_enter_another_agencys_figures() -> None:
    reporting_cycle = cycle(2026)
    submission = agency_report(reporting_cycle, "SGDDT")
    outsider = agency_reporter("SYT")
    with pytest.raises(PermissionDenied):
        enter_report_value(actor=outsider, submission=submission, element=DataElement.objects.get(
            code="DE_SCHOOL_TOTAL"), org_unit=unit(OWN_COMMUNE), raw_value="3", now=BEFORE_DEADLINE)


def test_entries_lock_after_the_lock_date() -> None:
    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    with pytest.raises(ValidationError, match="khóa"):
        save_narrative(actor=commune_officer(), submission=submission, narrative="Muộn",
                       now=reporting_cycle.locks_at + timedelta(minutes=1))


def test_each_kind_of_evidence_has_its_own_size_limit() -> None:
    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    officer = commune_officer()
    progress = ensure_task_progress(submission)[0]
    six_megabytes = 6 * 1024 * 1024
    photo = SimpleUploadedFile("anh.jpg", b"\xff\xd8\xff\xe0" + b"0" * six_megabytes, content_type="image/jpeg")
    with pytest.raises(ValidationError, match="Tệp ảnh JPEG quá lớn: tối đa 5 MB"):
        attach_evidence(actor=officer, progress=progress, upload=photo, now=BEFORE_DEADLINE)
    scan = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n" + b"0" * six_megabytes, content_type="application/pdf")
    assert attach_evidence(actor=officer, progress=progress, upload=scan, now=BEFORE_DEADLINE).size > six_megabytes
    huge = SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError, match="quá lớn: tối đa 10 MB"):
        attach_evidence(actor=officer, progress=progress, upload=huge, now=BEFORE_DEADLINE)


def test_evidence_is_checked_by_content_not_by_name() -> None:
    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    officer = commune_officer()
    progress = ensure_task_progress(submission)[0]
    pdf = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%treem\n1 0 obj<<>>endobj\n%%EOF\n",
                             content_type="application/pdf")
    evidence = attach_evidence(actor=officer, progress=progress, upload=pdf, now=BEFORE_DEADLINE)
    assert evidence.content_type == "application/pdf" and evidence.original_name == "bien-ban.pdf"
    assert "bien-ban" not in evidence.file.name and evidence.file.name.endswith(".pdf")
    disguised = SimpleUploadedFile("bao-cao.pdf", b"<html><script>alert(1)</script></html>",
                                   content_type="application/pdf")
    with pytest.raises(ValidationError, match="Loại tệp không được chấp nhận"):
        attach_evidence(actor=officer, progress=progress, upload=disguised, now=BEFORE_DEADLINE)
