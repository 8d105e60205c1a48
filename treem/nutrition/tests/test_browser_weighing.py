"""The weighing day in a real Chromium: keyboard-only entry, immediate scores, confirmation of a warning."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = [pytest.mark.browser]


def test_an_officer_weighs_two_children_with_the_keyboard_only(
    page: object, live_server: object, reference_data: None
) -> None:
    from django.utils import timezone
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import TEST_PASSWORD, user_with_role
    from treem.core.roles import Role
    from treem.nutrition.models import Measurement
    from treem.nutrition.tests.factories import child_in

    officer = user_with_role(Role.COMMUNE_OFFICER, "03390", full_name="Cán bộ xã Bình Lư")
    today = timezone.localdate()
    first = child_in("03390", birth_date=today - timedelta(days=365), full_name="A Lò Thị Một")
    second = child_in("03390", birth_date=today - timedelta(days=400), full_name="B Lò Văn Hai")
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/dinh-duong/ngay-can/")  # type: ignore[attr-defined]
    page.get_by_label("Tên đăng nhập").fill(officer.username)  # type: ignore[attr-defined]
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Đăng nhập").click()  # type: ignore[attr-defined]

    weight = page.get_by_test_id(f"weight-{first.pk}")  # type: ignore[attr-defined]
    weight.click()
    page.keyboard.type("9,6")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    expect(page.get_by_test_id(f"length-{first.pk}")).to_be_focused()  # type: ignore[attr-defined]
    page.keyboard.type("75,7")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    result = page.locator(f"#ket-qua-{first.pk}")  # type: ignore[attr-defined]
    expect(result).to_contain_text("WAZ")  # scores before saving
    page.keyboard.press("Enter")  # the position (lying, preset for under-2s)
    page.keyboard.press("Enter")  # the oedema box: last field, saves the row
    expect(result).to_contain_text("Đã lưu")
    expect(page.get_by_test_id(f"weight-{second.pk}")).to_be_focused()  # type: ignore[attr-defined]

    page.keyboard.type("3")  # type: ignore[attr-defined]
    page.keyboard.press("Control+Enter")  # type: ignore[attr-defined]
    second_result = page.locator(f"#ket-qua-{second.pk}")  # type: ignore[attr-defined]
    expect(second_result).to_contain_text("ngoài khoảng hợp lý")
    expect(second_result).to_contain_text("nhấn Enter")
    expect(page.get_by_test_id(f"save-{second.pk}")).to_be_focused()  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    expect(second_result).to_contain_text("Đã lưu")
    expect(page.locator("#dem-da-luu")).to_have_text("Đã lưu 2/2 trẻ")  # type: ignore[attr-defined]

    saved = {item.child_id: item for item in Measurement.objects.all()}
    assert str(saved[first.pk].weight_kg) == "9.60" and str(saved[first.pk].length_cm) == "75.70"
    assert saved[second.pk].flag_waz
