"""Demo measurements for the demo children under five, marked ``is_demo``, with believable undernutrition.

Each commune gets its own level of stunting and wasting (drawn once from a seeded generator keyed on the commune's
code), so the communes differ the way Lai Châu's do: stunting roughly 14–37 %, underweight 6–25 %. A child's
length comes from a height-for-age z-score around the commune's mean, its weight from a weight-for-length/height
z-score; the scores stored are then computed by the engine like any other measurement. Weighing rounds are
1 June and 1 December (the national micronutrient days), each commune weighing on its own day of the round week.
Every child under five gets a measurement at the latest round; earlier rounds are added until the size's target
is reached (about 1,500 at size small, 60,000 at full). Running the seeder again adds nothing: a child that already
has a demo measurement on a round's date is skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Final

import numpy as np
from django.db import transaction
from django.utils import timezone
from numpy.typing import NDArray

from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.indicators.sources import records_changed
from treem.nutrition.models import Measurement, Place, Position, Source, age_in_days
from treem.nutrition.zscores import REFERENCE_DIRECTORY, compute_zscores
from treem.registry.models import Child, DatePrecision

TARGETS: Final = {"small": 1_500, "medium": 15_000, "full": 60_000}
ROUND_MONTHS: Final = (6, 12)
BATCH: Final = 5_000
MEASURED_BY: Final = "Cộng tác viên dinh dưỡng (trình diễn)"


def weighing_rounds(*, today: date, count: int) -> list[date]:
    """The ``count`` latest weighing-round dates (1 June, 1 December) on or before ``today``, newest first."""
    rounds: list[date] = []
    year = today.year
    while len(rounds) < count:
        for month in sorted(ROUND_MONTHS, reverse=True):
            day = date(year, month, 1)
            if day <= today and len(rounds) < count:
                rounds.append(day)
        year -= 1
    return rounds


def _commune_profile(code: str) -> tuple[float, float, int]:
    """A commune's mean HAZ, mean WHZ and weighing-day offset, stable for its code."""
    seed = int.from_bytes(hashlib.sha256(f"treem-nutrition-{code}".encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    return float(rng.uniform(-1.65, -0.85)), float(rng.uniform(-0.6, -0.1)), int(rng.integers(0, 6))


@cache
def _tables() -> dict[str, NDArray[np.float64]]:
    return {name: np.loadtxt(REFERENCE_DIRECTORY / f"{name}.csv", delimiter=",", skiprows=1)
            for name in ("length_height_for_age", "weight_for_length", "weight_for_height")}


def _value_at(table: NDArray[np.float64], index: NDArray[np.int64], z: NDArray[np.float64]) -> NDArray[np.float64]:
    power, median, variation = table[index, 2], table[index, 3], table[index, 4]
    result: NDArray[np.float64] = median * np.power(1.0 + power * variation * z, 1.0 / power)
    return result


def synthetic_values(
    *, sex: NDArray[np.int8], age_days: NDArray[np.int64], mean_haz: NDArray[np.float64],
    mean_whz: NDArray[np.float64], rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int8], NDArray[np.bool_]]:
    """Weight (kg, 0.1), length (cm, 0.1), position and oedema for children of the given sex and age.

    ``mean_haz`` and ``mean_whz`` are each child's own expected scores (the commune's level plus the child's
    lasting deviation, see ``child_levels``); a measurement adds a little noise around them.
    """
    tables = _tables()
    count = sex.shape[0]
    girl = (sex == 2).astype(np.int64)
    day = np.clip(age_days, 0, 1856)
    haz = np.clip(rng.normal(mean_haz, 0.2), -4.5, 3.5)
    length = _value_at(tables["length_height_for_age"], girl * 1857 + day, haz)
    standing = age_days >= 731
    position = np.where(standing, 2, 1).astype(np.int8)
    swapped = rng.random(count) < 0.03
    position = np.where(swapped, 3 - position, position).astype(np.int8)
    recorded = length - 0.7 * (standing & (position == 1)) + 0.7 * (~standing & (position == 2))
    recorded = np.round(recorded, 1)
    whz = np.clip(rng.normal(mean_whz, 0.35), -4.0, 3.0)
    weight = np.empty(count)
    lying = ~standing
    for mask, name, low, high, offset in ((lying, "weight_for_length", 45.0, 110.0, 651),
                                          (standing, "weight_for_height", 65.0, 120.0, 551)):
        if not mask.any():
            continue
        tenth = np.rint((np.clip(length[mask], low, high) - low) * 10).astype(np.int64)
        weight[mask] = _value_at(tables[name], girl[mask] * offset + tenth, whz[mask])
    weight = np.round(weight, 1)
    slip = rng.random(count) < 0.004  # a few typing slips, which the flags catch
    weight = np.where(slip, np.round(weight * rng.choice([0.45, 2.2], count), 1), weight)
    oedema: NDArray[np.bool_] = np.asarray(rng.random(count) < 0.001, dtype=np.bool_)
    return weight, np.asarray(recorded, dtype=np.float64), position, oedema


def seed_measurements(*, size: str, stdout: Callable[[str], None]) -> None:
    """The demo seeder (order 200, after the registry's demo children)."""
    today = timezone.localdate()
    target = TARGETS.get(size, TARGETS["small"])
    rounds = weighing_rounds(today=today, count=6)
    children = list(
        Child.objects.active().filter(is_demo=True, birth_date__gt=rounds[-1] - timedelta(days=5 * 366))
        .exclude(birth_date_precision=DatePrecision.YEAR)
        .select_related("commune").order_by("pk")
    )
    if not children:
        stdout("  chưa có trẻ em trình diễn: bỏ qua số đo")
        return
    already = set(Measurement.objects.filter(is_demo=True).values_list("child_id", "measured_on"))
    rng = np.random.default_rng(20240601 + len(children))
    created = 0
    for number, round_day in enumerate(rounds):
        if created + len(already) >= target and number > 0:
            break
        planned = _plan_round(children, round_day, already)
        if number > 0:
            room = max(target - created - len(already), 0)
            planned = planned[:room]
        created += _create(planned, rng=rng)
    with transaction.atomic():
        record_event(actor=None, verb=AuditEvent.Verb.CREATE, object_type=Measurement._meta.label_lower,
                     object_repr="Số đo trình diễn", action="seed_demo_measurements",
                     after={"created": created, "size": size})
    stdout(f"  {created:,} số đo trình diễn mới (tổng {created + len(already):,})".replace(",", "."))


def _plan_round(children: list[Child], round_day: date, already: set[tuple[int, date]]
                ) -> list[tuple[Child, date]]:
    planned = []
    for child in children:
        _, _, offset = _commune_profile(child.commune.code)
        measured_on = round_day + timedelta(days=offset)
        if measured_on > timezone.localdate():
            measured_on = round_day
        age = age_in_days(child, measured_on)
        if age is None or age < 0 or age / 30.4375 >= 60 or (child.pk, measured_on) in already:
            continue
        if any((child.pk, round_day + timedelta(days=shift)) in already for shift in range(6)):
            continue
        planned.append((child, measured_on))
    return planned


def child_levels(child_id: int, *, commune_haz: float, commune_whz: float) -> tuple[float, float]:
    """A child's lasting height-for-age and weight-for-height levels, the same at every weighing round."""
    rng = np.random.default_rng(7_919 * child_id + 17)
    return commune_haz + float(rng.normal(0.0, 1.03)), commune_whz + float(rng.normal(0.0, 0.88))


def _create(planned: list[tuple[Child, date]], *, rng: np.random.Generator) -> int:
    created = 0
    for start in range(0, len(planned), BATCH):
        batch = planned[start:start + BATCH]
        sex = np.array([1 if child.sex == "M" else 2 for child, _ in batch], dtype=np.int8)
        ages = np.array([age_in_days(child, day) or 0 for child, day in batch], dtype=np.int64)
        levels = []
        for child, _ in batch:
            commune_haz, commune_whz, _offset = _commune_profile(child.commune.code)
            levels.append(child_levels(child.pk, commune_haz=commune_haz, commune_whz=commune_whz))
        weight, length, position, oedema = synthetic_values(
            sex=sex, age_days=ages, rng=rng,
            mean_haz=np.array([level[0] for level in levels]), mean_whz=np.array([level[1] for level in levels]),
        )
        scores = compute_zscores(sex=sex, age_days=ages.astype(np.float64), weight_kg=weight, length_cm=length,
                                 measured=position, oedema=oedema)
        letters = {1: Position.RECUMBENT, 2: Position.STANDING}
        items = []
        for index, (child, day) in enumerate(batch):
            items.append(Measurement(
                child=child, org_unit=child.commune, measured_on=day,
                weight_kg=Decimal(f"{weight[index]:.2f}"), length_cm=Decimal(f"{length[index]:.2f}"),
                position=letters[int(position[index])], has_oedema=bool(oedema[index]),
                place=Place.HEALTH_STATION if index % 4 else Place.VILLAGE, measured_by=MEASURED_BY,
                source=Source.DEMO, is_demo=True, age_days=int(ages[index]),
                waz=_decimal(scores.waz[index]), haz=_decimal(scores.haz[index]), whz=_decimal(scores.whz[index]),
                flag_waz=bool(scores.flag_waz[index]), flag_haz=bool(scores.flag_haz[index]),
                flag_whz=bool(scores.flag_whz[index]), is_position_implausible=bool(scores.position_implausible[index]),
            ))
        with transaction.atomic():
            Measurement.objects.bulk_create(items, batch_size=1_000)
            records_changed(Measurement)  # bulk writes send no signal
        created += len(items)
    return created


def _decimal(value: float) -> Decimal | None:
    return None if np.isnan(value) else Decimal(f"{value:.2f}")
