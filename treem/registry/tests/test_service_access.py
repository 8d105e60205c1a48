"""Every write service of the registry decides itself who may call it: the officer of a neighbouring commune, a
leader (counts only) or a user with no assignment is refused with ``PermissionDenied`` and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from treem.accounts.models import User
from treem.accounts.tests.factories import UserFactory, unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.registry import services
from treem.registry.models import Child, Consent, DuplicateCandidate, DuplicateStatus, SpecialCircumstance
from treem.registry.tests.factories import child_in

pytestmark = pytest.mark.django_db

OWN, NEIGHBOUR = "03390", "03408"
TODAY = date(2026, 3, 1)


def _consent(child: Child) -> Consent:
    return Consent.objects.create(child=child, given_by="guardian", purpose="registry", given_on=date(2025, 1, 1))


def _membership(child: Child) -> SpecialCircumstance:
    return SpecialCircumstance.objects.create(child=child, group="a", identified_on=date(2025, 1, 1))


def _pair(child: Child) -> DuplicateCandidate:
    return DuplicateCandidate.objects.create(child_a=child, child_b=child_in(OWN), score=0.9)


CALLS: dict[str, Callable[[User, Child], Any]] = {
    "register_child": lambda actor, child: services.register_child(
        actor=actor, commune=unit(OWN), full_name="Lò Thị Mai", birth_date=date(2020, 1, 1), sex="F", today=TODAY),
    "update_child": lambda actor, child: services.update_child(
        actor=actor, child=child, changes={"full_name": "Lò Văn Khác"}, today=TODAY),
    "move_child": lambda actor, child: services.move_child(
        actor=actor, child=child, commune=unit(NEIGHBOUR), moved_on=TODAY),
    "record_child_status": lambda actor, child: services.record_child_status(
        actor=actor, child=child, status="died", status_on=TODAY),
    "delete_child": lambda actor, child: services.delete_child(actor=actor, child=child, reason="Nhập nhầm."),
    "add_guardian": lambda actor, child: services.add_guardian(actor=actor, child=child, full_name="Lò Văn Pâng"),
    "record_consent": lambda actor, child: services.record_consent(
        actor=actor, child=child, given_by="guardian", purpose="registry", given_on=TODAY, today=TODAY),
    "withdraw_consent": lambda actor, child: services.withdraw_consent(
        actor=actor, consent=_consent(child), withdrawn_on=TODAY),
    "set_legal_basis": lambda actor, child: services.set_legal_basis(
        actor=actor, child=child, legal_basis="state_duty", note="Điều 6", today=TODAY),
    "add_special_circumstance": lambda actor, child: services.add_special_circumstance(
        actor=actor, child=child, group="a", identified_on=TODAY),
    "update_special_circumstance": lambda actor, child: services.update_special_circumstance(
        actor=actor, membership=_membership(child), changes={"is_supported": True}),
    "merge_duplicate_children": lambda actor, child: services.merge_duplicate_children(
        actor=actor, candidate=_pair(child), keep=child, today=TODAY),
    "mark_not_same_child": lambda actor, child: services.mark_not_same_child(actor=actor, candidate=_pair(child)),
}

ACTORS: dict[str, Callable[[], User]] = {
    "neighbouring officer": lambda: user_with_role(Role.COMMUNE_OFFICER, NEIGHBOUR),
    "leader": lambda: user_with_role(Role.LEADER, "12"),
    "unassigned": UserFactory,
}


@pytest.mark.parametrize("service", sorted(CALLS))
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_a_service_called_by_someone_without_the_right_refuses_and_writes_nothing(service: str, who: str) -> None:
    child = child_in(OWN)
    actor = ACTORS[who]()
    events = AuditEvent.objects.count()
    children = Child.objects.count()
    with pytest.raises(PermissionDenied):
        CALLS[service](actor, child)
    assert AuditEvent.objects.count() == events
    stored = Child.objects.get(pk=child.pk)
    assert (stored.full_name, stored.commune_id, stored.status, stored.deleted_at, stored.merged_into_id) == (
        child.full_name, child.commune_id, child.status, None, None)
    assert Child.objects.count() - children in (0, 1)  # _pair's second child, created before the call
    assert not DuplicateCandidate.objects.exclude(status=DuplicateStatus.OPEN).exists()


def test_a_move_into_a_commune_the_officer_does_not_keep_is_refused() -> None:
    """The officer may edit the child, but the move would hand the record to a commune outside their scope."""
    child = child_in(OWN)
    with pytest.raises(PermissionDenied):
        services.move_child(actor=user_with_role(Role.COMMUNE_OFFICER, OWN), child=child, commune=unit(NEIGHBOUR),
                            moved_on=TODAY)
    assert Child.objects.get(pk=child.pk).commune == unit(OWN)


def test_the_commune_officer_is_let_through() -> None:
    child = child_in(OWN)
    updated = services.update_child(actor=user_with_role(Role.COMMUNE_OFFICER, OWN), child=child,
                                    changes={"full_name": "Lò Văn Khác"}, today=TODAY)
    assert updated.full_name == "Lò Văn Khác"
