"""The consolidated report and the status board in a database that holds more than one province."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from treem.hierarchy.models import OrgUnit, make_uid
from treem.reporting.consolidated import consolidated_report
from treem.reporting.reporters import province_on
from treem.reporting.selectors import status_board
from treem.reporting.tests.factories import coordinator, cycle

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 31)


@pytest.fixture
def other_province() -> OrgUnit:
    """A province whose path sorts before Lai Châu's (/12/), as Hà Nội's (/01/) does in a national database."""
    country = OrgUnit.objects.get(path="/")
    return OrgUnit.objects.create(uid=make_uid("test:01"), code="01", name="Thành phố Hà Nội", kind="thành phố",
                                  level="province", parent=country, path="/01/")


def test_the_province_of_a_report_is_the_one_of_the_users_scope(other_province: OrgUnit) -> None:
    assert province_on(DAY) == other_province  # the first by path, as before
    assert province_on(DAY, within=["/12/"]).code == "12"
    assert province_on(DAY, within=["/12/03388/"]).code == "12"  # a scope inside the province
    assert province_on(DAY, within=["/"]) == other_province  # a national scope: the first, as before


def test_a_provincial_coordinator_builds_the_report_of_their_province_not_the_first_one(
    other_province: OrgUnit,
) -> None:
    report = consolidated_report(user=coordinator(), cycle=cycle(2026), today=date(2026, 12, 2))
    assert report.province_name == "Tỉnh Lai Châu"
    assert report.indicators  # the indicator table is read for Lai Châu, which the coordinator may see


def test_the_status_board_reads_the_cycle_and_its_plan_once_not_once_per_row() -> None:
    reporting_cycle = cycle(2026)
    with CaptureQueriesContext(connection) as queries:
        board = status_board(coordinator(), cycle=reporting_cycle)
        late = [row.submission.is_late for row in board.rows]
    assert len(board.rows) == 46 and not any(late)
    assert all(row.submission.cycle is reporting_cycle for row in board.rows)
    assert not [query for query in queries.captured_queries if "plans_plan" in query["sql"]]
