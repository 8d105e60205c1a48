"""Registry pages: scoped to the officer's communes, openings and exports audited, leaders see counts only."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.intake import runner
from treem.core.intake.models import ImportRecord, ImportStatus
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.registry import services
from treem.registry.models import Child, DuplicateCandidate
from treem.registry.tests.factories import child_in
from treem.registry.tests.test_imports import MESSY_ROWS, write_messy_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client: Client) -> Client:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    return client


def test_the_officer_finds_only_children_of_their_commune(officer_client: Client) -> None:
    mine = child_in("03390", full_name="Lò Văn Sình")
    theirs = child_in("03408", full_name="Lò Văn Sình")
    page = officer_client.get("/tre-em/", {"q": "lo van sinh", "status": "all"}).content.decode()
    assert f"/tre-em/{mine.pk}/" in page
    assert f"/tre-em/{theirs.pk}/" not in page
    assert officer_client.get(f"/tre-em/{theirs.pk}/").status_code == 404
    assert officer_client.get(f"/tre-em/{theirs.pk}/sua/").status_code == 404
    assert officer_client.post(f"/tre-em/{theirs.pk}/thao-tac/xoa/", {"reason": "x"}).status_code == 404
    assert officer_client.get("/tre-em/", {"commune": "03408"}).content.decode().count("/tre-em/" + str(theirs.pk)) == 0


def test_search_ignores_accents_and_finds_by_id_village_and_guardian(officer_client: Client) -> None:
    child = child_in("03390", full_name="Lò Văn Sình", personal_id="012217000001")
    child.guardians.create(full_name="Lường Thị Xiêng", name_folded="luong thi xieng")
    for query in ("LO VAN SINH", "sình", "2170000", "luong thi xieng"):
        page = officer_client.get("/tre-em/", {"q": query}).content.decode()
        assert f"/tre-em/{child.pk}/" in page, query


def test_the_list_filters_by_age_band_and_is_served_as_a_partial_to_htmx(officer_client: Client) -> None:
    today = dt.date.today()
    young = child_in("03390", birth_date=today.replace(year=today.year - 1))
    old = child_in("03390", birth_date=today.replace(year=today.year - 12))
    response = officer_client.get("/tre-em/", {"age_band": "11-15"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page and 'id="results"' in page
    assert f"/tre-em/{old.pk}/" in page and f"/tre-em/{young.pk}/" not in page


def test_opening_a_record_is_audited_and_its_history_shown(officer_client: Client) -> None:
    child = child_in("03390", full_name="Lò Văn Sình", personal_id="012217000001", is_demo=True)
    officer_client.post(f"/tre-em/{child.pk}/sua/", {"full_name": "Lò Văn Sình", "birth_date": "04/05/2017",
                                                    "birth_date_precision": "day", "sex": "M",
                                                    "personal_id": "012217000001", "notes": "đã xác minh",
                                                    "reason": "kiểm tra tại nhà"})
    page = officer_client.get(f"/tre-em/{child.pk}/").content.decode()
    assert "dữ liệu trình diễn" in page
    assert "012217000001" in page  # the commune officer sees the full number
    assert "kiểm tra tại nhà" in page and "đã xác minh" in page
    assert AuditEvent.objects.filter(object_id=str(child.pk), verb="view").count() == 1


def test_the_id_number_is_masked_for_roles_that_do_not_need_it(client: Client) -> None:
    child = child_in("03390", personal_id="012217000001")
    client.force_login(user_with_role(Role.COORDINATOR, "12"))
    page = client.get(f"/tre-em/{child.pk}/").content.decode()
    assert "012217000001" not in page and "012••••••001" in page


def test_the_record_history_masks_the_id_number_too(client: Client) -> None:
    child = services.register_child(actor=None, commune=unit("03390"), full_name="Lò Văn Sình",
                                    birth_date=dt.date(2020, 1, 1), sex="M", today=dt.date(2026, 1, 1),
                                    personal_id="012217000001")
    services.update_child(actor=None, child=child, changes={"personal_id": "012217000002"},
                          today=dt.date(2026, 1, 2))
    client.force_login(user_with_role(Role.COORDINATOR, "12"))
    page = client.get(f"/tre-em/{child.pk}/").content.decode()
    assert "012217000001" not in page and "012217000002" not in page
    assert "012••••••001" in page and "012••••••002" in page  # the change is still shown, masked


def test_leaders_see_counts_never_identities(client: Client) -> None:
    child = child_in("03390", full_name="Lò Văn Sình")
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert client.get("/tre-em/").status_code == 403
    assert client.get(f"/tre-em/{child.pk}/").status_code == 403
    assert client.get("/tre-em/xuat-excel/").status_code == 403
    page = client.get("/tre-em/so-luong/").content.decode()
    assert "Xã Bình Lư" in page and "Lò Văn Sình" not in page


def test_the_export_holds_only_the_officers_children_says_what_it_is_and_is_audited(officer_client: Client) -> None:
    child_in("03390", full_name="Lò Văn Sình")
    child_in("03408", full_name="Giàng A Páo")
    response = officer_client.get("/tre-em/xuat-excel/", {"status": "all"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    text = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    assert "CÓ THÔNG TIN ĐỊNH DANH" in text and "xuất danh sách trẻ em có danh tính" in text
    assert "Lò Văn Sình" in text and "Giàng A Páo" not in text
    event = AuditEvent.objects.get(verb="export")
    assert event.after is not None and event.after["count"] == 1


def test_the_export_writes_formula_like_text_as_text(officer_client: Client) -> None:
    child_in("03390", full_name="Lò Văn Sình", school_name="=HYPERLINK(\"http://x.example\",\"bấm\")")
    response = officer_client.get("/tre-em/xuat-excel/", {"status": "all"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == '=HYPERLINK("http://x.example","bấm")']
    assert len(cells) == 1 and cells[0].data_type == "s"
    numbers = [cell for row in sheet.iter_rows() for cell in row if cell.value == 1]
    assert numbers and numbers[0].data_type == "n"


def test_case_workers_may_read_but_not_export_or_edit(client: Client) -> None:
    child = child_in("03390")
    client.force_login(user_with_role(Role.CASE_WORKER, "03390"))
    assert client.get(f"/tre-em/{child.pk}/").status_code == 200
    assert client.get("/tre-em/xuat-excel/").status_code == 403
    assert client.get(f"/tre-em/{child.pk}/sua/").status_code == 403


def test_an_officer_adds_a_child_with_errors_shown_next_to_the_fields(officer_client: Client) -> None:
    response = officer_client.post("/tre-em/them/", {"full_name": "", "birth_date": "31/02/2020", "sex": "M",
                                                     "birth_date_precision": "day"})
    page = response.content.decode()
    assert response.status_code == 200 and "field-error" in page and "dd/mm/yyyy" in page
    response = officer_client.post("/tre-em/them/", {"full_name": "giàng a páo", "birth_date": "12/03/2018",
                                                     "sex": "M", "birth_date_precision": "day",
                                                     "is_birth_registered": "true"})
    child = Child.objects.get()
    assert response.status_code == 302 and response.url == f"/tre-em/{child.pk}/"
    assert (child.full_name, child.commune.code, child.is_birth_registered) == ("Giàng A Páo", "03390", True)


def test_the_record_page_actions_record_consent_and_special_circumstances(officer_client: Client) -> None:
    child = child_in("03390", birth_date=dt.date(2021, 1, 1))
    officer_client.post(f"/tre-em/{child.pk}/thao-tac/dong-y/", {"given_by": "guardian", "purpose": "registry",
                                                                "given_on": "01/02/2026"})
    officer_client.post(f"/tre-em/{child.pk}/thao-tac/hoan-canh/", {"group": "c", "identified_on": "01/02/2026",
                                                                   "is_supported": "on"})
    page = officer_client.get(f"/tre-em/{child.pk}/").content.decode()
    assert "Đủ sự đồng ý bắt buộc" in page
    assert "Trẻ em không nơi nương tựa" in page and "đã được trợ giúp" in page


def test_an_import_is_previewed_confirmed_and_its_rejected_rows_downloaded(
    officer_client: Client, tmp_path: Path, settings: SettingsWrapper
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    content = write_messy_workbook(tmp_path / "ds.xlsx").read_bytes()
    response = officer_client.post("/tre-em/nhap/", {
        "file": SimpleUploadedFile("Danh sách xã.xlsx", content), "as_of": "01/05/2026",
        "commune": unit("03390").pk})
    job = ImportRecord.objects.get(kind="children")
    assert response.status_code == 302 and response.url == f"/tre-em/nhap/{job.pk}/"
    assert job.status == ImportStatus.UPLOADED and Child.objects.count() == 0
    page = officer_client.get(response.url).content.decode()
    assert "Xác nhận nhập" in page and "Ngày 31/02/2017 không tồn tại" in page
    officer_client.post(response.url)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.summary is not None
    assert job.summary["rows"] == len(MESSY_ROWS) == job.summary["created"] + job.summary["rejected"]
    listed = officer_client.get("/tre-em/nhap/").content.decode()  # the counts, read without the row outcomes
    row = listed[listed.index(f'href="/tre-em/nhap/{job.pk}/"'):].split("</tr>", 1)[0]
    counts = [job.summary[name] for name in ("rows", "created", "updated", "rejected")]
    assert "".join(f'<td class="num">{count}</td>' for count in counts) in row.replace("\n", "").replace("        ", "")
    download = officer_client.get(f"/tre-em/nhap/{job.pk}/dong-bi-tu-choi.xlsx")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_a_large_import_runs_in_the_background_and_shows_its_progress(
    officer_client: Client, tmp_path: Path, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(runner, "BACKGROUND_BYTES", 10)
    content = write_messy_workbook(tmp_path / "ds.xlsx").read_bytes()
    officer_client.post("/tre-em/nhap/", {"file": SimpleUploadedFile("lon.xlsx", content), "as_of": "01/05/2026",
                                          "commune": unit("03390").pk})
    job = ImportRecord.objects.get(kind="children")
    officer_client.post(f"/tre-em/nhap/{job.pk}/")
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.is_background and job.task_id
    partial = officer_client.get(f"/tre-em/nhap/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "<progress" in partial and 'hx-trigger="every 2s"' in partial
    runner.execute_import(job.pk)  # what the worker does
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and runner.read_progress(job)["percent"] == 100


def test_the_officer_merges_a_pair_from_the_review_queue(officer_client: Client) -> None:
    a = child_in("03390", full_name="Lò Văn Sình", birth_date=dt.date(2017, 5, 4))
    b = child_in("03390", full_name="Lò Văn Sinh", birth_date=dt.date(2017, 5, 4))
    pair = DuplicateCandidate.objects.create(child_a=a, child_b=b, score=0.95, reasons=["Cùng ngày sinh"])
    queue = officer_client.get("/tre-em/trung-lap/").content.decode()
    assert f"/tre-em/trung-lap/{pair.pk}/" in queue
    assert "Lò Văn Sinh" in officer_client.get(f"/tre-em/trung-lap/{pair.pk}/").content.decode()
    response = officer_client.post(f"/tre-em/trung-lap/{pair.pk}/", {"decision": "keep_a"})
    assert response.status_code == 302 and response.url == f"/tre-em/{a.pk}/"
    b.refresh_from_db()
    assert b.merged_into == a
    assert officer_client.get(f"/tre-em/{b.pk}/").status_code == 404


def test_a_pair_across_communes_is_hidden_from_each_commune_officer(officer_client: Client) -> None:
    a = child_in("03390", full_name="Lò Văn Sình", birth_date=dt.date(2017, 5, 4))
    b = child_in("03408", full_name="Lò Văn Sinh", birth_date=dt.date(2017, 5, 4))
    pair = DuplicateCandidate.objects.create(child_a=a, child_b=b, score=0.95, reasons=["Cùng ngày sinh"])
    assert officer_client.get(f"/tre-em/trung-lap/{pair.pk}/").status_code == 404
    assert "Lò Văn Sinh" not in officer_client.get("/tre-em/trung-lap/").content.decode()


def test_an_unreadable_upload_is_explained_and_cannot_be_confirmed(
    officer_client: Client, tmp_path: Path, settings: SettingsWrapper
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    officer_client.post("/tre-em/nhap/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n"), "as_of": "01/05/2026",
                                          "commune": unit("03390").pk})
    job = ImportRecord.objects.get(kind="children")
    assert job.status == ImportStatus.FAILED
    assert "Không tìm thấy dòng tiêu đề" in officer_client.get(f"/tre-em/nhap/{job.pk}/").content.decode()
    officer_client.post(f"/tre-em/nhap/{job.pk}/")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not Child.objects.exists()


def test_a_file_of_another_kind_is_refused_next_to_the_field(officer_client: Client, tmp_path: Path,
                                                             settings: SettingsWrapper) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    response = officer_client.post("/tre-em/nhap/", {"file": SimpleUploadedFile("x.pdf", b"%PDF"),
                                                     "as_of": "01/05/2026", "commune": unit("03390").pk})
    assert "field-error" in response.content.decode() and "Chỉ nhận tệp Excel" in response.content.decode()


def test_a_text_file_renamed_xlsx_is_explained_in_vietnamese(
    officer_client: Client, tmp_path: Path, settings: SettingsWrapper
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    officer_client.post("/tre-em/nhap/", {"file": SimpleUploadedFile("ds.xlsx", b"Ho ten,Ngay sinh\nA,1/1/2020\n"),
                                          "as_of": "01/05/2026", "commune": unit("03390").pk})
    job = ImportRecord.objects.get(kind="children")
    page = officer_client.get(f"/tre-em/nhap/{job.pk}/").content.decode()
    assert job.status == ImportStatus.FAILED
    assert "không phải là tệp Excel thật" in page and "Lưu thành (Save As)" in page
    assert "EOCD" not in page and "Zip" not in page


def test_a_file_with_thousands_of_columns_shows_a_count_and_the_first_few_unused_ones(
    officer_client: Client, tmp_path: Path, settings: SettingsWrapper
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    extra = [f"Cột thừa {number}" for number in range(1, 4998)]
    lines = [",".join(["Họ và tên", "Ngày sinh", "Giới tính", *extra]),
             ",".join(["Lò Văn Sình", "04/05/2017", "Nam", *([""] * len(extra))])]
    upload = SimpleUploadedFile("rong.csv", "\n".join(lines).encode("utf-8"))
    officer_client.post("/tre-em/nhap/", {"file": upload, "as_of": "01/05/2026", "commune": unit("03390").pk})
    job = ImportRecord.objects.get(kind="children")
    page = officer_client.get(f"/tre-em/nhap/{job.pk}/").content.decode()
    shown, _, rest = page.partition('data-testid="unused-columns-rest"')
    assert "Cột không dùng (4997)" in shown
    assert "Cột thừa 1," in shown and "Cột thừa 8 …" in shown and "Cột thừa 9," not in shown
    assert "Xem 4989 cột không dùng còn lại" in rest and "Cột thừa 4997" in rest
    assert rest.index("Cột thừa 4997") < rest.index("</details>")


def test_a_name_with_markup_or_a_control_character_is_rejected_with_its_reason(
    officer_client: Client, tmp_path: Path, settings: SettingsWrapper
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    lines = ["Họ và tên,Ngày sinh,Giới tính", "<script>alert(1)</script>,04/05/2017,Nam",
             "Lò Văn\x07 Sình,04/05/2017,Nam", "Lò Văn Sình,04/05/2017,Nam"]
    upload = SimpleUploadedFile("ds.csv", "\n".join(lines).encode("utf-8"))
    officer_client.post("/tre-em/nhap/", {"file": upload, "as_of": "01/05/2026", "commune": unit("03390").pk})
    job = ImportRecord.objects.get(kind="children")
    officer_client.post(f"/tre-em/nhap/{job.pk}/")
    job.refresh_from_db()
    assert job.summary is not None and (job.summary["created"], job.summary["rejected"]) == (1, 2)
    reasons = dict((row, reason) for row, reason in job.summary["rejected_rows"])
    assert reasons[2].startswith("Họ tên có ký tự của mã trang web")
    assert reasons[3].startswith("Họ tên có ký tự điều khiển không nhìn thấy (mã U+0007)")
    assert list(Child.objects.values_list("full_name", flat=True)) == ["Lò Văn Sình"]
    page = officer_client.get(f"/tre-em/nhap/{job.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
