"""Test set-up shared by the whole suite.

Reference data (hierarchy, lineage, ethnic groups, agencies) is loaded once per test database by the same command
production uses; tests then run inside transactions that roll back, so every test sees it and none can spoil it.
Browser tests (marked ``browser``) get a ``page`` of Debian's Chromium driven by Playwright; the screenshot of a
failing one is saved under ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.fixture(scope="session", autouse=True)
def plain_static_storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests render templates without running collectstatic first, so they use Django's plain static storage (and
    whitenoise finds the files where they are); the hashed, compressed storage of production is tested on its own
    (treem/core/tests/test_serving.py)."""
    from django.conf import settings

    storages = {**settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=storages, STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
                           WHITENOISE_USE_FINDERS=True):
        yield

@pytest.fixture(autouse=True)
def counts_read_in_this_test_only() -> Iterator[None]:
    """Each test's database is rolled back at its end, so the tokens of the next one can repeat: the process's
    memo of stored counts is emptied around every test."""
    from treem.indicators.counts import forget_read_back

    forget_read_back()
    yield
    forget_read_back()


@pytest.fixture
def admin_user(db: None, django_user_model: Any, django_username_field: str) -> Any:
    """pytest-django's administrator, with a password that meets treem's rules (its own, "password", does not:
    ``createsuperuser`` and the user manager refuse it)."""
    from treem.accounts.tests.factories import TEST_PASSWORD

    return django_user_model._default_manager.create_superuser(
        **{django_username_field: "admin"}, email="admin@example.com", password=TEST_PASSWORD)


@pytest.fixture
def admin_client(db: None, admin_user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    return client


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command("load_reference", quiet=True)
    yield


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """For tests on a transactional database (flushed after each test), load the reference data again."""
    call_command("load_reference", quiet=True)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item, so fixtures can save a screenshot when the test failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` check PostgreSQL-only guarantees; they run in the PostgreSQL pass of CI."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    selected = [item for item in items if item.get_closest_marker("postgres") is None]
    deselected = [item for item in items if item.get_closest_marker("postgres") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium (``CHROMIUM_PATH`` to use another), launched once per test module, offline."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package (.ci/run does).")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page in Vietnamese at 1366 × 768; a screenshot is kept when the test failed."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
