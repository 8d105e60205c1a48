"""The navigation context: the menu and assignments are read when a template shows them, not for every fragment."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from treem.accounts.context_processors import navigation
from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role

pytestmark = pytest.mark.django_db


def test_the_menu_is_read_only_when_shown_and_then_once() -> None:
    request = RequestFactory().get("/tre-em/")
    request.user = user_with_role(Role.COMMUNE_OFFICER, "03390")
    with CaptureQueriesContext(connection) as before_shown:
        context = navigation(request)
    assert len(before_shown) == 0
    with CaptureQueriesContext(connection) as shown:
        labels = [item["label"] for item in context["navigation"]]
        roles = [assignment.role for assignment in context["assignments"]]
    assert labels and roles == [Role.COMMUNE_OFFICER]
    with CaptureQueriesContext(connection) as again:
        assert [item["label"] for item in context["navigation"]] == labels
    assert len(shown) >= 1 and len(again) == 0


def test_a_full_page_still_shows_the_menu_and_the_role(client: Client) -> None:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    page = client.get("/tre-em/").content.decode()
    assert 'href="/tre-em/" aria-current="page"' in page
    assert "Cán bộ" in page or "cán bộ" in page
