"""The home page shows the plan's progress for the user's area."""

from __future__ import annotations

import pytest
from django.test import Client

from treem.accounts.tests.factories import UserFactory, user_with_role
from treem.core.roles import Role
from treem.indicators.tests.helpers import fill
from treem.plans.tests.factories import ensure_lai_chau_plan

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_plans_progress_for_the_users_area(client: Client) -> None:
    ensure_lai_chau_plan()
    fill(communes=3, years=range(2024, 2027), is_demo=True)
    client.force_login(user_with_role(Role.LEADER, "12"))
    page = client.get("/").content.decode()
    assert 'data-testid="plan-overview"' in page and "Tỉnh Lai Châu" in page
    assert "I14" in page and "Dữ liệu trình diễn" in page
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    page = client.get("/").content.decode()
    assert '<span translate="no">Xã Bình Lư</span>, năm' in page


def test_the_home_page_without_a_plan_or_an_assignment_still_opens(client: Client) -> None:
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200
    client.force_login(user_with_role(Role.LEADER, "12"))
    page = client.get("/").content.decode()
    assert 'data-testid="plan-overview"' not in page
