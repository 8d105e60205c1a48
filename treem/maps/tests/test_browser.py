"""In a real Chromium, offline: an administrator uploads a small GeoJSON made here for a few communes, the map draws
them, and hovering over a commune shows the engine's value, numerator/denominator and communes counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var"


def _sign_in(page: Any, base: str, user: Any, path: str) -> None:
    from treem.accounts.tests.factories import TEST_PASSWORD

    page.goto(f"{base}{path}")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_an_uploaded_geojson_is_drawn_and_hovering_shows_the_engines_figures(
    page: Any, live_server: Any, reference_data: None, tmp_path: Path, settings: Any,
) -> None:
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import user_with_role
    from treem.core.roles import Role
    from treem.indicators.engine import Engine, reference_date
    from treem.indicators.models import DataValue
    from treem.indicators.templatetags.indicator_format import vn_number
    from treem.indicators.tests.helpers import fill
    from treem.maps.tests.helpers import NEW_DAY, communes_on
    from treem.maps.tests.shapes import feature_collection, geojson_bytes
    from treem.plans.models import Indicator
    from treem.plans.tests.factories import ensure_lai_chau_plan

    settings.MEDIA_ROOT = str(tmp_path / "media")
    ensure_lai_chau_plan()
    fill(communes=6, years=range(2026, 2027))
    communes = communes_on(NEW_DAY)[:4]
    for position, unit in enumerate(communes):  # a different figure in each commune
        DataValue.objects.filter(data_element__code="DE_U5_UNDERWEIGHT", org_unit=unit, year=2026).update(
            value=5 + 4 * position)
    geojson = tmp_path / "bon-xa.geojson"
    geojson.write_bytes(geojson_bytes(feature_collection(communes, vertices_per_edge=60)))
    base = live_server.url
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(base) else None)
    SCREENSHOTS.mkdir(exist_ok=True)

    admin = user_with_role(Role.ADMIN, "12")
    _sign_in(page, base, admin, "/ban-do/ranh-gioi/")
    page.get_by_label("Tệp ranh giới (GeoJSON hoặc Shapefile nén .zip)").set_input_files(str(geojson))
    page.get_by_label("Các đơn vị hành chính ngày").fill("01/07/2025")
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_test_id("upload-counts")).to_contain_text("Khớp theo mã: 4")
    expect(page.get_by_test_id("missing")).to_contain_text(communes_on(NEW_DAY)[4].name)
    page.screenshot(path=str(SCREENSHOTS / "maps-upload-report.png"), full_page=True)
    page.get_by_role("button", name="Lưu ranh giới").click()
    expect(page.get_by_test_id("stored")).to_contain_text("Đã lưu 4 ranh giới")

    page.goto(f"{base}/ban-do/?source=indicator:I05&year=2026&level=commune")
    expect(page.locator("#map[data-ready='1']")).to_be_visible()
    paths = page.locator("#map .choroplethlocation")
    expect(paths).to_have_count(4)
    page.screenshot(path=str(SCREENSHOTS / "maps-choropleth.png"), full_page=True)

    indicator = Indicator.objects.get(code="I05")
    figures = Engine().figures(indicator, years=[2026], on=reference_date(2026), areas=[unit.id for unit in communes])
    page.locator("#map").scroll_into_view_if_needed()
    shown = []
    for position in range(4):
        box = paths.nth(position).bounding_box()
        hover = page.locator("#map .hovertext")
        page.mouse.move(1, 1)  # off the map first: the previous commune's label goes before the next one comes
        expect(hover).to_have_count(0)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
        expect(hover).to_have_count(1)
        shown.append(" ".join(hover.locator("tspan.line").all_text_contents()) or hover.text_content() or "")
        if position == 0:
            page.screenshot(path=str(SCREENSHOTS / "maps-hover.png"))
    assert len({figures[(unit.id, 2026)].value for unit in communes}) == 4
    assert len(set(shown)) == 4  # each commune hovered once
    for unit in communes:
        figure = figures[(unit.id, 2026)]
        text = next(line for line in shown if unit.name in line)
        assert f"Giá trị: {vn_number(figure.value)} %" in text
        assert f"Tử số/Mẫu số: {vn_number(figure.numerator, 0)}/{vn_number(figure.denominator, 0)}" in text
        assert f"Số xã tính: {figure.units_counted}" in text

    page.locator("#map").scroll_into_view_if_needed()
    box = paths.nth(0).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/chi-tieu/I05/**")
    assert outside == []


def test_without_shapes_the_map_draws_labelled_symbols_at_the_bundled_centroids(
    page: Any, live_server: Any, reference_data: None,
) -> None:
    from playwright.sync_api import expect

    from treem.accounts.tests.factories import user_with_role
    from treem.core.roles import Role
    from treem.indicators.tests.helpers import fill
    from treem.plans.tests.factories import ensure_lai_chau_plan

    ensure_lai_chau_plan()
    fill(communes=40, years=range(2024, 2025))
    base = live_server.url
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(base) else None)
    _sign_in(page, base, user_with_role(Role.LEADER, "12"), "/ban-do/?source=indicator:I06&year=2024&level=commune")
    expect(page.get_by_test_id("map-fallback")).to_contain_text("ký hiệu tỉ lệ")
    expect(page.locator("#map[data-ready='1']")).to_be_visible()
    expect(page.locator("#map .scattergeo .point")).to_have_count(106)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "maps-symbols-2024.png"), full_page=True)
    pdf = page.pdf(path=str(SCREENSHOTS / "maps-print.pdf"), prefer_css_page_size=True, print_background=True)
    assert b"/MediaBox [0 0 841.91998 594.95996]" in pdf or b"/MediaBox [0 0 842 595]" in pdf  # A4 landscape
    assert outside == []
