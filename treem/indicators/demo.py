"""Demo figures (``is_demo=True``) for every commune and year 2021–2026, so that the dashboards tell a believable
story: some targets met, some off track, gaps between communes and between Kinh and ethnic-minority children.

Every element that can be entered gets a value (entered elements, and derived elements through their entered
fallback): the communes in force on 31 December of each year — the 106 old communes for 2021–2024, the 38 new
ones for 2025–2026, whose figures continue those of their predecessors. Children's counts are broken down by sex
and ethnic group (Kinh and the commune's main minority groups: two at size small, three at medium, four at full).
The figures are generated from a fixed seed, so every run produces the same ones; a database that already holds
demo values is left as it is.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from treem.core.audit import record_event
from treem.core.models import AuditEvent, EthnicGroup
from treem.hierarchy.models import Lineage, OrgUnit
from treem.indicators.models import DataValue
from treem.plans.models import DataElement

YEARS = range(2021, 2027)
REFORM_YEAR = 2025
KINH = "01"
# The main ethnic groups of each former district (statistics codes of Decision 121), the largest first.
DISTRICT_GROUPS: dict[str, tuple[float, tuple[str, ...]]] = {
    "105": (0.55, ("03", "08", "09", "25")),  # Thành phố Lai Châu: Thái, Mông, Dao, Giáy
    "106": (0.10, ("08", "03", "09", "25")),  # Tam Đường
    "107": (0.05, ("35", "41", "03", "48")),  # Mường Tè: Hà Nhì, La Hủ, Thái, Cống
    "108": (0.05, ("08", "03", "09", "35")),  # Sìn Hồ
    "109": (0.05, ("09", "08", "25", "03")),  # Phong Thổ
    "110": (0.20, ("03", "08", "29", "09")),  # Than Uyên: Thái, Mông, Khơ-mú, Dao
    "111": (0.15, ("03", "08", "29", "09")),  # Tân Uyên
    "112": (0.05, ("08", "03", "45", "35")),  # Nậm Nhùn: Mông, Thái, Mảng, Hà Nhì
}
GROUPS_BY_SIZE = {"small": 2, "medium": 3, "full": 4}

# Shares of the children under 16 that each count covers.
SHARES = {"u5": 0.31, "age5": 0.062, "grade5": 0.058, "grade9": 0.052, "age11_15": 0.30}


@dataclass(frozen=True)
class Profile:
    """A commune's character: how remote (0 near the city … 1 remote), its children and their groups."""

    remoteness: float
    children: int
    kinh_share: float
    minorities: tuple[str, ...]
    child_friendly_from: int
    play_space_from: int


Cells = dict[tuple[str, str], int]  # (sex, ethnic group code) → count


def _split(total: int, shares: dict[tuple[str, str], float]) -> Cells:
    """Split ``total`` by ``shares`` into whole numbers that add up to it (largest remainders)."""
    weight = sum(shares.values())
    exact = {key: total * share / weight for key, share in shares.items()}
    cells = {key: int(value) for key, value in exact.items()}
    rest = total - sum(cells.values())
    for key in sorted(exact, key=lambda key: exact[key] - cells[key], reverse=True)[:rest]:
        cells[key] += 1
    return cells


def _share_of(cells: Cells, rate: Callable[[str], float], rng: random.Random) -> Cells:
    """Per cell, a count out of the cell's count at the rate for its ethnic group (never above the cell)."""
    result = {}
    for (sex, group), count in cells.items():
        chance = max(0.0, min(1.0, rate(group) + rng.uniform(-0.01, 0.01)))
        if count < 30:  # small numbers: child by child, so that a few cases do not always round to all or none
            result[(sex, group)] = sum(rng.random() < chance for _ in range(count))
        else:
            result[(sex, group)] = max(0, min(count, round(count * chance)))
    return result


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


