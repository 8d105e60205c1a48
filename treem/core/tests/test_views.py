from __future__ import annotations

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
