"""Access control reads a user's assignments once per request, however many checks the request makes; outside a
request (services, commands) every check reads them afresh."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from treem.accounts.models import Assignment
from treem.accounts.tests.factories import unit, user_with_role
from treem.core.access import has_capability, scope_paths
from treem.core.request_context import current_request
from treem.core.roles import Role
from treem.indicators.permissions import VIEW_INDICATORS

pytestmark = pytest.mark.django_db


def test_the_checks_of_one_request_read_the_assignments_once() -> None:
    user = user_with_role(Role.COMMUNE_OFFICER, "03390")
    with CaptureQueriesContext(connection) as outside:
        for _ in range(5):
            assert has_capability(user, VIEW_INDICATORS)
    token = current_request.set(RequestFactory().get("/"))
    try:
        with CaptureQueriesContext(connection) as inside:
            for _ in range(5):
                assert has_capability(user, VIEW_INDICATORS)
            assert scope_paths(user, capability=VIEW_INDICATORS)
    finally:
        current_request.reset(token)
    assert len(inside) * 5 == len(outside) > 0


def test_outside_a_request_a_new_assignment_counts_at_once() -> None:
    user = user_with_role(Role.COMMUNE_OFFICER, "03390")
    assert not has_capability(user, "protection.supervise_cases")
    Assignment.objects.create(user=user, role=Role.CASE_SUPERVISOR, org_unit=unit("12"))
    assert has_capability(user, "protection.supervise_cases")
