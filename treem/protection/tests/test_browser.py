"""In a real Chromium: a worker receives a report of a child in danger, sees the 12-hour deadline and records the
verification with its emergency measures; the incident charts draw without any outside request."""

from __future__ import annotations

from datetime import date

import pytest

pytestmark = [pytest.mark.browser]


def _sign_in(page: object, base: str, username: str) -> None:
    from treem.accounts.tests.factories import TEST_PASSWORD

    page.goto(f"{base}/tai-khoan/dang-nhap/")  # type: ignore[attr-defined]
    page.get_by_label("Tên đăng nhập").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Đăng nhập").click()  # type: ignore[attr-defined]


def test_a_worker_receives_a_report_and_records_the_emergency_verification(
    page: object, live_server: object, reference_data: None,
) -> None:
    from django.utils import timezone
    from playwright.sync_api import expect

    from treem.protection.models import Case, CaseStep
    from treem.protection.tests.factories import worker

    user = worker(full_name="Cán bộ Lò Thị Mai")
    base = live_server.url  # type: ignore[attr-defined]
    _sign_in(page, base, user.username)
    page.goto(f"{base}/bao-ve/truong-hop/moi/")  # type: ignore[attr-defined]
    page.get_by_label("Xã quản lý").select_option(label="Xã Bình Lư (03390)")  # type: ignore[attr-defined]
    page.get_by_label("Nguồn thông tin").select_option(label="Tổng đài quốc gia bảo vệ trẻ em 111")  # type: ignore[attr-defined]
    page.get_by_label("Họ và tên trẻ em").fill("Giàng Thị Sinh")  # type: ignore[attr-defined]
    page.get_by_label("Tuổi (khi chưa rõ ngày sinh)").fill("9")  # type: ignore[attr-defined]
    page.get_by_label("Hình thức xâm hại").select_option(label="Bạo lực thể chất")  # type: ignore[attr-defined]
    page.get_by_label("Nội dung sự việc").fill("Trẻ bị đánh, bỏ chạy khỏi nhà.")  # type: ignore[attr-defined]
    page.get_by_label("Trẻ đang gặp nguy hiểm").check()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Tiếp nhận").click()  # type: ignore[attr-defined]
    expect(page.get_by_test_id("open-step")).to_contain_text("Xác minh, đánh giá nguy cơ ban đầu")  # type: ignore[attr-defined]
    expect(page.get_by_test_id("open-step")).to_contain_text("12 giờ")  # type: ignore[attr-defined]
    case = Case.objects.get(child_full_name="Giàng Thị Sinh")
    due = timezone.localtime(case.steps.get(status=CaseStep.Status.OPEN).due_at).strftime("%d/%m/%Y %H:%M")
    expect(page.get_by_test_id("step-due")).to_have_text(due)  # type: ignore[attr-defined]

    form = page.get_by_test_id("step-form")  # type: ignore[attr-defined]
    form.get_by_label("Thông tin được xác minh, cần hỗ trợ").check()
    form.get_by_label("Kết quả xác minh").fill("Đã xác minh cùng công an xã.")
    form.get_by_label("Trẻ đang gặp nguy hiểm").check()
    form.get_by_label("Mức độ nguy cơ ban đầu").select_option(label="Cao")
    form.get_by_role("button", name="Hoàn thành bước").click()
    expect(page.locator(".field-error").first).to_contain_text("biện pháp khẩn cấp")  # type: ignore[attr-defined]
    form = page.get_by_test_id("step-form")  # type: ignore[attr-defined]
    form.get_by_label("Đưa trẻ đến nơi an toàn").check()
    form.get_by_label("Thời điểm áp dụng biện pháp khẩn cấp").fill(timezone.localtime().strftime("%d/%m/%Y %H:%M"))
    form.get_by_role("button", name="Hoàn thành bước").click()
    expect(page.get_by_test_id("open-step")).to_contain_text("Thu thập thông tin, đánh giá chi tiết")  # type: ignore[attr-defined]
    expect(page.get_by_test_id("timeline")).to_contain_text("đúng hạn")  # type: ignore[attr-defined]


def test_a_leader_sees_the_incident_charts_drawn_without_any_outside_request(
    page: object, live_server: object, reference_data: None,
) -> None:
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import user_with_role
    from treem.core.roles import Role
    from treem.protection.tests.factories import incident

    year = date.today().year
    incident(occurred_on=date(year, 1, 10), child_age_years=4)
    incident(occurred_on=date(year, 1, 20), child_age_years=11, kind="traffic", outcome="injury")
    leader = user_with_role(Role.LEADER, "12")
    base = live_server.url  # type: ignore[attr-defined]
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)  # type: ignore[attr-defined]
            if not request.url.startswith(base) else None)
    _sign_in(page, base, leader.username)
    page.goto(f"{base}/bao-ve/tai-nan-thuong-tich/thong-ke/?nam={year}")  # type: ignore[attr-defined]
    expect(page.get_by_test_id("monthly-table")).to_contain_text("Xã Bình Lư")  # type: ignore[attr-defined]
    expect(page.locator("#chart-monthly .main-svg").first).to_be_visible()  # type: ignore[attr-defined]
    expect(page.locator("#chart-drowning .main-svg").first).to_be_visible()  # type: ignore[attr-defined]
    assert outside == []
