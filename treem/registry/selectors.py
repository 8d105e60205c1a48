"""Reads of the registry, always scoped to the requesting user through ``visible_to``.

Identities are visible only through the capability ``registry.view_identity`` and only in the subtrees where the
user holds it; counts (no names) through ``registry.view_counts``. A pair of possible duplicates is visible only to
a user who may see both children.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from treem.core.access import UserLike, get_visible_or_404, has_capability, visible_to
from treem.core.intake.models import ImportRecord
from treem.core.intake.names import fold_name
from treem.core.models import AuditEvent, CodeSystem, EthnicGroup
from treem.hierarchy.models import Level, OrgUnit, Village
from treem.registry.import_fields import CHILD_LIST_KIND
from treem.registry.models import (
    ADULT_AGE,
    Child,
    ChildStatus,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    DuplicateCandidate,
    DuplicateStatus,
    Guardian,
    LegalBasis,
    SpecialCircumstance,
    born_after_for_age,
)
from treem.registry.permissions import EDIT_CHILDREN, REVIEW_DUPLICATES, VIEW_COUNTS, VIEW_IDENTITY, VIEW_PERSONAL_ID

CHILD_PATH = "commune__path"

AGE_BANDS: dict[str, tuple[StrOrPromise, int, int]] = {
    "0-2": (gettext_lazy("Dưới 3 tuổi"), 0, 2),
    "3-5": (gettext_lazy("Từ 3 đến 5 tuổi"), 3, 5),
    "6-10": (gettext_lazy("Từ 6 đến 10 tuổi"), 6, 10),
    "11-15": (gettext_lazy("Từ 11 đến 15 tuổi"), 11, 15),
    "u5": (gettext_lazy("Dưới 5 tuổi"), 0, 4),
    "5": (gettext_lazy("Tròn 5 tuổi"), 5, 5),
}


@dataclass(frozen=True)
class ChildFilters:
    """The filters of the child list; empty strings mean "any"."""

    query: str = ""
    age_band: str = ""
    special_group: str = ""
    birth_registered: str = ""  # "yes" | "no" | "unknown"
    schooling: str = ""  # a SchoolLevel value, or "out" for out of school
    ethnic_code: str = ""
    commune_code: str = ""
    village: str = ""
    status: str = "present"  # "present" (living here, under 16), "all", or a ChildStatus value
    consent: str = ""  # "missing", or "withdrawn" (the records otherwise left out)


def children_for(user: UserLike) -> QuerySet[Child]:
    """Active children whose identity the user may see."""
    return visible_to(user, Child.objects.active(), path_field=CHILD_PATH, capability=VIEW_IDENTITY)


def child_for(user: UserLike, *, child_id: int) -> Child:
    """One child the user may see; the same 404 for "missing", "deleted", "merged" and "not yours"."""
    return get_visible_or_404(
        user, Child.objects.active().select_related("commune", "village", "ethnic_group"), path_field=CHILD_PATH,
        capability=VIEW_IDENTITY, pk=child_id)


def can_see_personal_id(user: UserLike) -> bool:
    return has_capability(user, VIEW_PERSONAL_ID)


def _matching_villages(children: QuerySet[Child], folded: str) -> list[int]:
    villages = Village.objects.filter(pk__in=children.values("village_id")).values_list("pk", "name")
    return [pk for pk, name in villages if folded in fold_name(name)]


def search_children(user: UserLike, filters: ChildFilters, *, today: date) -> QuerySet[Child]:
    """The children the user may see that match ``filters`` (search by name, ID, village or guardian; accents are
    ignored in names)."""
    children = children_for(user).select_related("commune", "village", "ethnic_group")
    if filters.status == "present":
        children = children.filter(status=ChildStatus.LIVING, birth_date__lte=today,
                                   birth_date__gt=born_after_for_age(today, ADULT_AGE))
    elif filters.status in ChildStatus.values:
        children = children.filter(status=filters.status)
    query = filters.query.strip()
    if query:
        digits = query.replace(" ", "")
        if digits.isdigit() and len(digits) >= 4:
            children = children.filter(personal_id__contains=digits)
        else:
            folded = fold_name(query)
            by_name = Q()
            for word in folded.split():
                by_name &= Q(name_folded__contains=word)
            guardians = Guardian.objects.filter(child_id=OuterRef("pk"), name_folded__contains=folded)
            villages = _matching_villages(children, folded) if folded else []
            children = children.filter(by_name | Q(Exists(guardians)) | Q(village_id__in=villages))
    if filters.age_band in AGE_BANDS:
        _, youngest, oldest = AGE_BANDS[filters.age_band]
        children = children.filter(birth_date__lte=born_after_for_age(today, youngest),
                                   birth_date__gt=born_after_for_age(today, oldest + 1))
    if filters.special_group:
        current = SpecialCircumstance.objects.current_on(today).filter(child_id=OuterRef("pk"))
        if filters.special_group != "any":
            current = current.filter(group=filters.special_group)
        children = children.filter(Exists(current))
    if filters.birth_registered == "yes":
        children = children.filter(is_birth_registered=True)
    elif filters.birth_registered == "no":
        children = children.filter(is_birth_registered=False)
    elif filters.birth_registered == "unknown":
        children = children.filter(is_birth_registered__isnull=True)
    if filters.schooling == "out":
        children = children.filter(is_out_of_school=True)
    elif filters.schooling:
        children = children.filter(school_level=filters.schooling)
    if filters.ethnic_code:
        children = children.filter(ethnic_group__code=filters.ethnic_code)
    if filters.commune_code:
        children = children.filter(commune__code=filters.commune_code)
    if filters.village.isdigit():
        children = children.filter(village_id=int(filters.village))
    if filters.consent == "missing":
        children = children.filter(_lacks_consent(today))
    if filters.consent == "withdrawn":
        children = children.filter(_consent_withdrawn(today))
    else:
        children = children.exclude(_consent_withdrawn(today))
    return children.order_by("commune__code", "name_folded", "birth_date", "pk")


def _consent_withdrawn(today: date) -> Q:
    """Records whose registry consent was withdrawn and not given again, kept on no other legal basis: they leave
    the lists and exports (the record itself stays, with its history, docs/personal-data.md) and are found only by
    asking for them (``consent="withdrawn"``)."""
    registry = Consent.objects.filter(child_id=OuterRef("pk"), purpose=ConsentPurpose.REGISTRY)
    withdrawn = registry.filter(withdrawn_on__lte=today)
    in_force = registry.filter(given_on__lte=today).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
    return Q(legal_basis=LegalBasis.CONSENT) & Q(Exists(withdrawn)) & ~Q(Exists(in_force))


def _lacks_consent(today: date) -> Q:
    in_force = Consent.objects.filter(child_id=OuterRef("pk"), purpose=ConsentPurpose.REGISTRY,
                                      given_on__lte=today).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
    guardian = Exists(in_force.filter(given_by=ConsentGiver.GUARDIAN))
    own = Exists(in_force.filter(given_by=ConsentGiver.CHILD))
    old_enough = Q(birth_date__lte=born_after_for_age(today, 7))
    return ~Q(guardian) | (old_enough & ~Q(own))


def communes_for(user: UserLike, *, on: date, capability: str = VIEW_IDENTITY) -> QuerySet[OrgUnit]:
    """Communes valid on ``on`` in the user's scope for ``capability``."""
    return visible_to(user, OrgUnit.objects.valid_on(on).of_level(Level.COMMUNE), path_field="path",
                      capability=capability).order_by("code")


