"""Importing a commune's child list: every row ends created, updated or rejected, with the reasons of the rules."""

from __future__ import annotations

import csv
import datetime as dt
import json
import unicodedata
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command

from treem.accounts.tests.factories import unit
from treem.core.intake.encodings import encode_tcvn3
from treem.core.intake.errors import ImportRefused
from treem.core.models import AuditEvent
from treem.registry import imports as imports_module
from treem.registry.duplicates import detect_duplicates
from treem.registry.import_batches import BatchWriter
from treem.registry.import_fields import match_headers
from treem.registry.import_rows import REJECTED_REASON_TITLE
from treem.registry.imports import import_children_file
from treem.registry.models import Child, DuplicateCandidate, Guardian, Residence, SpecialCircumstance
from treem.registry.tests.factories import child_in

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 5, 1)
HEADER = ["STT", "Họ và tên", "Ngày sinh", "GT", "Dân tộc", "CCCD", "Thôn/bản", "Họ tên cha/mẹ/người chăm sóc",
          "SĐT", "ĐKKS", "Nhóm HCĐB", "Khuyết tật"]

# (cells after STT, outcome, a fragment of the reason or of the warning)
MESSY_ROWS: list[tuple[list[Any], str, str]] = [
    (["giàng a páo", "12/03/2018", "Nam", "Mông", "012218001234", "Bản Nà Tăm", "Giàng A Sử", "0912 345 678", "x",
      "", ""], "created", ""),
    ([encode_tcvn3("Lò Thị Ánh"), dt.date(2016, 5, 1), "nữ", "Thái", 12316009876, "bản nà tăm", "Lò Văn Pâng",
      912345679, "Có", "a", "không"], "created", ""),
    (["Tẩn Láo Lở", "2019-07-09", "M", "Dao", "", "Bản Hon", "", "", "không", "", ""], "created", ""),
    (["Sùng Thị Mỷ", "31/02/2017", "F", "H'Mông", "", "", "", "", "", "", ""], "rejected",
     "Ngày 31/02/2017 không tồn tại"),
    (["Vàng A Dế", "01/01/2009", "Nam", "Mèo", "", "", "", "", "", "", ""], "rejected", "Đã đủ 16 tuổi"),
    (["Lý A Chừ", "2020", "1", "Hmông", "", "", "", "", "", "", ""], "created", ""),
    (["Ly Xe Chừ", "03/2021", "2", "Hà Nhì", "", "", "", "", "", "", ""], "created", ""),
    (["", "03/2021", "2", "Hà Nhì", "", "", "", "", "", "", ""], "rejected", "Họ tên để trống"),
    (["Nguyễn Văn Bình", "05/06/2015", "Nam", "Kinhh", "", "", "", "", "", "", ""], "rejected",
     "Dân tộc 'Kinhh' không có trong danh mục; gần nhất: Kinh (01)"),
    (["Giàng A Páo", "12/03/2018", "Nam", "Mông", "012218001234", "Bản Nà Tăm", "", "", "", "", ""], "rejected",
     "Trùng với dòng 5 của tệp (cùng số định danh"),
    (["Lò Văn Sinh", "4/5/17", "Nam", "Thái", "", "Bản Hon", "", "", "", "", ""], "created", ""),
    (["Lò Văn Sình", "4/5/17", "Nam", "Thái", "", "Bản Hon", "", "", "", "", ""], "created", ""),
    (["Hầu A Lử", 44000, "Nam", "08", "1234", "", "", "", "", "", ""], "rejected",
     "Số định danh phải có 12 chữ số"),
    (["Hầu A Vàng", "12/12/2027", "Nam", "08", "", "", "", "", "", "", ""], "rejected", "ở tương lai"),
    (["Hầu A Chá", "12/12/2020", "", "08", "", "", "", "", "", "", ""], "rejected", "Giới tính để trống"),
    (["Thào A Sử", "20/10/2018", "Nam", "Mông", "012320001111", "", "", "", "", "", ""], "created",
     "khác năm sinh"),
    (["TẨN LÁO LỞ", "09/07/2019", "nam", "Dao", "", "bản  hon", "", "", "", "", ""], "rejected",
     "Trùng với dòng 7 của tệp (cùng họ tên, ngày sinh và thôn/bản)"),
    (["Tẩn Láo Lở", "09/07/2019", "Nam", "Dao", "", "Bản Nà Tăm", "", "", "", "", ""], "created", ""),
    (["Ly Thi Dung", "04/05/2016", "Nữ", "Hà Nhì", "", "Bản Hon", "", "", "", "", ""], "created", ""),
]
FIRST_DATA_ROW = 5


