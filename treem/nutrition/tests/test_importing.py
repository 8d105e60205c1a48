"""Excel import of measurements: every row created, updated or rejected with a reason; re-import creates nothing."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime, timedelta
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.intake.models import ImportRecord
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.nutrition.importing import REASON_HEADER, import_measurements, rejected_workbook
from treem.nutrition.models import Measurement
from treem.nutrition.tests.factories import child_in, measurement_with

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)
HEADER = ["STT", "Mã định danh", "Họ tên trẻ", "Ngày sinh", "Ngày cân", "Cân nặng (kg)", "Chiều cao (cm)",
          "Tư thế đo", "Phù", "Nơi cân", "Người cân"]


@pytest.fixture
def children() -> dict[str, object]:
    return {
        "mai": child_in("03390", birth_date=date(2024, 6, 1), full_name="Lò Thị Mai", personal_id="012345678901",
                        sex="F"),
        "sinh": child_in("03390", birth_date=date(2023, 1, 15), full_name="Giàng A Sình"),
        "sinh2": child_in("03390", birth_date=date(2023, 1, 15), full_name="Giàng A Sinh"),
        "twin_a": child_in("03390", birth_date=date(2024, 2, 2), full_name="Vàng Thị Dợ"),
        "twin_b": child_in("03390", birth_date=date(2024, 2, 2), full_name="Vàng Thị Dợ"),
        "neighbour": child_in("03408", birth_date=date(2024, 6, 1), full_name="Lò Văn Bên",
                              personal_id="012345678902"),
    }


def workbook(rows: list[list[object]], tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["UBND XÃ BÌNH LƯ"])
    sheet.append(["DANH SÁCH CÂN ĐO TRẺ EM DƯỚI 5 TUỔI ĐỢT THÁNG 6/2025"])
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "can-do.xlsx"
    book.save(path)
    return path


ROWS: list[list[object]] = [
    [1, 12345678901, "", "", datetime(2025, 6, 3), 7.9, 68.5, "Nằm", "Không", "Trạm y tế", "Lò Thị Hoa"],  # ID lost 0
    [2, "", "giàng a sình", "15/01/2023", "03/06/2025", "11,2", "84", "đứng", "", "", ""],  # by name + birth date
    [3, "", "Giàng A Sinh", "15/01/2023", "03/06/2025", 3.1, 84, "H", "", "", ""],  # flagged: imported, warned
    [],  # blank rows are not rows
    [4, "", "Vàng Thị Dợ", "02/02/2024", "03/06/2025", 8.0, 70, "L", "", "", ""],  # two such children
    [5, "012345678902", "", "", "03/06/2025", 8.0, 70, "L", "", "", ""],  # a child of another commune
    [6, "", "Lò Thị Không Có", "01/01/2024", "03/06/2025", 8.0, 70, "L", "", "", ""],  # not on the registry
    [7, "", "giàng a sình", "15/01/2023", "31/06/2025", 11.2, 84, "H", "", "", ""],  # impossible date
    [8, "", "giàng a sình", "15/01/2023", "01/07/2025", 11.2, 84, "H", "", "", ""],  # after the as-of date
    [9, "", "giàng a sình", "15/01/2023", "04/06/2025", "mười", 84, "H", "", "", ""],  # weight not a number
    [10, "", "giàng a sình", "15/01/2023", "05/06/2025", 11.2, 84, "ngồi", "", "", ""],  # position unreadable
    [11, "", "giàng a sình", "15/01/2023", "06/06/2025", "", "", "H", "", "", ""],  # nothing measured
    [12, "", "Giàng A Sình", "15/01/2023", "03/06/2025", 11.3, 84, "H", "", "", ""],  # repeats row 2
    [13, "", "giàng a sình", "15/01/2023", "01/01/2022", 11.2, 84, "H", "", "", ""],  # before birth
]


def test_every_row_is_created_updated_or_rejected_with_a_reason(children: dict[str, object], tmp_path: Path) -> None:
    path = workbook(ROWS, tmp_path)
    result = import_measurements(actor=None, path=path, commune=unit("03390"), as_of=AS_OF)
    summary = result.summary
    assert summary["rows"] == 13
    assert summary["rows"] == summary["created"] + summary["updated"] + summary["rejected"]
    assert (summary["created"], summary["updated"], summary["rejected"]) == (3, 0, 10)
    by_row = {item.row: item for item in result.outcomes}
    assert by_row[5].outcome == "created" and by_row[5].child_name == "Lò Thị Mai"  # file row 5 = first data row
    assert by_row[7].warnings and "ngoài khoảng hợp lý" in by_row[7].warnings[0]
    reasons = [item.reason for item in result.outcomes if item.outcome == "rejected"]
    expected = ["Có 2 trẻ cùng tên", "Không có trẻ mang số định danh 012345678902",
                "Không tìm thấy trẻ 'Lò Thị Không Có'", "Ngày 31/06/2025 không tồn tại", "Ngày cân", "Cân nặng",
                "Cách đo không đọc được", "Cần ít nhất cân nặng", "lặp lại dòng 6", "trước ngày sinh"]
    for fragment in expected:
        assert any(fragment in reason for reason in reasons), fragment
    mai = Measurement.objects.get(child=children["mai"])
    assert mai.position == "L" and mai.measured_by == "Lò Thị Hoa" and mai.waz is not None


def test_importing_the_same_file_twice_creates_nothing_new(children: dict[str, object], tmp_path: Path) -> None:
    path = workbook(ROWS, tmp_path)
    import_measurements(actor=None, path=path, commune=unit("03390"), as_of=AS_OF)
    again = import_measurements(actor=None, path=path, commune=unit("03390"), as_of=AS_OF)
    assert (again.summary["created"], again.summary["updated"], again.summary["unchanged"]) == (0, 3, 3)
    assert Measurement.objects.count() == 3


def test_an_existing_measurement_of_the_day_is_updated(children: dict[str, object], tmp_path: Path) -> None:
    item = measurement_with(children["mai"], measured_on=date(2025, 6, 3), waz=0.0, weight_kg=7)  # type: ignore[arg-type]
    result = import_measurements(actor=None, path=workbook(ROWS[:1], tmp_path), commune=unit("03390"), as_of=AS_OF)
    assert result.summary["updated"] == 1
    item.refresh_from_db()
    assert str(item.weight_kg) == "7.90"


def test_a_dry_run_writes_nothing_and_reports_the_same(children: dict[str, object], tmp_path: Path) -> None:
    path = workbook(ROWS, tmp_path)
    dry = import_measurements(actor=None, path=path, commune=unit("03390"), as_of=AS_OF, dry_run=True)
    assert not Measurement.objects.exists() and not AuditEvent.objects.filter(object_type="nutrition.measurement")
    real = import_measurements(actor=None, path=path, commune=unit("03390"), as_of=AS_OF)
    assert {**dry.summary, "dry_run": False} == real.summary


def test_the_rejected_rows_come_back_with_their_cells_and_reason(children: dict[str, object], tmp_path: Path) -> None:
    result = import_measurements(actor=None, path=workbook(ROWS, tmp_path), commune=unit("03390"), as_of=AS_OF)
    sheet = load_workbook(BytesIO(rejected_workbook(result))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADER, REASON_HEADER]
    assert len(rows) == 1 + 10
    assert rows[1][2] == "Vàng Thị Dợ" and "Có 2 trẻ" in rows[1][-1]


def test_a_file_without_a_usable_header_is_refused(tmp_path: Path) -> None:
    from treem.nutrition.importing import UnreadableFile

    path = tmp_path / "x.csv"
    path.write_text("Họ tên,Cân nặng\nA,9\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="dòng tiêu đề"):
        import_measurements(actor=None, path=path, commune=unit("03390"), as_of=AS_OF)


def test_a_csv_file_with_semicolons_is_read(children: dict[str, object], tmp_path: Path) -> None:
    path = tmp_path / "can.csv"
    path.write_text("Số định danh;Ngày cân;Cân nặng;Chiều dài\n012345678901;03/06/2025;7,9;68,5\n", encoding="utf-8")
    result = import_measurements(actor=None, path=path, commune=unit("03390"), as_of=AS_OF)
    assert result.summary["created"] == 1


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_vietnamese(text: str) -> bytes:
    """``text`` as Windows writes it in cp1258: letters with circumflex, breve or horn precomposed, tones as
    combining marks."""
    out = b""
    for letter in text:
        parts = unicodedata.normalize("NFD", letter)
        base = unicodedata.normalize("NFC", "".join(part for part in parts if part not in TONE_MARKS))
        out += (base + "".join(part for part in parts if part in TONE_MARKS)).encode("cp1258")
    return out


def test_a_csv_file_saved_by_excel_in_windows_vietnamese_is_read(children: dict[str, object], tmp_path: Path) -> None:
    """cp1258 (Excel's "CSV" on a Vietnamese Windows) is read as the child registry reads it, whatever its length
    (an even number of bytes once passed for UTF-16)."""
    path = tmp_path / "can.csv"
    text = "Họ tên trẻ;Ngày sinh;Ngày cân;Cân nặng;Chiều dài\nLò Thị Mai;01/06/2024;03/06/2025;7,9;68,5\n"
    data = windows_vietnamese(text)
    path.write_bytes(data if len(data) % 2 == 0 else data + b"\n")
    result = import_measurements(actor=None, path=path, commune=unit("03390"), as_of=AS_OF)
    assert result.summary["created"] == 1


def test_an_over_long_cell_is_cut_to_its_field_and_the_row_kept(children: dict[str, object], tmp_path: Path) -> None:
    row = [1, "012345678901", "", "", "03/06/2025", "7,9", "68,5", "", "", "", "Lò Thị Hoa " * 20]
    result = import_measurements(actor=None, path=workbook([row], tmp_path), commune=unit("03390"), as_of=AS_OF)
    assert result.summary["created"] == 1
    assert Measurement.objects.get().measured_by.startswith("Lò Thị Hoa Lò Thị Hoa")
    assert len(Measurement.objects.get().measured_by) <= 150


def test_the_command_prints_a_summary_that_adds_up(children: dict[str, object], tmp_path: Path) -> None:
    out = StringIO()
    rejected = tmp_path / "bi-tu-choi.xlsx"
    call_command("import_measurements", str(workbook(ROWS, tmp_path)), "--commune", "03390", "--as-of",
                 AS_OF.isoformat(), "--json", "--rejected", str(rejected), stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["rows"] == summary["created"] + summary["updated"] + summary["rejected"] == 13
    assert rejected.exists()


def test_the_import_page_previews_then_imports_and_offers_the_rejected_rows(
    children: dict[str, object], tmp_path: Path, client: Client, settings: object,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    path = workbook(ROWS, tmp_path)
    with open(path, "rb") as handle:
        response = client.post("/dinh-duong/nhap-excel/", {"xa": unit("03390").uid, "file": handle})
    assert response.status_code == 302
    record = ImportRecord.objects.get(kind="measurements")
    assert record.preview["rows"] == 13 and not Measurement.objects.exists()
    page = client.get(response["Location"]).content.decode()
    # uploaded today, so the row dated 01/07/2025 is no longer after the as-of date
    assert "13 dòng: 4 thêm mới, 0 cập nhật, 9 bị từ chối." in page
    client.post(response["Location"])
    record.refresh_from_db()
    assert record.status == "done" and Measurement.objects.count() == 4
    download = client.get(f"/dinh-duong/nhap-excel/{record.pk}/dong-bi-tu-choi.xlsx")
    assert download.status_code == 200
    assert AuditEvent.objects.for_object(record).filter(verb=AuditEvent.Verb.IMPORT).count() == 1
    other = client.get(f"/dinh-duong/nhap-excel/{record.pk}/")
    assert other.status_code == 200


def test_the_template_lists_the_communes_children_under_five(children: dict[str, object], client: Client) -> None:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    response = client.get("/dinh-duong/nhap-excel/mau.xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    names = [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert "Lò Thị Mai" in names and "Lò Văn Bên" not in names
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.EXPORT).count() == 1


def test_the_template_writes_formula_like_names_as_text(children: dict[str, object], client: Client) -> None:
    from treem.nutrition.tests.factories import child_in

    child_in("03390", full_name="=HYPERLINK(\"http://x\")", birth_date=date.today() - timedelta(days=300))
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    sheet = load_workbook(BytesIO(client.get("/dinh-duong/nhap-excel/mau.xlsx").content)).active
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row if cell.value == "=HYPERLINK(\"http://x\")"]
    assert len(cells) == 1 and cells[0].data_type == "s"
    numbers = [row[0] for row in sheet.iter_rows(min_row=3)]
    assert numbers and all(cell.data_type == "n" for cell in numbers)


def test_a_large_measurement_file_is_imported_in_the_background_with_its_progress(
    children: dict[str, object], tmp_path: Path, client: Client, settings: object, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from treem.core.intake import runner

    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # type: ignore[attr-defined]
    monkeypatch.setattr(runner, "BACKGROUND_BYTES", 10)
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    with open(workbook(ROWS, tmp_path), "rb") as handle:
        response = client.post("/dinh-duong/nhap-excel/", {"xa": unit("03390").uid, "file": handle})
    record = ImportRecord.objects.get(kind="measurements")
    assert record.is_background and record.preview["rows"] == 13 and not Measurement.objects.exists()
    client.post(response["Location"])
    record.refresh_from_db()
    assert record.status == "queued" and record.task_id and not Measurement.objects.exists()
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<progress" in partial and 'hx-trigger="every 2s"' in partial
    runner.execute_import(record.pk)  # what the worker does
    record.refresh_from_db()
    assert record.status == "done" and runner.read_progress(record)["percent"] == 100
    assert record.summary["rows"] == record.summary["created"] + record.summary["updated"] + record.summary["rejected"]
    assert Measurement.objects.count() == record.summary["created"] == 4
    rejected = load_workbook(BytesIO(client.get(f"/dinh-duong/nhap-excel/{record.pk}/dong-bi-tu-choi.xlsx")
                                     .getvalue())).active
    assert len(list(rejected.iter_rows(values_only=True))) == 1 + record.summary["rejected"]


def test_a_text_file_renamed_xlsx_is_explained_on_the_measurement_page(
    children: dict[str, object], tmp_path: Path, client: Client, settings: object,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    path = tmp_path / "can.xlsx"
    path.write_text("Ngày cân;Cân nặng\n03/06/2025;7,9\n", encoding="utf-8")
    with open(path, "rb") as handle:
        response = client.post("/dinh-duong/nhap-excel/", {"xa": unit("03390").uid, "file": handle})
    page = client.get(response["Location"]).content.decode()
    assert "không phải là tệp Excel thật" in page and "Zip" not in page
    assert ImportRecord.objects.get(kind="measurements").status == "failed"