class _Generator:
    def __init__(self, *, size: str) -> None:
        self.groups = GROUPS_BY_SIZE.get(size, 2)

    def profile(self, commune: OrgUnit, district_code: str) -> Profile:
        rng = random.Random(f"profile-{commune.code}-{commune.valid_from}")
        kinh_share, groups = DISTRICT_GROUPS.get(district_code, (0.1, ("03", "08", "09", "25")))
        urban = commune.kind in ("phường", "thị trấn")
        remoteness = _clamp((0.15 if district_code == "105" else 0.55) + rng.uniform(-0.3, 0.4) - (0.2 * urban))
        return Profile(
            remoteness=remoteness,
            children=int(rng.uniform(900, 2600) * (1.3 if urban else 1.0)),
            kinh_share=_clamp(kinh_share * (2.5 if urban else 1.0) * rng.uniform(0.5, 1.5), 0.01, 0.8),
            minorities=groups[: self.groups],
            # recognitions, once obtained, are kept: remote communes get them later, some not before 2031
            child_friendly_from=2007 + int(rng.uniform(0, 16) + 9 * remoteness),
            play_space_from=2019 + int(rng.uniform(0, 8) + 8 * remoteness),
        )

    def values(self, commune: OrgUnit, profile: Profile, year: int) -> dict[str, Cells | int]:
        """Every enterable element's figure for one (former) commune and year."""
        rng = random.Random(f"values-{commune.code}-{commune.valid_from}-{year}")
        t = year - YEARS.start
        r = profile.remoteness
        shares = {("M", KINH): 0.51 * profile.kinh_share, ("F", KINH): 0.49 * profile.kinh_share}
        minority_weights = [0.55, 0.25, 0.12, 0.08][: len(profile.minorities)]
        for code, weight in zip(profile.minorities, minority_weights, strict=True):
            shares[("M", code)] = 0.51 * (1 - profile.kinh_share) * weight
            shares[("F", code)] = 0.49 * (1 - profile.kinh_share) * weight
        children = int(profile.children * (1 + 0.01 * t))

        def count(share: float) -> Cells:
            return _split(int(children * share * rng.uniform(0.95, 1.05)), shares)

        def kinh_better(base: float, kinh_bonus: float) -> Callable[[str], float]:
            return lambda group: base + (kinh_bonus if group == KINH else 0.0)

        u5, age5, grade5, grade9 = count(SHARES["u5"]), count(SHARES["age5"]), count(SHARES["grade5"]), count(
            SHARES["grade9"])
        weighed = _share_of(u5, lambda group: 0.9, rng)
        measured = _share_of(u5, lambda group: 0.86, rng)
        underweight_rate = 0.175 - 0.005 * t + 0.07 * (r - 0.5)
        stunting_rate = 0.265 - 0.006 * t + 0.09 * (r - 0.5)
        age11 = count(SHARES["age11_15"])
        everyone = _split(children, shares)
        affected = _split(int(rng.uniform(5, 90)), shares) if rng.random() < 0.3 + 0.2 * r else dict.fromkeys(
            shares, 0)
        abused_total = rng.choice([0, 0, 0, 1, 1, 2, 3]) + (1 if r > 0.6 else 0)
        abused = _split(abused_total, {key: share for key, share in shares.items()})
        facilities = rng.randint(3, 8)
        schools = rng.randint(2, 5)
        return {
            "DE_COMMUNE_CHILD_FRIENDLY": int(year >= profile.child_friendly_from),
            "DE_COMMUNE_PLAY_SPACE": int(year >= profile.play_space_from),
            "DE_EDU_FACILITY_TOTAL": facilities,
            "DE_EDU_FACILITY_STANDARD_SANITATION": min(facilities, round(facilities * _clamp(
                0.8 + 0.035 * t - 0.15 * (r - 0.5) + rng.uniform(-0.08, 0.08)))),
            "DE_SCHOOL_TOTAL": schools,
            "DE_SCHOOL_PSYCH_SUPPORT": min(schools, round(schools * _clamp(
                0.42 + 0.09 * t - 0.2 * (r - 0.5) + rng.uniform(-0.1, 0.1)))),
            "DE_U5_MEASURED_WAZ": weighed,
            "DE_U5_UNDERWEIGHT": _share_of(weighed, kinh_better(underweight_rate, -0.07), rng),
            "DE_U5_MEASURED_HAZ": measured,
            "DE_U5_STUNTED": _share_of(measured, kinh_better(stunting_rate, -0.10), rng),
            "DE_AGE5_TOTAL": age5,
            "DE_AGE5_IN_KINDERGARTEN": _share_of(age5, kinh_better(0.982 + 0.0022 * t - 0.01 * r, 0.008), rng),
            "DE_GRADE5_TOTAL": grade5,
            "DE_PRIMARY_COMPLETED": _share_of(grade5, kinh_better(0.972 + 0.003 * t - 0.01 * r, 0.01), rng),
            "DE_GRADE9_TOTAL": grade9,
            "DE_LOWER_SECONDARY_GRADUATED": _share_of(grade9, kinh_better(0.835 + 0.008 * t - 0.06 * (r - 0.5),
                                                                          0.05), rng),
            "DE_CHILD_TOTAL": everyone,
            "DE_CHILD_PARTICIPATION_AWARE": _share_of(everyone, kinh_better(0.62 + 0.028 * t - 0.1 * (r - 0.5),
                                                                            0.05), rng),
            "DE_CHILD_11_15_TOTAL": age11,
            "DE_CHILD_11_15_PARTICIPATING": _share_of(age11, kinh_better(0.17 + 0.03 * t - 0.08 * (r - 0.5),
                                                                         0.04), rng),
            "DE_DISASTER_AFFECTED_CHILDREN": affected,
            "DE_DISASTER_RELIEVED_CHILDREN": _share_of(affected, lambda group: 0.93 + 0.01 * t, rng),
            "DE_ABUSED_DETECTED": abused,
            "DE_ABUSED_SUPPORTED": _share_of(abused, lambda group: 0.8 + 0.04 * t, rng),
            "DE_U5_TOTAL": u5,
            "DE_U5_BIRTH_REGISTERED": _share_of(u5, kinh_better(0.905 + 0.0085 * t - 0.05 * (r - 0.5), 0.03), rng),
        }


