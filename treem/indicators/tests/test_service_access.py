"""``enter_data_values`` decides itself who may enter a figure: called directly by someone who may not, it
refuses with ``PermissionDenied`` and writes nothing (the pages, the reports and the DHIS2 exchange all call it)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from treem.accounts.models import User
from treem.accounts.tests.factories import UserFactory, unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.indicators.models import DataValue
from treem.indicators.services import ValueInput, enter_data_values
from treem.plans.models import Plan

pytestmark = pytest.mark.django_db

ACTORS = {
    "neighbouring officer": lambda: user_with_role(Role.COMMUNE_OFFICER, "03408"),
    "leader": lambda: user_with_role(Role.LEADER, "12"),
    "agency of another element": lambda: user_with_role(Role.AGENCY_REPORTER, "12", agency_code="SGDDT"),
    "unassigned": UserFactory,
}


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_entering_a_figure_without_the_right_is_refused_and_nothing_is_written(lai_chau_plan: Plan,
                                                                                 who: str) -> None:
    actor: User = ACTORS[who]()
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        enter_data_values(actor=actor, org_unit=unit("03390"), year=2025,
                          values=[ValueInput("DE_COMMUNE_CHILD_FRIENDLY", 1)])
    assert not DataValue.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_commune_officer_enters_the_same_figure(lai_chau_plan: Plan) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    result = enter_data_values(actor=officer, org_unit=unit("03390"), year=2025,
                               values=[ValueInput("DE_COMMUNE_CHILD_FRIENDLY", 1)])
    assert result.created == 1
