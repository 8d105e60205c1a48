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

def _report_of(code: str) -> int:
    """The 2026 report of the commune with ``code`` (the cycle is opened on first use)."""
    from treem.reporting.tests.conftest import load_plan_and_rules
    from treem.reporting.tests.factories import commune_report, cycle

    load_plan_and_rules()
    return commune_report(cycle(2026), code).pk


def _evidence_of(code: str) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from treem.reporting.models import Submission
    from treem.reporting.services import attach_evidence, ensure_task_progress

    progress = ensure_task_progress(Submission.objects.get(pk=_report_of(code)))[0]
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return attach_evidence(actor=user_with_role(Role.COMMUNE_OFFICER, code), progress=progress, upload=upload).pk


def with_plan(url: str) -> str:
    """The address, once the Lai Châu plan is loaded (its pages and figures need it)."""
    from treem.plans.tests.factories import ensure_lai_chau_plan

    ensure_lai_chau_plan()
    return url


OBJECT_ROUTES: dict[str, Callable[[str], str]] = {
    "GET /api/v1/org-units/{code}": lambda code: f"/api/v1/org-units/{code}",
    "GET /don-vi/?unit=": lambda code: f"/don-vi/?unit={unit(code).uid}",
    "GET /chi-tieu/?unit=": lambda code: with_plan(f"/chi-tieu/?unit={unit(code).uid}"),
    "GET /chi-tieu/{code}/?unit=": lambda code: with_plan(f"/chi-tieu/I05/?unit={unit(code).uid}"),
    "GET /chi-tieu/{code}/xuat.xlsx?unit=": lambda code: with_plan(f"/chi-tieu/I05/xuat.xlsx?unit={unit(code).uid}"),
    "GET /chi-tieu/xuat.xlsx?unit=": lambda code: with_plan(f"/chi-tieu/xuat.xlsx?unit={unit(code).uid}"),
    "GET /api/v1/indicator-values?org_unit=": lambda code: with_plan(
        f"/api/v1/indicator-values?indicator=I05&period=2026&org_unit={code}"),
    "GET /bao-cao/bao-cao/{id}/": lambda code: f"/bao-cao/bao-cao/{_report_of(code)}/",
    "GET /bao-cao/bao-cao/{id}/phien-ban/": lambda code: f"/bao-cao/bao-cao/{_report_of(code)}/phien-ban/",
    "GET /bao-cao/minh-chung/{id}/": lambda code: f"/bao-cao/minh-chung/{_evidence_of(code)}/",
}

# Routes whose object belongs to no commune (a plan is one document for the whole province): every holder of an
# assignment reads them, and nobody without one (tests/test_url_permissions.py, treem/plans/tests/test_api.py).
NOT_TERRITORIAL_ROUTES = {"GET /api/v1/plans/{plan_id}/indicators"}


def test_every_api_route_with_a_path_parameter_is_covered() -> None:
    routes = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            if "{" in path:
                for operation in path_view.operations:
                    for method in operation.methods:
                        routes.add(f"{method} /api/v1{prefix.rstrip('/')}{path}")
    assert routes <= set(OBJECT_ROUTES) | NOT_TERRITORIAL_ROUTES


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
