"""Loading the plan file is for the coordinating agency and administrators: anyone else calling ``load_plan``
directly is refused with ``PermissionDenied`` before the file is read, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from treem.accounts.tests.factories import UserFactory, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.plans.models import Plan
from treem.plans.services import load_plan
from treem.plans.tests.factories import LAI_CHAU_PLAN

pytestmark = pytest.mark.django_db

ACTORS = {
    "leader": lambda: user_with_role(Role.LEADER, "12"),
    "agency reporter": lambda: user_with_role(Role.AGENCY_REPORTER, "12", agency_code="SGDDT"),
    "commune officer": lambda: user_with_role(Role.COMMUNE_OFFICER, "03390"),
    "unassigned": UserFactory,
}


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_loading_the_plan_is_refused_to_anyone_who_does_not_keep_it(who: str) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        load_plan(actor=ACTORS[who](), path=LAI_CHAU_PLAN)
    assert not Plan.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_coordinator_loads_it() -> None:
    report = load_plan(actor=user_with_role(Role.COORDINATOR, "12", agency_code="SYT"), path=LAI_CHAU_PLAN)
    assert report.plan.code