def write_messy_workbook(path: Path, rows: list[tuple[list[Any], str, str]] = MESSY_ROWS) -> Path:
    """A commune file as officers keep them: title rows, a blank row, the header on row 4, mixed cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["UBND XÃ BÌNH LƯ"])
    sheet.append(["DANH SÁCH TRẺ EM DƯỚI 16 TUỔI"])
    sheet.append([])
    sheet.append(HEADER)
    for number, (cells, _, _) in enumerate(rows, start=1):
        sheet.append([number, *cells])
        if number == 8:
            sheet.append([])  # a blank row in the middle is not a row of data
    workbook.save(path)
    return path


def row_number(index: int) -> int:
    """The row number in the file of MESSY_ROWS[index] (the blank row comes after the 8th)."""
    return FIRST_DATA_ROW + index + (1 if index >= 8 else 0)


@pytest.fixture
def messy_file(tmp_path: Path) -> Path:
    return write_messy_workbook(tmp_path / "danh-sach-xa.xlsx")


def run(path: Path, *, code: str = "03390", **kwargs: Any) -> imports_module.ImportSummary:
    return import_children_file(actor=None, path=path, commune=unit(code), as_of=AS_OF, **kwargs)


def test_every_row_of_a_messy_file_is_accounted_for_with_the_reasons_of_the_rules(messy_file: Path,
                                                                                   tmp_path: Path) -> None:
    summary = run(messy_file, rejected_path=tmp_path / "tu-choi.xlsx")
    expected = {outcome: sum(1 for _, o, _ in MESSY_ROWS if o == outcome) for outcome in ("created", "rejected")}
    assert summary.rows == len(MESSY_ROWS)
    assert summary.created == expected["created"]
    assert summary.updated == 0
    assert summary.rejected == expected["rejected"]
    assert summary.created + summary.updated + summary.rejected == summary.rows
    assert summary.header_row == 4
    reasons = dict(summary.rejected_rows)
    for index, (_, outcome, fragment) in enumerate(MESSY_ROWS):
        if outcome == "rejected":
            assert fragment in reasons[row_number(index)], (index, reasons.get(row_number(index)))
        else:
            assert row_number(index) not in reasons
    assert Child.objects.filter(commune=unit("03390")).count() == expected["created"]


def test_values_are_standardised(messy_file: Path) -> None:
    run(messy_file)
    pao = Child.objects.get(personal_id="012218001234")
    assert (pao.full_name, pao.sex, pao.ethnic_group.code if pao.ethnic_group else None) == ("Giàng A Páo", "M", "08")
    assert pao.is_birth_registered is True and pao.village is not None and pao.village.name == "Bản Nà Tăm"
    assert list(Guardian.objects.filter(child=pao).values_list("full_name", "phone")) == [("Giàng A Sử",
                                                                                            "0912345678")]
    anh = Child.objects.get(personal_id="012316009876")  # the lost leading zero is restored
    assert anh.full_name == "Lò Thị Ánh"  # converted from TCVN3
    assert anh.village == pao.village  # "bản nà tăm" is the same village
    assert anh.has_disability is False
    assert list(SpecialCircumstance.objects.filter(child=anh).values_list("group", flat=True)) == ["a"]
    chu = Child.objects.get(full_name="Lý A Chừ")
    assert (chu.birth_date_precision, chu.birth_date_label) == ("year", "2020")
    assert Child.objects.get(full_name="Ly Xe Chừ").birth_date_label == "03/2021"
    sinh = Child.objects.get(full_name="Lò Văn Sinh")
    assert sinh.birth_date == dt.date(2017, 5, 4)


def test_an_id_that_disagrees_with_the_row_is_imported_with_a_warning(messy_file: Path) -> None:
    summary = run(messy_file)
    index = next(i for i, (cells, _, _) in enumerate(MESSY_ROWS) if cells[0] == "Thào A Sử")
    warnings = dict(summary.warning_rows)
    assert "khác năm sinh" in warnings[row_number(index)] and "khác giới tính" in warnings[row_number(index)]
    assert Child.objects.filter(personal_id="012320001111").exists()


def test_importing_the_same_file_again_creates_nothing(messy_file: Path) -> None:
    first = run(messy_file)
    children = Child.objects.count()
    events = AuditEvent.objects.filter(object_type="registry.child").count()
    second = run(messy_file)
    assert second.created == 0
    assert second.updated == first.created
    assert second.rejected == first.rejected
    assert second.changed == 0
    assert Child.objects.count() == children
    assert AuditEvent.objects.filter(object_type="registry.child").count() == events


def test_namesakes_in_two_villages_stay_two_children_on_every_import(messy_file: Path) -> None:
    run(messy_file)
    run(messy_file)
    assert Child.objects.filter(full_name="Tẩn Láo Lở").count() == 2


def test_possible_duplicates_are_counted_and_the_planted_ones_are_found(messy_file: Path) -> None:
    existing = child_in("03390", full_name="Lý Thị Dung", birth_date=dt.date(2016, 4, 5), sex="F")
    summary = run(messy_file)
    assert summary.possible_duplicates == 3  # Sình after Sinh; the second Tẩn Láo Lở; Ly Thi Dung
    assert DuplicateCandidate.objects.count() == 3  # already in the review queue
    detect_duplicates()
    pairs = {frozenset(Child.objects.filter(pk__in=(pair.child_a_id, pair.child_b_id))
                       .values_list("full_name", flat=True)): pair for pair in DuplicateCandidate.objects.all()}
    assert frozenset({"Lò Văn Sinh", "Lò Văn Sình"}) in pairs
    assert frozenset({"Tẩn Láo Lở"}) in pairs
    dung = pairs[frozenset({"Lý Thị Dung", "Ly Thi Dung"})]
    assert existing.pk in (dung.child_a_id, dung.child_b_id)
    assert "Ngày và tháng sinh bị đảo" in dung.reasons


def test_the_rejected_rows_come_back_with_their_cells_and_reason_and_can_be_imported_again(
    messy_file: Path, tmp_path: Path
) -> None:
    summary = run(messy_file, rejected_path=tmp_path / "tu-choi.xlsx")
    sheet = openpyxl.load_workbook(summary.rejected_file).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][: len(HEADER)]) == HEADER and rows[0][len(HEADER)] == REJECTED_REASON_TITLE
    assert len(rows) == 1 + summary.rejected
    first = rows[1]
    assert first[1] == "Sùng Thị Mỷ" and first[2] == "31/02/2017" and "không tồn tại" in str(first[len(HEADER)])
    assert set(match_headers(rows[0]).fields) >= {"full_name", "birth_date", "sex"}
    fixed = tmp_path / "da-sua.xlsx"
    workbook = openpyxl.Workbook()
    out = workbook.active
    assert out is not None
    out.append(list(rows[0]))
    corrected = list(rows[1])
    corrected[2] = "28/02/2017"
    out.append(corrected)
    workbook.save(fixed)
    again = run(fixed)
    assert (again.rows, again.created, again.rejected) == (1, 1, 0)


def test_a_dry_run_reports_the_same_and_saves_nothing(messy_file: Path) -> None:
    summary = run(messy_file, dry_run=True)
    assert summary.created == sum(1 for _, outcome, _ in MESSY_ROWS if outcome == "created")
    assert Child.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import_children").exists()


def test_a_crash_halfway_leaves_no_half_import(messy_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    original = BatchWriter.flush

    def flaky(self: Any, rows: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("mất điện")
        original(self, rows)

    monkeypatch.setattr(BatchWriter, "flush", flaky)
    with pytest.raises(RuntimeError):
        run(messy_file, batch_size=2)
    assert calls["n"] == 3
    assert Child.objects.count() == 0 and Residence.objects.count() == 0


def test_every_change_made_by_an_import_is_in_the_childs_history(messy_file: Path, tmp_path: Path) -> None:
    run(messy_file)
    pao = Child.objects.get(personal_id="012218001234")
    created = AuditEvent.objects.for_object(pao).get()
    assert created.verb == "create" and "dòng 5" in created.reason
    path = tmp_path / "cap-nhat.xlsx"
    write_messy_workbook(path, [(["Giàng A Páo", "12/03/2018", "Nam", "Mông", "012218001234", "Bản Hon", "", "",
                                  "", "", ""], "updated", "")])
    summary = run(path)
    assert (summary.updated, summary.changed) == (1, 1)
    update = AuditEvent.objects.for_object(pao).filter(verb="update").get()
    assert update.after is not None and update.before is not None
    assert set(update.after) == {"village_id"} and update.before["village_id"] != update.after["village_id"]
    assert Residence.objects.get(child=pao, moved_out_on__isnull=True).village_id == update.after["village_id"]
    pao.refresh_from_db()
    assert pao.village_id == update.after["village_id"]


def test_a_row_without_id_updates_the_child_with_the_same_name_birth_date_and_commune(tmp_path: Path) -> None:
    known = child_in("03390", full_name="Lò Văn Sình", birth_date=dt.date(2017, 5, 4))
    other_commune = child_in("03408", full_name="Lò Văn Sình", birth_date=dt.date(2017, 5, 4))
    path = write_messy_workbook(tmp_path / "a.xlsx", [
        (["Lò Văn Sình", "04/05/2017", "Nam", "Thái", "012217000001", "", "", "", "", "", ""], "updated", ""),
        (["Lò Văn Sinh", "04/05/2017", "Nam", "Thái", "", "", "", "", "", "", ""], "created", ""),
    ])
    summary = run(path)
    assert (summary.created, summary.updated) == (1, 1)
    known.refresh_from_db()
    assert known.personal_id == "012217000001"  # the number is learnt
    other_commune.refresh_from_db()
    assert other_commune.personal_id == ""


def test_a_matching_id_from_another_commune_moves_the_child_and_keeps_its_record(tmp_path: Path) -> None:
    moved = child_in("03408", full_name="Vàng Thị Mai", birth_date=dt.date(2015, 1, 2), sex="F",
                     personal_id="012315000777")
    path = write_messy_workbook(tmp_path / "a.xlsx", [
        (["Vàng Thị Mai", "02/01/2015", "Nữ", "Mông", "012315000777", "", "", "", "", "", ""], "updated", ""),
    ])
    summary = run(path)
    assert (summary.updated, summary.moved_here) == (1, 1)
    moved.refresh_from_db()
    assert moved.commune == unit("03390")
    periods = list(Residence.objects.filter(child=moved).order_by("pk").values_list("commune__code", "moved_out_on",
                                                                                     "moved_in_on"))
    assert periods == [("03408", AS_OF, None), ("03390", None, AS_OF)]
    assert "chuyển đến" in dict(summary.warning_rows)[FIRST_DATA_ROW]


def test_an_id_of_a_child_who_moved_elsewhere_after_the_as_of_date_is_rejected_with_its_reason(
    tmp_path: Path,
) -> None:
    """The row cannot move the child back; it ends rejected (with a reason, in the rejected file), never counted
    as updated while nothing changed."""
    elsewhere = child_in("03408", full_name="Vàng Thị Mai", birth_date=dt.date(2015, 1, 2), sex="F",
                         personal_id="012315000777")
    Residence.objects.filter(child=elsewhere).update(moved_in_on=AS_OF + dt.timedelta(days=10))
    path = write_messy_workbook(tmp_path / "a.xlsx", [
        (["Vàng Thị Mai", "02/01/2015", "Nữ", "Mông", "012315000777", "", "", "", "", "", ""], "rejected", ""),
    ])
    summary = run(path, rejected_path=tmp_path / "tu-choi.xlsx")
    assert (summary.rows, summary.updated, summary.rejected) == (1, 0, 1)
    assert "sau ngày số liệu" in dict(summary.rejected_rows)[FIRST_DATA_ROW]
    book = openpyxl.load_workbook(summary.rejected_file)
    assert book.worksheets[0].max_row == 2  # the header and the row, with its reason
    elsewhere.refresh_from_db()
    assert elsewhere.commune == unit("03408")


def test_a_name_longer_than_the_record_holds_is_rejected_not_cut(tmp_path: Path) -> None:
    path = write_messy_workbook(tmp_path / "a.xlsx", [
        (["Lò Văn " + "Sình " * 40, "04/05/2017", "Nam", "Thái", "", "Bản " + "Nà " * 50, "", "", "", "", ""],
         "rejected", ""),
        (["Lò Văn Sình", "04/05/2017", "Nam", "Thái", "", "Bản " + "Nà " * 50, "Lò " * 60, "", "", "", ""],
         "created", ""),
    ])
    summary = run(path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert "quá 150 ký tự" in dict(summary.rejected_rows)[FIRST_DATA_ROW]
    warnings = dict(summary.warning_rows)[FIRST_DATA_ROW + 1]
    assert "Tên thôn/bản quá 128 ký tự" in warnings and "người chăm sóc quá 150 ký tự" in warnings
    child = Child.objects.get(full_name="Lò Văn Sình")
    assert child.village is None and not Guardian.objects.filter(child=child).exists()


def test_a_file_without_a_header_row_is_refused_in_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="Không tìm thấy dòng tiêu đề"):
        run(path)


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """Text as Vietnamese Windows saves it: letters with their vowel marks, tones as separate combining marks."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(part for part in parts if part not in TONE_MARKS))
        out.append(base + "".join(part for part in parts if part in TONE_MARKS))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"),
                                                     ("cp1258", ";")])
