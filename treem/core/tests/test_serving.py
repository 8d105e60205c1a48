"""How treem serves a user with the settings it starts with: the project's own error pages, never Django's debug
pages (unless a developer asks for them), and static files with hashed names cached for a year.

These run the settings module in a fresh interpreter, because the test runner itself always switches DEBUG off and
so could not tell what the defaults are.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
client = Client()
missing = client.get("/khong-co-trang-nay/")
from django.templatetags.static import static
css = static("treem/app.css")
served = client.get(css)
print(json.dumps({
    "debug": settings.DEBUG,
    "missing_status": missing.status_code,
    "missing_body": missing.content.decode(),
    "css_url": css,
    "css_status": served.status_code,
    "css_cache": served.headers.get("Cache-Control", ""),
}))
"""


def run_probe(tmp_path: Path, **extra_environment: str) -> dict[str, object]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"TREEM_DEBUG", "DEBUG", "TREEM_ENV", "DATABASE_URL"}}
    environment.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        **extra_environment,
    })
    completed = subprocess.run([sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=environment,
                               capture_output=True, text=True, timeout=300, check=True)
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_by_default_an_unknown_address_shows_the_projects_404_page_without_the_list_of_addresses(
        tmp_path: Path) -> None:
    result = run_probe(tmp_path)
    assert result["debug"] is False
    assert result["missing_status"] == 404
    body = str(result["missing_body"])
    assert "Không tìm thấy" in body and 'href="/"' in body and "Về trang tổng quan" in body
    assert "URLconf" not in body and "quan-tri/" not in body and "dinh-duong/" not in body


def test_the_debug_page_appears_only_when_a_developer_sets_treem_debug(tmp_path: Path) -> None:
    result = run_probe(tmp_path, TREEM_DEBUG="1")
    assert result["debug"] is True
    assert result["missing_status"] == 404
    assert "URLconf" in str(result["missing_body"])


def test_static_files_are_served_under_hashed_names_and_cached_for_a_year(tmp_path: Path) -> None:
    result = run_probe(tmp_path)
    css_url = str(result["css_url"])
    assert css_url.startswith("/static/treem/app.") and css_url.endswith(".css") and css_url != "/static/treem/app.css"
    assert result["css_status"] == 200
    cache = str(result["css_cache"])
    max_age = int(cache.split("max-age=")[1].split(",")[0])
    assert max_age >= 365 * 24 * 3600 and "immutable" in cache
