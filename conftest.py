"""Test set-up shared by the whole suite.

Reference data (hierarchy, lineage, ethnic groups, agencies) is loaded once per test database by the same command
production uses; tests then run inside transactions that roll back, so every test sees it and none can spoil it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command


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
