"""The API skeleton: tokens, /me, org units on a date, a unit with its lineage, agencies."""

from __future__ import annotations

import pytest
from django.test import Client

from treem.accounts.tests.factories import TEST_PASSWORD, UserFactory, user_with_role
from treem.core.roles import Role

pytestmark = pytest.mark.django_db


def bearer(client: Client, username: str, password: str = TEST_PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", {"username": username, "password": password},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_a_token_is_issued_for_good_credentials_and_refused_for_bad_ones(client: Client) -> None:
    user = user_with_role(Role.LEADER, "12")
    assert bearer(client, user.username)["Authorization"].startswith("Bearer trm_")
    response = client.post("/api/v1/auth/token", {"username": user.username, "password": "sai-mat-khau"},
                           content_type="application/json")
    assert response.status_code == 401
    assert response.json()["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_without_credentials_the_api_answers_401_in_vietnamese(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "Chưa đăng nhập" in response.json()["detail"]


def test_me_lists_the_callers_assignments(client: Client) -> None:
    user = user_with_role(Role.AGENCY_REPORTER, "12", agency_code="SGDDT")
    body = client.get("/api/v1/me", headers=bearer(client, user.username)).json()
    assert body["username"] == user.username
    assert [(a["role"], a["org_unit_code"], a["agency_code"]) for a in body["assignments"]] == [
        ("agency_reporter", "12", "SGDDT")]


@pytest.mark.parametrize(("on", "expected"), [("2025-06-30", 8), ("2025-07-01", 38)])
def test_org_units_under_the_province_depend_on_the_date(client: Client, on: str, expected: int) -> None:
    user = user_with_role(Role.COORDINATOR, "12")
    response = client.get(f"/api/v1/org-units?on={on}&parent=12", headers=bearer(client, user.username))
    assert response.status_code == 200
    assert len(response.json()) == expected


def test_a_new_commune_shows_its_predecessors_and_an_old_one_its_successor(client: Client) -> None:
    headers = bearer(client, user_with_role(Role.ADMIN, "12").username)
    new = client.get("/api/v1/org-units/03388?on=2026-01-01", headers=headers).json()
    assert new["name"] == "Phường Đoàn Kết"
    assert sorted(link["code"] for link in new["predecessors"]) == ["03386", "03388", "03389", "03391", "03403"]
    old = client.get("/api/v1/org-units/03386", headers=headers).json()
    assert old["valid_to"] == "2025-06-30"
    assert [link["code"] for link in old["successors"]] == ["03388"]


def test_agencies_mark_the_coordinator_and_the_successors(client: Client) -> None:
    headers = bearer(client, user_with_role(Role.LEADER, "12").username)
    agencies = {a["code"]: a for a in client.get("/api/v1/agencies", headers=headers).json()}
    assert agencies["SYT"]["is_coordinator"] is True
    assert "SYT" in {link["code"] for link in agencies["SLDTBXH"]["successors"]}


def test_a_user_without_assignment_gets_403_from_every_data_route(client: Client) -> None:
    user = UserFactory()
    headers = bearer(client, user.username)
    for url in ("/api/v1/org-units?parent=12", "/api/v1/org-units/12", "/api/v1/agencies"):
        assert client.get(url, headers=headers).status_code == 403, url
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_the_openapi_document_is_served(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/org-units/{code}" in response.json()["paths"]


def test_the_api_docs_page_takes_swagger_ui_from_the_installed_package(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui" in page
    assert "cdn." not in page and "https://" not in page
    assert "/static/ninja/" in page