def _add(total: dict[str, Cells | int], more: dict[str, Cells | int]) -> None:
    for code, value in more.items():
        if isinstance(value, int):
            total[code] = int(total.get(code, 0)) + value  # type: ignore[arg-type]
        else:
            cells = total.setdefault(code, defaultdict(int))
            assert isinstance(cells, dict)
            for key, count in value.items():
                cells[key] = cells.get(key, 0) + count


def seed_demo_values(*, size: str, stdout: Callable[[str], None]) -> None:
    """The demo seeder (``seed_demo``): see the module docstring."""
    elements = {element.code: element for element in DataElement.objects.filter(is_active=True)}
    if not elements:
        stdout("  Chưa nạp kế hoạch (manage.py load_plan …): bỏ qua số liệu chỉ tiêu trình diễn.")
        return
    if DataValue.objects.filter(is_demo=True).exists():
        stdout("  Đã có số liệu chỉ tiêu trình diễn: giữ nguyên.")
        return
    rows = build_demo_rows(elements=elements, size=size)
    with transaction.atomic():
        written = _insert(rows)
        record_event(actor=None, verb=AuditEvent.Verb.IMPORT, object_type="indicators.datavalue",
                     object_repr="số liệu trình diễn", action="seed_demo_values",
                     after={"rows": written, "size": size, "years": [YEARS.start, YEARS.stop - 1]})
    stdout(f"  {written} số liệu trình diễn cho {YEARS.start}–{YEARS.stop - 1}.")


