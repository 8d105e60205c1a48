"""The Content-Security-Policy in a real Chromium: pages with charts, htmx and the admin load without a single
violation (no inline script or style is refused) and plotly.js still draws."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = [pytest.mark.browser]


def _sign_in(page: object, base: str, username: str) -> None:
    from treem.accounts.tests.factories import TEST_PASSWORD

    page.goto(f"{base}/tai-khoan/dang-nhap/")  # type: ignore[attr-defined]
    page.get_by_label("Tên đăng nhập").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Đăng nhập").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


def test_chart_pages_and_the_admin_load_without_any_policy_violation(
    page: object, live_server: object, reference_data: None,
) -> None:
    from django.utils import timezone
    from playwright.sync_api import expect

    from treem.accounts.models import Assignment
    from treem.accounts.tests.factories import unit, user_with_role
    from treem.core.roles import Role
    from treem.indicators.tests.helpers import fill
    from treem.nutrition.tests.factories import child_in, measurement_with
    from treem.plans.tests.factories import ensure_lai_chau_plan
    from treem.protection.tests.factories import incident

    ensure_lai_chau_plan()
    fill(communes=3, years=range(2023, 2026), is_demo=True)
    today = timezone.localdate()
    child = child_in("03390", birth_date=today - timedelta(days=500), full_name="Lò Thị Một")
    measurement_with(child, measured_on=today - timedelta(days=100), waz=-1.0, haz=-1.5, whz=-0.5)
    incident(occurred_on=today.replace(day=1), child_age_years=4)
    leader = user_with_role(Role.LEADER, "12", is_superuser=True, is_staff=True)
    Assignment.objects.create(user=leader, role=Role.COMMUNE_OFFICER, org_unit=unit("03390"))
    base = live_server.url  # type: ignore[attr-defined]

    violations: list[str] = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")  # type: ignore[attr-defined]
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: violations.append(str(error)))  # type: ignore[attr-defined]
    _sign_in(page, base, leader.username)

    response = page.goto(f"{base}/chi-tieu/I01/")  # type: ignore[attr-defined]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    expect(page.locator("#trend-chart .main-svg").first).to_be_visible()  # type: ignore[attr-defined]

    page.goto(f"{base}/bao-ve/tai-nan-thuong-tich/thong-ke/?nam={today.year}")  # type: ignore[attr-defined]
    expect(page.locator("#chart-monthly .main-svg").first).to_be_visible()  # type: ignore[attr-defined]

    page.goto(f"{base}/dinh-duong/tre/{child.pk}/")  # type: ignore[attr-defined]
    expect(page.locator("[data-testid=chart] .main-svg").first).to_be_visible()  # type: ignore[attr-defined]
    page.locator(".js-plotly-plot").first.hover()  # type: ignore[attr-defined]

    page.goto(f"{base}/don-vi/")  # type: ignore[attr-defined]
    page.get_by_test_id("picker-date").fill("30/06/2025")  # type: ignore[attr-defined]
    page.get_by_test_id("picker-date").press("Enter")  # type: ignore[attr-defined]
    expect(page.get_by_test_id("unit-panel")).to_contain_text("ngày 30/06/2025")  # type: ignore[attr-defined]

    page.goto(f"{base}/quan-tri/")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    page.goto(f"{base}/api/v1/docs")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]

    assert violations == [], "\n".join(violations)
