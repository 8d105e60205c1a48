"""The office writers: a Decree 30 layout in Word, annex sheets in Excel, and conversion to PDF by LibreOffice."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from treem.core.office import (
    MOTTO,
    MOTTO_NATION,
    AdministrativeDocument,
    DocumentHeading,
    OfficeConverterMissing,
    Signature,
    TableSpec,
    add_table_sheet,
    convert_to_pdf,
    csv_text,
    excel_row,
    format_date_words,
    format_number,
    is_formula_like,
    new_workbook,
    office_binary,
)


def sample_document() -> AdministrativeDocument:
    document = AdministrativeDocument(
        heading=DocumentHeading(parent_body="UBND tỉnh Lai Châu", issuing_body="Sở Y tế", symbol="BC-SYT",
                                place="Lai Châu", issued_on=date(2026, 12, 5)),
        kind="Báo cáo", title="Kết quả thực hiện Kế hoạch vì trẻ em năm 2026",
    )
    document.section("I. KẾT QUẢ THỰC HIỆN")
    document.paragraph("Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi giảm còn 21,5%.")
    document.table(TableSpec(headers=["TT", "Chỉ tiêu", "Giá trị"], rows=[[1, "Thấp còi", Decimal("21.5")]],
                             number_columns=frozenset({2})), caption="Bảng 1. Chỉ tiêu")
    document.closing(recipients=["UBND tỉnh", "Lưu: VT"],
                     signature=Signature(on_behalf_of="KT. Giám đốc", title="Phó Giám đốc", name="Nguyễn Văn A"))
    return document


def all_text(path: Path) -> str:
    document = Document(str(path))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return "\n".join(texts)


def test_numbers_and_dates_are_written_the_vietnamese_way() -> None:
    assert format_number(Decimal("1234.55")) == "1.234,6"
    assert format_number(1234567, decimals=0) == "1.234.567"
    assert format_number(None) == ""
    assert format_date_words(date(2026, 2, 5), place="Lai Châu") == "Lai Châu, ngày 05 tháng 02 năm 2026"
    assert format_date_words(date(2026, 12, 15), place="Lai Châu") == "Lai Châu, ngày 15 tháng 12 năm 2026"
    assert format_date_words(None, place="Lai Châu") == "Lai Châu, ngày … tháng … năm …"


def test_the_document_carries_every_part_of_the_decree_30_layout(tmp_path: Path) -> None:
    path = sample_document().save(tmp_path / "bao-cao.docx")
    text = all_text(path)
    for expected in (MOTTO_NATION, MOTTO, "UBND TỈNH LAI CHÂU", "SỞ Y TẾ", "Số: …/BC-SYT",
                     "Lai Châu, ngày 05 tháng 12 năm 2026", "BÁO CÁO", "Kết quả thực hiện Kế hoạch vì trẻ em năm 2026",
                     "Nơi nhận:", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn A", "21,5"):
        assert expected in text
    document = Document(str(path))
    section = document.sections[0]
    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                section.left_margin, section.right_margin]
    assert [round(length.mm) for length in measured] == [210, 297, 20, 20, 30, 15]
    fonts = {run.font.name for paragraph in document.paragraphs for run in paragraph.runs}
    assert fonts == {"Times New Roman"}
    sizes = {run.font.size.pt for paragraph in document.paragraphs for run in paragraph.runs
             if run.text and run.font.size is not None}
    assert sizes <= {12, 13, 14}


def test_a_sheet_has_a_title_row_a_frozen_header_and_number_formats(tmp_path: Path) -> None:
    workbook = new_workbook()
    add_table_sheet(workbook, sheet_title="Chỉ tiêu: năm 2026", title="Phụ lục 1", subtitle="Năm 2026",
                    table=TableSpec(headers=["Mã", "Giá trị"], rows=[["CT1", Decimal("1234.5")]],
                                    number_columns=frozenset({1})))
    path = tmp_path / "phu-luc.xlsx"
    workbook.save(path)
    sheet = load_workbook(path)["Chỉ tiêu  năm 2026"]
    assert sheet["A1"].value == "Phụ lục 1"
    assert sheet["A3"].value == "Mã" and sheet["A3"].font.bold
    assert sheet.freeze_panes == "A4"
    assert sheet["B4"].value == 1234.5
    assert sheet["B4"].number_format == "#,##0.0"
    assert sheet.column_dimensions["A"].width >= 8


def test_libreoffice_converts_the_document_to_pdf(tmp_path: Path) -> None:
    if office_binary() is None:
        pytest.fail("LibreOffice is not installed: install libreoffice-writer-nogui (CI's .ci/run installs it).")
    source = sample_document().save(tmp_path / "bao-cao.docx")
    pdf = convert_to_pdf(source, output_dir=tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if Path("/usr/bin/pdftotext").exists():
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_a_missing_converter_is_reported_plainly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("treem.core.office.shutil.which", lambda name: None)
    with pytest.raises(OfficeConverterMissing, match="libreoffice-writer-nogui"):
        convert_to_pdf(tmp_path / "x.docx")


@pytest.mark.parametrize("text", ["=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
                                  "=HYPERLINK(\"http://x\",\"bấm\")", "=cmd|' /C calc'!A0", "-"])
def test_text_a_spreadsheet_would_run_is_formula_like(text: str) -> None:
    assert is_formula_like(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("value", ["-1.25", "+84", "-3", "12,5", "1e-3", "Lò Thị Gầy", "", 3, -2.5, None,
                                   Decimal("-1.5")])
def test_numbers_and_ordinary_text_are_left_alone(value: object) -> None:
    assert not is_formula_like(value)
    assert csv_text(value) == value


def test_a_sheet_writes_formula_like_text_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    workbook = new_workbook()
    add_table_sheet(workbook, sheet_title="Bảng", title="=1+1", subtitle="@tiêu đề",
                    table=TableSpec(headers=["=Mã", "Giá trị", "Ghi chú"],
                                    rows=[["=HYPERLINK(\"http://x\")", Decimal("-1.5"), "-2+3"], ["CT2", -4, "-"]],
                                    number_columns=frozenset({1})))
    path = tmp_path / "bang.xlsx"
    workbook.save(path)
    sheet = load_workbook(path)["Bảng"]
    for reference, text in [("A1", "=1+1"), ("A2", "@tiêu đề"), ("A3", "=Mã"), ("A4", "=HYPERLINK(\"http://x\")"),
                            ("C4", "-2+3"), ("C5", "-")]:
        assert sheet[reference].data_type == "s", reference
        assert sheet[reference].value == text
        assert sheet[reference].quotePrefix
    assert sheet["B4"].value == -1.5 and sheet["B4"].data_type == "n"
    assert sheet["B5"].value == -4 and sheet["B5"].data_type == "n"


def test_a_write_only_row_makes_formula_like_text_a_text_cell(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(excel_row(sheet, [1, "=1+2", "Lò Văn Sình", -3.5]))
    path = tmp_path / "ds.xlsx"
    workbook.save(path)
    row = next(load_workbook(path)["Danh sách"].iter_rows())
    assert [cell.value for cell in row] == [1, "=1+2", "Lò Văn Sình", -3.5]
    assert row[1].data_type == "s" and row[0].data_type == "n" and row[3].data_type == "n"


def test_a_streamed_table_such_as_rejected_rows_writes_formula_like_cells_as_text(tmp_path: Path) -> None:
    from treem.core.intake.rejected import RejectedRowsWriter

    writer = RejectedRowsWriter(["Họ và tên", "Cân nặng"])
    writer.write(3, ["=HYPERLINK(\"http://x\")", -1.5], "Ngày sinh không đọc được")
    path = Path(writer.save(tmp_path / "tu-choi.xlsx"))
    row = list(load_workbook(path).active.iter_rows())[1]  # type: ignore[union-attr]
    assert row[0].value == "=HYPERLINK(\"http://x\")" and row[0].data_type == "s"
    assert row[1].value == -1.5 and row[1].data_type == "n"
