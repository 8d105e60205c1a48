"""Stored counts of the registry's derived elements: read back while the records are unchanged, counted again after
any change — by a service, by a bulk write that sends no signal, or committed while a count was running."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from treem.accounts.tests.factories import unit
from treem.indicators.counts import counted
from treem.indicators.engine import Engine
from treem.indicators.models import DerivedCount, SourceVersion
from treem.indicators.sources import DERIVED_FUNCTIONS, records_changed, source_token
from treem.plans.models import Indicator, Plan
from treem.plans.tests.factories import make_element, make_indicator, make_plan
from treem.registry import services
from treem.registry.models import Child, ChildStatus, Residence
from treem.registry.tests.factories import child_in

pytestmark = pytest.mark.django_db

UNDER_5 = "registry.count_children_under_5"
REGISTERED = "registry.count_children_under_5_birth_registered"
YEAR = 2026


@pytest.fixture
def indicator() -> Indicator:
    """Birth registration of under-fives (as I14), both elements counted from the registry."""
    plan: Plan = make_plan()
    return make_indicator(
        plan, "TB",
        make_element(plan, "DE_T_REGISTERED", source="derived", derived_from=REGISTERED),
        make_element(plan, "DE_T_UNDER_5", source="derived", derived_from=UNDER_5),
    )


def province_figure(indicator: Indicator) -> tuple[int, int]:
    figure = Engine().figures(indicator, years=[YEAR])[(unit("12").pk, YEAR)]
    return int(figure.numerator), int(figure.denominator)


def young_child(code: str = "03390", *, registered: bool = True) -> Child:
    return child_in(code, birth_date=dt.date(2024, 5, 1), is_birth_registered=registered)


def test_a_count_is_stored_and_read_back_while_the_records_are_unchanged(indicator: Indicator) -> None:
    young_child()
    young_child("03408", registered=False)
    assert province_figure(indicator) == (1, 2)
    stored = DerivedCount.objects.get(function=UNDER_5, year=YEAR)
    assert sorted(cell[3] for part in stored.parts.all() for cell in part.cells) == [1, 1]
    assert stored.token == source_token("registry")

    again = counted([(UNDER_5, YEAR), (REGISTERED, YEAR)])
    assert all(result.stored for result in again.values())
    assert province_figure(indicator) == (1, 2)


def test_a_change_made_through_a_service_is_counted_at_once(indicator: Indicator) -> None:
    child = young_child()
    young_child("03408")
    assert province_figure(indicator) == (2, 2)
    services.record_child_status(actor=None, child=child, status=ChildStatus.DECEASED, status_on=dt.date(2026, 3, 1))
    assert not counted([(UNDER_5, YEAR)])[(UNDER_5, YEAR)].stored  # out of date: counted again
    assert province_figure(indicator) == (1, 1)


def test_a_bulk_write_that_sends_no_signal_is_still_seen(indicator: Indicator) -> None:
    young_child()
    assert province_figure(indicator) == (1, 1)
    # as an import does, with bulk writes (no signal) and no call to records_changed: the row counts change
    commune = unit("03408")
    [twin] = Child.objects.bulk_create([Child(full_name="Lò Thị Bản", name_folded="lo thi ban", sex="F",
                                              birth_date=dt.date(2024, 5, 1), commune=commune,
                                              is_birth_registered=True)])
    Residence.objects.bulk_create([Residence(child=twin, commune=commune)])
    assert province_figure(indicator) == (2, 2)
    # a bulk update that keeps ``updated_at`` current is seen too
    Child.objects.filter(pk=twin.pk).update(is_birth_registered=False, updated_at=timezone.now())
    assert province_figure(indicator) == (1, 2)


@pytest.fixture
def count_then_write() -> Iterator[None]:
    """Makes the under-5 function register a child of 03408 right after its first count (as another user saving
    while a dashboard counts)."""
    original = DERIVED_FUNCTIONS[UNDER_5]
    state = {"armed": True}

    def counting_then_writing(*, year: int):  # type: ignore[no-untyped-def]
        cells = list(original(year=year))
        if state["armed"]:
            state["armed"] = False
            young_child("03408")
        return cells

    DERIVED_FUNCTIONS[UNDER_5] = counting_then_writing
    yield
    DERIVED_FUNCTIONS[UNDER_5] = original


def test_a_change_committed_while_counting_is_not_hidden_by_the_stored_count(
    indicator: Indicator, count_then_write: None,
) -> None:
    young_child()
    assert province_figure(indicator)[1] == 1  # counted before the other child was saved
    assert province_figure(indicator)[1] == 2  # the stored count is out of date: counted again


def version(name: str) -> int:
    row = SourceVersion.objects.filter(name=name).first()
    return row.version if row else 0


def test_a_source_gets_one_new_version_per_committed_transaction(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    before = version("registry"), version("nutrition")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for _ in range(3):
            young_child()  # a child and its residence, three times: three sources count children
    assert len(callbacks) == 3
    assert (version("registry"), version("nutrition")) == (before[0] + 1, before[1] + 1)


def test_a_rolled_back_change_raises_no_version(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    before = version("registry"), version("nutrition")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                young_child()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        records_changed(Residence)  # a bulk write of residences: only the registry's figures count them
    assert len(callbacks) == 1
    assert (version("registry"), version("nutrition")) == (before[0] + 1, before[1])
    assert source_token("registry").startswith(f"{before[0] + 1}|")


def test_refresh_counts_counts_what_is_out_of_date_and_leaves_the_rest(indicator: Indicator) -> None:
    young_child()
    out = StringIO()
    call_command("refresh_counts", "--year", str(YEAR), "--source", "registry", stdout=out)
    assert "2 hàm × năm, đếm lại 2 " in out.getvalue()  # the two elements of the plan counted from the registry
    assert DerivedCount.objects.filter(year=YEAR, function__in=[UNDER_5, REGISTERED]).count() == 2
    out = StringIO()
    call_command("refresh_counts", "--year", str(YEAR), "--source", "registry", stdout=out)
    assert "2 hàm × năm, đếm lại 0 " in out.getvalue()
    young_child("03408")
    out = StringIO()
    call_command("refresh_counts", "--year", str(YEAR), stdout=out)
    assert "2 hàm × năm, đếm lại 2 " in out.getvalue()
    assert all(result.stored for result in counted([(UNDER_5, YEAR), (REGISTERED, YEAR)]).values())
    assert province_figure(indicator) == (2, 2)


def test_refresh_counts_refuses_an_unknown_source() -> None:
    with pytest.raises(Exception, match="Không có nguồn"):
        call_command("refresh_counts", "--source", "nowhere")
