"""Finding records that may be the same child, for an officer to merge or to mark "not the same child".

Candidate pairs come from *blocks*: records sharing a key are compared with each other, never every record with
every other. The keys are the personal identification number, and combinations of the accent-insensitive family
and given names with the date of birth, the birth year, or the day and month (so that a wrong year, a wrong family
name or a wrong given name still meets its twin), each within a *neighbourhood* of communes. Lacking a map of
borders, communes count as neighbours when their territories belonged to the same district before the 2025
reorganisation (a commune is its own neighbourhood when nothing else is known).

Each candidate pair gets a score between 0 and 1 and the reasons, in Vietnamese: the same ID number; the same
name, or the same name without accents ("Sình" / "Sinh"), or a similar name; the same date of birth, day and month
swapped, one digit off, or the same year when only the year is known; the same village or guardian; a different
sex lowers the score. Pairs scoring at least ``MIN_SCORE`` are proposed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from django.db import transaction
from django.db.models import Q
from rapidfuzz import fuzz

from treem.hierarchy.models import Level, OrgUnit
from treem.registry.models import Child, DatePrecision, DuplicateCandidate, DuplicateStatus, Guardian

MIN_SCORE = 0.8
MIN_NAME_SIMILARITY = 0.85
LARGEST_BLOCK = 400
"""Blocks larger than this (very common names born the same year with only the year known) are compared only
through their other, finer keys."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """The fields of a child compared by duplicate detection."""

    id: int
    full_name: str
    name_folded: str
    birth_date: date
    precision: str
    sex: str
    commune_id: int
    village_id: int | None
    personal_id: str
    guardian_folded: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    low: int
    high: int
    score: float
    reasons: tuple[str, ...]


def _date_text(value: date) -> str:
    return f"{value.day:02d}{value.month:02d}{value.year:04d}"


def _dates_alike(a: Candidate, b: Candidate) -> tuple[float, str] | None:
    """How alike two dates of birth are, with the reason; None when they are too different."""
    if a.birth_date == b.birth_date:
        if a.precision == b.precision == DatePrecision.DAY:
            return 1.0, "Cùng ngày sinh"
        return 0.9, "Cùng năm sinh (ngày sinh không đầy đủ)"
    if DatePrecision.YEAR in (a.precision, b.precision):
        return (0.85, "Cùng năm sinh (ngày sinh không đầy đủ)") if a.birth_date.year == b.birth_date.year else None
    if DatePrecision.MONTH in (a.precision, b.precision):
        same_month = (a.birth_date.year, a.birth_date.month) == (b.birth_date.year, b.birth_date.month)
        return (0.9, "Cùng tháng và năm sinh (ngày sinh không đầy đủ)") if same_month else None
    if (a.birth_date.day, a.birth_date.month, a.birth_date.year) == (b.birth_date.month, b.birth_date.day,
                                                                     b.birth_date.year):
        return 0.9, "Ngày và tháng sinh bị đảo"
    differing = sum(x != y for x, y in zip(_date_text(a.birth_date), _date_text(b.birth_date), strict=True))
    if differing == 1:
        return 0.85, "Ngày sinh lệch một chữ số"
    return None


def _ids_alike(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= 1


def score_pair(a: Candidate, b: Candidate) -> Match | None:
    """The score and reasons of a pair, or None when it is not a candidate."""
    low, high = (a, b) if a.id < b.id else (b, a)
    if a.personal_id and a.personal_id == b.personal_id:
        return Match(low.id, high.id, 1.0, ("Cùng số định danh cá nhân",))
    if a.personal_id and b.personal_id and not _ids_alike(a.personal_id, b.personal_id):
        return None
    name_similarity = max(fuzz.ratio(a.name_folded, b.name_folded),
                          fuzz.token_sort_ratio(a.name_folded, b.name_folded)) / 100
    if name_similarity < MIN_NAME_SIMILARITY:
        return None
    dates = _dates_alike(a, b)
    if dates is None:
        return None
    date_score, date_reason = dates
    reasons: list[str] = []
    if a.full_name == b.full_name:
        reasons.append("Cùng họ tên")
    elif a.name_folded == b.name_folded:
        reasons.append(f"Họ tên giống nhau khi bỏ dấu ('{a.full_name}' / '{b.full_name}')")
    else:
        reasons.append(f"Họ tên gần giống ({round(name_similarity * 100)}%): '{a.full_name}' / '{b.full_name}'")
    reasons.append(date_reason)
    context = 0.0
    if a.personal_id and b.personal_id:
        context += 0.5
        reasons.append("Số định danh chỉ khác một chữ số")
    if a.village_id is not None and a.village_id == b.village_id:
        context += 0.5
        reasons.append("Cùng thôn/bản")
    if a.guardian_folded and b.guardian_folded and fuzz.ratio(a.guardian_folded, b.guardian_folded) >= 90:
        context += 0.5
        reasons.append("Cùng tên cha, mẹ hoặc người chăm sóc")
    if a.commune_id != b.commune_id:
        reasons.append("Ở hai xã lân cận")
    score = 0.55 * name_similarity + 0.35 * date_score + 0.1 * min(context, 1.0)
    if a.sex != b.sex:
        score *= 0.8
        reasons.append("Khác giới tính")
    if score < MIN_SCORE:
        return None
    return Match(low.id, high.id, round(score, 3), tuple(reasons))


def block_keys(child: Candidate, neighbourhoods: Iterable[str]) -> Iterator[tuple[object, ...]]:
    tokens = child.name_folded.split()
    if not tokens:
        return
    family, given = tokens[0], tokens[-1]
    born = child.birth_date
    for area in neighbourhoods:
        yield ("name-year", area, family, given, born.year)
        yield ("given-date", area, given, born)
        yield ("family-date", area, family, born)
        if child.precision == DatePrecision.DAY:
            yield ("name-day", area, family, given, born.month, born.day)
            if born.day <= 12:
                yield ("name-day", area, family, given, born.day, born.month)


def neighbourhoods_of(commune_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """For each commune, the keys of the neighbourhoods it belongs to (the districts of its territory)."""
    units = {unit.pk: unit for unit in OrgUnit.objects.filter(pk__in=set(commune_ids)).select_related("parent")}
    predecessor_parents: dict[int, set[str]] = defaultdict(set)
    for successor_id, parent_id, parent_level in OrgUnit.objects.filter(
        successor_links__successor_id__in=list(units)
    ).values_list("successor_links__successor_id", "parent_id", "parent__level"):
        if parent_level == Level.DISTRICT:
            predecessor_parents[successor_id].add(f"d{parent_id}")
    result: dict[int, tuple[str, ...]] = {}
    for pk, unit in units.items():
        keys = set(predecessor_parents.get(pk, ()))
        if unit.parent is not None and unit.parent.level == Level.DISTRICT:
            keys.add(f"d{unit.parent_id}")
        result[pk] = tuple(sorted(keys)) or (f"c{pk}",)
    return result


def find_matches(children: Iterable[Candidate], *, focus: set[int] | None = None) -> Iterator[Match]:
    """Every candidate pair among ``children``; with ``focus`` (commune ids), only pairs touching those communes."""
    pool = list(children)
    neighbourhoods = neighbourhoods_of({child.commune_id for child in pool})
    blocks: dict[tuple[object, ...], list[int]] = defaultdict(list)
    by_id: dict[str, list[int]] = defaultdict(list)
    for index, child in enumerate(pool):
        if child.personal_id:
            by_id[child.personal_id].append(index)
        for key in block_keys(child, neighbourhoods[child.commune_id]):
            blocks[key].append(index)
    seen: set[tuple[int, int]] = set()
    for members in [*by_id.values(), *blocks.values()]:
        if len(members) < 2 or len(members) > LARGEST_BLOCK:
            continue
        for first, second in combinations(members, 2):
            a, b = pool[first], pool[second]
            if a.id == b.id:
                continue
            if focus is not None and a.commune_id not in focus and b.commune_id not in focus:
                continue
            pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            if pair in seen:
                continue
            seen.add(pair)
            match = score_pair(a, b)
            if match is not None:
                yield match


def load_candidates(*, commune_ids: set[int] | None = None) -> list[Candidate]:
    """The active children (all, or those living in ``commune_ids``) as ``Candidate`` rows."""
    queryset = Child.objects.active()
    if commune_ids is not None:
        queryset = queryset.filter(commune_id__in=commune_ids)
    guardians: dict[int, str] = {}
    guardian_rows = Guardian.objects.filter(child__in=queryset).order_by("child_id", "id").values_list(
        "child_id", "name_folded")
    for child_id, name in guardian_rows.iterator(chunk_size=20_000):
        guardians.setdefault(child_id, name)
    rows = queryset.order_by().values_list(
        "id", "full_name", "name_folded", "birth_date", "birth_date_precision", "sex", "commune_id", "village_id",
        "personal_id")
    return [Candidate(*row, guardian_folded=guardians.get(row[0], "")) for row in rows.iterator(chunk_size=20_000)]


@dataclass
class DetectionResult:
    children: int = 0
    found: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    skipped_decided: int = 0
    pairs: list[Match] = field(default_factory=list)


def neighbouring_communes(commune: OrgUnit) -> set[int]:
    """The ids of the communes sharing a neighbourhood with ``commune`` (itself included) at the same time."""
    overlapping = OrgUnit.objects.filter(level=Level.COMMUNE)
    if commune.valid_from is not None:
        overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=commune.valid_from))
    if commune.valid_to is not None:
        overlapping = overlapping.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=commune.valid_to))
    neighbourhoods = neighbourhoods_of(set(overlapping.values_list("pk", flat=True)) | {commune.pk})
    mine = set(neighbourhoods[commune.pk])
    return {pk for pk, keys in neighbourhoods.items() if mine.intersection(keys)} | {commune.pk}


@transaction.atomic
def detect_duplicates(*, commune: OrgUnit | None = None) -> DetectionResult:
    """Find candidate pairs (across the registry, or touching ``commune``) and store them for review.

    Open pairs are updated with their new score and reasons; open pairs no longer found are removed; pairs already
    decided (merged, or not the same child) are left as they are and never proposed again.
    """
    focus = None
    commune_ids = None
    if commune is not None:
        focus = {commune.pk}
        commune_ids = neighbouring_communes(commune)
    pool = load_candidates(commune_ids=commune_ids)
    result = DetectionResult(children=len(pool))
    matches = {(match.low, match.high): match for match in find_matches(pool, focus=focus)}
    result.found = len(matches)
    scope_ids = {child.id for child in pool if focus is None or child.commune_id in focus}
    existing = DuplicateCandidate.objects.filter(Q(child_a_id__in=scope_ids) | Q(child_b_id__in=scope_ids)) \
        if commune is not None else DuplicateCandidate.objects.all()
    to_update: list[DuplicateCandidate] = []
    stale: list[int] = []
    known: set[tuple[int, int]] = set()
    for pair in existing.only("id", "child_a_id", "child_b_id", "status", "score", "reasons").iterator():
        key = (pair.child_a_id, pair.child_b_id)
        known.add(key)
        match = matches.get(key)
        if pair.status != DuplicateStatus.OPEN:
            result.skipped_decided += match is not None
            continue
        if match is None:
            stale.append(pair.pk)
        elif pair.score != match.score or list(pair.reasons) != list(match.reasons):
            pair.score, pair.reasons = match.score, list(match.reasons)
            to_update.append(pair)
    if stale:
        for start in range(0, len(stale), 900):
            DuplicateCandidate.objects.filter(pk__in=stale[start : start + 900]).delete()
    result.removed = len(stale)
    DuplicateCandidate.objects.bulk_update(to_update, ["score", "reasons"], batch_size=1000)
    result.updated = len(to_update)
    new = [DuplicateCandidate(child_a_id=m.low, child_b_id=m.high, score=m.score, reasons=list(m.reasons))
           for key, m in matches.items() if key not in known]
    DuplicateCandidate.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    result.created = len(new)
    result.pairs = sorted(matches.values(), key=lambda match: -match.score)
    return result


def propose_pairs(matches: Iterable[Match]) -> int:
    """Store pairs found while importing (ignoring pairs already known); returns how many were new."""
    pairs = {(m.low, m.high): m for m in matches}
    if not pairs:
        return 0
    known = set()
    lows = {low for low, _ in pairs}
    for low, high in DuplicateCandidate.objects.filter(child_a_id__in=lows).values_list("child_a_id", "child_b_id"):
        known.add((low, high))
    new = [DuplicateCandidate(child_a_id=m.low, child_b_id=m.high, score=m.score, reasons=list(m.reasons))
           for key, m in pairs.items() if key not in known]
    DuplicateCandidate.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
