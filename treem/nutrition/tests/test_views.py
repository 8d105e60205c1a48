"""Pages: the weighing day saves and shows scores; a child's chart is scoped and its opening audited."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.nutrition.models import Measurement
from treem.nutrition.tests.factories import child_in, measurement_with
from treem.registry.models import Child

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client: Client) -> Client:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    return client


def a_year_old(code: str = "03390", **fields: object) -> Child:
    return child_in(code, birth_date=timezone.localdate() - timedelta(days=365), **fields)


def row_post(child: Child, **values: str) -> dict[str, str]:
    return {"child": str(child.pk), "xa": unit("03390").uid, "ngay": timezone.localdate().strftime("%d/%m/%Y"),
            "noi": "health_station", "nguoi_can": "Y tế thôn", "position": "L", **values}


def test_the_weighing_day_lists_the_communes_children_under_five(officer_client: Client) -> None:
    young = a_year_old(full_name="Lò Thị Mai")
    old = child_in("03390", birth_date=timezone.localdate() - timedelta(days=6 * 366), full_name="Lò Văn Lớn")
    neighbour = a_year_old("03408", full_name="Giàng A Hàng")
    page = officer_client.get("/dinh-duong/ngay-can/").content.decode()
    assert young.full_name in page
    assert old.full_name not in page and neighbour.full_name not in page
    assert f'data-testid="weight-{young.pk}"' in page


def test_the_preview_shows_scores_without_saving(officer_client: Client) -> None:
    child = a_year_old()
    response = officer_client.post("/dinh-duong/ngay-can/xem-truoc/",
                                   row_post(child, weight_kg="9,6", length_cm="75,7"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="scores"' in html and "WAZ" in html
    assert not Measurement.objects.exists()


def test_the_weighing_page_saves_and_shows_scores(officer_client: Client) -> None:
    child = a_year_old()
    response = officer_client.post("/dinh-duong/ngay-can/luu/", row_post(child, weight_kg="9,6", length_cm="75,7"))
    assert response.status_code == 200
    assert "weighing-saved" in response["HX-Trigger"]
    html = response.content.decode()
    assert 'data-testid="saved"' in html
    item = Measurement.objects.get(child=child)
    assert item.weight_kg == Decimal("9.60") and item.position == "L" and item.measured_by == "Y tế thôn"
    assert "−0,04" in html  # the stored WAZ, shown the Vietnamese way
    page = officer_client.get("/dinh-duong/ngay-can/").content.decode()
    assert 'value="9,6"' in page and "Đã lưu 1/1 trẻ" in page


def test_an_implausible_value_is_saved_only_after_confirmation(officer_client: Client) -> None:
    child = a_year_old()
    first = officer_client.post("/dinh-duong/ngay-can/luu/", row_post(child, weight_kg="3", length_cm="75,7"))
    assert "weighing-confirm" in first["HX-Trigger"]
    html = first.content.decode()
    assert "ngoài khoảng hợp lý" in html and 'name="confirmed"' in html
    assert not Measurement.objects.exists()
    token = html.split('name="confirmed" value="')[1].split('"')[0]
    changed = officer_client.post("/dinh-duong/ngay-can/luu/",
                                  row_post(child, weight_kg="3,1", length_cm="75,7", confirmed=token))
    assert "weighing-confirm" in changed["HX-Trigger"]  # other values: confirm again
    confirmed = officer_client.post("/dinh-duong/ngay-can/luu/",
                                    row_post(child, weight_kg="3", length_cm="75,7", confirmed=token))
    assert "weighing-saved" in confirmed["HX-Trigger"]
    assert Measurement.objects.get(child=child).flag_waz


def test_a_weight_change_against_the_previous_measurement_is_warned(officer_client: Client) -> None:
    child = a_year_old()
    measurement_with(child, measured_on=timezone.localdate() - timedelta(days=30), waz=0.1, weight_kg=Decimal("10"))
    response = officer_client.post("/dinh-duong/ngay-can/xem-truoc/", row_post(child, weight_kg="8,5"))
    assert "Cân nặng giảm 1,5 kg (15%)" in response.content.decode()


def test_a_value_that_is_not_a_number_is_shown_next_to_its_field(officer_client: Client) -> None:
    child = a_year_old()
    response = officer_client.post("/dinh-duong/ngay-can/luu/", row_post(child, weight_kg="chín"))
    html = response.content.decode()
    assert f'id="loi-can-{child.pk}"' in html and "không phải là một số" in html
    assert not Measurement.objects.exists()


def test_an_officer_cannot_weigh_a_child_of_another_commune(officer_client: Client) -> None:
    other = a_year_old("03408")
    response = officer_client.post("/dinh-duong/ngay-can/luu/", row_post(other, weight_kg="9,6"))
    assert response.status_code == 404
    assert not Measurement.objects.exists()


def test_an_officer_of_03390_cannot_see_or_chart_a_child_of_03408(officer_client: Client) -> None:
    own, other = a_year_old(), a_year_old("03408")
    for child in (own, other):
        measurement_with(child, measured_on=timezone.localdate() - timedelta(days=3), waz=-2.5, haz=-1.0, whz=0.0)
    assert officer_client.get(f"/dinh-duong/tre/{own.pk}/").status_code == 200
    assert officer_client.get(f"/dinh-duong/tre/{other.pk}/").status_code == 404
    assert officer_client.get(f"/api/v1/nutrition/children/{other.pk}/measurements").status_code == 404
    other_measurement = Measurement.objects.get(child=other)
    assert officer_client.get(f"/dinh-duong/so-do/{other_measurement.pk}/sua/").status_code == 404
    follow_up = officer_client.get(f"/dinh-duong/theo-doi/?xa={unit('03408').uid}")
    assert follow_up.status_code == 404


def test_opening_a_growth_chart_is_audited_and_draws_who_curves(officer_client: Client) -> None:
    child = a_year_old()
    measurement_with(child, measured_on=timezone.localdate() - timedelta(days=3), waz=-2.5, haz=-1.0, whz=0.0)
    page = officer_client.get(f"/dinh-duong/tre/{child.pk}/").content.decode()
    figures = json.loads(page.split('id="growth-figures" type="application/json">')[1].split("</script>")[0])
    assert [figure["title"] for figure in figures][:2] == ["Cân nặng theo tuổi", "Chiều dài/chiều cao theo tuổi"]
    names = [trace["name"] for trace in figures[0]["data"]]
    assert names == ["+3 SD", "+2 SD", "+1 SD", "Trung vị", "−1 SD", "−2 SD", "−3 SD", "Trẻ"]
    assert figures[0]["data"][-1]["y"] == [10.0]
    assert "/tai-nguyen/plotly.min.js?v=" in page
    assert AuditEvent.objects.for_object(child).filter(verb=AuditEvent.Verb.VIEW).count() == 1


def test_the_follow_up_list_holds_children_below_minus_two_and_exports_to_excel(officer_client: Client) -> None:
    low, normal = a_year_old(full_name="Lò Thị Gầy"), a_year_old(full_name="Lò Văn Khoẻ")
    measurement_with(low, measured_on=timezone.localdate() - timedelta(days=3), waz=-3.2, haz=-2.2, whz=-1.0)
    measurement_with(normal, measured_on=timezone.localdate() - timedelta(days=3), waz=-2.0, haz=-2.0, whz=0.0)
    page = officer_client.get("/dinh-duong/theo-doi/").content.decode()
    assert "Lò Thị Gầy" in page and "Lò Văn Khoẻ" not in page
    export = officer_client.get("/dinh-duong/theo-doi/?xuat=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(export.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Lò Thị Gầy" in values and "Lò Văn Khoẻ" not in values
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.EXPORT, object_id=str(unit("03390").pk)).count() == 1


def test_the_follow_up_export_writes_formula_like_text_as_text(officer_client: Client) -> None:
    low = a_year_old(full_name="@SUM(A1:A9)")
    measurement_with(low, measured_on=timezone.localdate() - timedelta(days=3), waz=-3.2, haz=-2.2, whz=-1.0)
    export = officer_client.get("/dinh-duong/theo-doi/?xuat=xlsx")
    sheet = load_workbook(BytesIO(export.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "@SUM(A1:A9)"]
    assert len(cells) == 1 and cells[0].data_type == "s"
    scores = [cell for row in sheet.iter_rows() for cell in row if cell.value == -3.2]
    assert scores and scores[0].data_type == "n"


def test_correcting_and_deleting_from_the_pages_keeps_the_history(officer_client: Client) -> None:
    child = a_year_old()
    item = measurement_with(child, measured_on=timezone.localdate() - timedelta(days=3), waz=-1.0)
    form = {"ngay": item.measured_on.strftime("%d/%m/%Y"), "weight_kg": "9,2", "length_cm": "75", "position": "L",
            "place": "health_station", "measured_by": "", "reason": ""}
    missing_reason = officer_client.post(f"/dinh-duong/so-do/{item.pk}/sua/", form)
    assert "Cần ghi lý do sửa." in missing_reason.content.decode()
    response = officer_client.post(f"/dinh-duong/so-do/{item.pk}/sua/", {**form, "reason": "cân lại"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.weight_kg == Decimal("9.20")
    officer_client.post(f"/dinh-duong/so-do/{item.pk}/xoa/", {"reason": "trùng"})
    item.refresh_from_db()
    assert item.deleted_at is not None
    page = officer_client.get(f"/dinh-duong/tre/{child.pk}/").content.decode()
    assert "cân lại" in page and "trùng" in page
    history = page[page.index('data-testid="history"'):]
    assert f"{Measurement._meta.get_field('weight_kg').verbose_name}:" in history
    assert "weight_kg" not in history and "org_unit_id" not in history  # field names in Vietnamese, not code


def test_the_landing_page_summarises_the_communes_year(officer_client: Client) -> None:
    child = a_year_old()
    measurement_with(child, measured_on=timezone.localdate(), waz=-2.5, haz=-1.0, whz=0.0)
    page = officer_client.get(f"/dinh-duong/?nam={timezone.localdate().year}").content.decode()
    assert 'data-testid="summary"' in page and "100,0" in page


def test_a_leader_sees_no_child_measurements(client: Client) -> None:
    client.force_login(user_with_role(Role.LEADER, "12"))
    child = a_year_old()
    assert client.get(f"/dinh-duong/tre/{child.pk}/").status_code == 403
    assert client.get("/dinh-duong/ngay-can/").status_code == 403
