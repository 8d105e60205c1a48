"""A stored figure computed a few seconds before a change may stand in for the current one on the pages read on
screen (``TREEM_FIGURES_MAX_AGE``): the page says when it was computed; past the window, after a change of
definition, with a window of 0, and for every read that is not a page on screen (exports, the API, reports), the
figure is current."""

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
from treem.indicators.stored import figures_on_screen
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


def province_figure(indicator: Indicator, *, on_screen: bool = True):  # type: ignore[no-untyped-def]
    province = unit("12")
    if not on_screen:
        return Engine().figures(indicator, years=[2026], areas=[province.pk])[(province.pk, 2026)]
    with figures_on_screen():
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


def test_reads_that_are_not_a_page_on_screen_are_always_current(school: Indicator, settings: object,
                                                                client: Client) -> None:
    settings.TREEM_FIGURES_MAX_AGE = 3600  # type: ignore[attr-defined]
    client.force_login(user_with_role(Role.LEADER, "12"))
    client.get("/chi-tieu/?year=2026")  # every indicator's figures computed and stored
    before = province_figure(school)
    raise_the_commune_figure()
    assert province_figure(school).numerator == before.numerator  # on screen: the stored figure stands in
    assert 'data-testid="figures-as-of"' in client.get("/chi-tieu/?year=2026").content.decode()
    values = client.get("/api/v1/indicator-values?indicator=I04&period=2026&org_unit=12").json()
    assert values[0]["numerator"] == before.numerator + 30  # the API: current
    progress = plan_progress(user_with_role(Role.LEADER, "12"), plan=school.plan, unit_uid=None, year=2026,
                             today=TODAY)
    assert progress.as_of is None  # a selector outside a page: current
    assert province_figure(school, on_screen=False).numerator == before.numerator + 30
