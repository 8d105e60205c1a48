"""The Content-Security-Policy and the other security headers, the deployment check in production settings, the
request-size limit, and plotly.js's stylesheet served as a file so that no inline style is needed."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

BASE_DIR = Path(__file__).resolve().parents[3]


def test_every_page_forbids_inline_scripts_and_styles(client: Client) -> None:
    response = client.get("/tai-khoan/dang-nhap/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_send_the_security_headers(client: Client) -> None:
    response = client.get("/tai-khoan/dang-nhap/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_no_template_carries_an_inline_script_handler_or_style_attribute() -> None:
    """Scripts are static files and styles are classes; a json_script data block is not code."""
    offenders = []
    for template in [*BASE_DIR.glob("templates/**/*.html"), *BASE_DIR.glob("treem/*/templates/**/*.html")]:
        text = template.read_text(encoding="utf-8")
        for marker in ("<script>", "style=\"", " onclick=", " onchange=", " onsubmit=", " onload=", "javascript:"):
            if marker in text:
                offenders.append(f"{template.relative_to(BASE_DIR)}: {marker}")
    assert offenders == []


def _production_environment(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}}
    environment.update({
        "TREEM_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "treem.laichau.gov.vn",
        "DATABASE_URL": "sqlite:///:memory:", **extra,
    })
    return environment


def _deploy_check(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_deployment_check_is_clean_with_production_settings() -> None:
    result = _deploy_check(_production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_the_deployment_check_fails_when_production_turns_hsts_off() -> None:
    """The check above is not vacuous: weakening a production setting makes it fail."""
    result = _deploy_check(_production_environment(SECURE_HSTS_SECONDS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(client: Client, settings: object) -> None:
    settings.TREEM_MAX_REQUEST_BYTES = 1024  # type: ignore[attr-defined]
    response = client.post("/tai-khoan/dang-nhap/", data={"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413
    assert "quá lớn" in response.content.decode()
    api = client.post("/api/v1/auth/token", data="{" + " " * 2000 + "}", content_type="application/json")
    assert api.status_code == 413
    assert "quá lớn" in api.json()["detail"]


def test_a_request_body_under_the_limit_goes_through(client: Client, settings: object) -> None:
    settings.TREEM_MAX_REQUEST_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    response = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "wrong"},
                           content_type="application/json")
    assert response.status_code != 413


def test_plotly_stylesheet_is_the_bundles_own_rules_as_a_file(client: Client) -> None:
    response = client.get("/tai-nguyen/plotly.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert ".js-plotly-plot .plotly .main-svg{position:absolute;top:0;left:0;pointer-events:none;}" in css
    assert ".plotly-notifier{" in css
    assert "X " not in css and "Y " not in css


def test_the_plotly_tag_marks_the_stylesheets_plotly_would_inject() -> None:
    from django.template import engines

    html = engines["django"].from_string("{% load treem_assets %}{% plotly_script %}").render({})
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in html
    assert '<meta name="plotly-style" id="' in html


pytestmark = pytest.mark.django_db
