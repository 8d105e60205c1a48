"""Child-friendly tests run on the real reference data, the Lai Châu plan and the scoring table, loaded once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

PLAN_FILE = str(settings.BASE_DIR / "reference_data" / "plans" / "lai-chau-2024.yaml")


def load_everything() -> None:
    from treem.childfriendly.models import ScoringVersion
    from treem.hierarchy.models import Agency
    from treem.plans.models import Plan

    if not Agency.objects.exists():
        call_command("load_reference", quiet=True)
    if not Plan.objects.exists():
        call_command("load_plan", PLAN_FILE, quiet=True)
    if not ScoringVersion.objects.exists():
        call_command("load_child_friendly", quiet=True)


@pytest.fixture(autouse=True)
def plan_and_scoring_table(request: pytest.FixtureRequest) -> None:
    """The plan and the scoring table inside each test's own transaction, rolled back after it: loaded once for
    the session they would stay in the worker's database for the apps tested after this one (alphabetically:
    dashboards, registry…), whose tests start from a database without a plan."""
    if "django_db" in {marker.name for marker in request.node.iter_markers()}:
        request.getfixturevalue("db")
        load_everything()


@pytest.fixture
def reference_data(reference_data: None) -> None:
    load_everything()


@pytest.fixture(autouse=True)
def evidence_storage(settings: pytest.FixtureRequest, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
