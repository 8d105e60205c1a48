"""The hierarchy's write services decide themselves who may call them: recording a reorganisation is the
administrators'; a commune's villages are kept by its officer, the coordinator and administrators. Anyone else is
refused with ``PermissionDenied`` and nothing is written.

(Here rather than in hierarchy/tests: hierarchy sits below accounts, which holds the users and their roles.)"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from treem.accounts.tests.factories import UserFactory, unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.hierarchy.models import LineageKind, OrgUnit, Village
from treem.hierarchy.services import NewUnit, import_villages, record_org_unit_change

pytestmark = pytest.mark.django_db

CHANGERS = {
    "coordinator": lambda: user_with_role(Role.COORDINATOR, "12"),
    "commune officer": lambda: user_with_role(Role.COMMUNE_OFFICER, "03388"),
    "unassigned": UserFactory,
}


@pytest.mark.parametrize("who", sorted(CHANGERS))
def test_recording_a_reorganisation_is_refused_to_anyone_but_an_administrator(who: str) -> None:
    first, second = unit("03388"), unit("03408")
    units, events = OrgUnit.objects.count(), AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        record_org_unit_change(
            actor=CHANGERS[who](), kind=LineageKind.MERGE, sources=[first, second],
            targets=[NewUnit(code="03388", name="Phường Lai Châu", kind="phường", parent=unit("12"))],
            effective_on=date(2027, 1, 1))
    assert (OrgUnit.objects.count(), AuditEvent.objects.count()) == (units, events)
    first.refresh_from_db()
    assert first.valid_to is None


VILLAGE_KEEPERS = {
    "neighbouring officer": lambda: user_with_role(Role.COMMUNE_OFFICER, "03408"),
    "leader": lambda: user_with_role(Role.LEADER, "12"),
    "unassigned": UserFactory,
}


@pytest.mark.parametrize("who", sorted(VILLAGE_KEEPERS))
def test_importing_villages_is_refused_to_anyone_who_does_not_keep_the_commune(who: str) -> None:
    with pytest.raises(PermissionDenied):
        import_villages(actor=VILLAGE_KEEPERS[who](), commune=unit("03390"), rows=[{"name": "Bản Mới"}])
    assert not Village.objects.filter(name="Bản Mới").exists()


def test_the_commune_officer_adds_a_village_of_their_commune() -> None:
    result = import_villages(actor=user_with_role(Role.COMMUNE_OFFICER, "03390"), commune=unit("03390"),
                             rows=[{"name": "Bản Mới"}])
    assert result.created == 1
