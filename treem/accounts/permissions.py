"""Capabilities of the accounts domain, and the assignment source that access control reads."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count

from treem.core.access import Grant, define_capability
from treem.core.roles import Role

MANAGE_ACCOUNTS = define_capability("accounts.manage", label="quản lý tài khoản", roles={Role.ADMIN})

# How many reorganisations back an assignment reaches (a chain of merges is rarely longer than one or two).
LINEAGE_DEPTH = 5


def grants_from_assignments(user: AbstractBaseUser, *, on: date) -> list[Grant]:
    """The user's active assignments as grants (role, subtree path, agency).

    An assignment to a unit also covers the units whose whole territory passed to it in a reorganisation (an old
    commune merged into the new one), so that a commune's officer keeps the records filed before the merger. A unit
    split between several successors is covered by none of them alone.
    """
    from treem.accounts.models import Assignment
    from treem.hierarchy.models import Lineage

    rows = list(
        Assignment.objects.active(on).filter(user_id=user.pk)
        .values_list("role", "org_unit_id", "org_unit__path", "agency__code")
    )
    grants = [Grant(role=role, path=path, agency_code=agency_code) for role, _, path, agency_code in rows]
    frontier: dict[int, list[tuple[str, str | None]]] = {}
    for role, unit_id, _, agency_code in rows:
        frontier.setdefault(unit_id, []).append((role, agency_code))
    for _ in range(LINEAGE_DEPTH):
        if not frontier:
            break
        wholly_passed = (
            Lineage.objects.filter(successor_id__in=frontier)
            .annotate(successor_count=Count("predecessor__successor_links"))
            .filter(successor_count=1)
            .values_list("successor_id", "predecessor_id", "predecessor__path")
        )
        next_frontier: dict[int, list[tuple[str, str | None]]] = {}
        for successor_id, predecessor_id, predecessor_path in wholly_passed:
            for granted_role, granted_agency in frontier[successor_id]:
                grants.append(Grant(role=granted_role, path=predecessor_path, agency_code=granted_agency))
                next_frontier.setdefault(predecessor_id, []).append((granted_role, granted_agency))
        frontier = next_frontier
    return grants
