"""The map page and its data: the engine's figures on the year's hierarchy, scoped to the user's subtree."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role
from treem.indicators.engine import Engine, reference_date
from treem.indicators.templatetags.indicator_format import vn_number
from treem.indicators.tests.helpers import fill
from treem.maps.services import upload_boundaries
from treem.maps.tests.helpers import NEW_DAY, communes_on, province, upload_file
from treem.maps.tests.shapes import feature_collection, geojson_bytes
from treem.plans.models import Indicator, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _client(role: str, code: str = "12") -> Client:
    client = Client()
    client.force_login(user_with_role(role, code))
    return client


def _engine_figures(code: str, *, year: int, level: str) -> dict[str, Any]:
    indicator = Indicator.objects.get(code=code)
    engine = Engine()
    on = reference_date(year)
    units = [unit for unit in engine.hierarchy.valid_on(on) if unit.level == level]
    table = engine.figures(indicator, years=[year], on=on, areas=[unit.id for unit in units])
    return {unit.uid: table.get((unit.id, year)) for unit in units}


@pytest.mark.parametrize(("year", "level", "count"), [(2024, "commune", 106), (2026, "commune", 38),
                                                      (2024, "district", 8)])
def test_the_map_data_are_the_engines_figures_on_that_years_hierarchy(
    lai_chau_plan: Plan, year: int, level: str, count: int,
) -> None:
    fill(communes=30, years=range(year, year + 1))
    response = _client(Role.LEADER).get("/ban-do/du-lieu.json", {"source": "indicator:I05", "year": year,
                                                                 "level": level})
    assert response.status_code == 200
    payload = response.json()
    expected = _engine_figures("I05", year=year, level=level)
    assert len(payload["units"]) == count == len(expected)
    valued = 0
    for unit in payload["units"]:
        figure = expected[unit["uid"]]
        if figure is None:
            assert unit["value"] is None and unit["communes"] == 0
            continue
        valued += 1
        assert unit["value"] == round(float(figure.value), 2)
        assert unit["value_text"] == vn_number(figure.value)
        assert unit["numerator"] == vn_number(figure.numerator, 0)
        assert unit["denominator"] == vn_number(figure.denominator, 0)
        assert unit["communes"] == figure.units_counted
        assert unit["url"] == f"/chi-tieu/I05/?unit={unit['uid']}&year={year}"
    assert valued > 0
    assert payload["has_shapes"] is False  # no shapes uploaded: symbols at the bundled centroids
    assert all(unit["lon"] is not None and unit["point_source"] == "reference" for unit in payload["units"])


def test_districts_are_refused_for_a_year_after_the_reorganisation(lai_chau_plan: Plan) -> None:
    response = _client(Role.LEADER).get("/ban-do/du-lieu.json", {"year": 2026, "level": "district"})
    assert response.status_code == 404


def test_uploaded_shapes_are_drawn_and_a_commune_officer_sees_only_their_commune(lai_chau_plan: Plan) -> None:
    fill(communes=38, years=range(2026, 2027))
    communes = communes_on(NEW_DAY)
    upload_boundaries(actor=user_with_role(Role.ADMIN, "12"), upload=upload_file(geojson_bytes(
        feature_collection(communes))), province=province(), hierarchy_on=NEW_DAY)
    payload = _client(Role.LEADER).get("/ban-do/du-lieu.json", {"year": 2026}).json()
    assert payload["has_shapes"] and len(payload["geojson"]["features"]) == 38
    assert {feature["id"] for feature in payload["geojson"]["features"]} == {unit.uid for unit in communes}

    officer = _client(Role.COMMUNE_OFFICER, communes[3].code)
    own = officer.get("/ban-do/du-lieu.json", {"year": 2026}).json()
    assert [unit["uid"] for unit in own["units"]] == [communes[3].uid]
    assert [feature["id"] for feature in own["geojson"]["features"]] == [communes[3].uid]


def test_the_map_page_embeds_its_data_and_lists_every_unit(lai_chau_plan: Plan) -> None:
    fill(communes=5, years=range(2024, 2025))
    response = _client(Role.LEADER).get("/ban-do/", {"year": 2024, "source": "indicator:I06"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map-data"' in html and "maps/map.js" in html and 'data-testid="map-fallback"' in html
    assert html.count('<tr><td>0') >= 100  # the 106 old communes' codes in the table
    assert "<script>" not in html.replace('<script id="map-data" type="application/json">', "")


@pytest.mark.parametrize("role", [Role.LEADER, Role.COORDINATOR, Role.COMMUNE_OFFICER])
def test_the_boundary_pages_are_for_administrators_only(role: str) -> None:
    code = "12" if role != Role.COMMUNE_OFFICER else communes_on(NEW_DAY)[0].code
    client = _client(role, code)
    assert client.get("/ban-do/ranh-gioi/").status_code == 403


def test_an_administrator_uploads_sees_the_report_and_confirms_a_name_match(lai_chau_plan: Plan) -> None:
    client = _client(Role.ADMIN)
    assert client.get("/ban-do/ranh-gioi/").status_code == 200
    communes = communes_on(NEW_DAY)
    collection = feature_collection(communes)
    del collection["features"][0]["properties"]["ma"]
    response = client.post("/ban-do/ranh-gioi/", {"file": upload_file(geojson_bytes(collection)),
                                                 "hierarchy_on": "01/07/2025"})
    assert response.status_code == 302
    report_page = client.get(response["Location"])
    assert 'data-testid="proposed"' in report_page.content.decode()
    confirmed = client.post(response["Location"], {"accept": ["1"]}, follow=True)
    assert 'data-testid="stored"' in confirmed.content.decode()
    assert date(2025, 7, 1).strftime("%d/%m/%Y") in confirmed.content.decode()


def test_an_administrator_of_another_record_gets_the_same_404() -> None:
    client = _client(Role.ADMIN)
    assert client.get("/ban-do/ranh-gioi/999999/").status_code == 404
