"""The demo figures: every commune in force each year 2021–2026, marked as demo, idempotent, a believable picture."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from treem.hierarchy.models import OrgUnit
from treem.indicators.demo import seed_demo_values
from treem.indicators.models import DataValue
from treem.indicators.progress import Status
from treem.indicators.selectors import plan_progress
from treem.plans.models import DataElement, Plan

pytestmark = pytest.mark.django_db


def test_demo_figures_cover_every_commune_and_year_and_a_second_run_adds_nothing(lai_chau_plan: Plan) -> None:
    messages: list[str] = []
    seed_demo_values(size="small", stdout=messages.append)
    count = DataValue.objects.count()
    assert count > 0 and not DataValue.objects.filter(is_demo=False).exists()
    for year in range(2021, 2027):
        communes = set(OrgUnit.objects.valid_on(date(year, 12, 31)).of_level("commune").values_list("id", flat=True))
        covered = set(DataValue.objects.filter(year=year, data_element__code="DE_U5_MEASURED_WAZ")
                      .values_list("org_unit_id", flat=True))
        assert covered == communes, year
        assert len(communes) == (106 if year < 2025 else 38)
    entered = set(DataValue.objects.values_list("data_element__code", flat=True).distinct())
    assert entered == {element.code for element in DataElement.objects.all() if element.can_be_entered}
    seed_demo_values(size="small", stdout=messages.append)
    assert DataValue.objects.count() == count
    assert "giữ nguyên" in messages[-1]


def test_the_demo_picture_has_targets_met_and_missed(lai_chau_plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_demo_values(size="small", stdout=lambda message: None)
    from treem.indicators import selectors

    monkeypatch.setattr(selectors, "scope_paths", lambda user, capability=None: ["/12/"])
    progress = plan_progress(AnonymousUser(), plan=lai_chau_plan, unit_uid=None, year=2026, today=date(2026, 11, 28))
    statuses = {item.indicator.code: item.headline[1].status for item in progress.items if item.headline}
    assert len(statuses) == 14
    assert Status.OFF_TRACK in statuses.values()
    assert {Status.ACHIEVED, Status.ON_TRACK} & set(statuses.values())
    assert progress.includes_demo


def test_a_larger_size_breaks_children_down_by_more_ethnic_groups(lai_chau_plan: Plan) -> None:
    seed_demo_values(size="medium", stdout=lambda message: None)
    groups = DataValue.objects.filter(org_unit__code="03390", year=2026, data_element__code="DE_CHILD_TOTAL",
                                      ethnic_group__isnull=False).values("ethnic_group").distinct().count()
    assert groups == 4  # Kinh and three minority groups
