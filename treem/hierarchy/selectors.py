"""Reads of the hierarchy: the units valid on a date, subtrees, lineage; scoped to the requesting user."""

from __future__ import annotations

from datetime import date

from django.db.models import F, QuerySet
from django.http import Http404

from treem.core.access import NOT_FOUND_MESSAGE, UserLike, get_visible_or_404, has_capability, visible_to
from treem.hierarchy.models import Agency, AgencyLineage, CoordinatingAgency, Lineage, OrgUnit, valid_on_q
from treem.hierarchy.permissions import VIEW_AGENCIES, VIEW_HIERARCHY


def units_on(*, on: date) -> QuerySet[OrgUnit]:
    """Every unit valid on ``on`` (unscoped: for the engine and reference checks, never for a page)."""
    return OrgUnit.objects.valid_on(on)


def unit_with_code_on(*, code: str, on: date) -> OrgUnit | None:
    """The unit carrying ``code`` on ``on`` (codes are reused across reorganisations, so the date matters)."""
    return OrgUnit.objects.valid_on(on).filter(code=code).first()


def subtree_on(*, unit: OrgUnit, on: date) -> QuerySet[OrgUnit]:
    """``unit`` and everything under it that is valid on ``on``."""
    return OrgUnit.objects.valid_on(on).within(unit.path)


def predecessors(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(successor_links__successor=unit).order_by("path")


def successors(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(predecessor_links__predecessor=unit).order_by("path")


def lineage_of(*, unit: OrgUnit) -> QuerySet[Lineage]:
    """Both directions of the lineage of ``unit``, oldest first."""
    return (Lineage.objects.filter(predecessor=unit) | Lineage.objects.filter(successor=unit)).select_related(
        "predecessor", "successor"
    ).order_by("effective_on")


def successors_on(*, unit: OrgUnit, on: date) -> list[OrgUnit]:
    """The units valid on ``on`` that ``unit``'s territory passed to, following the lineage through every change."""
    if unit.is_valid_on(on):
        return [unit]
    found: dict[int, OrgUnit] = {}
    frontier = [unit]
    seen: set[int] = set()
    while frontier:
        current = frontier.pop()
        if current.pk in seen:
            continue
        seen.add(current.pk)
        for successor in successors(unit=current):
            if successor.is_valid_on(on):
                found[successor.pk] = successor
            elif successor.valid_from is None or successor.valid_from <= on:
                frontier.append(successor)
    return sorted(found.values(), key=lambda candidate: candidate.path)


def org_units_for(
    user: UserLike, *, on: date, parent_code: str | None = None, level: str | None = None
) -> QuerySet[OrgUnit]:
    """Units the user may see that are valid on ``on``; children of ``parent_code`` (resolved on ``on``) if given."""
    units = visible_to(user, OrgUnit.objects.valid_on(on), path_field="path", capability=VIEW_HIERARCHY)
    if parent_code:
        parent = unit_with_code_on(code=parent_code, on=on)
        if parent is None:
            return units.none()
        units = units.filter(parent=parent)
    if level:
        units = units.filter(level=level)
    return units.select_related("parent").order_by("path")


def org_unit_for(user: UserLike, *, code: str, on: date | None = None) -> OrgUnit:
    """The unit with ``code`` on ``on`` (without a date: the current one, else its latest version), if visible."""
    units = visible_to(user, OrgUnit.objects.filter(code=code), path_field="path", capability=VIEW_HIERARCHY)
    if on is not None:
        units = units.filter(valid_on_q(on))
    unit = units.order_by(F("valid_to").desc(nulls_first=True), F("valid_from").desc(nulls_last=True)).first()
    if unit is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return unit


def org_unit_by_uid_for(user: UserLike, *, uid: str) -> OrgUnit:
    return get_visible_or_404(user, OrgUnit.objects.all(), path_field="path", capability=VIEW_HIERARCHY, uid=uid)


def agencies_for(user: UserLike, *, on: date | None = None) -> QuerySet[Agency]:
    """Agencies are public reference data for anyone holding an assignment; ``on`` keeps those existing then."""
    if not has_capability(user, VIEW_AGENCIES):
        return Agency.objects.none()
    agencies = Agency.objects.all()
    if on is not None:
        agencies = agencies.valid_on(on)
    return agencies.prefetch_related("successor_links__successor", "predecessor_links__predecessor")


def agency_lineage() -> QuerySet[AgencyLineage]:
    return AgencyLineage.objects.select_related("predecessor", "successor")


def coordinating_agency(*, on: date) -> Agency | None:
    """The agency that coordinates children's affairs on ``on`` (a setting kept as dated rows)."""
    row = CoordinatingAgency.objects.filter(valid_from__lte=on).select_related("agency").order_by("-valid_from").first()
    return row.agency if row else None
