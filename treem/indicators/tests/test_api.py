"""API: /api/v1/indicator-values — value, numerator, denominator, status, disaggregations; scoped."""

from __future__ import annotations

import pytest
from django.test import Client

from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role
from treem.indicators.tests.helpers import fill
from treem.plans.models import Plan

pytestmark = pytest.mark.django_db


def test_the_values_of_an_indicator_for_the_communes_of_the_province(client: Client, lai_chau_plan: Plan) -> None:
    fill(communes=3, years=range(2022, 2025))
    client.force_login(user_with_role(Role.LEADER, "12"))
    response = client.get("/api/v1/indicator-values?indicator=I05&period=2024&org_unit=12&level=commune")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 106  # the communes in force on 31/12/2024
    first = rows[0]
    assert first["org_unit"]["level"] == "commune"
    assert (first["value"], first["numerator"], first["denominator"], first["units_counted"]) == (16.0, 16, 100, 1)
    assert first["status"]["target_year"] == 2025 and first["status"]["comparison"] == "lt"
    assert first["status"]["status"] == "at_risk"  # 16 % in 2022–2024, flat: 1 point above "below 15 %"
    assert [t["target_year"] for t in first["targets"]] == [2025, 2030]
    sex = {row["category"]: row for row in first["disaggregations"]["sex"]}
    assert (sex["F"]["numerator"], sex["F"]["denominator"], sex["F"]["value"]) == (8, 50, 16.0)
    minority = {row["category"]: row["value"] for row in first["disaggregations"]["minority"]}
    assert minority == {"kinh": 16.0, "minority": 16.0}
    assert first["disaggregations"]["minority_gap"] == 0.0
    assert first["is_demo"] is False
    missing = rows[-1]
    assert (missing["value"], missing["numerator"], missing["units_counted"]) == (None, None, 0)
    assert missing["status"]["status"] == "no_data"


def test_the_province_total_and_a_code_resolved_on_the_period(client: Client, lai_chau_plan: Plan) -> None:
    fill(communes=2, years=range(2024, 2027))
    client.force_login(user_with_role(Role.COORDINATOR, "12"))
    province = client.get("/api/v1/indicator-values?indicator=I14&period=2024&org_unit=12").json()
    assert [(row["org_unit"]["code"], row["units_counted"], row["value"]) for row in province] == [("12", 2, 93.0)]
    old = client.get("/api/v1/indicator-values?indicator=I14&period=2024&org_unit=03390").json()
    new = client.get("/api/v1/indicator-values?indicator=I14&period=2026&org_unit=03390").json()
    assert old[0]["org_unit"]["name"] == "Thị trấn Tam Đường"  # code 03390 before 1 July 2025
    assert new[0]["org_unit"]["name"] == "Xã Bình Lư"
    districts = client.get("/api/v1/indicator-values?indicator=I14&period=2024&org_unit=12&level=district").json()
    assert len(districts) == 8


def test_an_officer_gets_their_commune_and_404_for_a_neighbour(client: Client, lai_chau_plan: Plan) -> None:
    fill(years=range(2025, 2027))
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    own = client.get("/api/v1/indicator-values?indicator=I05&period=2026&org_unit=03390")
    assert own.status_code == 200 and own.json()[0]["value"] == 16.0
    assert client.get("/api/v1/indicator-values?indicator=I05&period=2026&org_unit=03408").status_code == 404
    assert client.get("/api/v1/indicator-values?indicator=I05&period=2026&org_unit=12").status_code == 404
    assert client.get("/api/v1/indicator-values?indicator=I99&period=2026&org_unit=03390").status_code == 404
    assert client.get("/api/v1/indicator-values?indicator=I05&period=2026&org_unit=03390&level=x").status_code == 422
