"""Data elements counted from the registry, for the indicator engine (``treem.indicators.sources``).

For year Y the counting day is 31 December of Y: a child counts in the commune where it lived that day (its
residence then), when it was born by then, was neither deceased nor moved away, and was under 16. A child's age
is its age on that day, so "aged 5" means born in Y − 5 (the plan's "tròn 5 tuổi trong năm"). Soft-deleted and
merged records never count. Each function returns one cell per commune × sex × ethnic group.

The age bands, birth registration and kindergarten are sums of one grouped read per year (``year_rows``: children
per commune × sex × ethnic group × birth year × the two flags), shared by their functions and kept while the
registry's token is unchanged (at most a minute), as the measurements are in ``treem.nutrition.derived``.

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

from collections import defaultdict
from datetime import date
from typing import Final

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)

from treem.indicators.sources import (
    DerivedCell,
    DerivedFunction,
    YearReads,
    register_demo_check,
    register_derived,
    register_source,
)
from treem.registry.models import (
    Child,
    ChildStatus,
    Residence,
    SchoolLevel,
    SpecialCircumstance,
    SpecialCircumstanceGroup,
)

SOURCE: Final = "registry"
register_source(SOURCE, models=(Child, Residence, SpecialCircumstance))


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


# -- the age bands, birth registration and kindergarten: one grouped read per year, shared by their functions --------

YearRows = list[tuple[int, str, str, int, bool, bool, int]]
"""(commune id, sex, ethnic group code, birth year, registered by the day, in kindergarten, children)."""


def read_year_rows(year: int) -> YearRows:
    """The rows of ``year_rows`` for one year, read from the database."""
    on = counting_day(year)
    gone = Q(child__status__in=[ChildStatus.DECEASED, ChildStatus.MOVED_AWAY]) & Q(child__status_on__lte=on)
    registered = Q(child__is_birth_registered=True) & (
        Q(child__birth_registered_on__isnull=True) | Q(child__birth_registered_on__lte=on))
    query = (
        Residence.objects.filter(child__deleted_at__isnull=True, child__merged_into__isnull=True,
                                 child__birth_date__gte=date(year - 15, 1, 1), child__birth_date__lte=on)
        .exclude(gone)
        .filter(Q(moved_in_on__isnull=True) | Q(moved_in_on__lte=on))
        .filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=on))
        .annotate(born=Case(*(When(child__birth_date__gte=date(born, 1, 1), then=Value(born))  # the birth year
                              for born in range(year, year - 16, -1)), output_field=IntegerField()),
                  registered=ExpressionWrapper(registered, output_field=BooleanField()),
                  kindergarten=ExpressionWrapper(Q(child__school_level=SchoolLevel.KINDERGARTEN),
                                                 output_field=BooleanField()))
        .values_list("commune_id", "child__sex", "child__ethnic_group__code", "born", "registered", "kindergarten")
        .annotate(children=Count("child_id", distinct=True))
        .order_by()
    )
    return [(commune_id, sex or "", ethnic or "", int(born), bool(is_registered), bool(in_kindergarten), children)
            for commune_id, sex, ethnic, born, is_registered, in_kindergarten, children in query]


year_rows: YearReads[YearRows] = YearReads(SOURCE, read_year_rows)
"""The children under 16 present on 31 December of a year, counted per commune where they lived that day × sex ×
ethnic group × birth year × registered × in kindergarten, in one query (``read_year_rows``). Every age band of the
year is a range of birth years, so each count below is a sum of these rows."""


def banded_cells(*, year: int, youngest: int = 0, oldest: int = 15, registered: bool = False,
                 kindergarten: bool = False) -> list[DerivedCell]:
    """What ``count_cells`` counts for an age band (and, if asked, birth registered by the day or in
    kindergarten), summed from the year's grouped rows. A child is in one row per commune, so the sums of the
    rows' distinct counts are distinct counts. With a condition, every cell of the band has a count, zero where no
    child meets it: a commune whose under-fives are all unregistered has 0 registered, not a missing figure."""
    first, last = year - oldest, year - youngest
    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    for commune_id, sex, ethnic, born, is_registered, in_kindergarten, count in year_rows(year):
        if first <= born <= last:
            meets = (is_registered or not registered) and (in_kindergarten or not kindergarten)
            counts[(commune_id, sex, ethnic)] += count if meets else 0
    return [DerivedCell(org_unit_id=commune_id, year=year, value=value, sex=sex, ethnic_group_code=ethnic)
            for (commune_id, sex, ethnic), value in sorted(counts.items())]


def _in_group_on(year: int, *, group: str | None = None, supported: bool = False) -> Q:
    memberships = SpecialCircumstance.objects.current_on(counting_day(year)).filter(child_id=OuterRef("pk"))
    if group is not None:
        memberships = memberships.filter(group=group)
    if supported:
        memberships = memberships.filter(is_supported=True)
    return Q(Exists(memberships))


def _age_band(name: str, youngest: int, oldest: int) -> None:
    def count(*, year: int) -> list[DerivedCell]:
        return banded_cells(year=year, youngest=youngest, oldest=oldest)

    count.__doc__ = f"Children aged {youngest}–{oldest} on 31 December of the year."
    register_derived(name, source=SOURCE)(count)
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


@register_derived("registry.count_children_under_5_birth_registered", source=SOURCE)
def count_children_under_5_birth_registered(*, year: int) -> list[DerivedCell]:
    """Under-5 children whose birth was registered by 31 December of the year (I14)."""
    return banded_cells(year=year, youngest=0, oldest=4, registered=True)


@register_derived("registry.count_children_aged_5_in_kindergarten", source=SOURCE)
def count_children_aged_5_in_kindergarten(*, year: int) -> list[DerivedCell]:
    """5-year-olds recorded as attending kindergarten (mẫu giáo) (I07)."""
    return banded_cells(year=year, youngest=5, oldest=5, kindergarten=True)


for _name in ("registry.count_children_under_5_birth_registered", "registry.count_children_aged_5_in_kindergarten"):
    register_demo_check(_name)(children_include_demo)


def _special(name: str, *, group: str | None, supported: bool) -> DerivedFunction:
    def count(*, year: int) -> list[DerivedCell]:
        cells = count_cells(year=year, condition=_in_group_on(year, group=group, supported=supported))
        if not supported:
            return cells
        # a numerator: a cell, zero if need be, wherever the group's children are (none supported is 0 %, not missing)
        counted = {(cell.org_unit_id, cell.sex, cell.ethnic_group_code): cell for cell in cells}
        members = count_cells(year=year, condition=_in_group_on(year, group=group))
        return [counted.get((cell.org_unit_id, cell.sex, cell.ethnic_group_code),
                            DerivedCell(org_unit_id=cell.org_unit_id, year=year, value=0, sex=cell.sex,
                                        ethnic_group_code=cell.ethnic_group_code)) for cell in members]

    which = f"group {group}" if group else "any group"
    count.__doc__ = f"Children in special circumstances ({which}){' who are supported' if supported else ''}."
    register_demo_check(name)(children_include_demo)
    return register_derived(name, source=SOURCE)(count)


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
