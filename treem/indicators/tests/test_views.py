"""The pages: overview and indicator detail for a leader and for a commune officer, exports, plotly.js, query pins."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.indicators import sources
from treem.indicators.engine import count_communes
from treem.indicators.models import DataValue
from treem.indicators.tests.helpers import fill
from treem.plans.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client: Client, lai_chau_plan: Plan) -> Client:
    client.force_login(user_with_role(Role.LEADER, "12"))
    return client


@pytest.fixture
def officer(client: Client, lai_chau_plan: Plan) -> Client:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    return client


def test_the_overview_shows_a_card_per_indicator_with_value_target_and_status(leader: Client) -> None:
    fill(communes=3)
    page = leader.get("/chi-tieu/?year=2024").content.decode()
    for number in range(1, 15):
        assert f'data-testid="card-I{number:02d}"' in page
    assert "Tỉnh Lai Châu" in page
    assert "xuống dưới 15%" in page  # the plan's wording of I05's 2025 target
    assert "16,0 %" in page  # I05 in 2024: 16 of 100 in each commune
    assert "Chậm tiến độ" in page or "Có nguy cơ không đạt" in page
    assert "<svg class=\"spark\"" in page
    assert "Dữ liệu trình diễn" not in page


def test_every_page_marks_demo_figures(leader: Client) -> None:
    fill(communes=2, is_demo=True)
    for url in ("/chi-tieu/", "/chi-tieu/I05/"):
        assert "Dữ liệu trình diễn" in leader.get(url).content.decode(), url


def test_without_data_an_indicator_says_so_and_never_shows_zero(leader: Client) -> None:
    page = leader.get("/chi-tieu/").content.decode()
    assert "chưa có số liệu" in page
    assert "Chưa có số liệu" in page


def test_the_detail_drills_down_province_districts_communes(leader: Client) -> None:
    fill(communes=12, years=range(2023, 2027))
    page = leader.get("/chi-tieu/I05/?year=2024").content.decode()
    assert "Huyện Tam Đường" in page and "Thành phố Lai Châu" in page  # districts before 2025
    district = unit("105", on=date(2024, 12, 31))
    page = leader.get(f"/chi-tieu/I05/?year=2024&unit={district.uid}").content.decode()
    assert "Phường Quyết Thắng" in page
    page = leader.get("/chi-tieu/I05/?year=2026").content.decode()
    assert "Phường Đoàn Kết" in page and "Huyện Tam Đường" not in page  # communes directly under the province
    page = leader.get("/chi-tieu/I05/?year=2024&current=1").content.decode()
    assert "Phường Đoàn Kết" in page  # 2024 on today's communes through the lineage
    assert 'id="indicator-chart-data"' in page and "plotly.min.js?v=" in page


def test_the_detail_shows_breakdowns_and_the_gaps(leader: Client) -> None:
    fill(communes=4, years=range(2024, 2025))
    page = leader.get("/chi-tieu/I05/?year=2024").content.decode()
    assert "Dân tộc thiểu số" in page and "Thái" in page and "Nữ" in page
    assert "Chênh lệch cao nhất – thấp nhất" in page


def test_an_officer_sees_their_commune_only(officer: Client) -> None:
    fill(years=range(2024, 2027))
    page = officer.get("/chi-tieu/").content.decode()
    assert "Xã Bình Lư" in page
    assert "Tỉnh Lai Châu" not in page
    detail = officer.get("/chi-tieu/I05/?year=2024").content.decode()
    assert "Xã Bình Lư" in detail and "Huyện" not in detail
    neighbour = unit("03408")
    assert officer.get(f"/chi-tieu/?unit={neighbour.uid}").status_code == 404
    assert officer.get(f"/chi-tieu/I05/?unit={neighbour.uid}").status_code == 404
    assert officer.get(f"/chi-tieu/I05/xuat.xlsx?unit={neighbour.uid}").status_code == 404
    assert officer.get(f"/chi-tieu/I05/?unit={unit('12').uid}").status_code == 404


def test_a_user_without_assignment_sees_nothing(client: Client, lai_chau_plan: Plan) -> None:
    from treem.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/chi-tieu/").status_code == 403
    assert client.get("/ke-hoach/nhiem-vu/").status_code == 403


def test_the_excel_exports_hold_every_table_shown(leader: Client) -> None:
    fill(communes=3, years=range(2024, 2026))
    response = leader.get("/chi-tieu/xuat.xlsx?year=2025")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Tổng quan", "Xu hướng"]
    assert book["Tổng quan"].max_row == 3 + 14
    response = leader.get("/chi-tieu/I05/xuat.xlsx?year=2025")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Xu hướng", "Mục tiêu", "Theo đơn vị", "Phân tổ", "Chênh lệch"]
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.EXPORT, action="export_figures").count() == 2
    response = leader.get("/ke-hoach/xuat.xlsx")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Chỉ tiêu", "Nhiệm vụ", "Kinh phí"]
    assert book["Chỉ tiêu"].max_row == 3 + 23  # a row per target
    response = leader.get("/ke-hoach/nhiem-vu/xuat.xlsx")
    assert load_workbook(BytesIO(response.content)).sheetnames == ["Nhiệm vụ theo cơ quan", "Chỉ tiêu theo cơ quan"]


def test_the_plan_page_and_the_duties_by_agency(leader: Client) -> None:
    page = leader.get("/ke-hoach/").content.decode()
    assert "Kế hoạch …/KH-UBND" in page and "I14" in page and "Ngân sách nhà nước" in page
    assert "30/11/" in page  # "trước ngày 01/12": the last day on time
    page = leader.get("/ke-hoach/nhiem-vu/?on=2025-01-15").content.decode()
    assert 'data-testid="agency-SKHDT"' in page and "A.SKHDT.1" in page
    page = leader.get("/ke-hoach/nhiem-vu/?on=2025-03-01").content.decode()
    assert 'data-testid="agency-SKHDT"' not in page  # the department was merged; its duty moved to STC
    assert 'data-testid="agency-STC"' in page and "A.SKHDT.1" in page
    assert 'data-testid="agency-locality"' in page


# Pins include access control's reads (the user's assignments, and the units merged into them by lineage), and the
# writes of the stored figures of this first request after a change: a savepoint, one INSERT per batch of rows (a
# row per area shown, with or without data: 99 rows a batch on SQLite, whose statements take 999 parameters at
# most) and its release.
@pytest.mark.parametrize(("url", "most"), [
    ("/chi-tieu/?year=2025", 25), ("/chi-tieu/I05/?year=2025", 29), ("/chi-tieu/I05/?year=2024", 30),
    ("/chi-tieu/I01/?year=2024&current=1", 26),
])
def test_pages_run_a_bounded_number_of_queries_whatever_the_data(
    leader: Client, url: str, most: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The engine's own queries only: each counting function registered by a records domain adds its own,
    once per year shown, whatever the number of units."""
    monkeypatch.setattr(sources, "DERIVED_FUNCTIONS", {"hierarchy.count_communes": count_communes})
    fill(communes=2)
    with CaptureQueriesContext(connection) as few:
        assert leader.get(url).status_code == 200
    DataValue.objects.all().delete()
    fill()  # every commune, every year
    with CaptureQueriesContext(connection) as many:
        assert leader.get(url).status_code == 200
    assert len(many) == len(few) <= most
