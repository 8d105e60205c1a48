"""Field tests run on the reference data with the Lai Châu plan and the validation rules (the report's figures)."""

from __future__ import annotations

import pytest

from treem.reporting.tests.conftest import load_plan_and_rules


@pytest.fixture(autouse=True)
def plan_and_rules(request: pytest.FixtureRequest) -> None:
    """The plan and the rules inside each test's own transaction, rolled back after it: loaded once for the session
    they would stay in the worker's database for the apps tested after this one (registry…), whose tests start from
    a database without a plan."""
    if "django_db" in {marker.name for marker in request.node.iter_markers()}:
        request.getfixturevalue("db")
        load_plan_and_rules()


@pytest.fixture
def reference_data(reference_data: None) -> None:
    """On a transactional database (live server tests): reference data, then the plan and the rules again."""
    load_plan_and_rules()
