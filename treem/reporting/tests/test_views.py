"""Pages, scoping, reminders, the consolidated report (checked against the API through LibreOffice), the demo."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from docx import Document
from openpyxl import load_workbook

from treem.accounts.tests.factories import unit
from treem.core.office import convert_to_pdf, format_number, office_binary
from treem.indicators.models import DataValue
from treem.notices.models import Notice
from treem.plans.models import DataElement, Plan
from treem.reporting.models import Submission
from treem.reporting.services import attach_evidence, ensure_task_progress, submit_report
from treem.reporting.tests.factories import (
    OTHER_COMMUNE,
    OWN_COMMUNE,
    agency_report,
    agency_reporter,
    commune_officer,
    commune_report,
    coordinator,
    cycle,
)
from treem.reporting.tests.test_services import HCM, fill_commune_report

pytestmark = pytest.mark.django_db


def test_an_agency_reporter_sees_only_their_agencys_report(client: Client) -> None:
    reporting_cycle = cycle(2026)
    client.force_login(agency_reporter("SGDDT"))
    own = agency_report(reporting_cycle, "SGDDT")
    assert client.get(f"/bao-cao/bao-cao/{own.pk}/").status_code == 200
    assert client.get(f"/bao-cao/bao-cao/{agency_report(reporting_cycle, 'SYT').pk}/").status_code == 404
    assert client.get(f"/bao-cao/bao-cao/{commune_report(reporting_cycle, OWN_COMMUNE).pk}/").status_code == 404
    listing = client.get("/bao-cao/").content.decode()
    assert "Sở Giáo dục" in listing and "Bình Lư" not in listing


def test_a_commune_officer_sees_only_their_communes_report(client: Client) -> None:
    reporting_cycle = cycle(2026)
    client.force_login(commune_officer())
    assert client.get(f"/bao-cao/bao-cao/{commune_report(reporting_cycle, OWN_COMMUNE).pk}/").status_code == 200
    assert client.get(f"/bao-cao/bao-cao/{commune_report(reporting_cycle, OTHER_COMMUNE).pk}/").status_code == 404
    assert client.get(f"/bao-cao/bao-cao/{agency_report(reporting_cycle, 'SGDDT').pk}/").status_code == 404
    assert client.get("/bao-cao/nam/2026/").status_code == 403


def test_a_cell_saved_by_htmx_comes_back_with_its_message_next_to_it(client: Client) -> None:
    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    client.force_login(commune_officer())
    element = DataElement.objects.get(code="DE_COMMUNE_PLAY_SPACE")
    response = client.post(f"/bao-cao/bao-cao/{submission.pk}/so-lieu/",
                           {"element": element.pk, "unit": submission.org_unit.pk, "value": "3"},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "chỉ nhận 0 (chưa đạt) hoặc 1 (đạt)" in html and 'class="field-error"' in html
    response = client.post(f"/bao-cao/bao-cao/{submission.pk}/so-lieu/",
                           {"element": element.pk, "unit": submission.org_unit.pk, "value": "abc"},
                           HTTP_HX_REQUEST="true")
    assert "không phải là số" in response.content.decode()


def test_the_whole_cycle_through_the_pages(client: Client) -> None:
    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    officer, reviewer = commune_officer(), coordinator()
    client.force_login(officer)
    base = f"/bao-cao/bao-cao/{submission.pk}"
    for code, value in (("DE_COMMUNE_CHILD_FRIENDLY", "1"), ("DE_COMMUNE_PLAY_SPACE", "1")):
        client.post(f"{base}/so-lieu/", {"element": DataElement.objects.get(code=code).pk,
                                         "unit": submission.org_unit.pk, "value": value})
    progress = ensure_task_progress(submission)[0]
    client.post(f"{base}/nhiem-vu/{progress.pk}/", {"status": "done", "results": "Hoàn thành kế hoạch xã.",
                                                      "difficulties": "Thiếu kinh phí.", "proposals": ""})
    client.post(f"{base}/danh-gia/", {"narrative": "Xã đã triển khai đầy đủ."})
    client.post(f"{base}/nop/")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    client.force_login(reviewer)
    client.post(f"{base}/xem-xet/", {"decision": "return", "comment": "Nêu rõ số buổi truyền thông."})
    client.force_login(officer)
    assert "Nêu rõ số buổi truyền thông." in client.get(f"{base}/").content.decode()
    client.post(f"{base}/danh-gia/", {"narrative": "Xã đã triển khai đầy đủ, 4 buổi truyền thông."})
    client.post(f"{base}/nop/")
    client.force_login(reviewer)
    client.post(f"{base}/xem-xet/", {"decision": "approve", "comment": ""})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    versions = client.get(f"{base}/phien-ban/?a=1&b=2").content.decode()
    assert "<ins>4 buổi truyền thông.</ins>" in versions or "<ins>" in versions
    assert "Nêu rõ số buổi truyền thông." in versions
    board = client.get("/bao-cao/nam/2026/")
    assert board.status_code == 200 and "Đúng hạn" in board.content.decode()
    export = client.get("/bao-cao/nam/2026/tinh-hinh.xlsx")
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")


def test_evidence_is_served_only_as_a_scoped_download(client: Client) -> None:
    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    officer = commune_officer()
    progress = ensure_task_progress(submission)[0]
    evidence = attach_evidence(actor=officer, progress=progress, upload=SimpleUploadedFile(
        "anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"))
    client.force_login(officer)
    response = client.get(f"/bao-cao/minh-chung/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(commune_officer(OTHER_COMMUNE))
    assert client.get(f"/bao-cao/minh-chung/{evidence.pk}/").status_code == 404


def test_reminders_go_14_7_3_1_days_before_and_when_overdue_once_a_day() -> None:
    reporting_cycle = cycle(2026)
    commune_officer()
    officer_with_mail = commune_officer(OTHER_COMMUNE)
    officer_with_mail.email = "canbo@example.vn"
    officer_with_mail.save()
    out = StringIO()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("send_reminders", date="2026-11-17", stdout=out)
        first = Notice.objects.count()
        assert first == 2 and len(mail.outbox) == 1 and "14 ngày" in mail.outbox[0].subject
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("send_reminders", date="2026-11-17", stdout=out)
        assert Notice.objects.count() == first and len(mail.outbox) == 1
        call_command("send_reminders", date="2026-11-18", stdout=out)
        assert Notice.objects.count() == first
        call_command("send_reminders", date="2026-12-02", stdout=out)
        assert Notice.objects.filter(kind=Notice.Kind.REPORT_OVERDUE).count() == 2
    assert reporting_cycle.submissions.count() == 46


def test_the_consolidated_report_matches_the_api_and_converts_to_pdf(client: Client, tmp_path: Path) -> None:
    reporting_cycle = cycle(2026)
    element_total = DataElement.objects.get(code="DE_SCHOOL_TOTAL")
    element_support = DataElement.objects.get(code="DE_SCHOOL_PSYCH_SUPPORT")
    for code, total, supported in ((OWN_COMMUNE, 4, 3), (OTHER_COMMUNE, 6, 2)):
        DataValue.objects.create(data_element=element_total, org_unit=unit(code), year=2026, value=total)
        DataValue.objects.create(data_element=element_support, org_unit=unit(code), year=2026, value=supported)
    reviewer = coordinator()
    output = tmp_path / "bao-cao.docx"
    call_command("build_report", year=2026, format="docx", output=str(output), user=reviewer.username,
                 stdout=StringIO())
    document = Document(str(output))
    table = next(table for table in document.tables if table.rows[0].cells[1].text == "Chỉ tiêu")
    in_report = {row.cells[1].text.split(".")[0]: row.cells[2].text for row in table.rows[1:]}

    client.force_login(reviewer)
    province = "12"
    for indicator in Plan.objects.get().indicators.filter(is_active=True):
        api = client.get("/api/v1/indicator-values", {"indicator": indicator.code, "period": 2026,
                                                      "org_unit": province}).json()[0]
        expected = "Chưa có số liệu" if api["value"] is None else format_number(api["value"], decimals=1) + "%"
        assert in_report[indicator.code] == expected, indicator.code
    assert in_report["I04"] == "50,0%"

    if office_binary() is None:
        pytest.fail("LibreOffice is not installed: install libreoffice-writer-nogui (CI's .ci/run installs it).")
    pdf = convert_to_pdf(output, output_dir=tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    if Path("/usr/bin/pdftotext").exists():
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU" in text and "50,0%" in text

    annex = tmp_path / "phu-luc.xlsx"
    call_command("build_report", year=2026, format="xlsx", output=str(annex), user=reviewer.username,
                 stdout=StringIO())
    assert annex.stat().st_size > 0
    client.post("/bao-cao/nam/2026/tong-hop/")  # built at once: no worker runs in the tests
    response = client.get("/bao-cao/nam/2026/tong-hop.docx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    page_table = next(table for table in Document(BytesIO(b"".join(response.streaming_content))).tables
                      if table.rows[0].cells[1].text == "Chỉ tiêu")
    assert {row.cells[1].text.split(".")[0]: row.cells[2].text for row in page_table.rows[1:]} == in_report
    assert reporting_cycle.year == 2026


def test_the_annex_gives_submission_times_in_vietnams_time(client: Client, tmp_path: Path) -> None:
    reporting_cycle = cycle(2026)
    submission = commune_report(reporting_cycle, OWN_COMMUNE)
    officer = commune_officer()
    fill_commune_report(submission, officer)
    submit_report(actor=officer, submission=submission, now=datetime(2026, 11, 30, 23, 30, tzinfo=HCM))
    reviewer = coordinator()
    annex = tmp_path / "phu-luc.xlsx"
    call_command("build_report", year=2026, format="xlsx", output=str(annex), user=reviewer.username,
                 stdout=StringIO())
    assert "30/11/2026 23:30" in column_values(load_workbook(annex)["Tình hình báo cáo"], "Nộp lần đầu")
    client.force_login(reviewer)
    board = load_workbook(BytesIO(client.get("/bao-cao/nam/2026/tinh-hinh.xlsx").content))["Tình hình nộp"]
    assert "30/11/2026 23:30" in column_values(board, "Nộp lần đầu lúc")


def test_the_demo_cycle_has_its_deadline_on_1_december_2026_and_a_mix_of_statuses() -> None:
    from treem.reporting.demo import seed_demo_reporting

    lines: list[str] = []
    seed_demo_reporting(size="small", stdout=lines.append)
    reporting_cycle = Plan.objects.get().reporting_cycles.get(year=2026)
    assert reporting_cycle.is_demo
    assert reporting_cycle.deadline_local.date() == date(2026, 12, 1)
    statuses = set(reporting_cycle.submissions.values_list("status", flat=True))
    assert {Submission.Status.NOT_STARTED, Submission.Status.DRAFT} <= statuses
    assert len(statuses) >= 3
    seed_demo_reporting(size="small", stdout=lines.append)
    assert "giữ nguyên" in lines[-1]


def test_the_coordinator_opens_the_cycle_list_and_the_status_board(client: Client) -> None:
    cycle(2026)
    client.force_login(coordinator())
    listing = client.get("/bao-cao/")
    assert listing.status_code == 200
    assert "/bao-cao/nam/2026/" in listing.content.decode()
    assert client.get("/bao-cao/nam/2026/").status_code == 200


def column_values(sheet: Any, title: str) -> set[str]:
    """The filled cells below the header cell ``title`` of a sheet written by ``core.office``."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == title:
                return {str(below[0].value) for below in sheet.iter_rows(min_row=cell.row + 1, min_col=cell.column,
                                                                         max_col=cell.column) if below[0].value}
    raise AssertionError(f"no column {title!r}")