def test_csv_files_are_read_in_their_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "ds.csv"
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc"])
    writer.writerow(["Lường Thị Xiêng", "03/04/2019", "Nữ", "Thái"])
    text = buffer.getvalue()
    path.write_bytes(windows_1258(text) if encoding == "cp1258" else text.encode(encoding))
    summary = run(path)
    assert (summary.rows, summary.created) == (1, 1)
    assert Child.objects.get().full_name == "Lường Thị Xiêng"


def test_the_command_prints_a_summary_that_adds_up(messy_file: Path) -> None:
    out = StringIO()
    call_command("import_children", str(messy_file), "--commune", "03390", "--as-of", AS_OF.isoformat(), "--json",
                 stdout=out)
    result = json.loads(out.getvalue())
    assert result["rows"] == result["created"] + result["updated"] + result["rejected"] == len(MESSY_ROWS)
    assert result["possible_duplicates"] == 2
    assert Path(result["rejected_file"]).exists()


def test_the_command_dry_run_saves_nothing(messy_file: Path) -> None:
    out = StringIO()
    call_command("import_children", str(messy_file), "--commune", "03390", "--as-of", AS_OF.isoformat(),
                 "--dry-run", stdout=out)
    assert "THỬ" in out.getvalue()
    assert Child.objects.count() == 0


