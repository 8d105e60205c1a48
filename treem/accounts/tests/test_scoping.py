"""The scoping primitive fails closed, and accessors give the same 404 for 'missing' and 'not yours'."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from treem.accounts.tests.factories import UserFactory, unit, user_with_role
from treem.core.access import get_visible_or_404, has_capability, scope_paths, visible_to
from treem.core.roles import Role
from treem.hierarchy.models import OrgUnit
from treem.hierarchy.permissions import MANAGE_HIERARCHY, VIEW_HIERARCHY
from treem.hierarchy.selectors import org_units_for

pytestmark = pytest.mark.django_db


def test_a_user_without_assignment_sees_nothing() -> None:
    user = UserFactory()
    assert scope_paths(user) == []
    assert visible_to(user, OrgUnit.objects.all(), path_field="path").count() == 0
    assert not has_capability(user, VIEW_HIERARCHY)


def test_a_commune_officer_sees_neither_the_province_nor_a_neighbouring_commune() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    visible = set(visible_to(officer, OrgUnit.objects.all(), path_field="path").values_list("path", flat=True))
    assert "/12/03390/" in visible
    assert "/12/" not in visible and "/12/03408/" not in visible


def test_nested_assignments_collapse_to_the_widest_subtree() -> None:
    user = user_with_role(Role.COORDINATOR, "12")
    user_with_role(Role.COMMUNE_OFFICER, "03390")
    from treem.accounts.models import Assignment

    Assignment.objects.create(user=user, role=Role.COMMUNE_OFFICER, org_unit=unit("03390"))
    assert scope_paths(user) == ["/12/"]


def test_missing_and_not_yours_are_the_same_404() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    with pytest.raises(Http404) as not_yours:
        get_visible_or_404(officer, OrgUnit.objects.all(), path_field="path", code="03408", valid_to__isnull=True)
    with pytest.raises(Http404) as missing:
        get_visible_or_404(officer, OrgUnit.objects.all(), path_field="path", code="00000")
    assert str(not_yours.value) == str(missing.value)


def test_a_capability_is_granted_only_by_the_roles_that_hold_it() -> None:
    leader = user_with_role(Role.LEADER, "12")
    admin = user_with_role(Role.ADMIN, "12")
    assert has_capability(leader, VIEW_HIERARCHY) and not has_capability(leader, MANAGE_HIERARCHY)
    assert has_capability(admin, MANAGE_HIERARCHY)


def test_an_inactive_assignment_grants_nothing() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    officer.assignments.update(is_active=False)
    assert org_units_for(officer, on=date(2026, 1, 1)).count() == 0


def test_an_officer_of_a_merged_commune_also_sees_the_old_communes_merged_into_it() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    visible = set(visible_to(officer, OrgUnit.objects.all(), path_field="path").values_list("code", flat=True))
    merged_into_binh_lu = {"03390", "03412", "03413"}
    assert visible == merged_into_binh_lu
    assert "03386" not in visible


def test_a_unit_split_between_successors_is_covered_by_none_of_them_alone() -> None:
    from treem.hierarchy.models import LineageKind
    from treem.hierarchy.services import NewUnit, record_org_unit_change

    record_org_unit_change(
        actor=None, kind=LineageKind.SPLIT, sources=[unit("03390")],
        targets=[NewUnit(code="99001", name="Xã Bắc", kind="xã", parent=unit("12")),
                 NewUnit(code="99002", name="Xã Nam", kind="xã", parent=unit("12"))],
        effective_on=date(2026, 12, 1),
    )
    officer = UserFactory()
    from treem.accounts.models import Assignment

    Assignment.objects.create(user=officer, role=Role.COMMUNE_OFFICER, org_unit=unit("99001", on=date(2027, 1, 1)))
    paths = scope_paths(officer, on=date(2027, 1, 1))
    assert paths == ["/12/99001/"]
