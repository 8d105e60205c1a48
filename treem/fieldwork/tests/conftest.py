"""Field tests run on the reference data with the Lai Châu plan and the validation rules (the report's figures)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from treem.reporting.tests.conftest import load_plan_and_rules


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_plan_and_rules()
    yield


@pytest.fixture
def reference_data(reference_data: None) -> None:
    """On a transactional database (live server tests): reference data, then the plan and the rules again."""
    load_plan_and_rules()
