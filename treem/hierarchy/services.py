"""Writes to the hierarchy: recording a reorganisation (merge, split, rename) and importing villages."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction

from treem.core.access import ensure_permitted
from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent
from treem.core.text import fold_text
from treem.hierarchy.models import Level, Lineage, LineageKind, OrgUnit, UnitKind, Village, make_uid
from treem.hierarchy.permissions import MANAGE_HIERARCHY, MANAGE_VILLAGES


class ChangeRefused(Exception):
    """A reorganisation that would leave the hierarchy inconsistent; ``problems`` says why, in Vietnamese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class NewUnit:
    """A unit that a reorganisation creates."""

    code: str
    name: str
    kind: str
    parent: OrgUnit


def _check_change(
    *, kind: str, sources: Sequence[OrgUnit], targets: Sequence[NewUnit], effective_on: date
) -> list[str]:
    problems: list[str] = []
    day_before = effective_on - timedelta(days=1)
    if not sources:
        problems.append("Chưa chọn đơn vị cũ.")
    if not targets:
        problems.append("Mỗi đơn vị cũ phải có ít nhất một đơn vị kế thừa: chưa khai báo đơn vị mới.")
    if kind == LineageKind.MERGE and len(targets) != 1:
        problems.append("Sáp nhập: các đơn vị cũ hợp thành đúng một đơn vị mới.")
    if kind == LineageKind.SPLIT and (len(sources) != 1 or len(targets) < 2):
        problems.append("Chia tách: một đơn vị cũ tách thành từ hai đơn vị mới trở lên.")
    if kind == LineageKind.RENAME and (len(sources) != 1 or len(targets) != 1):
        problems.append("Đổi tên: một đơn vị cũ thành một đơn vị mới.")
    source_ids = {source.pk for source in sources}
    for source in sources:
        if not source.is_valid_on(day_before):
            problems.append(f"{source}: không có hiệu lực ngày {day_before:%d/%m/%Y}, không thể kết thúc hiệu lực.")
        elif source.valid_to is not None:
            problems.append(f"{source}: đã có ngày hết hiệu lực {source.valid_to:%d/%m/%Y}; "
                            "thay đổi mới sẽ chồng lên lịch sử đã ghi.")
        orphans = OrgUnit.objects.filter(parent=source).valid_on(effective_on).exclude(pk__in=source_ids).count()
        if orphans:
            problems.append(f"{source}: còn {orphans} đơn vị cấp dưới có hiệu lực từ {effective_on:%d/%m/%Y}; "
                            "hãy chuyển chúng sang đơn vị khác trước, để không đơn vị nào bị bỏ lại.")
    seen_codes: set[str] = set()
    for target in targets:
        if target.code in seen_codes:
            problems.append(f"Mã {target.code} khai báo hai lần.")
        seen_codes.add(target.code)
        if not target.name.strip():
            problems.append(f"Đơn vị mới {target.code}: thiếu tên.")
        if target.kind not in UnitKind.values:
            problems.append(f"Đơn vị mới {target.code}: loại '{target.kind}' không hợp lệ.")
        if not target.parent.is_valid_on(effective_on):
            problems.append(f"Đơn vị mới {target.code}: đơn vị cấp trên {target.parent} không có hiệu lực "
                            f"ngày {effective_on:%d/%m/%Y}.")
        if target.parent.pk in source_ids:
            problems.append(f"Đơn vị mới {target.code}: đơn vị cấp trên lại là đơn vị bị kết thúc.")
        overlapping = (OrgUnit.objects.filter(code=target.code).exclude(pk__in=source_ids)
                       .exclude(valid_to__lt=effective_on))
        for other in overlapping:
            problems.append(f"Mã {target.code} đã được {other} sử dụng trong thời gian {other.validity_label}: "
                            "hiệu lực sẽ chồng lấn.")
    return problems