def test_a_csv_typed_in_the_legacy_tcvn3_font_is_converted(tmp_path: Path) -> None:
    path = tmp_path / "cu.csv"
    lines = ["Họ và tên,Ngày sinh,Giới tính,Dân tộc", "Lường Thị Xiêng,03/04/2019,Nữ,Thái",
             "Nguyễn Văn Đức,05/06/2018,Nam,Kinh"]
    path.write_bytes("\r\n".join(encode_tcvn3(line) for line in lines).encode("cp1252"))
    summary = run(path)
    assert (summary.rows, summary.created) == (2, 2)
    assert sorted(Child.objects.values_list("full_name", flat=True)) == ["Lường Thị Xiêng", "Nguyễn Văn Đức"]


def test_other_columns_are_kept_in_the_record(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Họ và tên", "Ngày sinh", "Giới tính", "Sở thích", "Họ tên chủ hộ"])
    sheet.append(["Lò Thị Ánh", "01/05/2016", "Nữ", "Múa", "Lò Văn Pâng"])
    workbook.save(tmp_path / "a.xlsx")
    summary = run(tmp_path / "a.xlsx")
    assert summary.unknown_columns == ["Sở thích", "Họ tên chủ hộ"]
    assert Child.objects.get().extra == {"Sở thích": "Múa", "Họ tên chủ hộ": "Lò Văn Pâng"}


def test_a_list_on_the_second_sheet_after_a_cover_sheet_is_found(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    cover = workbook.active
    assert cover is not None
    cover.append(["Báo cáo gửi UBND huyện"])
    children = workbook.create_sheet("Danh sách")
    children.append(["Họ và tên", "Ngày sinh", "Giới tính"])
    children.append(["Lò Thị Ánh", "01/05/2016", "Nữ"])
    workbook.save(tmp_path / "a.xlsx")
    assert run(tmp_path / "a.xlsx").created == 1
