"""API: scoring posted rows, and a child's measurements (scoped)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role
from treem.nutrition.models import Measurement, Source
from treem.nutrition.tests.factories import child_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client: Client) -> Client:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    return client


def test_posted_rows_are_scored_like_who_with_blanks_as_null(officer_client: Client) -> None:
    rows = [
        {"sex": "1", "age_days": 365, "weight_kg": 9.6, "length_cm": 75.7, "measured": "L", "oedema": "n"},
        {"sex": "Nữ", "birth_date": "2022-02-01", "measured_on": "2024-08-15", "weight_kg": 11.2, "length_cm": 86.0},
        {"sex": "M", "age_days": 500, "weight_kg": 10.1, "length_cm": 79.0, "measured": "H", "oedema": True},
        {"sex": "1", "age_days": 1900, "weight_kg": 15.0, "length_cm": 100.0},
    ]
    response = officer_client.post("/api/v1/nutrition/zscores", {"rows": rows}, content_type="application/json")
    assert response.status_code == 200
    scored = response.json()["rows"]
    assert scored[0]["waz"] == -0.04 and scored[0]["flag_waz"] is False
    assert scored[1]["haz"] is not None
    assert scored[2]["waz"] is None and scored[2]["flag_waz"] is None and scored[2]["haz"] is not None
    assert scored[3] == {"waz": None, "haz": None, "whz": None, "flag_waz": None, "flag_haz": None,
                         "flag_whz": None, "adjusted_length_cm": 100.0, "position_implausible": False}


def test_scoring_is_open_to_every_role_but_not_anonymous(client: Client) -> None:
    body = {"rows": [{"sex": 1, "age_days": 100, "weight_kg": 5.5}]}
    assert client.post("/api/v1/nutrition/zscores", body, content_type="application/json").status_code == 401
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert client.post("/api/v1/nutrition/zscores", body, content_type="application/json").status_code == 200


def test_an_unknown_convention_is_refused(officer_client: Client) -> None:
    response = officer_client.post("/api/v1/nutrition/zscores", {"rows": [], "convention": "x"},
                                   content_type="application/json")
    assert response.status_code == 422


def test_recording_and_reading_a_childs_measurements(officer_client: Client) -> None:
    child = child_in("03390", birth_date=timezone.localdate() - timedelta(days=400))
    url = f"/api/v1/nutrition/children/{child.pk}/measurements"
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    created = officer_client.post(url, {"measured_on": day, "weight_kg": 9.9, "length_cm": 76.0, "position": "L"},
                                  content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["created"] is True and body["measurement"]["waz"] is not None and body["warnings"] == []
    again = officer_client.post(url, {"measured_on": day, "weight_kg": 3.0, "position": "L"},
                                content_type="application/json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert any("ngoài khoảng hợp lý" in warning for warning in again.json()["warnings"])
    assert Measurement.objects.get(child=child).source == Source.API
    listed = officer_client.get(url).json()
    assert [item["weight_kg"] for item in listed] == [3.0]


def test_impossible_values_are_refused_with_field_messages(officer_client: Client) -> None:
    child = child_in("03390", birth_date=timezone.localdate() - timedelta(days=400))
    url = f"/api/v1/nutrition/children/{child.pk}/measurements"
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = officer_client.post(url, {"measured_on": future, "weight_kg": 9.9}, content_type="application/json")
    assert response.status_code == 422
    assert "ở tương lai" in response.json()["errors"]["measured_on"][0]


def test_a_child_of_another_commune_is_404_by_api(officer_client: Client) -> None:
    other = child_in("03408", birth_date=timezone.localdate() - timedelta(days=400))
    url = f"/api/v1/nutrition/children/{other.pk}/measurements"
    assert officer_client.get(url).status_code == 404
    day = timezone.localdate().isoformat()
    assert officer_client.post(url, {"measured_on": day, "weight_kg": 9.9},
                               content_type="application/json").status_code == 404
