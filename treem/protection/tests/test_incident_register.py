"""The incident register page: paged and filtered like the child list, htmx results, and its Excel export."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.roles import Role
from treem.protection import selectors
from treem.protection.models import IncidentKind, IncidentOutcome
from treem.protection.tests.factories import OTHER, OWN, incident

pytestmark = pytest.mark.django_db

REGISTER = reverse("protection:incidents")


def officer_client(client: Client, code: str = OWN) -> Client:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, code))
    return client


def row_count(page: str) -> int:
    table = page.split('data-testid="incidents"', 1)[1].split("</table>", 1)[0]
    return table.count("<tr><td>")


def test_the_register_is_paged_by_fifty_and_the_pager_keeps_the_filters(client: Client) -> None:
    for day in range(1, 29):
        incident(occurred_on=date(2026, 3, day))
        incident(occurred_on=date(2026, 4, day), kind=IncidentKind.TRAFFIC, outcome=IncidentOutcome.INJURY)
    incident(OTHER, occurred_on=date(2026, 3, 1))
    officer_client(client)
    first = client.get(REGISTER, {"nam": "2026"}).content.decode()
    assert row_count(first) == 50 and "56 vụ việc năm 2026" in first
    assert "nam=2026&amp;trang=2" in first
    second = client.get(REGISTER, {"nam": "2026", "trang": "2"}).content.decode()
    assert row_count(second) == 6
    drowning = client.get(REGISTER, {"nam": "2026", "loai": "drowning"}).content.decode()
    assert "28 vụ việc năm 2026" in drowning and "Tai nạn giao thông</td>" not in drowning


def test_each_filter_narrows_the_register(client: Client) -> None:
    incident(occurred_on=date(2026, 2, 3), child_sex="F", child_age_years=3, outcome=IncidentOutcome.NONE)
    incident(occurred_on=date(2026, 5, 3), child_sex="M", child_age_years=12)
    incident(occurred_on=date(2025, 5, 3), child_age_years=12)
    user = user_with_role(Role.COMMUNE_OFFICER, OWN)

    def count(**filters: object) -> int:
        return selectors.incident_register(user, selectors.IncidentFilters(**filters)).count()  # type: ignore[arg-type]

    assert count(year=2026) == 2 and count(year=2025) == 1
    assert count(year=2026, month=2) == 1 and count(year=2026, month=7) == 0
    assert count(year=2026, child_sex="F") == 1
    assert count(year=2026, age_group="10-14") == 1 and count(year=2026, age_group="0-4") == 1
    assert count(year=2026, age_group="15-17") == 0
    assert count(year=2026, outcome=IncidentOutcome.NONE) == 1
    assert count(year=2026, commune_uid=unit(OWN).uid) == 2 and count(year=2026, commune_uid=unit(OTHER).uid) == 0


def test_an_officer_never_sees_a_neighbouring_communes_incidents(client: Client) -> None:
    incident(OTHER, occurred_on=date(2026, 5, 3), place="Suối Nậm Xe")
    officer_client(client)
    page = client.get(REGISTER, {"nam": "2026", "xa": unit(OTHER).uid}).content.decode()
    assert "Suối Nậm Xe" not in page and "0 vụ việc năm 2026" in page
    assert selectors.incident_communes(user_with_role(Role.COMMUNE_OFFICER, OWN), year=2026).count() == 0


def test_htmx_gets_the_results_region_only(client: Client) -> None:
    incident(occurred_on=date(2026, 5, 3))
    officer_client(client)
    partial = client.get(REGISTER, {"nam": "2026"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="results"') and "<form" not in partial


def test_an_unreadable_year_is_explained_next_to_the_field_and_this_year_is_shown(client: Client) -> None:
    officer_client(client)
    page = client.get(REGISTER, {"nam": "1990", "thang": "13"}).content.decode()
    assert "Năm phải từ 2000 trở đi." in page and 'class="field-error"' in page
    assert client.get(REGISTER, {"nam": "3000"}).status_code == 200


def test_the_export_holds_the_filtered_rows_of_the_users_scope(client: Client) -> None:
    incident(occurred_on=date(2026, 5, 3), place="Suối Pa Tần")
    incident(occurred_on=date(2026, 5, 4), kind=IncidentKind.TRAFFIC, place="Quốc lộ 4D")
    incident(OTHER, occurred_on=date(2026, 5, 3), place="Suối Nậm Xe")
    officer_client(client)
    response = client.get(reverse("protection:incidents_export"), {"nam": "2026", "loai": "drowning"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "Suối Pa Tần" in cells and "Quốc lộ 4D" not in cells and "Suối Nậm Xe" not in cells


def test_a_leader_may_not_open_the_register_or_its_export(client: Client) -> None:
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert client.get(REGISTER).status_code == 403
    assert client.get(reverse("protection:incidents_export")).status_code == 403
