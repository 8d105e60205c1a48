"""Creating users and giving roles is for administrators, within their own subtree: anyone else is refused with
``PermissionDenied`` and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from treem.accounts.models import Assignment, User
from treem.accounts.services import assign_role, create_user
from treem.accounts.tests.factories import UserFactory, unit, user_with_role
from treem.core.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-rat-dai-2026"
ACTORS = {
    "coordinator": lambda: user_with_role(Role.COORDINATOR, "12"),
    "administrator of another commune": lambda: user_with_role(Role.ADMIN, "03408"),
    "unassigned": UserFactory,
}


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_creating_a_user_is_refused_to_anyone_but_an_administrator_of_the_unit(who: str) -> None:
    actor = ACTORS[who]()
    with pytest.raises(PermissionDenied):
        create_user(actor=actor, username="can_bo_moi", password=PASSWORD, role=Role.COMMUNE_OFFICER,
                    org_unit=unit("03390"))
    assert not User.objects.filter(username="can_bo_moi").exists()


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_giving_a_role_is_refused_to_anyone_but_an_administrator_of_the_unit(who: str) -> None:
    actor, user = ACTORS[who](), UserFactory()
    with pytest.raises(PermissionDenied):
        assign_role(actor=actor, user=user, role=Role.ADMIN, org_unit=unit("03390"))
    assert not Assignment.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert not user.is_superuser


def test_an_administrator_of_the_province_creates_the_user() -> None:
    user = create_user(actor=user_with_role(Role.ADMIN, "12"), username="can_bo_moi", password=PASSWORD,
                       role=Role.COMMUNE_OFFICER, org_unit=unit("03390"))
    assert user.assignments.get().org_unit == unit("03390")
