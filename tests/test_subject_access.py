"""Subject access (Decree 13/2023): everything held on one child, as the requesting officer may see it, as a file
from the page or the command; the export is audited and scoped like the record itself."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from treem.accounts.tests.factories import user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.nutrition.tests.factories import measurement_with
from treem.protection.tests.factories import make_case, worker
from treem.registry import services
from treem.registry.models import Child, ConsentGiver, ConsentPurpose
from treem.registry.tests.factories import GuardianFactory, child_in

pytestmark = pytest.mark.django_db


def a_child_with_everything() -> Child:
    child = child_in("03390", full_name="Lò Thị Mai", birth_date=timezone.localdate() - timedelta(days=900),
                     personal_id="012345678901")
    guardian = GuardianFactory(child=child, full_name="Lò Văn Pâng")
    services.record_consent(actor=None, child=child, given_by=ConsentGiver.GUARDIAN, guardian=guardian,
                            purpose=ConsentPurpose.REGISTRY, given_on=timezone.localdate() - timedelta(days=30),
                            today=timezone.localdate())
    measurement_with(child, measured_on=timezone.localdate() - timedelta(days=10), waz=-1.2)
    return child


def sheets_of(content: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def text_of(rows: list[tuple[object, ...]]) -> str:
    return " ".join(str(cell) for row in rows for cell in row if cell is not None)


def test_a_commune_officer_downloads_everything_held_on_a_child_and_the_export_is_audited(client: Client) -> None:
    child = a_child_with_everything()
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    client.force_login(officer)
    response = client.get(f"/tre-em/{child.pk}/du-lieu-ca-nhan/")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheets = sheets_of(response.content)
    titles = list(sheets)
    assert titles[0] == "Tóm tắt"
    for expected in ("Hồ sơ trẻ em", "Cha, mẹ, người chăm sóc", "Sự đồng ý", "Số đo cân nặng, chiều cao",
                     "Trường hợp bảo vệ trẻ em", "Nhật ký xử lý dữ liệu"):
        assert any(expected in title for title in titles), expected
    record = next(rows for title, rows in sheets.items() if "Hồ sơ trẻ em" in title)
    assert "Lò Thị Mai" in text_of(record) and "012345678901" in text_of(record)
    guardians = next(rows for title, rows in sheets.items() if "Cha, mẹ" in title)
    assert "Lò Văn Pâng" in text_of(guardians)
    measurements = next(rows for title, rows in sheets.items() if "Số đo" in title)
    assert len(measurements) == 4  # title, note, header, one measurement
    exported = AuditEvent.objects.filter(verb=AuditEvent.Verb.EXPORT, object_type="registry.child",
                                         object_id=str(child.pk))
    assert exported.count() == 1 and exported.get().actor_id == officer.pk


def test_an_officer_of_another_commune_gets_the_same_404_as_for_a_missing_child(client: Client) -> None:
    child = a_child_with_everything()
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03408"))
    assert client.get(f"/tre-em/{child.pk}/du-lieu-ca-nhan/").status_code == 404
    assert client.get("/tre-em/999999/du-lieu-ca-nhan/").status_code == 404
    assert not AuditEvent.objects.filter(verb=AuditEvent.Verb.EXPORT).exists()


def test_a_leader_without_access_to_identities_is_refused(client: Client) -> None:
    child = a_child_with_everything()
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert client.get(f"/tre-em/{child.pk}/du-lieu-ca-nhan/").status_code == 403


def test_only_the_cases_the_user_may_see_are_included() -> None:
    child = a_child_with_everything()
    own_worker, other_worker = worker("03390"), worker("03390")
    make_case(own_worker, child=child, child_full_name=child.full_name)
    make_case(other_worker, child=child, child_full_name=child.full_name, summary="Trường hợp của người khác.")
    from treem.registry.subject_access import export_child_personal_data

    export = export_child_personal_data(actor=own_worker, child_id=child.pk, file_format="json")
    body = json.loads(export.as_json())
    cases = next(section for section in body["sections"] if section["title"] == "Trường hợp bảo vệ trẻ em")
    assert len(cases["rows"]) == 1
    assert "Trường hợp của người khác." not in json.dumps(cases, ensure_ascii=False)


def test_the_officer_without_the_full_id_right_sees_it_masked(client: Client) -> None:
    child = a_child_with_everything()
    client.force_login(user_with_role(Role.COORDINATOR, "12"))
    sheets = sheets_of(client.get(f"/tre-em/{child.pk}/du-lieu-ca-nhan/").content)
    record = next(rows for title, rows in sheets.items() if "Hồ sơ trẻ em" in title)
    assert "012345678901" not in text_of(record)


def test_the_command_writes_the_same_export_as_json(tmp_path: Path) -> None:
    child = a_child_with_everything()
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    target = tmp_path / "tre.json"
    call_command("export_child_data", "--child", str(child.pk), "--username", officer.username,
                 "--output", str(target))
    body = json.loads(target.read_text(encoding="utf-8"))
    assert body["child_id"] == child.pk
    consents = next(section for section in body["sections"] if section["title"] == "Sự đồng ý")
    assert len(consents["rows"]) == 1
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.EXPORT, object_id=str(child.pk)).count() == 1
    stranger = user_with_role(Role.COMMUNE_OFFICER, "03408")
    with pytest.raises(CommandError, match="không có quyền"):
        call_command("export_child_data", "--child", str(child.pk), "--username", stranger.username,
                     "--output", str(tmp_path / "x.xlsx"))