@transaction.atomic
def record_org_unit_change(
    *,
    actor: AbstractBaseUser | None,
    kind: str,
    sources: Sequence[OrgUnit],
    targets: Sequence[NewUnit],
    effective_on: date,
    legal_basis: str = "",
    note: str = "",
) -> list[OrgUnit]:
    """End the validity of ``sources`` the day before ``effective_on`` and create ``targets`` with lineage.

    Nothing is deleted: the old units keep their history and the figures recorded against them; lineage tells the
    engine how to show them on the new units. Refuses (``ChangeRefused``) a change that would leave a unit without
    successor or parent, or make two units with one code valid on the same day. Only an administrator may.
    """
    ensure_permitted(actor, MANAGE_HIERARCHY)
    locked = list(OrgUnit.objects.select_for_update().filter(pk__in=[source.pk for source in sources]))
    problems = _check_change(kind=kind, sources=locked, targets=targets, effective_on=effective_on)
    if problems:
        raise ChangeRefused(problems)
    before = [snapshot(source) for source in locked]
    day_before = effective_on - timedelta(days=1)
    for source in locked:
        source.valid_to = day_before
        source.full_clean()
        source.save(update_fields=["valid_to", "updated_at"])
    created: list[OrgUnit] = []
    for target in targets:
        unit = OrgUnit(
            uid=make_uid(f"orgunit:{target.code}:{effective_on}"), code=target.code,
            name=unicodedata.normalize("NFC", " ".join(target.name.split())), kind=target.kind,
            level=locked[0].level,
            parent=target.parent, path=f"{target.parent.path}{target.code}/", valid_from=effective_on,
            source=legal_basis,
        )
        unit.full_clean()
        unit.save()
        created.append(unit)
        for source in locked:
            Lineage.objects.create(predecessor=source, successor=unit, effective_on=effective_on, kind=kind,
                                   legal_basis=legal_basis, note=note)
    record_event(
        actor=actor, verb=AuditEvent.Verb.RECORD_CHANGE, obj=created[0], action="record_org_unit_change",
        object_repr=f"{LineageKind(kind).label}: {', '.join(map(str, locked))} → {', '.join(map(str, created))}",
        org_unit_path=created[0].parent.path if created[0].parent else "",
        before={"units": before},
        after={"units": [snapshot(unit) for unit in created], "effective_on": effective_on.isoformat(),
               "kind": kind, "legal_basis": legal_basis},
    )
    return created


@dataclass
class VillageImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0  # a row naming a known village counts as updated, its code changed or not
    rejected: list[tuple[int, str]] = field(default_factory=list)


VILLAGE_NAME_HEADERS = {"ten", "ten thon", "ten ban", "thon", "ban", "thon ban", "ten thon ban", "name"}
VILLAGE_CODE_HEADERS = {"ma", "ma thon", "code"}


def read_villages_csv(content: bytes) -> list[Mapping[str, str]]:
    """Rows of a villages CSV (UTF-8, with or without BOM; comma or semicolon), keyed by ``code`` and ``name``."""
    text = content.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, [])
    folded = [fold_text(cell) for cell in header]
    name_index = next((i for i, cell in enumerate(folded) if cell in VILLAGE_NAME_HEADERS), None)
    code_index = next((i for i, cell in enumerate(folded) if cell in VILLAGE_CODE_HEADERS), None)
    if name_index is None:
        raise ValueError("Tệp thiếu cột tên thôn/bản (tiêu đề 'Tên thôn/bản' hoặc 'Thôn/bản').")
    rows: list[Mapping[str, str]] = []
    for cells in reader:
        rows.append({
            "name": cells[name_index] if name_index < len(cells) else "",
            "code": cells[code_index] if code_index is not None and code_index < len(cells) else "",
        })
    return rows


def _create_village(commune: OrgUnit, *, name: str, code: str) -> Village:
    """Create the village, or take the one that a concurrent import of the same commune created meanwhile (two
    child lists of one commune imported at once both name a new village: the second waits for the first to
    commit, then uses its row instead of failing on the unique name)."""
    try:
        with transaction.atomic():
            return Village.objects.create(org_unit=commune, name=name, code=code)
    except IntegrityError:
        return Village.objects.get(org_unit=commune, name=name)


@transaction.atomic
def import_villages(
    *, actor: AbstractBaseUser | None, commune: OrgUnit, rows: Iterable[Mapping[str, str]]
) -> VillageImportResult:
    """Create or update the villages of ``commune``; every row ends created, updated or rejected with a reason.
    Only someone who keeps the commune's villages (its officer, the coordinator, an administrator) may."""
    ensure_permitted(actor, MANAGE_VILLAGES, path=commune.path)
    result = VillageImportResult()
    if commune.level != Level.COMMUNE:
        raise ChangeRefused([f"{commune} không phải đơn vị cấp xã."])
    seen: set[str] = set()
    # the commune's villages by the accent- and case-insensitive key: "Bản Nà tăm" is the existing "Bản Nà Tăm"
    known = {fold_text(village.name): village for village in Village.objects.filter(org_unit=commune)}
    for number, row in enumerate(rows, start=2):
        result.rows += 1
        name = unicodedata.normalize("NFC", " ".join((row.get("name") or "").split()))
        code = (row.get("code") or "").strip()
        if not name:
            result.rejected.append((number, "Thiếu tên thôn/bản."))
            continue
        key = fold_text(name)
        if key in seen:
            result.rejected.append((number, f"Thôn/bản '{name}' trùng với một dòng phía trên."))
            continue
        seen.add(key)
        village = known.get(key)
        if village is None:
            known[key] = _create_village(commune, name=name, code=code)
            result.created += 1
        elif code and village.code != code:
            village.code = code
            village.save(update_fields=["code", "updated_at"])
            result.updated += 1
        else:
            result.updated += 1
    record_event(actor=actor, verb=AuditEvent.Verb.IMPORT, obj=commune, action="import_villages",
                 org_unit_path=commune.path,
                 after={"rows": result.rows, "created": result.created, "updated": result.updated,
                        "rejected": len(result.rejected)})
    return result
