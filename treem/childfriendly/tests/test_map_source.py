"""The child-friendly score is a source of the map of communes (``treem.maps``), read over HTTP as a leader would."""

from __future__ import annotations

import pytest
from django.test import Client

from treem.accounts.tests.factories import unit, user_with_role
from treem.childfriendly.services import review_assessment, submit_assessment
from treem.childfriendly.tests.factories import OTHER, OWN, scored_assessment
from treem.core.roles import Role

pytestmark = pytest.mark.django_db


def test_the_map_shows_each_communes_points_and_nothing_for_a_commune_not_assessed(client: Client) -> None:
    recognised = review_assessment(actor=None, assessment=submit_assessment(actor=None, assessment=scored_assessment(
        code=OWN)), decision="recognise")
    client.force_login(user_with_role(Role.LEADER, "12"))
    page = client.get("/ban-do/", {"year": 2026})
    assert "child-friendly:score" in page.content.decode()
    payload = client.get("/ban-do/du-lieu.json", {"source": "child-friendly:score", "year": 2026}).json()
    by_uid = {row["uid"]: row for row in payload["units"]}
    own = by_uid[unit(OWN).uid]
    assert own["value"] == float(recognised.total) and own["communes"] == 1
    assert own["url"] == "/xa-phu-hop-tre-em/?nam=2026"
    assert by_uid[unit(OTHER).uid]["value"] is None
    assert len(payload["units"]) == 38