def editable_communes_for(user: UserLike, *, on: date) -> QuerySet[OrgUnit]:
    return communes_for(user, on=on, capability=EDIT_CHILDREN)


def special_groups_of(user: UserLike, *, children: Sequence[Child], today: date) -> dict[int, list[str]]:
    """The letters (Article 10 a–o) of the groups each of ``children`` belongs to on ``today``, for the children the
    user may see; one query for the whole page."""
    memberships = visible_to(user, SpecialCircumstance.objects.current_on(today), path_field="child__commune__path",
                             capability=VIEW_IDENTITY)
    groups: dict[int, list[str]] = {}
    for child_id, group in memberships.filter(child_id__in=[child.pk for child in children]).values_list(
            "child_id", "group").order_by("group"):
        groups.setdefault(child_id, []).append(group)
    return groups


def merged_into(child: Child) -> QuerySet[Child]:
    """The records merged into ``child`` (a child the caller was allowed to open)."""
    return Child.objects.filter(merged_into=child).order_by("pk")


def ethnic_group_with_code(code: str) -> EthnicGroup | None:
    """The ethnic group with ``code`` in the registry's code system (Decision 121-TCTK/PPCĐ), if there is one."""
    return EthnicGroup.objects.filter(code_system=CodeSystem.ETHNIC_121_1979, code=code.zfill(2)).first()


def village_named(*, commune: OrgUnit | int, name: str) -> Village | None:
    """The village of ``commune`` whose name matches ``name`` without accents and case, if there is one."""
    key = fold_name(name)
    commune_id = commune if isinstance(commune, int) else commune.pk
    return next((village for village in Village.objects.filter(org_unit_id=commune_id)
                 if fold_name(village.name) == key), None)


def history_of(child: Child) -> QuerySet[AuditEvent]:
    """The changes of a child's record and of the records merged into it, newest first (openings excluded)."""
    merged_ids = [str(pk) for pk in Child.objects.filter(merged_into=child).values_list("pk", flat=True)]
    return AuditEvent.objects.filter(object_type="registry.child", object_id__in=[str(child.pk), *merged_ids]) \
        .exclude(verb__in=[AuditEvent.Verb.VIEW, AuditEvent.Verb.EXPORT]).order_by("-at", "-id")


