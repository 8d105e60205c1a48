"""Importing the layouts commune lists really use: two-row merged headers, the birth date in a "Nam" or "Nữ"
column, split names and dates, numbering and footer rows, several sheets."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command

from treem.accounts.tests.factories import unit
from treem.core.intake.headers import combine_header_rows
from treem.registry.import_fields import find_header_row, match_headers
from treem.registry.import_rows import ImportSummary, is_footer_text, is_numbering_row
from treem.registry.imports import import_children_file
from treem.registry.models import Child, DatePrecision

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 5, 1)


def run(path: Path, **kwargs: Any) -> ImportSummary:
    return import_children_file(actor=None, path=path, commune=unit("03390"), as_of=AS_OF, **kwargs)


def adds_up(summary: ImportSummary) -> bool:
    return summary.rows == summary.created + summary.updated + summary.rejected


def two_row_header_rows() -> list[list[Any]]:
    """A list as the commune's template has it: title rows, a header over two rows with merged group titles,
    a numbering row, the children (a blank row among them), then the totals and the signature block."""
    return [
        ["UBND XÃ BÌNH LƯ"],
        ["DANH SÁCH TRẺ EM DƯỚI 16 TUỔI NĂM 2026"],
        ["STT", "Họ và tên", "Ngày tháng năm sinh", None, "Dân tộc", "Cha, mẹ hoặc người chăm sóc", None,
         "Địa chỉ"],
        [None, None, "Nam", "Nữ", None, "Họ tên", "Số điện thoại", None],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
        [1, "Giàng A Páo", "12/03/2018", None, "Mông", "Giàng A Sử", "0912 345 678", "Bản Nà Tăm"],
        [2, "Lò Thị Ánh", None, dt.datetime(2016, 5, 1), "Thái", "Lò Văn Pâng", None, "Bản Hon"],
        [None] * 8,
        [3, "Tẩn Láo Lở", "09/07/2019", "10/07/2019", "Dao", None, None, "Bản Hon"],
        [4, "Vàng A Dế", None, None, "Mông", None, None, "Bản Hon"],
        [5, "Sùng Thị Mỷ", None, "T3/2019", "Mông", None, None, "Bản Nà Tăm"],
        [None, "Tổng cộng: 5 trẻ", None, None, None, None, None, None],
        [None, None, None, None, None, "Bình Lư, ngày 20 tháng 4 năm 2026", None, None],
        [None, "Xác nhận của UBND xã", None, None, None, "Người lập biểu", None, None],
        [None, "(Ký tên, đóng dấu)", None, None, None, "(Ký, ghi rõ họ tên)", None, None],
        [None, "Nguyễn Văn Hùng", None, None, None, "Lò Thị Mai", None, None],
    ]


def write_workbook(path: Path, rows: list[list[Any]], *, merges: tuple[str, ...] = (), title: str = "Sheet") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def test_a_two_row_merged_header_with_the_birth_date_in_a_nam_or_nu_column(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "mau-xa.xlsx", two_row_header_rows(),
                          merges=("A3:A4", "B3:B4", "C3:D3", "E3:E4", "F3:G3", "H3:H4"))
    summary = run(path, rejected_path=tmp_path / "tu-choi.xlsx")
    assert (summary.header_row, summary.header_rows) == (3, 2)
    assert (summary.rows, summary.created, summary.updated, summary.rejected) == (5, 3, 0, 2)
    assert adds_up(summary)
    assert summary.skipped_rows == 1 + 5  # the numbering row and the footer rows; the blank row is not counted
    reasons = dict(summary.rejected_rows)
    assert "cả cột Nam và cột Nữ" in reasons[9] and "không biết trẻ là nam hay nữ" in reasons[9]
    assert "cả cột Nam và cột Nữ đều trống" in reasons[10]
    pao = Child.objects.get(full_name="Giàng A Páo")
    assert (pao.birth_date, pao.sex, pao.village.name if pao.village else None) == (
        dt.date(2018, 3, 12), "M", "Bản Nà Tăm")
    guardian = pao.guardians.get()
    assert (guardian.full_name, guardian.phone) == ("Giàng A Sử", "0912345678")
    anh = Child.objects.get(full_name="Lò Thị Ánh")
    assert (anh.birth_date, anh.sex) == (dt.date(2016, 5, 1), "F")
    my = Child.objects.get(full_name="Sùng Thị Mỷ")
    assert (my.birth_date, my.birth_date_precision, my.sex) == (dt.date(2019, 3, 1), DatePrecision.MONTH, "F")
    assert ("Ngày tháng năm sinh - Nam", "Ngày sinh (trẻ nam)") in summary.columns


def test_the_rejected_rows_of_a_two_row_header_can_be_fixed_and_imported_again(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "mau-xa.xlsx", two_row_header_rows())
    summary = run(path, rejected_path=tmp_path / "tu-choi.xlsx")
    rows = list(openpyxl.load_workbook(summary.rejected_file).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + summary.rejected
    fixed = list(rows[1][:8])
    assert fixed[1] == "Tẩn Láo Lở"
    fixed[3] = None  # the officer keeps the date in the "Nam" column
    again = run(write_workbook(tmp_path / "da-sua.xlsx", [list(rows[0][:8]), fixed]))
    assert (again.rows, again.created, again.rejected) == (1, 1, 0)
    assert Child.objects.get(full_name="Tẩn Láo Lở").sex == "M"


def test_a_row_with_dates_in_both_columns_takes_the_sex_column_when_there_is_one(tmp_path: Path) -> None:
    rows = [
        ["Họ và tên", "Năm sinh", None, "Giới tính"],
        [None, "Nam", "Nữ", None],
        ["Lò Thị Ánh", "2016", "2016", "Nữ"],
        ["Lò Văn Pâng", "2015", "2017", "Nam"],
    ]
    summary = run(write_workbook(tmp_path / "a.xlsx", rows))
    assert (summary.rows, summary.created) == (2, 2)
    assert Child.objects.get(full_name="Lò Văn Pâng").birth_date.year == 2015


def test_the_same_two_row_layout_saved_as_csv(tmp_path: Path) -> None:
    lines = [
        "STT;Họ và tên;Ngày tháng năm sinh;;Dân tộc;Thôn, bản (tổ)",
        ";;Nam;Nữ;;",
        "1;2;3;4;5;6",
        "1;Giàng A Páo;12.3.2018;;Mông;Bản Nà Tăm",
        "2;Lò Thị Ánh;;12-03-2019;Thái;Bản Hon",
        "3;Lý A Chừ;năm 2020;;Mông;Bản Hon",
        ";Tổng cộng;;;;",
    ]
    path = tmp_path / "mau.csv"
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    summary = run(path)
    assert (summary.rows, summary.created, summary.rejected) == (3, 3, 0)
    assert summary.skipped_rows == 2
    values = {c.full_name: (c.birth_date, c.birth_date_precision, c.sex, c.village.name if c.village else "")
              for c in Child.objects.select_related("village")}
    assert values == {
        "Giàng A Páo": (dt.date(2018, 3, 12), DatePrecision.DAY, "M", "Bản Nà Tăm"),
        "Lò Thị Ánh": (dt.date(2019, 3, 12), DatePrecision.DAY, "F", "Bản Hon"),
        "Lý A Chừ": (dt.date(2020, 7, 1), DatePrecision.YEAR, "M", "Bản Hon"),
    }


def test_split_names_and_day_month_year_columns(tmp_path: Path) -> None:
    rows = [
        ["DANH SÁCH TRẺ EM"],
        ["TT", "Họ và tên đệm", "Tên", "Ngày", "Tháng", "Năm", "Giới tính", "Nơi ở"],
        [1, 2, 3, 4, 5, 6, 7, 8],
        [1, "giàng a", "páo", 12, 3, 2018, "Nam", "Bản Nà Tăm"],
        [2, "Lò Thị", "Ánh", None, 5.0, 2016.0, "Nữ", "Bản Hon"],
        [3, "Lý A", "Chừ", None, None, "2020", "nam", "Bản Hon"],
        [4, "Vàng Thị", "Dở", 31, 2, 2017, "Nữ", "Bản Hon"],
    ]
    summary = run(write_workbook(tmp_path / "a.xlsx", rows))
    assert (summary.rows, summary.created, summary.rejected) == (4, 3, 1)
    assert adds_up(summary)
    assert "31/02/2017 không tồn tại" in summary.rejected_rows[0][1]
    values = {c.full_name: (c.birth_date, c.birth_date_precision, c.village.name if c.village else "")
              for c in Child.objects.select_related("village")}
    assert values == {
        "Giàng A Páo": (dt.date(2018, 3, 12), DatePrecision.DAY, "Bản Nà Tăm"),
        "Lò Thị Ánh": (dt.date(2016, 5, 1), DatePrecision.MONTH, "Bản Hon"),
        "Lý A Chừ": (dt.date(2020, 7, 1), DatePrecision.YEAR, "Bản Hon"),
    }


def test_a_two_row_split_name_and_split_date_header(tmp_path: Path) -> None:
    rows = [
        ["TT", "Họ và tên", None, "Ngày sinh", None, None, "Giới tính", "Thôn/bản", "Địa chỉ"],
        [None, "Họ", "Tên", "Ngày", "Tháng", "Năm", None, None, None],
        [1, "Lò Thị", "Ánh", 1, 5, 2016, "Nữ", "Bản Hon", "Xã Bình Lư"],
    ]
    summary = run(write_workbook(tmp_path / "a.xlsx", rows))
    assert (summary.rows, summary.created) == (1, 1)
    child = Child.objects.get()
    assert (child.full_name, child.birth_date, child.village.name if child.village else "") == (
        "Lò Thị Ánh", dt.date(2016, 5, 1), "Bản Hon")
    assert child.extra == {"Địa chỉ": "Xã Bình Lư"}  # a village column exists: the address is kept aside


def test_the_sheet_whose_header_matches_best_is_read_and_named(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Hướng dẫn"
    notes.append(["Ghi họ và tên, ngày sinh của trẻ"])
    summary_sheet = workbook.create_sheet("Tổng hợp")
    summary_sheet.append(["Họ tên", "Năm sinh"])
    summary_sheet.append(["Tổng", 3])
    children = workbook.create_sheet("DS tre em")
    children.append(["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc"])
    children.append(["Lò Thị Ánh", "01/05/2016", "Nữ", "Thái"])
    children.append(["Giàng A Páo", "12/03/2018", "Nam", "Mông"])
    workbook.save(tmp_path / "nhieu-trang.xlsx")
    out = StringIO()
    call_command("import_children", str(tmp_path / "nhieu-trang.xlsx"), "--commune", "03390", "--as-of",
                 AS_OF.isoformat(), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["sheet_name"] == "DS tre em"
    assert result["rows"] == result["created"] + result["updated"] + result["rejected"] == 2
    out = StringIO()
    call_command("import_children", str(tmp_path / "nhieu-trang.xlsx"), "--commune", "03390", "--as-of",
                 AS_OF.isoformat(), "--dry-run", stdout=out)
    assert "Trang tính: DS tre em" in out.getvalue()


def test_on_an_equal_header_the_sheet_named_like_a_list_is_read(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    old = workbook.active
    assert old is not None
    old.title = "Năm 2024"
    old.append(["Họ và tên", "Ngày sinh", "Giới tính"])
    old.append(["Lò Văn Pâng", "01/05/2015", "Nam"])
    current = workbook.create_sheet("Danh sách 2026")
    current.append(["Họ và tên", "Ngày sinh", "Giới tính"])
    current.append(["Lò Thị Ánh", "01/05/2016", "Nữ"])
    workbook.save(tmp_path / "a.xlsx")
    summary = run(tmp_path / "a.xlsx")
    assert (summary.sheet_name, summary.created) == ("Danh sách 2026", 1)
    assert Child.objects.get().full_name == "Lò Thị Ánh"


def test_a_title_row_above_a_one_row_header_is_not_read_as_a_group_title() -> None:
    rows = [["DANH SÁCH TRẺ EM", None, None], ["Họ và tên", "Ngày sinh", "Giới tính"], ["Lò Thị Ánh", "1/5/2016", "Nữ"]]
    found = find_header_row(rows)
    assert (found.index, found.span) == (1, 1)


def test_a_header_row_followed_by_data_is_not_combined() -> None:
    assert combine_header_rows(["Họ và tên", "Ngày sinh"], ["Lò Thị Ánh", "01/05/2016"]) is None


def test_a_lone_nam_column_is_not_a_birth_date_and_tên_alone_is_the_full_name() -> None:
    assert match_headers(["Tên", "Ngày sinh", "Nam"]).columns == ((0, "full_name"), (1, "birth_date"))


@pytest.mark.parametrize("text", ["Tổng cộng", "TỔNG SỐ: 120 trẻ", "Người lập biểu", "Xác nhận của UBND xã",
                                  "KT. CHỦ TỊCH", "(Ký, ghi rõ họ tên)", "Bình Lư, ngày 20 tháng 4 năm 2026",
                                  "Cộng"])
def test_footer_phrases_are_recognised(text: str) -> None:
    assert is_footer_text(text)


@pytest.mark.parametrize("text", ["Tống Thị Lan", "Công Văn Minh", "Cán Thị Hoa", "Lò Văn Tổng"])
def test_names_are_not_footer_phrases(text: str) -> None:
    assert not is_footer_text(text)


def test_numbering_rows() -> None:
    assert is_numbering_row(["(1)", "(2)", "(3)", None, "(5)"])
    assert is_numbering_row([1, 2, 3, 4])
    assert is_numbering_row(["A", "B", 1, 2, 3])
    assert not is_numbering_row([1, "Giàng A Páo", "12/03/2018"])
    assert not is_numbering_row([3, 2, 1])


def test_a_child_without_birth_date_after_a_total_row_is_still_counted_and_rejected(tmp_path: Path) -> None:
    rows = [
        ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Thôn/bản"],
        ["Lò Thị Ánh", "01/05/2016", "Nữ", "Thái", "Bản Hon"],
        ["Cộng", None, None, None, None],
        ["Giàng A Páo", None, "Nam", "Mông", "Bản Nà Tăm"],
        ["Lý A Chừ", "2020", "Nam", "Mông", "Bản Hon"],
        ["Người lập biểu", None, None, None, None],
        ["Lò Thị Mai", None, None, None, None],
    ]
    summary = run(write_workbook(tmp_path / "a.xlsx", rows))
    assert (summary.rows, summary.created, summary.rejected, summary.skipped_rows) == (3, 2, 1, 3)
    assert summary.rejected_rows == [(4, "Ngày sinh để trống")]
