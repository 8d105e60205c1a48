"""API: correcting (with a version and a reason) and removing a measurement, the follow-up list, and a measurement
import from upload to row outcomes — scoped like the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from treem.accounts.tests.factories import user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.nutrition.models import Measurement
from treem.nutrition.tests.factories import child_in, measurement_with

pytestmark = pytest.mark.django_db

API = "/api/v1/nutrition"


@pytest.fixture
def officer(client: Client) -> Client:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    return client


def _record(client: Client, child_id: int, **values: object) -> dict[str, object]:
    body = {"measured_on": (timezone.localdate() - timedelta(days=3)).isoformat(), "weight_kg": 9.1,
            "length_cm": 76.0, "position": "L", **values}
    response = client.post(f"{API}/children/{child_id}/measurements", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["measurement"]  # type: ignore[no-any-return]


def test_a_correction_needs_the_version_read_and_a_reason_and_keeps_the_old_values(officer: Client) -> None:
    child = child_in("03390", birth_date=timezone.localdate() - timedelta(days=400))
    measurement = _record(officer, child.pk)
    path = f"{API}/measurements/{measurement['id']}"
    no_version = officer.patch(path, {"reason": "cân lại", "weight_kg": 9.3}, content_type="application/json")
    assert no_version.status_code == 428
    no_reason = officer.patch(path, {"version": measurement["version"], "weight_kg": 9.3},
                              content_type="application/json")
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    done = officer.patch(path, {"version": measurement["version"], "reason": "cân lại", "weight_kg": 9.3},
                         content_type="application/json")
    assert done.status_code == 200 and done.json()["measurement"]["weight_kg"] == 9.3
    assert done["ETag"] == f'"{done.json()["measurement"]["version"]}"'
    stale = officer.patch(path, {"reason": "ghi đè", "weight_kg": 9.9}, content_type="application/json",
                          headers={"If-Match": f'"{measurement["version"]}"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == done.json()["measurement"]["version"]
    stale_body = officer.patch(path, {"version": measurement["version"], "reason": "ghi đè", "weight_kg": 9.9},
                               content_type="application/json")
    assert stale_body.status_code == 409
    assert float(Measurement.objects.get().weight_kg or 0) == 9.3
    event = AuditEvent.objects.get(action="correct_measurement")
    assert event.before["weight_kg"] in ("9.10", "9.1") and event.reason == "cân lại"


def test_removing_a_measurement_needs_a_reason_and_is_soft(officer: Client) -> None:
    child = child_in("03390", birth_date=timezone.localdate() - timedelta(days=400))
    measurement = _record(officer, child.pk)
    assert officer.delete(f"{API}/measurements/{measurement['id']}").status_code == 422
    removed = officer.delete(f"{API}/measurements/{measurement['id']}?reason=nhập nhầm trẻ")
    assert removed.status_code == 200
    assert officer.get(f"{API}/children/{child.pk}/measurements").json() == []
    assert Measurement.objects.get().deleted_at is not None
    assert officer.delete(f"{API}/measurements/{measurement['id']}?reason=x").status_code == 404


def test_a_neighbouring_communes_measurement_cannot_be_corrected_or_removed(officer: Client) -> None:
    other = child_in("03408", birth_date=timezone.localdate() - timedelta(days=400))
    item = measurement_with(other, measured_on=timezone.localdate() - timedelta(days=2), waz=-1.0)
    path = f"{API}/measurements/{item.pk}"
    assert officer.patch(path, {"version": item.version, "reason": "x", "weight_kg": 9.0},
                         content_type="application/json").status_code == 404
    assert officer.delete(f"{path}?reason=x").status_code == 404
    assert officer.get(f"{API}/follow-up?commune=03408").status_code == 422


def test_the_follow_up_list_gives_the_children_below_minus_two(officer: Client) -> None:
    today = timezone.localdate()
    thin = child_in("03390", birth_date=today - timedelta(days=500))
    well = child_in("03390", birth_date=today - timedelta(days=500))
    measurement_with(thin, measured_on=today - timedelta(days=10), waz=-2.6, haz=-1.0, whz=-3.2)
    measurement_with(well, measured_on=today - timedelta(days=10), waz=0.1, haz=0.2, whz=0.0)
    response = officer.get(f"{API}/follow-up?commune=03390")
    assert response.status_code == 200 and response["X-Total-Count"] == "1"
    [row] = response.json()
    assert row["child_id"] == thin.pk and set(row["below"]) == {"waz", "whz"} and row["severe"] == ["whz"]


def test_a_measurement_file_is_previewed_then_confirmed_with_each_rows_outcome(officer: Client) -> None:
    child = child_in("03390", birth_date=date(2024, 6, 1), personal_id="012345678901", sex="F")
    day = (timezone.localdate() - timedelta(days=2)).strftime("%d/%m/%Y")
    content = (f"Số định danh;Ngày cân;Cân nặng;Chiều dài\n012345678901;{day};7,9;68,5\n"
               f"099999999999;{day};8,0;70\n").encode()
    uploaded = officer.post(f"{API}/imports", {"file": SimpleUploadedFile("can.csv", content), "commune": "03390"},
                            headers={"Idempotency-Key": "nhap-1"})
    assert uploaded.status_code == 201, uploaded.content
    preview = uploaded.json()
    assert preview["status"] == "uploaded" and preview["is_preview"] is True and Measurement.objects.count() == 0
    assert [row["outcome"] for row in preview["outcomes"]] == ["created", "rejected"]
    confirmed = officer.post(f"{API}/imports/{preview['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "done"
    assert (confirmed.json()["created"], confirmed.json()["rejected"]) == (1, 1)
    assert Measurement.objects.get().child_id == child.pk
    assert officer.post(f"{API}/imports/{preview['id']}/confirm").status_code == 409
    assert officer.get(f"{API}/imports/{preview['id']}").json()["outcomes"][1]["reason"]
    rejected = officer.get(f"{API}/imports/{preview['id']}/rows?outcome=rejected")
    assert rejected.status_code == 200 and rejected["X-Total-Count"] == "1"
    assert rejected.json()["is_preview"] is False and rejected.json()["count"] == 1
    [row] = rejected.json()["items"]
    assert row["outcome"] == "rejected" and row["row"] == 3 and row["reason"]
    every = officer.get(f"{API}/imports/{preview['id']}/rows", {"limit": 1, "offset": 0}).json()
    assert every["count"] == 2 and [item["outcome"] for item in every["items"]] == ["created"]
    neighbour = Client()
    neighbour.force_login(user_with_role(Role.COMMUNE_OFFICER, "03408"))
    assert neighbour.get(f"{API}/imports/{preview['id']}/rows").status_code == 404
