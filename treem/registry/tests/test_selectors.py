"""Every read of the registry is scoped: an officer of one commune never sees a neighbouring commune's rows."""

from __future__ import annotations

import datetime as dt

import pytest

from treem.accounts.tests.factories import UserFactory, unit, user_with_role
from treem.core.intake.models import ImportRecord
from treem.core.roles import Role
from treem.registry.models import DuplicateCandidate
from treem.registry.selectors import (
    ChildFilters,
    children_for,
    counts_for,
    duplicate_candidates_for,
    imports_for,
    search_children,
)
from treem.registry.tests.factories import child_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 1)


@pytest.fixture
def two_communes() -> tuple[int, int]:
    return child_in("03390", full_name="Lò Văn Sình").pk, child_in("03408", full_name="Lò Văn Sình").pk


def test_children_and_search_stay_in_the_officers_commune(two_communes: tuple[int, int]) -> None:
    mine, _ = two_communes
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    assert list(children_for(officer).values_list("pk", flat=True)) == [mine]
    found = search_children(officer, ChildFilters(query="lo van sinh", commune_code="03408"), today=TODAY)
    assert not found.exists()
    assert list(search_children(officer, ChildFilters(query="Sình"), today=TODAY).values_list("pk", flat=True)) == [
        mine]


def test_nobody_without_an_assignment_and_no_leader_sees_identities(two_communes: tuple[int, int]) -> None:
    assert not children_for(UserFactory()).exists()
    assert not children_for(user_with_role(Role.LEADER, "12")).exists()
    assert children_for(user_with_role(Role.COORDINATOR, "12")).count() == 2


def test_counts_cover_the_users_communes_only(two_communes: tuple[int, int]) -> None:
    officer_rows = counts_for(user_with_role(Role.COMMUNE_OFFICER, "03390"), today=TODAY)
    assert [(row.commune.code, row.total) for row in officer_rows] == [("03390", 1)]
    leader_rows = counts_for(user_with_role(Role.LEADER, "12"), today=TODAY)
    assert len(leader_rows) == 38 and sum(row.total for row in leader_rows) == 2


def test_duplicate_pairs_and_imports_stay_in_scope(two_communes: tuple[int, int]) -> None:
    mine, theirs = two_communes
    other_mine = child_in("03390", full_name="Lò Văn Sinh").pk
    DuplicateCandidate.objects.create(child_a_id=min(mine, theirs), child_b_id=max(mine, theirs), score=0.9)
    inside = DuplicateCandidate.objects.create(child_a_id=mine, child_b_id=other_mine, score=0.9)
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    assert list(duplicate_candidates_for(officer)) == [inside]
    assert duplicate_candidates_for(user_with_role(Role.COORDINATOR, "12")).count() == 2
    ImportRecord.objects.create(kind="children", org_unit=unit("03408"), as_of=TODAY, original_name="a.xlsx",
                                stored_file="/x")
    assert not imports_for(officer).exists()
