"""The plan's pages with records behind the derived figures (children, measurements): once the records are counted
(as ``seed_demo``, an import or ``refresh_counts`` do ahead), a page reads the stored counts in one go, so it runs
the same bounded number of queries whatever the number of children, measurements and communes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role
from treem.hierarchy.models import OrgUnit
from treem.indicators.tests.helpers import fill
from treem.nutrition.tests.factories import measurement_with
from treem.plans.tests.factories import lai_chau_plan  # noqa: F401  (fixture)
from treem.registry.models import Residence
from treem.registry.tests.factories import child_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lai_chau_plan")]

TODAY = date(2026, 6, 30)


def records(*, communes: int | None, per_commune: int) -> None:
    """Children under five in the first ``communes`` communes of today, each living there and weighed once."""
    codes = list(OrgUnit.objects.valid_on(TODAY).of_level("commune").order_by("path").values_list("code", flat=True))
    for code in codes[:communes] if communes else codes:
        for number in range(per_commune):
            child = child_in(code, birth_date=date(2023, 1 + number % 12, 10), sex="MF"[number % 2],
                             is_birth_registered=number % 3 != 0)
            assert Residence.objects.filter(child=child).exists()
            measurement_with(child, measured_on=date(2025, 9, 15), waz=-2.5 if number % 4 == 0 else -0.5,
                             haz=-1.0)


@pytest.mark.parametrize(("url", "most"), [("/chi-tieu/?year=2025", 22), ("/chi-tieu/I14/?year=2025", 22),
                                           ("/chi-tieu/I05/?year=2025", 22)])
def test_pages_over_records_run_a_bounded_number_of_queries(
    client: Client, url: str, most: int,
) -> None:
    client.force_login(user_with_role(Role.LEADER, "12"))
    fill(communes=2)
    records(communes=2, per_commune=2)
    call_command("refresh_counts", "--quiet")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    records(communes=None, per_commune=4)
    call_command("refresh_counts", "--quiet")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.status_code == 200
    assert len(many) == len(few) <= most
