"""End to end in a real Chromium (Debian's package, driven by Playwright): sign in, pick dates and units, sign out.

Screenshots of a failing test are saved under ``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser]


def test_an_officer_signs_in_moves_through_dates_and_units_and_signs_out(
    page: object, live_server: object, reference_data: None
) -> None:
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
    from treem.core.roles import Role

    user = user_with_role(Role.COORDINATOR, "12", full_name="Cán bộ Điều phối")
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/don-vi/")  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
    page.get_by_label("Tên đăng nhập").fill(user.username)  # type: ignore[attr-defined]
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Đăng nhập").click()  # type: ignore[attr-defined]
    expect(page.get_by_test_id("username")).to_have_text("Cán bộ Điều phối")  # type: ignore[attr-defined]

    page.get_by_test_id("picker-date").fill("30/06/2025")  # type: ignore[attr-defined]
    page.get_by_test_id("picker-date").press("Enter")  # type: ignore[attr-defined]
    expect(page.get_by_test_id("unit-panel")).to_contain_text("ngày 30/06/2025")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Tỉnh Lai Châu").click()  # type: ignore[attr-defined]
    children = page.get_by_test_id("children").locator("tbody tr")  # type: ignore[attr-defined]
    expect(children).to_have_count(8)
    expect(page.get_by_test_id("children")).to_contain_text("Huyện Tam Đường")  # type: ignore[attr-defined]

    page.get_by_test_id("picker-date").fill("01/07/2025")  # type: ignore[attr-defined]
    page.get_by_test_id("picker-date").press("Enter")  # type: ignore[attr-defined]
    expect(page.get_by_test_id("unit-panel")).to_contain_text("ngày 01/07/2025")  # type: ignore[attr-defined]
    expect(children).to_have_count(38)
    expect(page.get_by_test_id("unit-name")).to_contain_text("Tỉnh Lai Châu")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Xã Bình Lư").click()  # type: ignore[attr-defined]
    expect(page.get_by_test_id("unit-name")).to_contain_text("Xã Bình Lư")  # type: ignore[attr-defined]
    expect(page.locator(".lineage")).to_contain_text("Thị trấn Tam Đường")  # type: ignore[attr-defined]

    page.get_by_role("button", name="Đăng xuất").click()  # type: ignore[attr-defined]
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()  # type: ignore[attr-defined]
    page.goto(f"{base}/don-vi/")  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
