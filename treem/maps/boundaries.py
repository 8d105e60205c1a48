"""Checking an uploaded boundary file against the hierarchy of a date, feature by feature.

Each feature is matched to an org unit in force on the date, under the unit the file is uploaded for (the
province): by its official code first (a property named like ``ma``, ``ma_xa``, ``code``…; codes that lost their
leading zeros in a DBF are padded), else by its name, accent- and case-insensitively and without the type word
("Xã", "Phường"…) — a name match is only *proposed*, for the administrator to confirm. The report says, per
feature: matched, proposed by name, or refused (invalid shape, unknown code, a unit given twice, coordinates that
are not WGS 84); and which communes have no feature at all. The report is plain JSON (kept as the import
record's preview). A file is *clean* when every feature matched by code and every commune has its shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from treem.core.text import fold_text
from treem.maps.geometry import SourceFile, geometry_problems, vertex_count

CODE_KEYS = ("ma", "maxa", "madvhc", "madonvi", "mahuyen", "code", "communecode", "wardcode", "districtcode",
             "unitcode", "maxa2025")
NAME_KEYS = ("ten", "tenxa", "tendvhc", "tendonvi", "tenhuyen", "name", "communename", "wardname", "unitname")
TYPE_WORDS = ("thanh pho", "thi tran", "thi xa", "phuong", "huyen", "xa")

OK, NAME_MATCH, PROBLEM = "ok", "name_match", "problem"
MATCHED_LEVELS = ("commune", "district")


@dataclass(frozen=True)
class CandidateUnit:
    id: int
    code: str
    name: str
    level: str
    path: str


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold_text(name))


def _property(properties: Mapping[str, Any], keys: Iterable[str]) -> str:
    folded = {_key(str(name)): value for name, value in properties.items()}
    for key in keys:
        value = folded.get(key)
        if value not in (None, ""):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip()
    return ""


def bare_name(name: str) -> str:
    """The folded name without its type word: "Xã Bình Lư" → "binh lu"."""
    folded = fold_text(name)
    for word in TYPE_WORDS:
        if folded.startswith(word + " "):
            return folded[len(word) + 1:]
    return folded


def analyse(source: SourceFile, *, units: Iterable[CandidateUnit], hierarchy_on: date) -> dict[str, Any]:
    """The per-feature report of a file against ``units`` (those in force on ``hierarchy_on``)."""
    candidates = [unit for unit in units if unit.level in MATCHED_LEVELS]
    by_code = {unit.code: unit for unit in candidates}
    by_name: dict[str, list[CandidateUnit]] = {}
    for candidate in candidates:
        by_name.setdefault(bare_name(candidate.name), []).append(candidate)
    taken: dict[int, int] = {}
    features = []
    for feature in source.features:
        code = _property(feature.properties, CODE_KEYS)
        name = _property(feature.properties, NAME_KEYS)
        problems = list(feature.problems)
        if source.crs_problem:
            problems.append(source.crs_problem)
        if feature.geometry is not None and not feature.problems:
            problems.extend(geometry_problems(feature.geometry))
        unit: CandidateUnit | None = _by_code(by_code, code)
        status, notes = OK, list[str]()
        if unit is None:
            named = by_name.get(bare_name(name), []) if name else []
            if len(named) == 1:
                unit, status = named[0], NAME_MATCH
                if code:
                    notes.append(f"Mã “{code}” không có trong các đơn vị hành chính ngày {hierarchy_on:%d/%m/%Y}; "
                                 "đề xuất theo tên.")
            elif code:
                problems.append(f"Mã “{code}” không có trong các đơn vị hành chính ngày {hierarchy_on:%d/%m/%Y}.")
            elif named:
                problems.append(f"Tên “{name}” trùng với nhiều đơn vị: cần có mã đơn vị.")
            else:
                problems.append("Không có mã đơn vị, và tên không khớp với đơn vị nào.")
        if unit is not None and unit.id in taken:
            problems.append(f"Đơn vị này đã có hình ở đối tượng số {taken[unit.id]}.")
        elif unit is not None and not problems:
            taken[unit.id] = feature.index
        features.append({
            "index": feature.index, "code": code, "name": name,
            "unit": None if unit is None else {"id": unit.id, "code": unit.code, "name": unit.name,
                                               "level": unit.level},
            "status": PROBLEM if problems else status,
            "problems": problems,
            "notes": notes,
            "vertices": vertex_count(feature.geometry) if feature.geometry is not None else 0,
        })
    covered = set(taken)
    missing = [{"code": candidate.code, "name": candidate.name, "level": candidate.level}
               for candidate in candidates if candidate.level == "commune" and candidate.id not in covered]
    counts = {status: sum(1 for feature in features if feature["status"] == status)
              for status in (OK, NAME_MATCH, PROBLEM)}
    return {
        "hierarchy_on": hierarchy_on.isoformat(),
        "crs_problem": source.crs_problem,
        "features": features,
        "missing": missing,
        "counts": counts,
        "is_clean": bool(features) and counts[OK] == len(features) and not missing and not source.crs_problem,
        "can_confirm": not source.crs_problem and counts[OK] + counts[NAME_MATCH] > 0,
    }


def _by_code(by_code: Mapping[str, CandidateUnit], code: str) -> CandidateUnit | None:
    if not code:
        return None
    for candidate in (code, code.zfill(5), code.zfill(3)):
        if candidate in by_code:
            return by_code[candidate]
    return None