Row = tuple[int, int, int, str, int | None, Decimal]  # element, unit, year, sex, ethnic group, value


def _insert(rows: list[Row]) -> int:
    """Insert the demo rows in batches, skipping every (element, unit, year) that already holds a real value."""
    taken = set(DataValue.objects.filter(year__in=list(YEARS)).values_list("data_element_id", "org_unit_id", "year")
                .distinct())
    fresh = [row for row in rows if row[:3] not in taken]
    table = connection.ops.quote_name(DataValue._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in (
        "data_element_id", "org_unit_id", "year", "sex", "ethnic_group_id", "value", "comment", "is_demo",
        "created_at", "updated_at"))
    now = timezone.now()
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, '', %s, %s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(fresh), 5000):
            cursor.executemany(sql, [(*row, True, now, now) for row in fresh[start:start + 5000]])
    return len(fresh)


def build_demo_rows(*, elements: dict[str, DataElement], size: str) -> list[Row]:
    """The demo figures as rows ready to insert: the commune's figure, or its cells by sex × ethnic group."""
    groups = dict(EthnicGroup.objects.values_list("code", "pk"))
    before_reform = date(REFORM_YEAR - 1, 12, 31)
    after_reform = date(REFORM_YEAR, 12, 31)
    old_communes = list(OrgUnit.objects.valid_on(before_reform).of_level("commune").select_related("parent"))
    new_communes = {unit.pk: unit for unit in OrgUnit.objects.valid_on(after_reform).of_level("commune")}
    successor_of = dict(
        Lineage.objects.filter(predecessor__in=old_communes, successor_id__in=new_communes)
        .values_list("predecessor_id", "successor_id")
    )
    generator = _Generator(size=size)
    profiles = {unit.pk: generator.profile(unit, unit.parent.code if unit.parent else "") for unit in old_communes}

    by_unit_year: dict[tuple[int, int], dict[str, Cells | int]] = {}
    shares_of_new: dict[tuple[int, int], dict[str, Cells | int]] = {}
    for year in YEARS:
        for unit in old_communes:
            values = generator.values(unit, profiles[unit.pk], year)
            if year < REFORM_YEAR:
                by_unit_year[(unit.pk, year)] = values
            elif unit.pk in successor_of:
                successor = successor_of[unit.pk]
                flags = {code: values.pop(code) for code in ("DE_COMMUNE_CHILD_FRIENDLY", "DE_COMMUNE_PLAY_SPACE")}
                _add(by_unit_year.setdefault((successor, year), {}), values)
                _add(shares_of_new.setdefault((successor, year), {}), {**flags, "predecessors": 1})
        if year >= REFORM_YEAR:
            # a merged commune keeps a recognition when most of its former communes had it
            for unit_id in new_communes:
                shares = shares_of_new.get((unit_id, year), {})
                count = int(shares.get("predecessors", 0))  # type: ignore[arg-type]
                figures = by_unit_year.setdefault((unit_id, year), {})
                for code in ("DE_COMMUNE_CHILD_FRIENDLY", "DE_COMMUNE_PLAY_SPACE"):
                    figures[code] = int(count > 0 and 2 * int(shares.get(code, 0)) > count)  # type: ignore[arg-type]

    rows: list[Row] = []
    for (unit_id, year), figures in by_unit_year.items():
        for code, value in figures.items():
            element = elements.get(code)
            if element is None or not element.can_be_entered:
                continue
            if isinstance(value, int):
                rows.append((element.pk, unit_id, year, "", None, Decimal(value)))
                continue
            if not (element.by_sex and element.by_ethnicity):
                rows.append((element.pk, unit_id, year, "", None, Decimal(sum(value.values()))))
                continue
            for (sex, group_code), count in sorted(value.items()):
                rows.append((element.pk, unit_id, year, sex, groups[group_code], Decimal(count)))
    return rows
