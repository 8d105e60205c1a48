"""Build a synthetic nation in a bench PostgreSQL database, fast: COPY into the tables the ORM models use.

    .venv/bin/python bench/national/generate.py --database treem_bench_national_10 --scale 0.1

Steps: refuse any database not named ``treem_bench_…`` or holding non-demo users or children (``benchdb.guard``);
drop and create it; ``migrate``, ``load_reference`` and ``load_plan`` (the real schema and reference rows); then,
with psycopg's ``cursor.copy``:

- the hierarchy: Việt Nam › 63 provinces › ~700 districts › ~10,000 communes until 30/06/2025, and 34 provinces ›
  3,321 communes from 01/07/2025, with lineage (old commune → new commune, merged province → new province). Lai
  Châu's real units (from ``load_reference``) are one of the 34, the other 33 provinces are synthetic; 11
  provinces keep their unit across the reform, 52 merge into 23. About 25 villages per new commune;
- children: 24.8 million under 16 (the 2019 census) × ``--scale``, by single year of age (the census's pyramid),
  sex (52 % boys), ethnic group (Kinh ~85 % nationally: each province has its own Kinh share and four main
  minority groups), spread over communes by lognormal weights (some communes have ten times the children of
  others); plus the two birth cohorts that have turned 16 since, so that earlier years count complete. One
  residence each (the commune valid at the child's birth or at the reform: residences are not rewritten by a
  reorganisation, the engine follows the lineage); birth registration, schooling, insurance and ID numbers in
  plausible shares;
- measurements of the under-fives on the two weighing days of each year (1 June, 1 December), ~80 % weighed, with
  z-scores whose means differ between Kinh and minority children;
- entered report values for every commune in force in each year (the plan's entered elements, by sex × Kinh and the
  province's main groups), reporting cycles and one submission per commune and year, and child-protection cases
  (about one in 4,000 children a year; three in four with an approved plan and a delivered service).

Everything written is marked ``is_demo``. The large tables are loaded without their secondary indexes and foreign
keys, which are rebuilt afterwards (the usual bulk-load order; the result is the schema the migrations made).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import psycopg

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPOSITORY))

import benchdb  # noqa: E402
from census import (  # noqa: E402
    AGE_WEIGHTS,
    BOY_SHARE,
    CHILDREN_UNDER_16,
    DEFAULT_PEOPLES,
    ENTERED_CELLS,
    ENTERED_SCALARS,
    FAMILY,
    GIVEN,
    MIDDLE,
    NEW_COMMUNES,
    OLD_COMMUNES,
    OLD_DISTRICTS,
    OLD_LAST_DAY,
    PEOPLES,
    POPULATION,
    PROVINCE_CODES,
    REFORM_ON,
    TODAY,
    UNCHANGED,
    WEIGHING_DAYS,
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


@dataclass
class Unit:
    id: int
    code: str
    name: str
    kind: str
    level: str
    path: str
    parent_id: int | None
    valid_from: date | None
    valid_to: date | None
    is_new: bool = False


@dataclass
class Nation:
    root_id: int
    units: list[Unit] = field(default_factory=list)  # the synthetic ones, to write
    lineage: list[tuple[int, int, str]] = field(default_factory=list)  # predecessor, successor, kind
    old_communes: list[int] = field(default_factory=list)  # every commune until 30/06/2025 (Lai Châu's too)
    successor: dict[int, int] = field(default_factory=dict)  # old commune → new commune
    province_of: dict[int, str] = field(default_factory=dict)  # old commune → old province code
    new_communes: list[int] = field(default_factory=list)
    new_province_of: dict[int, int] = field(default_factory=dict)  # new commune → new province id
    weights: dict[int, float] = field(default_factory=dict)  # old commune → children weight
    villages: dict[int, list[int]] = field(default_factory=dict)  # new commune → village ids


# ------------------------------------------------------------------------------------------------------------
# Set-up through the project's own commands
# ------------------------------------------------------------------------------------------------------------


def manage(url: str, *arguments: str) -> None:
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false"}
    subprocess.run([sys.executable, str(REPOSITORY / "manage.py"), *arguments], env=environment, cwd=REPOSITORY,
                   check=True, stdout=subprocess.DEVNULL)


def prepare(name: str) -> str:
    benchdb.recreate(name)
    url = benchdb.database_url(name)
    manage(url, "migrate", "--noinput", "-v", "0")
    manage(url, "load_reference", "--quiet")
    manage(url, "load_plan", str(REPOSITORY / "reference_data" / "plans" / "lai-chau-2024.yaml"))
    return url


def make_uid(seed: str) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from treem.hierarchy.models import make_uid as project_uid  # pure function; the models module needs Django

    return project_uid(seed)


# ------------------------------------------------------------------------------------------------------------
# The hierarchy
# ------------------------------------------------------------------------------------------------------------


def _split(total: int, weights: Sequence[float], minimum: int = 1) -> list[int]:
    """``total`` split by ``weights`` into whole numbers of at least ``minimum`` (largest remainders)."""
    spare = total - minimum * len(weights)
    weight = sum(weights)
    exact = [spare * w / weight for w in weights]
    counts = [int(value) for value in exact]
    for index in sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)[:spare - sum(counts)]:
        counts[index] += 1
    return [count + minimum for count in counts]


def build_nation(connection: psycopg.Connection, rng: np.random.Generator) -> Nation:
    rows = connection.execute("SELECT id, code, level, path, parent_id, valid_from, valid_to FROM hierarchy_orgunit"
                              ).fetchall()
    root_id = next(row[0] for row in rows if row[2] == "country")
    laichau = next(row for row in rows if row[2] == "province" and row[1] == "12")
    nation = Nation(root_id=root_id)
    next_id = max(row[0] for row in rows) + 1

    def add(**values: object) -> Unit:
        nonlocal next_id
        unit = Unit(id=next_id, **values)  # type: ignore[arg-type]
        next_id += 1
        nation.units.append(unit)
        return unit

    # Lai Châu, as load_reference wrote it
    laichau_old = [row[0] for row in rows if row[2] == "commune" and row[6] is not None and row[3].startswith("/12/")]
    laichau_new = [row[0] for row in rows if row[2] == "commune" and row[6] is None and row[3].startswith("/12/")]
    for predecessor, successor in connection.execute(
            "SELECT predecessor_id, successor_id FROM hierarchy_lineage WHERE successor_id = ANY(%s)",
            (laichau_new,)).fetchall():
        nation.successor[predecessor] = successor
    for commune_id in laichau_new:
        nation.new_province_of[commune_id] = laichau[0]
    nation.new_communes.extend(laichau_new)

    others = [code for code in PROVINCE_CODES if code != "12"]
    population = {code: POPULATION.get(code, float(rng.lognormal(0.05, 0.35))) for code in PROVINCE_CODES}
    old_counts = dict(zip(others, _split(OLD_COMMUNES - len(laichau_old),
                                         [population[c] ** 0.7 for c in others], minimum=40), strict=True))
    district_counts = dict(zip(others, _split(OLD_DISTRICTS - 8, [old_counts[c] for c in others], minimum=3),
                               strict=True))
    # old provinces: the unchanged ones keep their unit; the others end on 30/06/2025
    old_province: dict[str, Unit] = {}
    for code in others:
        kept = code in UNCHANGED
        old_province[code] = add(code=code, name=f"Tỉnh mô phỏng {code}", kind="tỉnh", level="province",
                                 path=f"/{code}/", parent_id=root_id, valid_from=None,
                                 valid_to=None if kept else OLD_LAST_DAY, is_new=kept)
    merged = [code for code in others if code not in UNCHANGED]
    groups: list[list[str]] = []
    position = 0
    for size in [3] * 6 + [2] * 17:
        groups.append(merged[position:position + size])
        position += size
    assert position == len(merged) == 52
    new_province: dict[str, Unit] = {}  # old province code → the province it is part of from 01/07/2025
    for group in groups:
        unit = add(code=group[0], name=f"Tỉnh mô phỏng {group[0]} (mới)", kind="tỉnh", level="province",
                   path=f"/{group[0]}/", parent_id=root_id, valid_from=REFORM_ON, valid_to=None, is_new=True)
        for code in group:
            new_province[code] = unit
            nation.lineage.append((old_province[code].id, unit.id, "merge"))
    for code in UNCHANGED - {"12"}:
        new_province[code] = old_province[code]

    commune_code, district_number = 10000, 200
    by_new_province: dict[int, list[int]] = {}
    for code in others:
        districts = district_counts[code]
        per_district = _split(old_counts[code], [1.0] * districts)
        province_weight = population[code] * (0.22 + 0.06 * (1 - PEOPLES.get(code, DEFAULT_PEOPLES)[0]))
        commune_weights = rng.lognormal(0.0, 0.6, size=old_counts[code])
        commune_weights *= province_weight / commune_weights.sum()
        index = 0
        for number in range(districts):
            district_number += 1
            district_code = f"{district_number}"
            district = add(code=district_code, name=f"Huyện mô phỏng {district_code}", kind="huyện",
                           level="district", path=f"/{code}/{district_code}/", parent_id=old_province[code].id,
                           valid_from=None, valid_to=OLD_LAST_DAY)
            for ward in range(per_district[number]):
                commune_code += 1
                is_ward = number == 0 and ward < per_district[number] // 2
                commune = add(code=f"{commune_code:05d}", name=f"{'Phường' if is_ward else 'Xã'} mô phỏng "
                              f"{commune_code}", kind="phường" if is_ward else "xã", level="commune",
                              path=f"{district.path}{commune_code:05d}/", parent_id=district.id, valid_from=None,
                              valid_to=OLD_LAST_DAY)
                nation.old_communes.append(commune.id)
                nation.province_of[commune.id] = code
                nation.weights[commune.id] = float(commune_weights[index]) * (1.8 if is_ward else 1.0)
                by_new_province.setdefault(new_province[code].id, []).append(commune.id)
                index += 1
    # Lai Châu's real old communes get weights too (its province's share of the nation's children)
    laichau_weights = rng.lognormal(0.0, 0.5, size=len(laichau_old))
    laichau_weights *= population["12"] * (0.22 + 0.06 * 0.85) / laichau_weights.sum()
    for commune_id, weight in zip(laichau_old, laichau_weights, strict=True):
        nation.old_communes.append(commune_id)
        nation.province_of[commune_id] = "12"
        nation.weights[commune_id] = float(weight)

    # new communes: 3,321 in all, by the number of old communes merged into each province
    provinces = sorted(by_new_province)
    new_counts = _split(NEW_COMMUNES - len(laichau_new), [len(by_new_province[p]) for p in provinces])
    paths = {unit.id: unit.path for unit in nation.units}
    new_code = 30000
    for province_id, count in zip(provinces, new_counts, strict=True):
        old = by_new_province[province_id]
        bounds = np.linspace(0, len(old), count + 1).round().astype(int)
        for number in range(count):
            new_code += 1
            commune = add(code=f"{new_code:05d}", name=f"Xã mô phỏng {new_code}", kind="xã", level="commune",
                          path=f"{paths[province_id]}{new_code:05d}/", parent_id=province_id, valid_from=REFORM_ON,
                          valid_to=None, is_new=True)
            nation.new_communes.append(commune.id)
            nation.new_province_of[commune.id] = province_id
            for predecessor in old[bounds[number]:bounds[number + 1]]:
                nation.successor[predecessor] = commune.id
                nation.lineage.append((predecessor, commune.id, "merge"))
    return nation


def write_hierarchy(connection: psycopg.Connection, nation: Nation, rng: np.random.Generator) -> None:
    now = time_now()
    source = "Dữ liệu mô phỏng cho phép đo quy mô quốc gia"
    with connection.cursor() as cursor:
        with cursor.copy("COPY hierarchy_orgunit (id, created_at, updated_at, uid, code, name, kind, level, path,"
                         " valid_from, valid_to, source, parent_id) FROM STDIN") as copy:
            for unit in nation.units:
                copy.write_row((unit.id, now, now, make_uid(f"bench:{unit.code}:{unit.valid_from}:{unit.level}"),
                                unit.code, unit.name, unit.kind, unit.level, unit.path, unit.valid_from,
                                unit.valid_to, source, unit.parent_id))
        with cursor.copy("COPY hierarchy_lineage (created_at, updated_at, effective_on, kind, legal_basis, note,"
                         " predecessor_id, successor_id) FROM STDIN") as copy:
            for predecessor, successor, kind in nation.lineage:
                copy.write_row((now, now, REFORM_ON, kind, "Nghị quyết 202/2025/QH15 (mô phỏng)", "", predecessor,
                                successor))
        next_village = 1
        with cursor.copy("COPY hierarchy_village (id, created_at, updated_at, code, name, valid_from, valid_to,"
                         " org_unit_id) FROM STDIN") as copy:
            for commune_id in nation.new_communes:
                count = 8 + int(rng.poisson(18))
                nation.villages[commune_id] = list(range(next_village, next_village + count))
                for number in range(count):
                    copy.write_row((next_village, now, now, f"BENCH-{number + 1:02d}", f"Thôn {number + 1}", None,
                                    None, commune_id))
                    next_village += 1
        for table in ("hierarchy_orgunit", "hierarchy_village", "hierarchy_lineage"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def time_now() -> str:
    return "2026-12-01 08:00:00+07"


# ------------------------------------------------------------------------------------------------------------
# Bulk loading: without secondary indexes and foreign keys, rebuilt afterwards
# ------------------------------------------------------------------------------------------------------------

BIG_TABLES = ("registry_child", "registry_residence", "nutrition_measurement", "indicators_datavalue",
              "protection_case", "protection_supportplan", "protection_caseservice", "reporting_submission")


@dataclass
class Deferred:
    indexes: list[str]
    constraints: list[tuple[str, str, str]]  # table, name, definition


def drop_secondary(connection: psycopg.Connection) -> Deferred:
    indexes = [row[0] for row in connection.execute(
        "SELECT indexdef FROM pg_indexes i WHERE tablename = ANY(%s) AND NOT EXISTS ("
        " SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", (list(BIG_TABLES),)).fetchall()]
    names = [row[0] for row in connection.execute(
        "SELECT indexname FROM pg_indexes i WHERE tablename = ANY(%s) AND NOT EXISTS ("
        " SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", (list(BIG_TABLES),)).fetchall()]
    constraints = [(row[0], row[1], row[2]) for row in connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u')", (list(BIG_TABLES),)).fetchall()]
    # foreign keys from other tables into the big ones stay: those tables are empty
    for table, name, _definition in constraints:
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')  # type: ignore[arg-type]
    for name in names:
        connection.execute(f'DROP INDEX IF EXISTS "{name}"')  # type: ignore[arg-type]
    return Deferred(indexes=indexes, constraints=constraints)


def restore_secondary(connection: psycopg.Connection, deferred: Deferred) -> None:
    connection.execute("SET maintenance_work_mem = '512MB'")
    for definition in deferred.indexes:
        connection.execute(definition)  # type: ignore[arg-type]
    for table, name, definition in deferred.constraints:
        connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------------------
# Children and residences
# ------------------------------------------------------------------------------------------------------------


@dataclass
class Children:
    """What later steps need of the children written (arrays, one entry per child)."""

    ids: np.ndarray
    birth: np.ndarray  # days since 1970-01-01
    sex_male: np.ndarray
    ethnic: np.ndarray  # ethnic group id
    is_kinh: np.ndarray
    old_commune: np.ndarray
    new_commune: np.ndarray


EPOCH = date(1970, 1, 1)


def day_text(days: int) -> str:
    return (EPOCH + timedelta(days=int(days))).isoformat()


def write_children(connection: psycopg.Connection, nation: Nation, *, scale: float, rng: np.random.Generator,
                   ethnic_ids: dict[str, int]) -> Children:
    age_weights = np.array(AGE_WEIGHTS)
    total = round(float(CHILDREN_UNDER_16 * scale * age_weights.sum() / age_weights[:16].sum()))
    communes = np.array(nation.old_communes)
    weights = np.array([nation.weights[c] for c in nation.old_communes])
    per_commune = rng.multinomial(total, weights / weights.sum())
    old_commune = np.repeat(communes, per_commune)
    new_commune = np.array([nation.successor[c] for c in nation.old_communes])[np.repeat(
        np.arange(len(communes)), per_commune)]
    count = len(old_commune)
    age = rng.choice(len(AGE_WEIGHTS), size=count, p=age_weights / age_weights.sum())
    today = (TODAY - EPOCH).days
    birth = today - (age * 365.25).astype(int) - rng.integers(0, 365, size=count)
    male = rng.random(count) < BOY_SHARE
    # ethnic group: the province's Kinh share (urban communes a little more), else one of its four main groups
    province_codes = np.array([nation.province_of[c] for c in nation.old_communes])[np.repeat(
        np.arange(len(communes)), per_commune)]
    kinh_share = np.zeros(count)
    minority_choice = rng.choice(4, size=count, p=[0.5, 0.25, 0.15, 0.10])
    ethnic = np.zeros(count, dtype=np.int64)
    for code in np.unique(province_codes):
        chosen = province_codes == code
        share, groups = PEOPLES.get(str(code), DEFAULT_PEOPLES)
        kinh_share[chosen] = share
        group_ids = np.array([ethnic_ids[g] for g in groups])
        ethnic[chosen] = group_ids[minority_choice[chosen]]
    is_kinh = rng.random(count) < kinh_share
    ethnic[is_kinh] = ethnic_ids["01"]
    ids = np.arange(1, count + 1)

    registered = rng.random(count) < np.where(is_kinh, 0.985, 0.93)
    registered_on = birth + rng.integers(3, 150, size=count)
    personal = rng.random(count) < 0.8
    insured = rng.random(count) < 0.95
    moved_away = rng.random(count) < 0.003
    family = rng.integers(0, len(FAMILY), size=count)
    middle = rng.integers(0, 8, size=count)
    given = rng.integers(0, 20, size=count)
    village_pick = rng.random(count)
    # the commune a child's residence names: the one valid when it was born, or when records began (before 2025)
    reform = (REFORM_ON - EPOCH).days
    residence_commune = np.where(birth >= reform, new_commune, old_commune)
    sixteen = birth + int(16 * 365.25)

    from treem.core.text import fold_text

    names: dict[tuple[int, int, int, bool], tuple[str, str]] = {}
    columns = ("id, created_at, updated_at, full_name, name_folded, birth_date, birth_date_precision, sex,"
               " personal_id, is_birth_registered, birth_registered_on, has_health_insurance,"
               " health_insurance_number, school_level, school_name, is_out_of_school, has_disability,"
               " disability_note, status, status_on, legal_basis, legal_basis_note, notes, extra, is_demo,"
               " deleted_at, deletion_reason, commune_id, ethnic_group_id, merged_into_id, village_id")
    now = time_now()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY registry_child ({columns}) FROM STDIN") as copy:
            lines: list[str] = []
            for index in range(count):
                is_male = bool(male[index])
                key = (int(family[index]), int(middle[index]), int(given[index]), is_male)
                name = names.get(key)
                if name is None:
                    sex = "M" if is_male else "F"
                    full = f"{FAMILY[key[0]]} {MIDDLE[sex][key[1]]} {GIVEN[sex][key[2]]}"
                    name = names[key] = (full, fold_text(full))
                years = int(age[index])
                status, status_on = "living", "\\N"
                if years >= 16:
                    status, status_on = "turned_16", day_text(sixteen[index])
                elif moved_away[index]:
                    status, status_on = "moved_away", day_text(min(today - 1, birth[index] + 400))
                level = ("not_yet" if years < 3 else "kindergarten" if years < 6 else "primary" if years < 11
                         else "lower_secondary" if years < 15 else "upper_secondary")
                villages = nation.villages[int(new_commune[index])]
                village = villages[int(village_pick[index] * len(villages))]
                born = day_text(birth[index])
                serial = int(ids[index]) % 1000000
                pid = (f"{int(province_codes[index]):03d}{2 if is_male else 3}{born[2:4]}{serial:06d}"
                       if personal[index] else "")
                lines.append("\t".join((
                    str(ids[index]), now, now, name[0], name[1], born, "day", "M" if is_male else "F", pid,
                    "t" if registered[index] else "f", day_text(registered_on[index]) if registered[index] else "\\N",
                    "t" if insured[index] else "f", "", level, "", "f", "f", "", status, status_on, "consent", "", "",
                    "{}", "t", "\\N", "", str(new_commune[index]), str(ethnic[index]), "\\N", str(village))))
                if len(lines) == 20000:
                    copy.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
        log(f"  {count:,} children in {time.perf_counter() - started:.0f} s")
        with cursor.copy("COPY registry_residence (id, created_at, updated_at, moved_in_on, moved_out_on, child_id,"
                         " commune_id, village_id) FROM STDIN") as copy:
            lines = []
            for index in range(count):
                lines.append(f"{ids[index]}\t{now}\t{now}\t\\N\t\\N\t{ids[index]}\t{residence_commune[index]}\t\\N")
                if len(lines) == 50000:
                    copy.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
        for table in ("registry_child", "registry_residence"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return Children(ids=ids, birth=birth, sex_male=male, ethnic=ethnic, is_kinh=is_kinh, old_commune=old_commune,
                    new_commune=new_commune)


# ------------------------------------------------------------------------------------------------------------
# Measurements
# ------------------------------------------------------------------------------------------------------------


def write_measurements(connection: psycopg.Connection, children: Children, *, years: Sequence[int],
                       rng: np.random.Generator) -> int:
    reform = (REFORM_ON - EPOCH).days
    today = (TODAY - EPOCH).days
    written = 0
    next_id = 1
    now = time_now()
    columns = ("id, created_at, updated_at, measured_on, weight_kg, length_cm, position, has_oedema, place,"
               " measured_by, source, note, age_days, waz, haz, whz, flag_waz, flag_haz, flag_whz,"
               " is_position_implausible, is_demo, deleted_at, deletion_reason, child_id, org_unit_id,"
               " recorded_by_id")
    with connection.cursor() as cursor, cursor.copy(f"COPY nutrition_measurement ({columns}) FROM STDIN") as copy:
        for year in years:
            for month, day in WEIGHING_DAYS:
                measured = (date(year, month, day) - EPOCH).days
                if measured > today:
                    continue
                age_days = measured - children.birth
                chosen = np.flatnonzero((age_days >= 0) & (age_days <= 1826) & (rng.random(len(age_days)) < 0.8))
                n = len(chosen)
                kinh = children.is_kinh[chosen]
                waz = np.round(rng.normal(np.where(kinh, -0.45, -1.05), 1.0), 2)
                haz = np.round(rng.normal(np.where(kinh, -0.75, -1.55), 1.1), 2)
                whz = np.round(rng.normal(-0.2, 1.0, size=n), 2)
                months = age_days[chosen] / 30.44
                weight = np.round((3.3 + 0.6 * np.minimum(months, 6) + 0.25 * np.clip(months - 6, 0, 6)
                                   + 0.18 * np.clip(months - 12, 0, None)) * (1 + 0.11 * waz), 1)
                length = np.round((49.9 + 3.0 * np.minimum(months, 6) + 1.2 * np.clip(months - 6, 0, 6)
                                   + 0.75 * np.clip(months - 12, 0, None)) * (1 + 0.035 * haz), 1)
                commune = np.where(measured >= reform, children.new_commune[chosen], children.old_commune[chosen])
                on = day_text(measured)
                lines = []
                for k in range(n):
                    index = chosen[k]
                    lines.append("\t".join((
                        str(next_id), now, now, on, str(weight[k]), str(length[k]),
                        "L" if age_days[index] < 731 else "H", "f", "village", "", "demo", "", str(age_days[index]),
                        str(waz[k]), str(haz[k]), str(whz[k]), "f", "f", "f", "f", "t", "\\N", "",
                        str(children.ids[index]), str(commune[k]), "\\N")))
                    next_id += 1
                    if len(lines) == 20000:
                        copy.write("\n".join(lines) + "\n")
                        lines = []
                if lines:
                    copy.write("\n".join(lines) + "\n")
                written += n
    connection.execute("SELECT setval(pg_get_serial_sequence('nutrition_measurement', 'id'),"
                       " GREATEST((SELECT max(id) FROM nutrition_measurement), 1))")
    return written


# ------------------------------------------------------------------------------------------------------------
# Entered values, reporting cycles and submissions, cases
# ------------------------------------------------------------------------------------------------------------


def write_values(connection: psycopg.Connection, nation: Nation, children: Children, *, years: Sequence[int],
                 ethnic_ids: dict[str, int], rng: np.random.Generator) -> int:
    elements = dict(connection.execute("SELECT code, id FROM plans_dataelement").fetchall())
    kinh_id = ethnic_ids["01"]
    # children per (old commune, sex, ethnic group): the base of every commune's counts
    key = (children.old_commune.astype(np.int64) * 2 + children.sex_male) * 1000 + children.ethnic
    cells, counts = np.unique(key, return_counts=True)
    by_commune: dict[int, list[tuple[str, int, int]]] = {}
    for cell, value in zip(cells.tolist(), counts.tolist(), strict=True):
        commune, rest = divmod(cell, 2000)
        sex, ethnic = divmod(rest, 1000)
        by_commune.setdefault(commune, []).append(("M" if sex else "F", ethnic, value))
    by_new: dict[int, dict[tuple[str, int], int]] = {}
    for commune, entries in by_commune.items():
        target = by_new.setdefault(nation.successor[commune], {})
        for sex, ethnic, value in entries:
            target[(sex, ethnic)] = target.get((sex, ethnic), 0) + value
    now = time_now()
    written = 0
    with connection.cursor() as cursor, cursor.copy(
            "COPY indicators_datavalue (created_at, updated_at, year, sex, value, comment, is_demo, data_element_id,"
            " entered_by_id, ethnic_group_id, org_unit_id) FROM STDIN") as copy:
        for year in years:
            growth = 1 + 0.01 * (year - 2021)
            units = ([(c, {(s, e): v for s, e, v in by_commune.get(c, [])}) for c in nation.old_communes]
                     if year < REFORM_ON.year else list(by_new.items()))
            lines = []
            for unit_id, base in units:
                facilities, schools = int(rng.integers(3, 9)), int(rng.integers(2, 6))
                scalars = (int(rng.random() < 0.55 + 0.05 * (year - 2021)), int(rng.random() < 0.5),
                           facilities, min(facilities, round(facilities * rng.uniform(0.75, 1.0))), schools,
                           min(schools, round(schools * rng.uniform(0.4, 1.0))))
                for code, value in zip(ENTERED_SCALARS, scalars, strict=True):
                    lines.append(f"{now}\t{now}\t{year}\t\t{value}\t\tt\t{elements[code]}\t\\N\t\\N\t{unit_id}")
                for (sex, ethnic), children_count in base.items():
                    # the cells of the commune's main groups (small groups of other provinces' peoples are few)
                    figures: dict[str, int] = {}
                    for code, rule in ENTERED_CELLS:
                        rate_bonus = 0.0 if ethnic == kinh_id else -1.0
                        if isinstance(rule, float):
                            figures[code] = int(rng.binomial(int(children_count * growth), min(1.0, rule)))
                        elif isinstance(rule[0], str):
                            base_code, rate, gap = rule
                            figures[code] = int(rng.binomial(figures[base_code], min(1.0, rate + gap * rate_bonus)))
                        else:
                            share, rate, gap = rule
                            figures[code] = int(rng.binomial(int(children_count * share),
                                                             min(1.0, rate + gap * rate_bonus)))
                    for code, value in figures.items():
                        lines.append(f"{now}\t{now}\t{year}\t{sex}\t{value}\t\tt\t{elements[code]}\t\\N\t{ethnic}\t"
                                     f"{unit_id}")
                if len(lines) > 20000:
                    copy.write("\n".join(lines) + "\n")
                    written += len(lines)
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
                written += len(lines)
    return written


def write_reporting(connection: psycopg.Connection, nation: Nation, *, years: Sequence[int],
                    rng: np.random.Generator) -> int:
    plan_id = connection.execute("SELECT id FROM plans_plan ORDER BY id LIMIT 1").fetchone()
    assert plan_id is not None
    agencies = [row[0] for row in connection.execute("SELECT id FROM hierarchy_agency ORDER BY id").fetchall()]
    province = connection.execute("SELECT id FROM hierarchy_orgunit WHERE level = 'province' AND code = '12'"
                                  " AND valid_from IS NOT NULL").fetchone()
    assert province is not None
    now = time_now()
    written = 0
    statuses = np.array(["approved", "submitted", "draft", "not_started", "returned"])
    with connection.cursor() as cursor:
        for year in years:
            cycle = cursor.execute(
                "INSERT INTO reporting_reportingcycle (created_at, updated_at, year, opens_on, deadline_at, locks_at,"
                " is_demo, plan_id) VALUES (now(), now(), %s, %s, %s, %s, TRUE, %s)"
                " ON CONFLICT (plan_id, year) DO UPDATE SET is_demo = TRUE RETURNING id",
                (year, date(year, 10, 1), f"{year}-11-30 17:00+07", f"{year}-12-31 17:00+07", plan_id[0])).fetchone()
            assert cycle is not None
            communes = nation.old_communes if year < REFORM_ON.year else nation.new_communes
            picks = statuses[rng.choice(5, size=len(communes), p=[0.55, 0.2, 0.1, 0.1, 0.05])]
            with cursor.copy("COPY reporting_submission (created_at, updated_at, kind, status, narrative,"
                             " first_submitted_at, submitted_at, reviewed_at, review_comment, version_count,"
                             " is_demo, agency_id, cycle_id, org_unit_id, reviewed_by_id, submitted_by_id)"
                             " FROM STDIN") as copy:
                for commune_id, status in zip(communes, picks, strict=True):
                    sent = f"{year}-11-20 10:00+07" if status in ("approved", "submitted", "returned") else None
                    copy.write_row((now, now, "commune", str(status), "", sent, sent,
                                    sent if status in ("approved", "returned") else None, "", 1 if sent else 0,
                                    True, None, cycle[0], commune_id, None, None))
                for agency_id in agencies:
                    copy.write_row((now, now, "agency", "approved", "", f"{year}-11-25 10:00+07",
                                    f"{year}-11-25 10:00+07", f"{year}-11-28 10:00+07", "", 1, True, agency_id,
                                    cycle[0], province[0], None, None))
            written += len(communes) + len(agencies)
    return written


def write_cases(connection: psycopg.Connection, children: Children, *, years: Sequence[int],
                rng: np.random.Generator) -> int:
    reform = (REFORM_ON - EPOCH).days
    harms = ["physical_violence", "emotional_violence", "sexual_abuse", "exploitation", "child_labour",
             "abandonment_neglect"]
    now = time_now()
    case_id = 0
    plans: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        with cursor.copy("COPY protection_case (id, created_at, updated_at, number, child_full_name,"
                         " child_birth_date, child_age_years, child_sex, child_address, guardian_name, guardian_phone,"
                         " special_circumstance, reported_via, reported_at, reporter_name, reporter_phone,"
                         " occurred_place, harm_kind, perpetrator_relation, summary, is_in_danger, status,"
                         " risk_level, closed_at, version, is_demo, deleted_at, child_id, child_ethnic_group_id,"
                         " created_by_id, org_unit_id, village_id) FROM STDIN") as copy:
            for year in years:
                count = max(1, int(len(children.ids) / 4000))
                chosen = rng.choice(len(children.ids), size=count, replace=False)
                for index in chosen:
                    day = (date(year, 1, 1) - EPOCH).days + int(rng.integers(0, 334))
                    if day <= children.birth[index]:
                        continue
                    case_id += 1
                    commune = children.new_commune[index] if day >= reform else children.old_commune[index]
                    reported = f"{day_text(day)} 09:00+07"
                    copy.write_row((case_id, now, now, f"BENCH-{year}-{case_id:07d}", "Trẻ em mô phỏng",
                                    day_text(children.birth[index]), None, "M" if children.sex_male[index] else "F",
                                    "", "", "", "", "hotline_111", reported, "", "", "", harms[case_id % len(harms)],
                                    "unknown", "", False, "open", "medium", None, 1, True, None,
                                    int(children.ids[index]), int(children.ethnic[index]), None, int(commune), None))
                    if rng.random() < 0.75:
                        plans.append((case_id, day))
        with cursor.copy("COPY protection_supportplan (id, created_at, updated_at, number, goals, measures, starts_on,"
                         " review_on, status, approved_on, approver_name, decision_number, case_id, drafted_by_id)"
                         " FROM STDIN") as copy:
            for number, (plan_case, day) in enumerate(plans, start=1):
                copy.write_row((number, now, now, 1, "Hỗ trợ, can thiệp", "", day_text(day + 10), day_text(day + 40),
                                "approved", day_text(day + 9), "", "", plan_case, None))
        with cursor.copy("COPY protection_caseservice (created_at, updated_at, kind, description, provider_name,"
                         " planned_on, delivered_on, result, provider_agency_id, plan_id) FROM STDIN") as copy:
            for number, (_plan_case, day) in enumerate(plans, start=1):
                copy.write_row((now, now, "psychological", "", "", day_text(day + 12), day_text(day + 14), "", None,
                                number))
        for table in ("protection_case", "protection_supportplan"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                           f" GREATEST((SELECT max(id) FROM {table}), 1))")
    return case_id


def write_users(connection: psycopg.Connection, nation: Nation) -> None:
    """Three demo accounts the measurements act as: national, one province, one commune (no password)."""
    laichau = connection.execute("SELECT id FROM hierarchy_orgunit WHERE level = 'province' AND code = '12'"
                                 " AND valid_from IS NOT NULL").fetchone()
    assert laichau is not None
    weights: dict[int, float] = {}
    for old, new in nation.successor.items():
        weights[new] = weights.get(new, 0.0) + nation.weights.get(old, 0.0)
    big_commune = max(nation.new_communes, key=lambda commune: weights.get(commune, 0.0))
    for username, role, unit in (("bench_national", "coordinator", nation.root_id),
                                 ("bench_province", "coordinator", laichau[0]),
                                 ("bench_commune", "commune_officer", big_commune)):
        user = connection.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined, full_name, phone, is_demo) VALUES ('!', FALSE, %s, '', '', '', FALSE, TRUE,"
            " now(), %s, '', TRUE) RETURNING id", (username, f"Tài khoản đo {username}")).fetchone()
        assert user is not None
        connection.execute("INSERT INTO accounts_assignment (created_at, updated_at, role, is_active, org_unit_id,"
                           " user_id) VALUES (now(), now(), %s, TRUE, %s, %s)", (role, unit, user[0]))


# ------------------------------------------------------------------------------------------------------------


def generate(name: str, *, scale: float, value_years: Sequence[int], measurement_years: Sequence[int],
             case_years: Sequence[int], seed: int = 2025) -> dict[str, float]:
    started = time.perf_counter()
    log(f"{name}: schema and reference data (migrate, load_reference, load_plan)")
    url = prepare(name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    rng = np.random.default_rng(seed)
    figures: dict[str, float] = {"scale": scale, "schema_seconds": time.perf_counter() - started}
    with psycopg.connect(url) as connection:
        connection.execute("SET synchronous_commit = off")
        ethnic_ids = dict(connection.execute("SELECT code, id FROM core_ethnicgroup").fetchall())
        nation = build_nation(connection, rng)
        write_hierarchy(connection, nation, rng)
        write_users(connection, nation)
        log(f"  hierarchy: {len(nation.units):,} synthetic units, {len(nation.lineage):,} lineage links, "
            f"{sum(len(v) for v in nation.villages.values()):,} villages")
        connection.commit()
        deferred = drop_secondary(connection)
        connection.commit()
        load_started = time.perf_counter()
        children = write_children(connection, nation, scale=scale, rng=rng, ethnic_ids=ethnic_ids)
        connection.commit()
        figures["children"] = len(children.ids)
        figures["measurements"] = write_measurements(connection, children, years=measurement_years, rng=rng)
        log(f"  {int(figures['measurements']):,} measurements")
        connection.commit()
        figures["values"] = write_values(connection, nation, children, years=value_years, ethnic_ids=ethnic_ids,
                                         rng=rng)
        log(f"  {int(figures['values']):,} entered values")
        figures["submissions"] = write_reporting(connection, nation, years=value_years, rng=rng)
        figures["cases"] = write_cases(connection, children, years=case_years, rng=rng)
        connection.commit()
        figures["load_seconds"] = time.perf_counter() - load_started
        log(f"  {int(figures['submissions']):,} submissions, {int(figures['cases']):,} cases; rebuilding indexes")
        index_started = time.perf_counter()
        restore_secondary(connection, deferred)
        connection.commit()
        figures["index_seconds"] = time.perf_counter() - index_started
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        size = connection.execute("SELECT pg_database_size(current_database())").fetchone()
        figures["bytes"] = float(size[0]) if size else math.nan
    figures["seconds"] = time.perf_counter() - started
    log(f"{name}: done in {figures['seconds']:.0f} s, {figures['bytes'] / 2**30:.2f} GiB")
    return figures


def years_argument(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tạo một quốc gia mô phỏng trong cơ sở dữ liệu đo hiệu năng "
                                                 "(chỉ cơ sở dữ liệu tên treem_bench_…).")
    parser.add_argument("--database", default="treem_bench_national_10",
                        help="tên cơ sở dữ liệu (phải bắt đầu bằng treem_bench_; bị xoá và tạo lại)")
    parser.add_argument("--scale", type=float, default=0.1, help="tỉ lệ số trẻ em so với cả nước (mặc định 0,1)")
    parser.add_argument("--value-years", type=years_argument, default=years_argument("2021-2026"),
                        help="các năm có số liệu báo cáo, ví dụ 2021-2026")
    parser.add_argument("--measurement-years", type=years_argument, default=years_argument("2024-2026"))
    parser.add_argument("--case-years", type=years_argument, default=years_argument("2024-2026"))
    arguments = parser.parse_args(argv)
    try:
        benchdb.guard(arguments.database)
    except benchdb.Refused as refusal:
        print(f"Từ chối: {refusal}", file=sys.stderr)
        return 2
    generate(arguments.database, scale=arguments.scale, value_years=arguments.value_years,
             measurement_years=arguments.measurement_years, case_years=arguments.case_years)
    return 0


if __name__ == "__main__":
    sys.exit(main())
