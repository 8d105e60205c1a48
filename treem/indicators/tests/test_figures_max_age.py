"""A stored figure computed a few seconds before a change may stand in for the current one on overviews
(``TREEM_FIGURES_MAX_AGE``): the page says when it was computed; past the window, or after a change of definition
or hierarchy, the figure is computed again; with a window of 0 every read is current."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.roles import Role
from treem.indicators.engine import Engine
from treem.indicators.models import StoredFigure
from treem.indicators.selectors import plan_progress
from treem.indicators.services import ValueInput, enter_data_values
from treem.indicators.tests.helpers import fill
from treem.plans.models import Indicator, Plan
from treem.plans.selectors import indicators_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)
CODE = "DE_SCHOOL_PSYCH_SUPPORT"


@pytest.fixture
def school(lai_chau_plan: Plan) -> Indicator:
    fill(years=range(2024, 2027))
    return next(indicator for indicator in indicators_of(lai_chau_plan) if indicator.numerator.code == CODE)


def province_figure(indicator: Indicator):  # type: ignore[no-untyped-def]
    province = unit("12")
    return Engine().figures(indicator, years=[2026], areas=[province.pk])[(province.pk, 2026)]


def raise_the_commune_figure() -> None:
    enter_data_values(actor=None, org_unit=unit("03390"), year=2026, values=[ValueInput(CODE, 100)])  # was 70


def age_the_store(seconds: int) -> None:
    StoredFigure.objects.update(computed_at=timezone.now() - timedelta(seconds=seconds))


def test_within_the_window_the_stored_figure_stands_in_and_says_when_it_was_computed(
        school: Indicator, settings: object) -> None:
    settings.TREEM_FIGURES_MAX_AGE = 30  # type: ignore[attr-defined]
    before = province_figure(school)
    assert before.as_of is None  # computed now: current
    raise_the_commune_figure()
    standing_in = province_figure(school)
    assert (standing_in.numerator, standing_in.denominator) == (before.numerator, before.denominator)
    computed_at = StoredFigure.objects.filter(indicator=school).values_list("computed_at", flat=True).first()
    assert standing_in.as_of == computed_at

    age_the_store(31)
    after = province_figure(school)
    assert after.numerator == before.numerator + 30 and after.as_of is None


def test_the_pages_say_when_the_figures_shown_were_computed(school: Indicator, settings: object,
                                                            client: Client) -> None:
    settings.TREEM_FIGURES_MAX_AGE = 30  # type: ignore[attr-defined]
    client.force_login(user_with_role(Role.LEADER, "12"))
    assert 'data-testid="figures-as-of"' not in client.get("/chi-tieu/").content.decode()
    raise_the_commune_figure()
    for address in ("/chi-tieu/", "/"):
        page = client.get(address).content.decode()
        assert 'data-testid="figures-as-of"' in page and "Số liệu tính lúc" in page, address
    age_the_store(31)
    assert 'data-testid="figures-as-of"' not in client.get("/chi-tieu/").content.decode()
    progress = plan_progress(user_with_role(Role.LEADER, "12"), plan=school.plan, unit_uid=None, year=2026,
                             today=TODAY)
    assert progress.as_of is None


def test_a_window_of_zero_always_reads_current_figures(school: Indicator, settings: object) -> None:
    settings.TREEM_FIGURES_MAX_AGE = 0  # type: ignore[attr-defined]
    before = province_figure(school)
    raise_the_commune_figure()
    after = province_figure(school)
    assert after.numerator == before.numerator + 30 and after.as_of is None


def test_a_changed_definition_is_never_served_from_older_figures(school: Indicator, settings: object) -> None:
    settings.TREEM_FIGURES_MAX_AGE = 3600  # type: ignore[attr-defined]
    before = province_figure(school)
    raise_the_commune_figure()  # the data changed too: older figures could stand in, were the definition the same
    Indicator.objects.filter(pk=school.pk).update(factor=1000)  # per thousand instead of per cent
    school.refresh_from_db()
    after = province_figure(school)
    assert after.as_of is None and after.factor == 1000 and after.numerator == before.numerator + 30
    assert after == Engine(stored=False).figures(school, years=[2026], areas=[unit("12").pk])[(unit("12").pk, 2026)]
