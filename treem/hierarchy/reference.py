"""Loading the administrative hierarchy and the agencies from ``reference_data/`` (idempotent, never deletes)."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.hierarchy.models import (
    Agency,
    AgencyKind,
    AgencyLineage,
    CoordinatingAgency,
    Level,
    Lineage,
    LineageKind,
    OrgUnit,
    UnitKind,
    make_uid,
)

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference_data"
UNITS_FILE = REFERENCE_DIR / "hierarchy" / "laichau_units_2025.csv"
AGENCIES_FILE = REFERENCE_DIR / "agencies.yaml"

COUNTRY_CODE = "VN"
REORGANISATION_2025 = date(2025, 7, 1)
LAST_DAY_BEFORE_2025 = date(2025, 6, 30)
PROVINCE_FOUNDED = date(2004, 1, 1)
SOURCE_GSO = "Tổng cục Thống kê – danh mục đơn vị hành chính"
LEGAL_BASIS_2025 = "Nghị quyết 1670/NQ-UBTVQH15 (sắp xếp đơn vị hành chính cấp xã tỉnh Lai Châu năm 2025)"


@dataclass
class LoadSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _kind_from_name(name: str) -> str:
    lowered = name.lower()
    for kind in (UnitKind.CITY, UnitKind.TOWN, UnitKind.DISTRICT, UnitKind.WARD, UnitKind.TOWNSHIP,
                 UnitKind.COMMUNE, UnitKind.PROVINCE):
        if lowered.startswith(kind.value):
            return kind.value
    raise ValueError(f"Không xác định được loại đơn vị từ tên '{name}'")


def _upsert_unit(summary: LoadSummary, *, code: str, valid_from: date | None, values: dict[str, Any]) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code, valid_from=valid_from).first()
    if unit is None:
        unit = OrgUnit.objects.create(code=code, valid_from=valid_from, uid=make_uid(f"orgunit:{code}:{valid_from}"),
                                      **values)
        summary.count("created")
        return unit
    changed = [name for name, value in values.items() if getattr(unit, name) != value]
    if changed:
        for name in changed:
            setattr(unit, name, values[name])
        unit.save(update_fields=[*changed, "updated_at"])
        summary.count("updated")
    else:
        summary.count("unchanged")
    return unit


@transaction.atomic
def load_units(*, path: Path = UNITS_FILE) -> LoadSummary:
    """Vietnam › Lai Châu › (until 30/06/2025) districts › communes; (from 01/07/2025) communes; and the lineage."""
    summary = LoadSummary()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [{key: _nfc(value) for key, value in row.items()} for row in csv.DictReader(handle)]

    country = _upsert_unit(summary, code=COUNTRY_CODE, valid_from=None, values={
        "name": "Việt Nam", "kind": UnitKind.COUNTRY, "level": Level.COUNTRY, "parent": None, "path": "/",
        "valid_to": None, "source": SOURCE_GSO,
    })
    province_cache: dict[str, OrgUnit] = {}
    district_cache: dict[str, OrgUnit] = {}
    new_cache: dict[str, OrgUnit] = {}
    lineage_pairs: list[tuple[OrgUnit, OrgUnit, bool]] = []
    for row in rows:
        province_code = row["province_code"]
        if province_code not in province_cache:
            province_cache[province_code] = _upsert_unit(summary, code=province_code, valid_from=PROVINCE_FOUNDED,
                                                         values={
                "name": row["province_name"], "kind": UnitKind.PROVINCE, "level": Level.PROVINCE,
                "parent": country, "path": f"/{province_code}/", "valid_to": None, "source": SOURCE_GSO,
            })
        province = province_cache[province_code]
        district_code = row["old_district_code"]
        if district_code not in district_cache:
            district_cache[district_code] = _upsert_unit(summary, code=district_code, valid_from=None, values={
                "name": row["old_district_name"], "kind": _kind_from_name(row["old_district_name"]),
                "level": Level.DISTRICT, "parent": province, "path": f"{province.path}{district_code}/",
                "valid_to": LAST_DAY_BEFORE_2025, "source": SOURCE_GSO,
            })
        district = district_cache[district_code]
        old = _upsert_unit(summary, code=row["old_commune_code"], valid_from=None, values={
            "name": row["old_commune_name"], "kind": row["old_type"], "level": Level.COMMUNE, "parent": district,
            "path": f"{district.path}{row['old_commune_code']}/", "valid_to": LAST_DAY_BEFORE_2025,
            "source": SOURCE_GSO,
        })
        new_code = row["new_commune_code"]
        if new_code not in new_cache:
            new_cache[new_code] = _upsert_unit(summary, code=new_code, valid_from=REORGANISATION_2025, values={
                "name": row["new_commune_name"], "kind": row["new_type"], "level": Level.COMMUNE,
                "parent": province, "path": f"{province.path}{new_code}/", "valid_to": None, "source": SOURCE_GSO,
            })
        lineage_pairs.append((old, new_cache[new_code], row.get("vp_partly_flag") == "1"))

    lineage_created = 0
    for old, new, straddles in lineage_pairs:
        _, created = Lineage.objects.update_or_create(
            predecessor=old, successor=new,
            defaults={
                "effective_on": REORGANISATION_2025, "kind": LineageKind.MERGE, "legal_basis": LEGAL_BASIS_2025,
                "note": "Xã mới gồm địa bàn của nhiều huyện cũ" if straddles else "",
            },
        )
        lineage_created += int(created)
    summary.details = {"districts": len(district_cache), "old_communes": len(lineage_pairs),
                       "new_communes": len(new_cache), "lineage_created": lineage_created}
    if summary.created or summary.updated or lineage_created:
        record_event(actor=None, verb=AuditEvent.Verb.IMPORT, object_type="hierarchy.orgunit",
                     object_repr=path.name, action="load_units",
                     after={"created": summary.created, "updated": summary.updated, **summary.details})
    return summary


@transaction.atomic
def load_agencies(*, path: Path = AGENCIES_FILE) -> LoadSummary:
    """Agencies, their lineage and the coordinating agency by date, from ``agencies.yaml``."""
    summary = LoadSummary()
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    agencies: dict[str, Agency] = {}
    for entry in document.get("agencies", []):
        values = {
            "name": _nfc(entry["name"]),
            "short_name": _nfc(entry.get("short_name") or ""),
            "kind": entry.get("kind") or AgencyKind.DEPARTMENT,
            "valid_from": entry.get("valid_from"),
            "valid_to": entry.get("valid_to"),
        }
        agency = Agency.objects.filter(code=entry["code"]).first()
        if agency is None:
            agency = Agency.objects.create(code=entry["code"], **values)
            summary.count("created")
        else:
            changed = [name for name, value in values.items() if getattr(agency, name) != value]
            for name in changed:
                setattr(agency, name, values[name])
            if changed:
                agency.save(update_fields=[*changed, "updated_at"])
            summary.count("updated" if changed else "unchanged")
        agencies[agency.code] = agency
    for entry in document.get("agencies", []):
        for successor in entry.get("successors") or []:
            if successor["code"] not in agencies:
                raise ValueError(f"agencies.yaml: cơ quan kế thừa '{successor['code']}' của {entry['code']} "
                                 "không có trong danh sách")
            AgencyLineage.objects.update_or_create(
                predecessor=agencies[entry["code"]], successor=agencies[successor["code"]],
                defaults={"effective_on": successor["effective_on"], "note": _nfc(successor.get("note") or "")},
            )
    for coordinator in document.get("coordinators", []):
        if coordinator["agency"] not in agencies:
            raise ValueError(f"agencies.yaml: cơ quan điều phối '{coordinator['agency']}' không có trong danh sách")
        CoordinatingAgency.objects.update_or_create(
            valid_from=coordinator["valid_from"], defaults={"agency": agencies[coordinator["agency"]]},
        )
    if summary.created or summary.updated:
        record_event(actor=None, verb=AuditEvent.Verb.IMPORT, object_type="hierarchy.agency",
                     object_repr=path.name, action="load_agencies",
                     after={"created": summary.created, "updated": summary.updated})
    return summary
