"""In a real Chromium: a commune officer starts and scores the child-friendly assessment, is shown the error next to
the field for points above a sub-item's maximum, corrects it and submits; the province's coordinator recognises the
commune, and the page shows the I01 value written by the recognition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser]


def _sign_in(page: Any, base: str, username: str) -> None:
    from treem.accounts.tests.factories import TEST_PASSWORD

    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _figures_meeting_every_rule(assessment: Any) -> dict[str, str]:
    """The figure of each sub-item the officer types (pre-filled ones are left as they are)."""
    figures = {}
    for score in assessment.scores.select_related("sub_item"):
        item = score.sub_item
        if score.prefilled_value is not None:
            continue
        if item.is_yes_no:
            figures[item.code] = "1"
        else:
            figures[item.code] = f"{item.threshold.normalize():f}" if item.threshold is not None else "0"
    return figures


def test_an_officer_scores_and_submits_and_the_coordinator_recognises_the_commune(
    page: Any, browser: Any, live_server: Any, reference_data: None, tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import user_with_role
    from treem.childfriendly.models import Assessment
    from treem.childfriendly.tests.factories import OWN
    from treem.core.roles import Role
    from treem.reporting.tests.factories import cycle

    cycle(2026)
    officer = user_with_role(Role.COMMUNE_OFFICER, OWN)
    coordinator = user_with_role(Role.COORDINATOR, "12", agency_code="SYT")
    base = live_server.url
    _sign_in(page, base, officer.username)
    page.goto(f"{base}/xa-phu-hop-tre-em/?nam=2026")
    page.get_by_label("Bắt đầu tự đánh giá cho xã").select_option(label="Xã Bình Lư")
    page.get_by_role("button", name="Bắt đầu").click()
    expect(page.get_by_test_id("status")).to_have_text("Đang tự đánh giá")
    assessment = Assessment.objects.get()
    expect(page.get_by_test_id("summary")).to_contain_text("01/12/2026")

    for code, figure in _figures_meeting_every_rule(assessment).items():
        field = page.locator(f"[id='value_{code}']")
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(figure)
        else:
            field.fill(figure)
    page.locator("[id='points_6.1']").fill("51")
    page.get_by_role("button", name="Lưu điểm").click()
    expect(page.get_by_test_id("error-6.1")).to_have_text("Mục 6.1: điểm 51 vượt quá điểm tối đa 50 của mục.")
    row = page.get_by_test_id("row-6.1")
    expect(row.locator(".field-error")).to_be_visible()
    assert row.locator("[id='points_6.1']").input_value() == "51"  # what the officer typed is kept to correct
    row.screenshot(path=str(tmp_path / "points-above-maximum.png"))

    row.locator("[id='points_6.1']").fill("")
    page.get_by_role("button", name="Lưu điểm").click()
    expect(page.locator(".field-error")).to_have_count(0)
    expect(page.get_by_test_id("rule")).to_have_text("Đủ điều kiện")
    page.get_by_role("button", name="Gửi để thẩm định").click()
    expect(page.get_by_test_id("status")).to_have_text("Chờ thẩm định")
    expect(page.get_by_test_id("scores-form").locator("input[id^='value_']")).to_have_count(0)

    reviewer = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    try:
        review_page = reviewer.new_page()
        _sign_in(review_page, base, coordinator.username)
        review_page.goto(f"{base}/thong-bao/")
        expect(review_page.locator("main")).to_contain_text("Xã Bình Lư gửi bản đánh giá xã phù hợp với trẻ em năm "
                                                            "2026 chờ thẩm định")
        review_page.goto(f"{base}/xa-phu-hop-tre-em/danh-gia/{assessment.pk}/")
        review_page.get_by_test_id("review-form").get_by_role("button", name="Công nhận").click()
        expect(review_page.get_by_test_id("status")).to_have_text("Được công nhận")
        expect(review_page.locator(".messages li")).to_have_count(1)
        expect(review_page.get_by_test_id("row-6.1")).to_contain_text("50 / 50")
        expect(review_page.get_by_test_id("i01-source")).to_contain_text("DE_COMMUNE_CHILD_FRIENDLY = 1")
        expect(review_page.get_by_test_id("i01-source").get_by_role("link", name="xem chỉ tiêu I01")).to_be_visible()
        review_page.screenshot(path=str(tmp_path / "recognised.png"), full_page=True)
    finally:
        reviewer.close()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.RECOGNISED and assessment.recognised_value is not None
