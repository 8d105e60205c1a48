"""Loading the scoring tables and the province's settings from ``reference_data/child-friendly/``.

Each scoring file is checked against ``scoring.schema.json`` and then against rules a schema cannot say (unique
numbers and codes, a threshold for every rule but yes/no, shares at most 100 %, a source for every sub-item taken
from the decision, a criterion's sub-items summing to its stated maximum, the points summing to the maximum);
nothing is written unless the whole file is clean. A version is matched by its code: loading the same file again
changes nothing; a changed file updates a version no assessment uses yet and is refused for one that is used (a
successor decision is a new version with a new code). Every change is audited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from treem.childfriendly.models import (
    Assessment,
    CommuneBand,
    Criterion,
    RecognisingLevel,
    RuleKind,
    ScoringVersion,
    SubItem,
)
from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.hierarchy.models import Level, OrgUnit

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference_data" / "child-friendly"
SETTINGS_FILE = REFERENCE_DIR / "settings.yaml"
SCORING_SCHEMA = REFERENCE_DIR / "scoring.schema.json"
SETTINGS_SCHEMA = REFERENCE_DIR / "settings.schema.json"


@dataclass
class LoadReport:
    versions_created: list[str] = field(default_factory=list)
    versions_updated: list[str] = field(default_factory=list)
    versions_unchanged: list[str] = field(default_factory=list)
    levels: int = 0
    bands: int = 0


def scoring_files() -> list[Path]:
    return sorted(path for path in REFERENCE_DIR.glob("*.yaml") if path != SETTINGS_FILE)


@cache
def _schema(path: Path) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))


def _plain(value: Any) -> Any:
    """YAML dates as ISO strings, so the schema (and the digest) sees what the file says."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def read_document(path: Path, *, schema: Path) -> dict[str, Any]:
    """The file's content, or ``ValidationError`` listing every problem (in Vietnamese, with where it is)."""
    try:
        document = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as error:
        raise ValidationError(f"{path.name}: không đọc được YAML ({error}).") from error
    if not isinstance(document, dict):
        raise ValidationError(f"{path.name}: tệp phải là một bảng khóa – giá trị.")
    validator = jsonschema.Draft202012Validator(_schema(schema),
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    problems = [f"{path.name}: {'/'.join(str(part) for part in error.absolute_path) or '(gốc)'}: {error.message}"
                for error in validator.iter_errors(document)]
    if problems:
        raise ValidationError(problems)
    return document


def scoring_problems(document: dict[str, Any], *, name: str) -> list[str]:
    problems = []
    numbers = [criterion["number"] for criterion in document["criteria"]]
    if len(set(numbers)) != len(numbers):
        problems.append(f"{name}: số thứ tự tiêu chí bị trùng.")
    codes: list[str] = []
    total = 0
    for criterion in document["criteria"]:
        criterion_points = 0
        for item in criterion["sub_items"]:
            codes.append(item["code"])
            criterion_points += item["points"]
            rule = item["rule"]
            if rule != RuleKind.YES_NO and "threshold" not in item:
                problems.append(f"{name}: mục {item['code']} cần ngưỡng (threshold).")
            if rule in RuleKind.shares() and item.get("threshold", 0) > 100:
                problems.append(f"{name}: mục {item['code']}: ngưỡng tỷ lệ không được quá 100 %.")
            if item["provenance"] == SubItem.Provenance.DECISION and not item.get("source"):
                problems.append(f"{name}: mục {item['code']} ghi theo văn bản nhưng thiếu nguồn (source).")
        if criterion.get("min_points", 0) > criterion_points:
            problems.append(f"{name}: tiêu chí {criterion['number']}: điểm tối thiểu lớn hơn điểm tối đa.")
        if "max_points" in criterion and criterion["max_points"] != criterion_points:
            problems.append(f"{name}: tiêu chí {criterion['number']}: các mục cộng lại {criterion_points} điểm, "
                            f"không bằng điểm tối đa {criterion['max_points']} của tiêu chí.")
        total += criterion_points
    if len(set(codes)) != len(codes):
        problems.append(f"{name}: mã mục bị trùng.")
    if total != document["max_total"]:
        problems.append(f"{name}: tổng điểm các mục là {total}, không bằng max_total {document['max_total']}.")
    for band, threshold in document["thresholds"].items():
        if threshold > document["max_total"]:
            problems.append(f"{name}: điểm chuẩn {band} lớn hơn tổng điểm tối đa.")
    return problems


def _digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def load_scoring_file(path: Path, *, report: LoadReport | None = None) -> ScoringVersion:
    """Load one scoring table (all or nothing)."""
    report = report or LoadReport()
    document = read_document(path, schema=SCORING_SCHEMA)
    problems = scoring_problems(document, name=path.name)
    if problems:
        raise ValidationError(problems)
    digest = _digest(document)
    version = ScoringVersion.objects.filter(code=document["version"]).first()
    if version is not None and version.source_digest == digest:
        report.versions_unchanged.append(version.code)
        return version
    if version is not None and Assessment.objects.filter(version=version).exists():
        raise ValidationError(f"{path.name}: phiên bản {version.code} đã được dùng cho bản đánh giá, không sửa được; "
                              "hãy nạp văn bản mới thành một phiên bản mới (mã khác).")
    fields = {"title": document["title"], "legal_basis": document["legal_basis"],
              "valid_from": date.fromisoformat(document["valid_from"]),
              "valid_to": date.fromisoformat(document["valid_to"]) if document.get("valid_to") else None,
              "max_total": document["max_total"], "thresholds": document["thresholds"],
              "source_file": path.name, "source_digest": digest}
    created = version is None
    if version is None:
        version = ScoringVersion.objects.create(code=document["version"], **fields)
    else:
        for name, value in fields.items():
            setattr(version, name, value)
        version.save()
        SubItem.objects.filter(criterion__version=version).delete()
        Criterion.objects.filter(version=version).delete()
    for criterion_data in document["criteria"]:
        criterion = Criterion.objects.create(version=version, number=criterion_data["number"],
                                             name=criterion_data["name"],
                                             min_points=criterion_data.get("min_points", 0))
        SubItem.objects.bulk_create([
            SubItem(criterion=criterion, code=item["code"], text=" ".join(item["text"].split()), rule=item["rule"],
                    threshold=Decimal(str(item["threshold"])) if "threshold" in item else None,
                    points=item["points"], prefill=item.get("prefill", ""), provenance=item["provenance"],
                    position=position)
            for position, item in enumerate(criterion_data["sub_items"])
        ])
    record_event(actor=None, verb=AuditEvent.Verb.CREATE if created else AuditEvent.Verb.UPDATE, obj=version,
                 after={"code": version.code, "file": path.name, "digest": digest}, action="load_scoring_version")
    (report.versions_created if created else report.versions_updated).append(version.code)
    return version


@transaction.atomic
def load_settings(path: Path = SETTINGS_FILE, *, report: LoadReport | None = None) -> LoadReport:
    """The recognising levels and the communes' bands (idempotent; never deletes a band row)."""
    report = report or LoadReport()
    document = read_document(path, schema=SETTINGS_SCHEMA)
    for entry in document["recognising_levels"]:
        _, created = RecognisingLevel.objects.update_or_create(
            valid_from=date.fromisoformat(entry["valid_from"]), defaults={"level": entry["level"]})
        report.levels += int(created)
    for entry in document["bands"]:
        report.bands += _load_band(entry)
    return report


def _load_band(entry: dict[str, Any]) -> int:
    roots = list(OrgUnit.objects.filter(code=entry["within"]).exclude(level=Level.COMMUNE))
    if not roots:
        raise ValidationError(f"Nhóm điểm chuẩn: không có đơn vị mã {entry['within']}.")
    start = date.fromisoformat(entry["valid_from"])
    end = date.fromisoformat(entry["valid_to"]) if entry.get("valid_to") else None
    created = 0
    for root in roots:
        for commune in OrgUnit.objects.filter(path__startswith=root.path, level=Level.COMMUNE):
            unit_start = max(start, commune.valid_from) if commune.valid_from else start
            unit_end = min(end, commune.valid_to) if end and commune.valid_to else (end or commune.valid_to)
            if unit_end is not None and unit_end < unit_start:
                continue
            band, is_new = CommuneBand.objects.get_or_create(
                org_unit=commune, valid_from=unit_start,
                defaults={"band": entry["band"], "valid_to": unit_end, "basis": entry.get("basis", "")})
            if is_new:
                created += 1
                record_event(actor=None, verb=AuditEvent.Verb.CREATE, obj=band, org_unit_path=commune.path,
                             after={"band": band.band, "valid_from": unit_start.isoformat()}, action="load_band")
    return created


def load_child_friendly(paths: Iterable[Path] | None = None) -> LoadReport:
    report = LoadReport()
    for path in paths if paths is not None else scoring_files():
        load_scoring_file(path, report=report)
    load_settings(report=report)
    return report
