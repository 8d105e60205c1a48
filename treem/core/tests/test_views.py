from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_200_with_the_database_status(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["status"] == "ok"


def test_plotly_is_served_from_the_installed_package_gzipped_and_cached_for_a_year(client: Client) -> None:
    response = client.get("/tai-nguyen/plotly.min.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    plain = client.get("/tai-nguyen/plotly.min.js")
    assert plain.content.startswith(b"/**") and b"plotly.js" in plain.content[:200]
    assert len(response.content) < len(plain.content) / 2


def test_an_unknown_api_address_answers_the_api_error_format_and_a_page_address_the_projects_page(
        client: Client) -> None:
    api = client.get("/api/v1/khong-co-thao-tac-nay", HTTP_ACCEPT="application/json")
    assert api.status_code == 404
    assert api["Content-Type"].startswith("application/json")
    assert api.json() == {"detail": "Không có địa chỉ này trong API.", "errors": {}}
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert "Không tìm thấy" in page.content.decode()


def test_a_server_error_under_the_api_answers_json_and_elsewhere_the_projects_page() -> None:
    from django.test import RequestFactory

    from treem.core.views import server_error

    api = server_error(RequestFactory().get("/api/v1/children"))
    assert api.status_code == 500 and api["Content-Type"].startswith("application/json")
    assert set(json.loads(api.content)) == {"detail", "errors"}
    page = server_error(RequestFactory().get("/tre-em/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