def openings_of(child: Child) -> int:
    return AuditEvent.objects.filter(object_type="registry.child", object_id=str(child.pk),
                                     verb=AuditEvent.Verb.VIEW).count()


@dataclass(frozen=True)
class CountRow:
    commune: OrgUnit
    total: int
    boys: int
    girls: int
    under_5: int
    aged_5: int
    aged_6_to_10: int
    aged_11_to_15: int
    birth_registered_under_5: int
    special: int


def counts_for(user: UserLike, *, today: date) -> list[CountRow]:
    """Per commune in the user's scope: children under 16 living there today, by sex and age band (no identities)."""
    communes = list(communes_for(user, on=today, capability=VIEW_COUNTS))
    children = visible_to(user, Child.objects.active().filter(status=ChildStatus.LIVING).under_age_on(today),
                          path_field=CHILD_PATH, capability=VIEW_COUNTS)

    def band(youngest: int, oldest: int) -> Q:
        return Q(birth_date__lte=born_after_for_age(today, youngest),
                 birth_date__gt=born_after_for_age(today, oldest + 1))

    special = SpecialCircumstance.objects.current_on(today).filter(child_id=OuterRef("pk"))
    rows = children.values("commune_id").annotate(
        total=Count("pk"), boys=Count("pk", filter=Q(sex="M")), girls=Count("pk", filter=Q(sex="F")),
        under_5=Count("pk", filter=band(0, 4)), aged_5=Count("pk", filter=band(5, 5)),
        aged_6_to_10=Count("pk", filter=band(6, 10)), aged_11_to_15=Count("pk", filter=band(11, 15)),
        birth_registered_under_5=Count("pk", filter=band(0, 4) & Q(is_birth_registered=True)),
        special=Count("pk", filter=Q(Exists(special))),
    ).order_by()
    by_commune = {row["commune_id"]: row for row in rows}
    result = []
    for commune in communes:
        row = by_commune.get(commune.pk, {})
        result.append(CountRow(commune=commune, **{key: row.get(key, 0) for key in (
            "total", "boys", "girls", "under_5", "aged_5", "aged_6_to_10", "aged_11_to_15",
            "birth_registered_under_5", "special")}))
    return result


def duplicate_candidates_for(user: UserLike, *, status: str = DuplicateStatus.OPEN) -> QuerySet[DuplicateCandidate]:
    """Pairs whose two children the user may both see (a pair across communes needs a scope covering both)."""
    pairs = DuplicateCandidate.objects.filter(status=status, child_a__deleted_at__isnull=True,
                                              child_b__deleted_at__isnull=True)
    pairs = visible_to(user, pairs, path_field="child_a__commune__path", capability=REVIEW_DUPLICATES)
    pairs = visible_to(user, pairs, path_field="child_b__commune__path", capability=REVIEW_DUPLICATES)
    return pairs.select_related("child_a__commune", "child_b__commune", "child_a__village", "child_b__village",
                                "child_a__ethnic_group", "child_b__ethnic_group").order_by("-score", "pk")


def duplicate_candidate_for(user: UserLike, *, candidate_id: int) -> DuplicateCandidate:
    pairs = duplicate_candidates_for(user, status=DuplicateStatus.OPEN)
    return get_visible_or_404(user, pairs, path_field="child_a__commune__path", capability=REVIEW_DUPLICATES,
                              pk=candidate_id)


def imports_for(user: UserLike) -> QuerySet[ImportRecord]:
    """The child-list imports of the user's communes, newest first."""
    records = ImportRecord.objects.filter(kind=CHILD_LIST_KIND).select_related("org_unit", "created_by")
    return visible_to(user, records, path_field="org_unit__path",
                      capability=EDIT_CHILDREN).order_by("-created_at", "-pk")


def recent_imports_for(user: UserLike, *, limit: int = 30) -> list[ImportRecord]:
    """The latest imports for the list page, with their counts (``rows``, ``created``, ``updated``, ``rejected``)
    read out of the summary by the database: the summary itself, which keeps every row's outcome (a large list's
    is megabytes), is not loaded."""
    counts = {f"count_{name}": Cast(KT(f"summary__{name}"), IntegerField())
              for name in ("rows", "created", "updated", "rejected")}
    return list(imports_for(user).defer("summary", "preview").annotate(**counts)[:limit])


def import_for(user: UserLike, *, import_id: int) -> ImportRecord:
    return get_visible_or_404(user, imports_for(user), path_field="org_unit__path", capability=EDIT_CHILDREN,
                              pk=import_id)


def can_edit(user: UserLike, child: Child) -> bool:
    return visible_to(user, Child.objects.filter(pk=child.pk), path_field=CHILD_PATH,
                      capability=EDIT_CHILDREN).exists()
