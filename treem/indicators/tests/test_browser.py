"""In a real Chromium: the overview's cards and the detail page's plotly charts, drawn without any outside request."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser]


def test_a_leader_opens_the_overview_and_an_indicators_charts(
    page: object, live_server: object, reference_data: None,
) -> None:
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
    from treem.core.roles import Role
    from treem.indicators.tests.helpers import fill
    from treem.plans.tests.factories import ensure_lai_chau_plan

    ensure_lai_chau_plan()
    fill(communes=5, years=range(2021, 2027), is_demo=True)
    user = user_with_role(Role.LEADER, "12")
    base = live_server.url  # type: ignore[attr-defined]
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)  # type: ignore[attr-defined]
            if not request.url.startswith(base) else None)
    page.goto(f"{base}/chi-tieu/")  # type: ignore[attr-defined]
    page.get_by_label("Tên đăng nhập").fill(user.username)  # type: ignore[attr-defined]
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Đăng nhập").click()  # type: ignore[attr-defined]
    expect(page.get_by_test_id("card-I05")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.locator(".demo-badge").first).to_contain_text("Dữ liệu trình diễn")  # type: ignore[attr-defined]
    page.get_by_test_id("card-I05").get_by_role("link").click()  # type: ignore[attr-defined]
    expect(page.locator("#trend-chart .main-svg").first).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_test_id("by-unit")).to_contain_text("Xã Bình Lư")  # type: ignore[attr-defined]
    expect(page.locator("#unit-chart .main-svg").first).to_be_visible()  # type: ignore[attr-defined]
    assert outside == []


CONTENT_PAST_CARD_EDGE = """() => [...document.querySelectorAll('.indicator-card')].flatMap(card => {
  const edge = card.getBoundingClientRect().right;
  return [...card.querySelectorAll('*')].filter(element => element.getBoundingClientRect().right > edge + 0.5)
    .map(element => card.dataset.testid + ': ' + element.textContent.trim().slice(0, 60));
})"""


@pytest.mark.parametrize("width", [1366, 390])
def test_the_cards_text_wraps_inside_the_card(
    browser: object, live_server: object, reference_data: None, width: int,
) -> None:
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
    from treem.core.roles import Role
    from treem.indicators.tests.helpers import fill
    from treem.plans.tests.factories import ensure_lai_chau_plan

    ensure_lai_chau_plan()
    fill(communes=5, years=range(2021, 2027), is_demo=True)
    user = user_with_role(Role.LEADER, "12")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{live_server.url}/chi-tieu/")  # type: ignore[attr-defined]
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("card-I05")).to_be_visible()
    assert page.locator(".indicator-card .progress-status .hint").count() > 0  # some card shows a projection
    assert page.evaluate(CONTENT_PAST_CARD_EDGE) == []
    context.close()
