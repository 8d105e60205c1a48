"""The consolidated report of a year, read back from the files it writes: the Word report (reporting status, the
indicator table, results of the approved reports by task group, late and missing reporters, difficulties and
proposals) and its Excel annex (indicators with numerators and denominators, every reporter's status, the task
results, the figures entered)."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from treem.accounts.models import User
from treem.accounts.tests.factories import unit
from treem.indicators.models import DataValue
from treem.plans.models import DataElement, Indicator, Plan
from treem.reporting.consolidated import ConsolidatedReport, build_docx, build_xlsx, consolidated_report
from treem.reporting.models import ReportingCycle, Submission, TaskProgress
from treem.reporting.services import (
    approve_report,
    ensure_task_progress,
    enter_report_value,
    save_narrative,
    save_task_progress,
    submit_report,
)
from treem.reporting.tests.factories import (
    OTHER_COMMUNE,
    OWN_COMMUNE,
    commune_officer,
    commune_report,
    coordinator,
    cycle,
)
from treem.reporting.tests.test_services import AFTER_DEADLINE, BEFORE_DEADLINE

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 10)
HEADER_ROW = 3  # title, subtitle, then the header (core.office.add_table_sheet)


def write_and_submit(submission: Submission, officer: User, *, status: str, difficulties: str, proposals: str,
                     now: datetime) -> None:
    for code, value in (("DE_COMMUNE_CHILD_FRIENDLY", "1"), ("DE_COMMUNE_PLAY_SPACE", "0")):
        enter_report_value(actor=officer, submission=submission, element=DataElement.objects.get(code=code),
                           org_unit=submission.org_unit, raw_value=value, now=now)
    for progress in ensure_task_progress(submission):
        save_task_progress(actor=officer, progress=progress, status=status, results="Đã tổ chức 3 buổi truyền thông.",
                           difficulties=difficulties, proposals=proposals, now=now)
    save_narrative(actor=officer, submission=submission, narrative="Xã đã triển khai kế hoạch.", now=now)
    submit_report(actor=officer, submission=submission, now=now)


@pytest.fixture
def year_2026() -> tuple[ReportingCycle, User]:
    """The commune of OWN_COMMUNE reports on time and is approved; OTHER_COMMUNE reports late and waits for
    review; nobody else reports. Schools: 4 of which 3 give psychological support, and 6 of which 2."""
    reporting_cycle = cycle(2026)
    reviewer = coordinator()
    own = commune_report(reporting_cycle, OWN_COMMUNE)
    write_and_submit(own, commune_officer(OWN_COMMUNE), status=TaskProgress.Status.DONE,
                     difficulties="Thiếu kinh phí.", proposals="Bổ sung kinh phí.", now=BEFORE_DEADLINE)
    approve_report(actor=reviewer, submission=own)
    write_and_submit(commune_report(reporting_cycle, OTHER_COMMUNE), commune_officer(OTHER_COMMUNE),
                     status=TaskProgress.Status.IN_PROGRESS, difficulties="Đường xa.", proposals="Thêm cán bộ.",
                     now=AFTER_DEADLINE)
    total, supported = (DataElement.objects.get(code=code) for code in ("DE_SCHOOL_TOTAL", "DE_SCHOOL_PSYCH_SUPPORT"))
    for code, schools, with_support in ((OWN_COMMUNE, 4, 3), (OTHER_COMMUNE, 6, 2)):
        DataValue.objects.create(data_element=total, org_unit=unit(code), year=2026, value=schools)
        DataValue.objects.create(data_element=supported, org_unit=unit(code), year=2026, value=with_support)
    return reporting_cycle, reviewer


def report_of(year_2026: tuple[ReportingCycle, User]) -> ConsolidatedReport:
    reporting_cycle, reviewer = year_2026
    return consolidated_report(user=reviewer, cycle=reporting_cycle, today=TODAY)


def paragraphs(content: bytes) -> list[str]:
    return [paragraph.text for paragraph in Document(BytesIO(content)).paragraphs]


def sheet_rows(content: bytes, sheet: str) -> list[dict[str, Any]]:
    """The rows of a sheet of the annex as dicts keyed by the header."""
    rows = list(load_workbook(BytesIO(content))[sheet].iter_rows(min_row=HEADER_ROW, values_only=True))
    headers = [str(value) for value in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def test_the_word_report_states_who_reported_and_on_time(year_2026: tuple[ReportingCycle, User]) -> None:
    reporting_cycle, _ = year_2026
    expected = reporting_cycle.submissions.count()
    text = paragraphs(build_docx(report_of(year_2026)))
    completeness = f"{200 / expected:.1f}".replace(".", ",")
    timeliness = f"{100 / expected:.1f}".replace(".", ",")
    assert (f"Số đơn vị phải báo cáo: {expected}; đã nộp: 2 (đầy đủ {completeness}%); nộp đúng hạn "
            f"(23:59 ngày 01/12/2026): 1 (đúng hạn {timeliness}%).") in text
    late = next(line for line in text if line.startswith("Đơn vị nộp muộn"))
    assert late == f"Đơn vị nộp muộn (1): {unit(OTHER_COMMUNE).name}."
    missing = next(line for line in text if line.startswith("Đơn vị chưa nộp"))
    assert missing.startswith(f"Đơn vị chưa nộp ({expected - 2}): ")
    assert unit(OWN_COMMUNE).name not in missing and unit(OTHER_COMMUNE).name not in missing


def test_the_word_report_draws_results_difficulties_and_proposals_from_approved_reports_only(
        year_2026: tuple[ReportingCycle, User]) -> None:
    text = paragraphs(build_docx(report_of(year_2026)))
    assert f"- {unit(OWN_COMMUNE).name}: Thiếu kinh phí." in text
    assert f"- {unit(OWN_COMMUNE).name}: Bổ sung kinh phí." in text
    assert not any("Đường xa." in line or "Thêm cán bộ." in line for line in text)  # not approved yet
    locality_lines = [line for line in text if line.startswith("- UBND cấp xã, cấp huyện – ")]
    assert locality_lines and all(line.endswith(": 1 đơn vị đã hoàn thành") for line in locality_lines)


def test_the_word_report_has_one_indicator_row_per_active_indicator(year_2026: tuple[ReportingCycle, User]) -> None:
    document = Document(BytesIO(build_docx(report_of(year_2026))))
    table = next(table for table in document.tables if table.rows[0].cells[1].text == "Chỉ tiêu")
    codes = [row.cells[1].text.split(".")[0] for row in table.rows[1:]]
    plan = Plan.objects.get()
    assert codes == list(Indicator.objects.filter(plan=plan, is_active=True).order_by("order")
                         .values_list("code", flat=True))
    values = {row.cells[1].text.split(".")[0]: row.cells[2].text for row in table.rows[1:]}
    assert values["I04"] == "50,0%"  # (3 + 2) schools with support of (4 + 6)


def test_the_annex_gives_each_indicator_its_numerator_and_denominator(year_2026: tuple[ReportingCycle, User]) -> None:
    rows = {row["Mã"]: row for row in sheet_rows(build_xlsx(report_of(year_2026)), "Chỉ tiêu")}
    assert (rows["I04"]["Giá trị"], rows["I04"]["Tử số"], rows["I04"]["Mẫu số"]) == (50.0, 5, 10)
    assert len(rows) == Indicator.objects.filter(is_active=True).count()


def test_the_annex_lists_every_expected_reporter_with_its_status(year_2026: tuple[ReportingCycle, User]) -> None:
    reporting_cycle, _ = year_2026
    rows = {row["Đơn vị báo cáo"]: row for row in sheet_rows(build_xlsx(report_of(year_2026)), "Tình hình báo cáo")}
    assert len(rows) == reporting_cycle.submissions.count()
    own, other = rows[unit(OWN_COMMUNE).name], rows[unit(OTHER_COMMUNE).name]
    assert (own["Trạng thái"], own["Đúng hạn/muộn"]) == ("Đã duyệt", "Đúng hạn")
    assert (other["Trạng thái"], other["Đúng hạn/muộn"]) == ("Đã nộp", "Muộn")
    assert other["Nộp lần đầu"] == "02/12/2026 00:01"
    assert {row["Trạng thái"] for name, row in rows.items() if name not in (own["Đơn vị báo cáo"],
                                                                            other["Đơn vị báo cáo"])} == {
        "Chưa bắt đầu"}


def test_the_annex_holds_the_task_results_and_every_figure_entered(year_2026: tuple[ReportingCycle, User]) -> None:
    content = build_xlsx(report_of(year_2026))
    tasks = sheet_rows(content, "Nhiệm vụ")
    assert tasks and {row["Đơn vị"] for row in tasks} == {"UBND cấp xã, cấp huyện"}
    assert {row["Kết quả"] for row in tasks} == {"1 đơn vị đã hoàn thành"}
    figures = {(row["Mã phần tử"], row["Mã đơn vị"]): row["Giá trị"] for row in sheet_rows(content, "Số liệu")}
    stored = {(code, unit_code): float(value) for code, unit_code, value in DataValue.objects.with_value().filter(
        year=2026).values_list("data_element__code", "org_unit__code", "value")}
    assert figures == stored
    assert figures[("DE_SCHOOL_PSYCH_SUPPORT", OWN_COMMUNE)] == 3
    assert figures[("DE_COMMUNE_CHILD_FRIENDLY", OTHER_COMMUNE)] == 1
