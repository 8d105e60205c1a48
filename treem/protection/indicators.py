"""Derived data elements of indicator I13 (abused or exploited children detected, and of them supported).

- ``protection.count_children_abused_detected`` (DE_ABUSED_DETECTED): children with at least one case received in
  the year, whatever the form of harm, unless verification found the report unfounded; each child once a year, in
  the commune of the (first) case. A child linked to the registry is one child across cases; a child registered
  on the spot is counted by case.
- ``protection.count_children_abused_supported`` (DE_ABUSED_SUPPORTED): of those, the children for whom at least
  one service was delivered under an approved plan of one of those cases — a subset of the detected, always.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from treem.indicators.sources import DerivedCell, register_derived, register_source
from treem.protection.models import Case, CaseService, CaseStep, SupportPlan
from treem.protection.workflow import Outcome, StepKind
from treem.registry.models import Child

SOURCE = "protection"
# What the two counts read: the cases, their verification steps, their plans' approval and delivered services,
# and the registry's children (a merge points a case to the kept record).
register_source(SOURCE, models=(Case, CaseStep, SupportPlan, CaseService, Child))


@dataclass(frozen=True)
class _DetectedChild:
    org_unit_id: int
    sex: str
    ethnic_group_code: str
    is_supported: bool


def _detected_children(year: int) -> dict[tuple[str, int], _DetectedChild]:
    unfounded = CaseStep.objects.filter(case=OuterRef("pk"), kind=StepKind.VERIFY, outcome=Outcome.UNFOUNDED)
    supported = CaseService.objects.filter(plan__case=OuterRef("pk"), delivered_on__isnull=False,
                                           plan__approved_on__isnull=False)
    cases = (Case.objects.active().filter(reported_at__year=year).exclude(Exists(unfounded))
             .annotate(is_supported=Exists(supported)).order_by("reported_at", "id")
             .values_list("pk", "child_id", "org_unit_id", "child_sex", "child_ethnic_group__code", "is_supported"))
    children: dict[tuple[str, int], _DetectedChild] = {}
    for case_id, child_id, org_unit_id, sex, ethnic_code, is_supported in cases:
        key = ("child", child_id) if child_id is not None else ("case", case_id)
        known = children.get(key)
        if known is None:
            children[key] = _DetectedChild(org_unit_id, sex or "", ethnic_code or "", bool(is_supported))
        elif is_supported and not known.is_supported:
            children[key] = _DetectedChild(known.org_unit_id, known.sex, known.ethnic_group_code, True)
    return children


def _cells(children: Iterable[_DetectedChild], *, year: int) -> Iterator[DerivedCell]:
    counts: dict[tuple[int, str, str], int] = {}
    for child in children:
        key = (child.org_unit_id, child.sex, child.ethnic_group_code)
        counts[key] = counts.get(key, 0) + 1
    for (org_unit_id, sex, ethnic_code), value in sorted(counts.items()):
        yield DerivedCell(org_unit_id=org_unit_id, year=year, value=value, sex=sex, ethnic_group_code=ethnic_code)


@register_derived("protection.count_children_abused_detected", source=SOURCE)
def count_children_abused_detected(*, year: int) -> list[DerivedCell]:
    return list(_cells(_detected_children(year).values(), year=year))


@register_derived("protection.count_children_abused_supported", source=SOURCE)
def count_children_abused_supported(*, year: int) -> list[DerivedCell]:
    supported = [child for child in _detected_children(year).values() if child.is_supported]
    return list(_cells(supported, year=year))
