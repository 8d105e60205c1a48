"""Applying batches of accepted rows of a child list to the registry.

Each batch fetches the children it may update in two queries (by ID number, and by name and date of birth in the
commune: the commune's children are indexed once by (accent-free name, birth date) as light records, and the model
instances of the matches only are fetched), then creates children with ``bulk_create`` and residences, guardians,
groups and audit events with prepared ``executemany`` inserts (updates with ``UPDATE … WHERE id``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from treem.core.intake.bulk import Record, insert_rows, update_rows
from treem.core.intake.ethnicity import EthnicGroups
from treem.core.intake.memo import Memo
from treem.core.intake.names import fold_name
from treem.core.intake.rejected import RejectedRowsWriter
from treem.core.models import AuditEvent
from treem.core.request_context import client_ip
from treem.hierarchy.models import OrgUnit, Village
from treem.hierarchy.services import import_villages
from treem.indicators.sources import records_changed
from treem.registry.duplicates import LARGEST_BLOCK, Candidate, Match, block_keys, score_pair
from treem.registry.import_rows import ImportSummary, ParsedRow
from treem.registry.models import (
    Child,
    ChildStatus,
    DatePrecision,
    Guardian,
    GuardianRelationship,
    LegalBasis,
    Residence,
    SpecialCircumstance,
)

BATCH_SIZE = 2000
IMPORT_LEGAL_BASIS_NOTE = "Cập nhật cơ sở dữ liệu trẻ em của xã theo Luật Trẻ em 2016 (nhập từ danh sách của xã)"

Actor = AbstractBaseUser | AnonymousUser | None


def _json_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class BatchWriter:
    """Applies batches of accepted rows to the database."""

    def __init__(self, *, actor: Actor, commune: OrgUnit, as_of: dt.date, summary: ImportSummary,
                 source: str, groups: EthnicGroups, rejected: RejectedRowsWriter | None = None) -> None:
        self.actor = actor
        self.rejected = rejected
        self.real_actor = actor if isinstance(actor, AbstractBaseUser) and actor.pk is not None else None
        self.commune = commune
        self.as_of = as_of
        self.summary = summary
        self.source = source
        self.ethnic_ids = {group.code: group.id for group in groups}
        self.villages = {fold_name(village.name): village for village in Village.objects.filter(org_unit=commune)}
        self.claimed: set[int] = set()
        self.fold = Memo(fold_name)
        self.ip = client_ip()
        self.pairs: list[Match] = []
        # The commune's children by name without accents and date of birth, loaded once as light records: rows
        # are matched against it and the model instances of the matches only are fetched, batch by batch.
        self.known: dict[tuple[str, dt.date], list[Candidate]] = defaultdict(list)
        # The same records by the blocking keys of duplicate detection, to find possible duplicates as rows come.
        self.blocks: dict[tuple[object, ...], list[Candidate]] = defaultdict(list)
        for record in Child.objects.active().filter(commune=commune).values_list(
            "id", "full_name", "name_folded", "birth_date", "birth_date_precision", "sex", "village_id",
            "personal_id",
        ).iterator(chunk_size=10_000):
            self._remember(Candidate(id=record[0], full_name=record[1], name_folded=record[2], birth_date=record[3],
                                     precision=record[4], sex=record[5], commune_id=commune.pk,
                                     village_id=record[6], personal_id=record[7]))

    def _remember(self, known: Candidate) -> None:
        self.known[(known.name_folded, known.birth_date)].append(known)
        for key in block_keys(known, ("commune",)):
            self.blocks[key].append(known)

    # -- helpers ------------------------------------------------------------------------------------------
    def _audit(self, child: Child, verb: str, *, before: dict[str, Any] | None, after: dict[str, Any],
               reason: str) -> Record:
        """The audit event of one imported row, as ``record_event`` writes it (inserted in bulk)."""
        return {
            "actor_id": self.real_actor.pk if self.real_actor is not None else None,
            "actor_username": self.real_actor.get_username() if self.real_actor is not None else "",
            "verb": verb, "action": "import_children", "object_type": "registry.child", "object_id": str(child.pk),
            "object_repr": f"{child.full_name} ({child.birth_date:%d/%m/%Y})"[:255],
            "org_unit_path": self.commune.path, "before": before, "after": after, "reason": reason,
            "ip_address": self.ip,
        }

    def _villages_for(self, rows: list[ParsedRow]) -> None:
        missing: dict[str, str] = {}
        for row in rows:
            if row.village_key and row.village_key not in self.villages:
                missing.setdefault(row.village_key, row.village_name)
        if not missing:
            return
        import_villages(actor=self.real_actor, commune=self.commune, rows=[{"name": name} for name in missing.values()])
        for village in Village.objects.filter(org_unit=self.commune):
            self.villages.setdefault(fold_name(village.name), village)
        self.summary.villages_created.extend(missing.values())

    def _values(self, row: ParsedRow) -> dict[str, Any]:
        """The child's fields the row gives (empty cells give nothing, so they never erase a known value)."""
        values: dict[str, Any] = {
            "full_name": row.full_name, "name_folded": row.name_folded, "birth_date": row.birth_date,
            "birth_date_precision": row.precision, "sex": row.sex,
        }
        if row.ethnic_code is not None:
            values["ethnic_group_id"] = self.ethnic_ids.get(row.ethnic_code)
        if row.personal_id:
            values["personal_id"] = row.personal_id
        if row.village_key:
            values["village_id"] = self.villages[row.village_key].pk
        if row.birth_registered is not None:
            values["is_birth_registered"] = row.birth_registered
        if row.birth_registered_on is not None:
            values["birth_registered_on"] = row.birth_registered_on
        if row.disability is not None:
            values["has_disability"] = row.disability
        if row.disability_note:
            values["disability_note"] = row.disability_note
        if row.health_insurance is not None:
            values["has_health_insurance"] = row.health_insurance
        if row.health_insurance_number:
            values["health_insurance_number"] = row.health_insurance_number
        if row.school_name:
            values["school_name"] = row.school_name
        if row.school_level:
            values["school_level"] = row.school_level
        if row.is_out_of_school is not None:
            values["is_out_of_school"] = row.is_out_of_school
        if row.notes:
            values["notes"] = row.notes
        if row.extra:
            values["extra"] = row.extra
        return values

    @staticmethod
    def _keep_finer_birth_date(child: Child, values: dict[str, Any]) -> None:
        """A row that only knows the year (or month) does not blur a full date of birth already recorded."""
        order = {DatePrecision.YEAR: 0, DatePrecision.MONTH: 1, DatePrecision.DAY: 2}
        new_precision = values["birth_date_precision"]
        if order[child.birth_date_precision] <= order[new_precision]:  # type: ignore[index]
            return
        known, new = child.birth_date, values["birth_date"]
        same = known.year == new.year and (new_precision == DatePrecision.YEAR or known.month == new.month)
        if same:
            values["birth_date"], values["birth_date_precision"] = known, child.birth_date_precision

    # -- one batch ------------------------------------------------------------------------------------------
    def flush(self, rows: list[ParsedRow]) -> None:
        if not rows:
            return
        self._villages_for(rows)
        ids = {row.personal_id for row in rows if row.personal_id}
        by_id: dict[str, list[Child]] = defaultdict(list)
        if ids:
            for child in Child.objects.active().filter(personal_id__in=ids).select_related("commune"):
                by_id[child.personal_id].append(child)
        chosen: list[tuple[ParsedRow, Child | int | None]] = [(row, self._match(row, by_id)) for row in rows]
        wanted = [match for _, match in chosen if isinstance(match, int)]
        fetched = Child.objects.select_related("commune").in_bulk(wanted) if wanted else {}
        creates: list[tuple[ParsedRow, Child, dict[str, Any]]] = []
        updates: list[tuple[ParsedRow, Child]] = []
        for row, match in chosen:
            if match is None:
                values = self._values(row)
                child = Child(commune=self.commune, status=ChildStatus.LIVING, legal_basis=LegalBasis.STATE_DUTY,
                              legal_basis_note=IMPORT_LEGAL_BASIS_NOTE, **values)
                creates.append((row, child, values))
            else:
                updates.append((row, fetched[match] if isinstance(match, int) else match))
        Child.objects.bulk_create([child for _, child, _ in creates], batch_size=BATCH_SIZE)
        events: list[Record] = []
        self._after_create(creates, events)
        refused = self._apply_updates(updates, events)
        records_changed(Child, Residence, SpecialCircumstance)  # bulk writes send no signal
        insert_rows(AuditEvent, events)
        self.summary.created += len(creates)
        self.summary.updated += len(updates) - len(refused)
        for row, reason in refused:
            self.summary.reject(row.number, reason)
            if self.rejected is not None:
                self.rejected.write(row.number, row.cells, reason)
        refused_numbers = {row.number for row, _ in refused}
        created = {row.number: child.pk for row, child, _ in creates}
        updated = {row.number: child.pk for row, child in updates}
        for row in rows:
            if row.number not in refused_numbers:
                self.summary.warn(row.number, row.warnings)
                is_new = row.number in created
                self.summary.accept(row.number, "created" if is_new else "updated",
                                    created[row.number] if is_new else updated.get(row.number), row.warnings)

    def _match(self, row: ParsedRow, by_id: dict[str, list[Child]]) -> Child | int | None:
        """The record this row updates (an instance, or the id of one in the commune), or None for a new child."""
        if row.personal_id:
            found = [child for child in by_id.get(row.personal_id, []) if child.pk not in self.claimed]
            if found:
                found.sort(key=lambda child: (child.commune_id != self.commune.pk, -child.pk))
                self.claimed.add(found[0].pk)
                return found[0]
        candidates = [known for known in self.known.get((row.name_folded, row.birth_date), [])
                      if known.full_name == row.full_name and known.id not in self.claimed
                      and (not known.personal_id or known.personal_id == row.personal_id or not row.personal_id)]
        if not candidates:
            return None
        village = self.villages[row.village_key].pk if row.village_key else None
        candidates.sort(key=lambda known: (known.village_id != village, known.id))
        self.claimed.add(candidates[0].id)
        return candidates[0].id

    def _after_create(self, creates: list[tuple[ParsedRow, Child, dict[str, Any]]], events: list[Record]) -> None:
        residences: list[Record] = []
        guardians: list[Record] = []
        memberships: list[Record] = []
        reason = f"Nhập từ tệp {self.source}"
        for row, child, values in creates:
            self.claimed.add(child.pk)
            residences.append({"child_id": child.pk, "commune_id": self.commune.pk, "village_id": child.village_id})
            after = {key: (_json_date(value) if isinstance(value, dt.date) else value)
                     for key, value in values.items() if key != "name_folded"}
            if row.guardian_name:
                guardians.append(self._new_guardian(child, row))
                after["guardian"] = row.guardian_name
            if row.special:
                for letter in sorted(row.special):
                    memberships.append({"child_id": child.pk, "group": letter, "identified_on": self.as_of})
                after["special_circumstances"] = sorted(row.special)
            events.append(self._audit(child, AuditEvent.Verb.CREATE, before=None, after=after,
                                      reason=f"{reason}, dòng {row.number}"))
            self._look_for_twins(row, child)
        insert_rows(Residence, residences)
        insert_rows(Guardian, guardians)
        insert_rows(SpecialCircumstance, memberships)

    def _look_for_twins(self, row: ParsedRow, child: Child) -> None:
        """Possible duplicates: earlier records of the commune (already there, or from earlier rows) that duplicate
        detection would pair with this child (a name alike without accents, a birth date alike)."""
        me = _candidate(child, row.guardian_name)
        seen: set[int] = set()
        matches: list[Match] = []
        for key in block_keys(me, ("commune",)):
            block = self.blocks.get(key, [])
            if len(block) > LARGEST_BLOCK:
                continue
            for other in block:
                if other.id in seen:
                    continue
                seen.add(other.id)
                match = score_pair(me, other)
                if match is not None:
                    matches.append(match)
        self._remember(me)
        if matches:
            self.pairs.extend(matches)
            self.summary.possible_duplicates += 1

    def _new_guardian(self, child: Child, row: ParsedRow) -> Record:
        return {"child_id": child.pk, "full_name": row.guardian_name, "name_folded": self.fold(row.guardian_name),
                "relationship": row.guardian_relationship or GuardianRelationship.CARER, "phone": row.guardian_phone}

    def _apply_updates(
        self, updates: list[tuple[ParsedRow, Child]], events: list[Record]
    ) -> list[tuple[ParsedRow, str]]:
        """Apply the rows that update a record; returns the rows refused, with the reason."""
        refused: list[tuple[ParsedRow, str]] = []
        if not updates:
            return refused
        child_ids = [child.pk for _, child in updates]
        guardians: dict[int, list[Guardian]] = defaultdict(list)
        for guardian in Guardian.objects.filter(child_id__in=child_ids):
            guardians[guardian.child_id].append(guardian)
        memberships: dict[int, list[SpecialCircumstance]] = defaultdict(list)
        for membership in SpecialCircumstance.objects.filter(child_id__in=child_ids, ended_on__isnull=True):
            memberships[membership.child_id].append(membership)
        residences = {residence.child_id: residence for residence in
                      Residence.objects.filter(child_id__in=child_ids, moved_out_on__isnull=True)}
        changed_children: list[Child] = []
        changed_fields: set[str] = set()
        new_guardians: list[Record] = []
        changed_guardians: list[Guardian] = []
        new_memberships: list[Record] = []
        ended_memberships: list[SpecialCircumstance] = []
        new_residences: list[Record] = []
        changed_residences: list[Residence] = []
        reason = f"Nhập từ tệp {self.source}"
        for row, child in updates:
            values = self._values(row)
            self._keep_finer_birth_date(child, values)
            if "extra" in values:
                values["extra"] = {**child.extra, **values["extra"]}
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            residence = residences.get(child.pk)
            if child.commune_id != self.commune.pk:
                if residence is not None and residence.moved_in_on is not None and residence.moved_in_on >= self.as_of:
                    refused.append((row, f"Số định danh trùng với trẻ đang ở {child.commune.name} từ ngày "
                                         f"{residence.moved_in_on:%d/%m/%Y}, sau ngày số liệu "
                                         f"{self.as_of:%d/%m/%Y}: kiểm tra số định danh hoặc ngày số liệu"))
                    continue
                row.warnings.append(f"Trẻ chuyển đến từ {child.commune.name} (cùng số định danh)")
                before["commune_id"], after["commune_id"] = child.commune_id, self.commune.pk
                child.commune = self.commune
                if residence is not None:
                    residence.moved_out_on = self.as_of
                    changed_residences.append(residence)
                new_residences.append({"child_id": child.pk, "commune_id": self.commune.pk,
                                       "moved_in_on": self.as_of, "village_id": values.get("village_id")})
                if child.status == ChildStatus.MOVED_AWAY:
                    values["status"], values["status_on"] = ChildStatus.LIVING, self.as_of
                changed_fields.add("commune")
                self.summary.moved_here += 1
            elif residence is not None and "village_id" in values and residence.village_id != values["village_id"]:
                residence.village_id = values["village_id"]
                changed_residences.append(residence)
            for key, value in values.items():
                current = getattr(child, key)
                if current != value:
                    before[key] = _json_date(current) if isinstance(current, dt.date) else current
                    after[key] = _json_date(value) if isinstance(value, dt.date) else value
                    setattr(child, key, value)
                    changed_fields.add(key)
            self._update_guardian(row, child, guardians[child.pk], new_guardians, changed_guardians, before, after)
            self._update_memberships(row, child, memberships[child.pk], new_memberships, ended_memberships,
                                     before, after)
            if before or after:
                changed_children.append(child)
                events.append(self._audit(child, AuditEvent.Verb.UPDATE, before=before, after=after,
                                          reason=f"{reason}, dòng {row.number}"))
        fields = sorted(changed_fields - {"guardian", "special_circumstances"})
        if changed_children and fields:
            now = timezone.now()
            for child in changed_children:
                child.updated_at = now
            update_rows(Child, changed_children, [*fields, "updated_at"])
        self.summary.changed += len(changed_children)
        insert_rows(Guardian, new_guardians)
        update_rows(Guardian, changed_guardians, ["phone", "relationship"])
        insert_rows(SpecialCircumstance, new_memberships)
        update_rows(SpecialCircumstance, ended_memberships, ["ended_on"])
        update_rows(Residence, changed_residences, ["moved_out_on", "village"])
        insert_rows(Residence, new_residences)
        return refused

    def _update_guardian(self, row: ParsedRow, child: Child, known: list[Guardian], new: list[Record],
                         changed: list[Guardian], before: dict[str, Any], after: dict[str, Any]) -> None:
        if not row.guardian_name:
            return
        key = fold_name(row.guardian_name)
        guardian = next((g for g in known if g.name_folded == key), None)
        if guardian is None:
            new.append(self._new_guardian(child, row))
            after["guardian"] = row.guardian_name
            return
        old = {"phone": guardian.phone, "relationship": guardian.relationship}
        if row.guardian_phone and guardian.phone != row.guardian_phone:
            guardian.phone = row.guardian_phone
        if row.guardian_relationship and guardian.relationship != row.guardian_relationship:
            guardian.relationship = row.guardian_relationship
        if old != {"phone": guardian.phone, "relationship": guardian.relationship}:
            changed.append(guardian)
            before["guardian"] = {"name": guardian.full_name, **old}
            after["guardian"] = {"name": guardian.full_name, "phone": guardian.phone,
                                 "relationship": guardian.relationship}

    def _update_memberships(self, row: ParsedRow, child: Child, current: list[SpecialCircumstance],
                            new: list[Record], ended: list[SpecialCircumstance],
                            before: dict[str, Any], after: dict[str, Any]) -> None:
        if row.special is None:
            return
        letters = {membership.group for membership in current}
        if letters == set(row.special):
            return
        for letter in sorted(set(row.special) - letters):
            new.append({"child_id": child.pk, "group": letter, "identified_on": self.as_of})
        for membership in current:
            if membership.group not in row.special:
                membership.ended_on = self.as_of
                ended.append(membership)
        before["special_circumstances"] = sorted(letters)
        after["special_circumstances"] = sorted(row.special)


def _candidate(child: Child, guardian: str) -> Candidate:
    return Candidate(id=child.pk, full_name=child.full_name, name_folded=child.name_folded,
                     birth_date=child.birth_date, precision=child.birth_date_precision, sex=child.sex,
                     commune_id=child.commune_id, village_id=child.village_id, personal_id=child.personal_id,
                     guardian_folded=fold_name(guardian) if guardian else "")


