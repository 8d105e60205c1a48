"""Data elements counted from the registry, for the indicator engine (``treem.indicators.sources``).

For year Y the counting day is 31 December of Y: a child counts in the commune where it lived that day (its
residence then), when it was born by then, was neither deceased nor moved away, and was under 16. A child's age
is its age on that day, so "aged 5" means born in Y − 5 (the plan's "tròn 5 tuổi trong năm"). Soft-deleted and
merged records never count. Each function returns one cell per commune × sex × ethnic group.

Names (as in the plan files' ``derived_from``):

- ``registry.count_children`` (under 16), ``registry.count_children_under_1``, ``…_under_3``, ``…_under_5``,
  ``…_under_6``, ``registry.count_children_aged_5``, ``…_aged_6_to_10``, ``…_aged_11_to_15``;
- ``registry.count_children_under_5_birth_registered`` (registered by the counting day);
- ``registry.count_children_aged_5_in_kindergarten`` (school level mẫu giáo on record);
- ``registry.count_children_special_circumstances`` and ``…_supported`` (any group), and per group
  ``registry.count_children_special_circumstances_<letter>`` and ``…_<letter>_supported`` (letters a–o of
  Article 10; đ is written ``dd``).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q

from treem.indicators.sources import DerivedCell, DerivedFunction, register_demo_check, register_derived
from treem.registry.models import Child, Residence, SchoolLevel, SpecialCircumstance, SpecialCircumstanceGroup


def children_include_demo() -> bool:
    """Whether the registry holds demo children (the engine then marks figures counted from it as demo data)."""
    return Child.objects.filter(is_demo=True).exists()


def counting_day(year: int) -> date:
    return date(year, 12, 31)


def count_cells(*, year: int, youngest: int = 0, oldest: int = 15, condition: Q | None = None) -> list[DerivedCell]:
    """Children aged ``youngest``–``oldest`` on 31 December of ``year`` (and meeting ``condition``), per commune
    where they lived that day × sex × ethnic group."""
    on = counting_day(year)
    children = Child.objects.active().present_on(on).filter(
        birth_date__gte=date(year - oldest, 1, 1), birth_date__lte=min(on, date(year - youngest, 12, 31)))
    if condition is not None:
        children = children.filter(condition)
    rows = (
        Residence.objects.filter(child__in=children)
        .filter(Q(moved_in_on__isnull=True) | Q(moved_in_on__lte=on))
        .filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=on))
        .values("commune_id", "child__sex", "child__ethnic_group__code")
        .annotate(count=Count("child_id", distinct=True))
        .order_by("commune_id", "child__sex", "child__ethnic_group__code")
    )
    return [
        DerivedCell(org_unit_id=row["commune_id"], year=year, value=row["count"], sex=row["child__sex"] or "",
                    ethnic_group_code=row["child__ethnic_group__code"] or "")
        for row in rows
    ]


def _in_group_on(year: int, *, group: str | None = None, supported: bool = False) -> Q:
    memberships = SpecialCircumstance.objects.current_on(counting_day(year)).filter(child_id=OuterRef("pk"))
    if group is not None:
        memberships = memberships.filter(group=group)
    if supported:
        memberships = memberships.filter(is_supported=True)
    return Q(Exists(memberships))


def _age_band(name: str, youngest: int, oldest: int) -> None:
    def count(*, year: int) -> list[DerivedCell]:
        return count_cells(year=year, youngest=youngest, oldest=oldest)

    count.__doc__ = f"Children aged {youngest}–{oldest} on 31 December of the year."
    register_derived(name)(count)
    register_demo_check(name)(children_include_demo)


for _name, _youngest, _oldest in (
    ("registry.count_children", 0, 15),
    ("registry.count_children_under_1", 0, 0),
    ("registry.count_children_under_3", 0, 2),
    ("registry.count_children_under_5", 0, 4),
    ("registry.count_children_under_6", 0, 5),
    ("registry.count_children_aged_5", 5, 5),
    ("registry.count_children_aged_6_to_10", 6, 10),
    ("registry.count_children_aged_11_to_15", 11, 15),
):
    _age_band(_name, _youngest, _oldest)


@register_derived("registry.count_children_under_5_birth_registered")
def count_children_under_5_birth_registered(*, year: int) -> list[DerivedCell]:
    """Under-5 children whose birth was registered by 31 December of the year (I14)."""
    on = counting_day(year)
    registered = Q(is_birth_registered=True) & (Q(birth_registered_on__isnull=True) | Q(birth_registered_on__lte=on))
    return count_cells(year=year, youngest=0, oldest=4, condition=registered)


@register_derived("registry.count_children_aged_5_in_kindergarten")
def count_children_aged_5_in_kindergarten(*, year: int) -> list[DerivedCell]:
    """5-year-olds recorded as attending kindergarten (mẫu giáo) (I07)."""
    return count_cells(year=year, youngest=5, oldest=5, condition=Q(school_level=SchoolLevel.KINDERGARTEN))


for _name in ("registry.count_children_under_5_birth_registered", "registry.count_children_aged_5_in_kindergarten"):
    register_demo_check(_name)(children_include_demo)


def _special(name: str, *, group: str | None, supported: bool) -> DerivedFunction:
    def count(*, year: int) -> list[DerivedCell]:
        return count_cells(year=year, condition=_in_group_on(year, group=group, supported=supported))

    which = f"group {group}" if group else "any group"
    count.__doc__ = f"Children in special circumstances ({which}){' who are supported' if supported else ''}."
    register_demo_check(name)(children_include_demo)
    return register_derived(name)(count)


def group_slug(letter: str) -> str:
    """The letter of a group as written in a function name (đ → dd)."""
    return "dd" if letter == "đ" else letter


SPECIAL_CIRCUMSTANCE_FUNCTIONS: dict[str, DerivedFunction] = {}
for _supported in (False, True):
    _suffix = "_supported" if _supported else ""
    _key = f"registry.count_children_special_circumstances{_suffix}"
    SPECIAL_CIRCUMSTANCE_FUNCTIONS[_key] = _special(_key, group=None, supported=_supported)
    for _letter in SpecialCircumstanceGroup.values:
        _key = f"registry.count_children_special_circumstances_{group_slug(_letter)}{_suffix}"
        SPECIAL_CIRCUMSTANCE_FUNCTIONS[_key] = _special(_key, group=_letter, supported=_supported)
