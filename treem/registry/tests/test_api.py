"""The registry API: the same scoping as the pages, masked ID numbers, audited openings, imports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from treem.accounts.tests.factories import user_with_role
from treem.core.intake import runner
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.registry import services
from treem.registry.models import Child, DuplicateCandidate, DuplicateStatus
from treem.registry.tests.factories import child_in
from treem.registry.tests.test_imports import MESSY_ROWS, write_messy_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client: Client) -> Client:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    return client


def test_the_list_holds_only_the_callers_children(officer: Client) -> None:
    mine = child_in("03390", full_name="Lò Văn Sình")
    child_in("03408", full_name="Lò Văn Sình")
    body = officer.get("/api/v1/children", {"q": "lo van sinh", "status": "all"}).json()
    assert body["count"] == 1 and [item["id"] for item in body["items"]] == [mine.pk]


def test_reading_a_child_is_audited_and_another_communes_child_is_404(officer: Client) -> None:
    mine = child_in("03390", personal_id="012217000001")
    theirs = child_in("03408")
    response = officer.get(f"/api/v1/children/{mine.pk}")
    assert response.status_code == 200 and response.json()["personal_id"] == "012217000001"
    assert AuditEvent.objects.filter(object_id=str(mine.pk), verb="view").count() == 1
    assert officer.get(f"/api/v1/children/{theirs.pk}").status_code == 404
    assert officer.patch(f"/api/v1/children/{theirs.pk}", {"notes": "x"},
                         content_type="application/json").status_code == 404


def test_the_id_is_masked_for_a_coordinator_and_leaders_are_refused(client: Client) -> None:
    child = child_in("03390", personal_id="012217000001")
    client.force_login(user_with_role(Role.COORDINATOR, "12"))
    assert client.get(f"/api/v1/children/{child.pk}").json()["personal_id"] == "012••••••001"
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert client.get("/api/v1/children").status_code == 403
    assert client.get(f"/api/v1/children/{child.pk}").status_code == 403


def test_creating_and_correcting_a_child(officer: Client) -> None:
    response = officer.post("/api/v1/children", {"commune_code": "03390", "full_name": "giàng a páo",
                                                 "birth_date": "2018-03-12", "sex": "M", "ethnic_group_code": "8",
                                                 "personal_id": "12218001234"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["full_name"], body["ethnic_group_code"], body["personal_id"]) == ("Giàng A Páo", "08",
                                                                                   "012218001234")
    assert body["consent_complete"] is False
    unversioned = officer.patch(f"/api/v1/children/{body['id']}", {"full_name": "Giàng A Pao", "reason": "sửa"},
                                content_type="application/json")
    assert unversioned.status_code == 428 and "version" in unversioned.json()["errors"]
    response = officer.patch(f"/api/v1/children/{body['id']}", {"full_name": "Giàng A Pao", "reason": "sửa",
                                                                "version": body["version"]},
                             content_type="application/json")
    assert response.status_code == 200 and response.json()["full_name"] == "Giàng A Pao"
    assert response["ETag"] == f'"{response.json()["version"]}"' != f'"{body["version"]}"'
    event = AuditEvent.objects.filter(object_type="registry.child", object_id=str(body["id"]), verb="update").get()
    assert event.before == {"full_name": "Giàng A Páo"} and event.reason == "sửa"


def test_an_edit_based_on_an_old_version_is_409_with_the_body_and_412_with_if_match_and_saves_nothing(
    officer: Client,
) -> None:
    created = officer.post("/api/v1/children", {"commune_code": "03390", "full_name": "Lò Thị Mai",
                                                "birth_date": "2019-04-02", "sex": "F"},
                           content_type="application/json").json()
    read = officer.get(f"/api/v1/children/{created['id']}")
    assert read["ETag"] == f'"{created["version"]}"'
    first = officer.patch(f"/api/v1/children/{created['id']}", {"notes": "đã xác minh"},
                          content_type="application/json", headers={"If-Match": read["ETag"]})
    assert first.status_code == 200
    stale_body = officer.patch(f"/api/v1/children/{created['id']}", {"notes": "ghi đè", "version": created["version"]},
                               content_type="application/json")
    stale_header = officer.patch(f"/api/v1/children/{created['id']}", {"notes": "ghi đè"},
                                 content_type="application/json", headers={"If-Match": read["ETag"]})
    assert stale_body.status_code == 409 and stale_header.status_code == 412
    assert stale_body.json()["current_version"] == first.json()["version"] == stale_header.json()["current_version"]
    assert Child.objects.get(pk=created["id"]).notes == "đã xác minh"


def test_a_create_retried_with_its_idempotency_key_replays_the_answer_and_creates_one_child(officer: Client) -> None:
    body = {"commune_code": "03390", "full_name": "Vàng A Dế", "birth_date": "2020-01-15", "sex": "M"}
    first = officer.post("/api/v1/children", body, content_type="application/json",
                         headers={"Idempotency-Key": "tao-tre-1"})
    retry = officer.post("/api/v1/children", body, content_type="application/json",
                         headers={"Idempotency-Key": "tao-tre-1"})
    assert first.status_code == retry.status_code == 201 and retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    other = officer.post("/api/v1/children", {**body, "full_name": "Vàng A Dềnh"}, content_type="application/json",
                         headers={"Idempotency-Key": "tao-tre-1"})
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["errors"]
    assert Child.objects.filter(full_name__startswith="Vàng A").count() == 1


def test_creating_in_another_commune_or_with_bad_values_is_refused(officer: Client) -> None:
    other = officer.post("/api/v1/children", {"commune_code": "03408", "full_name": "A", "birth_date": "2018-03-12",
                                              "sex": "M"}, content_type="application/json")
    assert other.status_code == 404
    bad = officer.post("/api/v1/children", {"commune_code": "03390", "full_name": "Lò Văn A",
                                            "birth_date": "2005-03-12", "sex": "M"}, content_type="application/json")
    assert bad.status_code == 422 and any("16 tuổi" in message for message in bad.json()["errors"]["birth_date"])


def test_importing_a_file_through_the_api(
    officer: Client, tmp_path: Path, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    content = write_messy_workbook(tmp_path / "ds.xlsx").read_bytes()
    dry = officer.post("/api/v1/children/import", {"file": SimpleUploadedFile("ds.xlsx", content),
                                                   "commune": "03390", "as_of": "2026-05-01", "dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["summary"]["rows"] == len(MESSY_ROWS)
    assert Child.objects.count() == 0
    assert not any(path.is_file() for path in (tmp_path / "media").rglob("*"))  # the dry run's copy is gone
    monkeypatch.setattr(runner, "MAX_UPLOAD_BYTES", len(content) - 1)
    too_big = officer.post("/api/v1/children/import", {"file": SimpleUploadedFile("ds.xlsx", content),
                                                       "commune": "03390", "as_of": "2026-05-01", "dry_run": "true"})
    assert too_big.status_code == 422 and "Tệp quá lớn" in too_big.json()["detail"]
    monkeypatch.undo()
    response = officer.post("/api/v1/children/import", {"file": SimpleUploadedFile("ds.xlsx", content),
                                                        "commune": "03390", "as_of": "2026-05-01"})
    assert response.status_code == 200, response.content
    summary = response.json()["summary"]
    assert summary["rows"] == summary["created"] + summary["updated"] + summary["rejected"]
    status = officer.get(f"/api/v1/children/imports/{response.json()['id']}").json()
    assert status["status"] == "done"
    outcomes = officer.get(f"/api/v1/imports/{response.json()['id']}").json()
    assert outcomes["status"] == "done" and outcomes["rejected"] == summary["rejected"] > 0
    assert [row["row"] for row in outcomes["rejected_rows"]] == [row for row, _reason in summary["rejected_rows"]]
    assert all(row["reason"] for row in outcomes["rejected_rows"]) and outcomes["has_rejected_file"] is True
    client = Client()
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03408"))
    assert client.get(f"/api/v1/imports/{response.json()['id']}").status_code == 404
    assert client.get(f"/api/v1/imports/{response.json()['id']}/rows").status_code == 404
    refused = officer.post("/api/v1/children/import", {"file": SimpleUploadedFile("ds.xlsx", content),
                                                       "commune": "03408", "as_of": "2026-05-01"})
    assert refused.status_code == 404


# -- history and the duplicate review queue --------------------------------------------------------------------


def _pair(a: Child, b: Child) -> DuplicateCandidate:
    low, high = sorted((a, b), key=lambda child: child.pk)
    return DuplicateCandidate.objects.create(child_a=low, child_b=high, score=0.95, reasons=["Cùng ngày sinh"])


def test_a_records_history_shows_the_changes_with_id_numbers_masked_as_on_the_page(client: Client) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    child = child_in("03390", personal_id="012217000001")
    services.update_child(actor=officer, child=child, changes={"personal_id": "012217000002"},
                          today=dt.date.today(), reason="Sửa theo giấy khai sinh")
    client.force_login(officer)
    full = client.get(f"/api/v1/children/{child.pk}/history")
    assert full.status_code == 200
    latest = full.json()["items"][0]
    assert latest["verb"] == "update" and latest["reason"] == "Sửa theo giấy khai sinh"
    change = next(change for change in latest["changes"] if change["before"] == "012217000001")
    assert change["after"] == "012217000002"
    client.force_login(user_with_role(Role.COORDINATOR, "12", agency_code="SYT"))
    masked = client.get(f"/api/v1/children/{child.pk}/history").json()["items"][0]["changes"]
    values = [value for change in masked for value in (change["before"], change["after"])]
    assert "012217000002" not in values and "012217000001" not in values
    assert Child.objects.get(pk=child.pk).masked_personal_id in values
    assert AuditEvent.objects.filter(object_id=str(child.pk), verb=AuditEvent.Verb.VIEW).count() == 2


def test_another_communes_record_history_is_404(officer: Client) -> None:
    theirs = child_in("03408")
    assert officer.get(f"/api/v1/children/{theirs.pk}/history").status_code == 404


def test_the_review_queue_holds_the_pairs_the_officer_may_decide_paged(officer: Client) -> None:
    mine = _pair(child_in("03390", full_name="Lò Văn Sình"), child_in("03390", full_name="Lò Văn Sinh"))
    _pair(child_in("03390", full_name="Lò Thị Mai"), child_in("03390", full_name="Lò Thị Mại"))
    _pair(child_in("03390", full_name="Vàng A Páo"), child_in("03408", full_name="Vàng A Pao"))
    _pair(child_in("03408", full_name="Giàng A Sử"), child_in("03408", full_name="Giàng A Xử"))
    page = officer.get("/api/v1/duplicates", {"limit": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    second = officer.get("/api/v1/duplicates", {"limit": 1, "offset": 1}).json()
    assert {page["items"][0]["id"], second["items"][0]["id"]} >= {mine.pk}
    assert officer.get("/api/v1/duplicates", {"limit": 101}).status_code == 422


def test_merging_and_not_the_same_through_the_api(officer: Client) -> None:
    a, b = child_in("03390", full_name="Lò Văn Sình"), child_in("03390", full_name="Lò Văn Sinh")
    pair = _pair(a, b)
    outsider = officer.post(f"/api/v1/duplicates/{pair.pk}/merge", data={"keep_child_id": 999_999},
                            content_type="application/json")
    assert outsider.status_code == 422 and "keep_child_id" in outsider.json()["errors"]
    merged = officer.post(f"/api/v1/duplicates/{pair.pk}/merge", data={"keep_child_id": pair.child_a_id},
                          content_type="application/json")
    assert merged.status_code == 200, merged.content
    assert merged.json() == {"id": pair.pk, "status": "merged", "kept_child_id": pair.child_a_id}
    assert Child.objects.get(pk=pair.child_b_id).merged_into_id == pair.child_a_id
    again = officer.post(f"/api/v1/duplicates/{pair.pk}/not-the-same")
    assert again.status_code == 404
    c, d = child_in("03390", full_name="Lò Thị Mai"), child_in("03390", full_name="Lò Thị Mại")
    other = _pair(c, d)
    decided = officer.post(f"/api/v1/duplicates/{other.pk}/not-the-same")
    assert decided.status_code == 200 and decided.json()["status"] == "not_same"
    other.refresh_from_db()
    assert other.status == DuplicateStatus.NOT_SAME


def test_a_neighbouring_communes_officer_cannot_see_or_decide_the_pair(client: Client) -> None:
    pair = _pair(child_in("03390", full_name="Lò Văn Sình"), child_in("03390", full_name="Lò Văn Sinh"))
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03408"))
    assert client.get("/api/v1/duplicates").json()["count"] == 0
    merge = client.post(f"/api/v1/duplicates/{pair.pk}/merge", data={"keep_child_id": pair.child_a_id},
                        content_type="application/json")
    assert merge.status_code == 404
    assert client.post(f"/api/v1/duplicates/{pair.pk}/not-the-same").status_code == 404
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.OPEN


def test_every_row_of_an_import_has_its_outcome_paged_and_filtered(
    officer: Client, tmp_path: Path, settings: SettingsWrapper,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    content = write_messy_workbook(tmp_path / "ds.xlsx").read_bytes()
    done = officer.post("/api/v1/children/import", {"file": SimpleUploadedFile("ds.xlsx", content),
                                                    "commune": "03390", "as_of": "2026-05-01"}).json()
    summary = done["summary"]
    assert "outcomes" not in summary  # every row's outcome is paged, not sent with the summary
    rows = officer.get(f"/api/v1/imports/{done['id']}/rows?limit=1000")
    assert rows.status_code == 200 and rows.json()["count"] == summary["rows"] == int(rows["X-Total-Count"])
    items = rows.json()["items"]
    assert [item["row"] for item in items] == sorted(item["row"] for item in items)
    for outcome in ("created", "updated", "rejected"):
        assert sum(item["outcome"] == outcome for item in items) == summary[outcome]
    created = [item for item in items if item["outcome"] == "created"]
    assert {item["child_id"] for item in created} == set(
        Child.objects.filter(pk__in=[item["child_id"] for item in created]).values_list("pk", flat=True))
    rejected = officer.get(f"/api/v1/imports/{done['id']}/rows", {"outcome": "rejected", "limit": 1, "offset": 1})
    assert rejected.json()["count"] == summary["rejected"] and len(rejected.json()["items"]) == 1
    second = rejected.json()["items"][0]
    assert second["reason"] and second["child_id"] is None
    assert (second["row"], second["reason"]) == tuple(summary["rejected_rows"][1])
    assert officer.get(f"/api/v1/imports/{done['id']}/rows?outcome=skipped").status_code == 422
