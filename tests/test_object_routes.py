"""An officer of one commune gets 404 for another commune's objects on every route that takes an object.

``OBJECT_ROUTES`` lists each route that names an object, with how to build the address of an object of the
officer's own commune and of a neighbouring one. A test fails when a route with a path parameter is missing from it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from config.api import api
from treem.accounts.tests.factories import unit, user_with_role
from treem.core.roles import Role

pytestmark = pytest.mark.django_db

OWN, OTHER = "03390", "03408"

OBJECT_ROUTES: dict[str, Callable[[str], str]] = {
    "GET /api/v1/org-units/{code}": lambda code: f"/api/v1/org-units/{code}",
    "GET /don-vi/?unit=": lambda code: f"/don-vi/?unit={unit(code).uid}",
}


def test_every_api_route_with_a_path_parameter_is_covered() -> None:
    routes = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            if "{" in path:
                for operation in path_view.operations:
                    for method in operation.methods:
                        routes.add(f"{method} /api/v1{prefix.rstrip('/')}{path}")
    assert routes <= set(OBJECT_ROUTES)


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_an_officer_gets_their_own_object_and_404_for_a_neighbours(client: Client, route: str) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, OWN)
    client.force_login(officer)
    build = OBJECT_ROUTES[route]
    assert client.get(build(OWN)).status_code == 200
    other = client.get(build(OTHER))
    assert other.status_code == 404
    missing = client.get(build(OWN).replace(OWN, "00000")) if "api" in route else None
    if missing is not None:
        assert missing.status_code == 404
        assert missing.json() == other.json()
