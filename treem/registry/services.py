"""Writes to the child registry: each service is atomic, validates, and leaves one audit event on the child.

Every event about a child (its guardians, consents, special circumstances, residences included) is recorded on
the child record itself, so that the child's history is ``AuditEvent.objects.for_object(child)``. Values typed by
people go through the same standardisation as imported files (names in NFC title case, legacy fonts converted,
ID numbers with their leading zero restored).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.core.access import ensure_permitted
from treem.core.audit import record_event, record_read, snapshot
from treem.core.intake.identity import parse_personal_id
from treem.core.intake.names import fold_name, standardise_name
from treem.core.intake.values import parse_phone
from treem.core.models import AuditEvent, EthnicGroup
from treem.hierarchy.models import Level, OrgUnit, Village
from treem.registry.models import (
    ADULT_AGE,
    Child,
    ChildStatus,
    Consent,
    ConsentGiver,
    DatePrecision,
    DuplicateCandidate,
    DuplicateStatus,
    Guardian,
    GuardianRelationship,
    LegalBasis,
    Residence,
    SpecialCircumstance,
    SpecialCircumstanceGroup,
    age_on,
)
from treem.registry.permissions import EDIT_CHILDREN, REVIEW_DUPLICATES

Actor = AbstractBaseUser | AnonymousUser | None

EDITABLE_FIELDS = (
    "full_name", "birth_date", "birth_date_precision", "sex", "ethnic_group", "personal_id", "is_birth_registered",
    "birth_registered_on", "has_health_insurance", "health_insurance_number", "village", "school_level",
    "school_name", "is_out_of_school", "has_disability", "disability_note", "legal_basis", "legal_basis_note",
    "notes",
)


def _clean_identity(values: dict[str, Any]) -> dict[str, Any]:
    """Standardise name and ID number in ``values`` (in place) and raise field errors in Vietnamese."""
    errors: dict[str, str] = {}
    if "full_name" in values:
        name = standardise_name(values["full_name"])
        if name.value is None:
            errors["full_name"] = name.error or "Họ tên để trống"
        else:
            values["full_name"] = name.value
            values["name_folded"] = fold_name(name.value)
    if values.get("personal_id"):
        parsed = parse_personal_id(values["personal_id"])
        if parsed.value is None:
            errors["personal_id"] = parsed.error or "Số định danh không hợp lệ"
        else:
            values["personal_id"] = parsed.value
    elif "personal_id" in values:
        values["personal_id"] = ""
    if errors:
        raise ValidationError(errors)
    return values


def _check_age(birth_date: date, *, on: date) -> None:
    if birth_date > on:
        raise ValidationError({"birth_date": f"Ngày sinh {birth_date:%d/%m/%Y} ở tương lai."})
    if age_on(birth_date, on) >= ADULT_AGE:
        raise ValidationError({"birth_date": f"Người sinh ngày {birth_date:%d/%m/%Y} đã đủ 16 tuổi, không phải "
                                             "trẻ em."})


def _check_village(village: Village | None, commune: OrgUnit) -> None:
    if village is not None and village.org_unit_id != commune.pk:
        raise ValidationError({"village": f"Thôn/bản {village.name} không thuộc {commune.name}."})


class StaleChild(Exception):
    """An edit based on a version of the record that somebody else has changed since; nothing was saved."""

    def __init__(self, *, current_version: str) -> None:
        super().__init__(_("Hồ sơ đã được người khác sửa; hãy tải lại rồi sửa lại."))
        self.current_version = current_version


def _ensure_editor(actor: Actor, child: Child) -> None:
    """Refuse anyone who may not edit the records of the child's commune (read afresh: the caller's instance may
    be stale)."""
    path = Child.objects.filter(pk=child.pk).values_list("commune__path", flat=True).first()
    ensure_permitted(actor, EDIT_CHILDREN, path=path or "")


def _ensure_reviewer(actor: Actor, candidate: DuplicateCandidate) -> None:
    """Refuse anyone who may not review duplicates in the communes of both children of the pair."""
    for path in Child.objects.filter(pk__in=[candidate.child_a_id, candidate.child_b_id]).values_list(
            "commune__path", flat=True):
        ensure_permitted(actor, REVIEW_DUPLICATES, path=path)


def _record(actor: Actor, child: Child, *, verb: str, action: str, before: Mapping[str, Any] | None = None,
            after: Mapping[str, Any] | None = None, reason: str = "") -> AuditEvent:
    return record_event(actor=actor, verb=verb, obj=child, action=action, org_unit_path=child.commune.path,
                        before=before, after=after, reason=reason)


@transaction.atomic
def register_child(
    *,
    actor: Actor,
    commune: OrgUnit,
    full_name: str,
    birth_date: date,
    sex: str,
    today: date,
    birth_date_precision: str = DatePrecision.DAY,
    ethnic_group: EthnicGroup | None = None,
    personal_id: str = "",
    village: Village | None = None,
    is_demo: bool = False,
    **other: Any,
) -> Child:
    """Add a child to the registry of ``commune`` (a commune valid on ``today``), living there since birth."""
    ensure_permitted(actor, EDIT_CHILDREN, path=commune.path)
    if commune.level != Level.COMMUNE or not commune.is_valid_on(today):
        raise ValidationError({"commune": f"{commune} không phải đơn vị cấp xã đang có hiệu lực."})
    unknown = set(other) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _check_age(birth_date, on=today)
    _check_village(village, commune)
    values = _clean_identity({"full_name": full_name, "personal_id": personal_id})
    child = Child(commune=commune, village=village, birth_date=birth_date, birth_date_precision=birth_date_precision,
                  sex=sex, ethnic_group=ethnic_group, is_demo=is_demo, **values, **other)
    child.full_clean()
    child.save()
    Residence.objects.create(child=child, commune=commune, village=village)
    _record(actor, child, verb=AuditEvent.Verb.CREATE, action="register_child", after=snapshot(child))
    return child


@transaction.atomic
def update_child(*, actor: Actor, child: Child, changes: Mapping[str, Any], today: date, reason: str = "",
                 expected_version: str | None = None) -> Child:
    """Change the fields in ``changes`` (see ``EDITABLE_FIELDS``); the event keeps the values before and after.

    With ``expected_version`` (``Child.version`` as the editor read it), a record changed since is refused with
    ``StaleChild`` and nothing is saved."""
    _ensure_editor(actor, child)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: "Trường này không sửa được ở đây." for field in unknown})
    child = Child.objects.select_for_update(of=("self",)).select_related("commune").get(pk=child.pk)
    if expected_version is not None and expected_version != child.version:
        raise StaleChild(current_version=child.version)
    before = snapshot(child)
    values = _clean_identity(dict(changes))
    for field, value in values.items():
        setattr(child, field, value)
    if "birth_date" in values:
        _check_age(child.birth_date, on=today)
    if "village" in values:
        _check_village(child.village, child.commune)
    child.full_clean()
    after = snapshot(child)
    changed = {key for key in after if before.get(key) != after.get(key)} - {"updated_at"}
    if not changed:
        return child
    child.save()
    if "village_id" in changed:
        Residence.objects.filter(child=child, moved_out_on__isnull=True).update(village=child.village)
    _record(actor, child, verb=AuditEvent.Verb.UPDATE, action="update_child", reason=reason,
            before={key: before.get(key) for key in sorted(changed)},
            after={key: after.get(key) for key in sorted(changed)})
    return child


@transaction.atomic
def move_child(
    *, actor: Actor, child: Child, commune: OrgUnit, moved_on: date, village: Village | None = None
) -> Child:
    """The child now lives in ``commune``: the current residence ends on ``moved_on`` and a new one begins.

    The record, its history and its links stay the same; the child is then seen by the officers of the new commune.
    Whoever records the move must be able to edit the records of both communes.
    """
    _ensure_editor(actor, child)
    ensure_permitted(actor, EDIT_CHILDREN, path=commune.path)
    if commune.level != Level.COMMUNE or not commune.is_valid_on(moved_on):
        raise ValidationError({"commune": f"{commune} không phải đơn vị cấp xã có hiệu lực ngày {moved_on:%d/%m/%Y}."})
    _check_village(village, commune)
    child = Child.objects.select_for_update(of=("self",)).select_related("commune").get(pk=child.pk)
    current = Residence.objects.filter(child=child, moved_out_on__isnull=True).first()
    if current is not None and current.moved_in_on is not None and current.moved_in_on >= moved_on:
        raise ValidationError({"moved_on": f"Ngày chuyển phải sau ngày đến ở ({current.moved_in_on:%d/%m/%Y})."})
    before = {"commune_id": child.commune_id, "commune": child.commune.name, "village_id": child.village_id}
    old_path = child.commune.path
    if current is not None:
        current.moved_out_on = moved_on
        current.save(update_fields=["moved_out_on", "updated_at"])
    Residence.objects.create(child=child, commune=commune, village=village, moved_in_on=moved_on)
    child.commune = commune
    child.village = village
    if child.status == ChildStatus.MOVED_AWAY:
        child.status, child.status_on = ChildStatus.LIVING, moved_on
    child.save(update_fields=["commune", "village", "status", "status_on", "updated_at"])
    after = {"commune_id": commune.pk, "commune": commune.name, "village_id": village.pk if village else None,
             "moved_on": moved_on}
    _record(actor, child, verb=AuditEvent.Verb.UPDATE, action="move_child", before=before, after=after,
            reason=f"Chuyển từ {before['commune']} ({old_path}) đến {commune.name}")
    return child


@transaction.atomic
def record_child_status(*, actor: Actor, child: Child, status: str, status_on: date, reason: str = "") -> Child:
    """Record that the child lives here, moved away (out of the province or to an unknown place), turned 16 or died."""
    _ensure_editor(actor, child)
    if status not in ChildStatus.values:
        raise ValidationError({"status": "Tình trạng không hợp lệ."})
    child = Child.objects.select_for_update(of=("self",)).select_related("commune").get(pk=child.pk)
    if status == ChildStatus.TURNED_16 and age_on(child.birth_date, status_on) < ADULT_AGE:
        raise ValidationError({"status_on": f"Ngày {status_on:%d/%m/%Y} trẻ chưa đủ 16 tuổi."})
    before = {"status": child.status, "status_on": child.status_on}
    child.status, child.status_on = status, status_on
    child.full_clean()
    child.save(update_fields=["status", "status_on", "updated_at"])
    if status == ChildStatus.MOVED_AWAY:
        Residence.objects.filter(child=child, moved_out_on__isnull=True).exclude(
            moved_in_on__gte=status_on).update(moved_out_on=status_on)
    _record(actor, child, verb=AuditEvent.Verb.TRANSITION, action="record_child_status", reason=reason,
            before=before, after={"status": status, "status_on": status_on})
    return child


@transaction.atomic
def delete_child(*, actor: Actor, child: Child, reason: str) -> Child:
    """Soft-delete a record entered by mistake; it disappears from lists and counts and its history stays."""
    _ensure_editor(actor, child)
    if not reason.strip():
        raise ValidationError({"reason": "Cần ghi lý do xoá."})
    child = Child.objects.select_for_update(of=("self",)).select_related("commune").get(pk=child.pk)
    child.deleted_at = timezone.now()
    child.deletion_reason = reason.strip()[:255]
    child.save(update_fields=["deleted_at", "deletion_reason", "updated_at"])
    _record(actor, child, verb=AuditEvent.Verb.DELETE, action="delete_child", reason=child.deletion_reason,
            before={"deleted_at": None}, after={"deleted_at": child.deleted_at})
    return child


def guess_relationship(text: str) -> str | None:
    """The relationship a free text names ("Bố", "mẹ đẻ", "Ông nội", "Giám hộ"…), or None."""
    words = fold_name(text).split()
    if not words:
        return None
    first = words[0]
    table = {"cha": GuardianRelationship.FATHER, "bo": GuardianRelationship.FATHER, "me": GuardianRelationship.MOTHER,
             "ong": GuardianRelationship.GRANDPARENT, "ba": GuardianRelationship.GRANDPARENT,
             "anh": GuardianRelationship.SIBLING, "chi": GuardianRelationship.SIBLING,
             "cau": GuardianRelationship.RELATIVE, "di": GuardianRelationship.RELATIVE,
             "co": GuardianRelationship.RELATIVE, "chu": GuardianRelationship.RELATIVE,
             "bac": GuardianRelationship.RELATIVE, "thim": GuardianRelationship.RELATIVE,
             "giam": GuardianRelationship.GUARDIAN, "nguoi": GuardianRelationship.CARER}
    if "giam" in words and "ho" in words:
        return GuardianRelationship.GUARDIAN
    return table.get(first)


@transaction.atomic
def add_guardian(
    *, actor: Actor, child: Child, full_name: str, relationship: str = GuardianRelationship.CARER, phone: str = "",
    personal_id: str = "",
) -> Guardian:
    """Add a parent, guardian or carer to the child's record."""
    _ensure_editor(actor, child)
    name = standardise_name(full_name)
    if name.value is None:
        raise ValidationError({"full_name": name.error or "Họ tên để trống"})
    errors: dict[str, str] = {}
    parsed_phone = parse_phone(phone) if phone else None
    if parsed_phone is not None and parsed_phone.value is None:
        errors["phone"] = parsed_phone.error or "Số điện thoại không hợp lệ"
    parsed_id = parse_personal_id(personal_id) if personal_id else None
    if parsed_id is not None and parsed_id.value is None:
        errors["personal_id"] = parsed_id.error or "Số định danh không hợp lệ"
    if errors:
        raise ValidationError(errors)
    guardian = Guardian(child=child, full_name=name.value, name_folded=fold_name(name.value),
                        relationship=relationship, phone=(parsed_phone.value or "") if parsed_phone else "",
                        personal_id=parsed_id.value if parsed_id and parsed_id.value else "")
    guardian.full_clean()
    guardian.save()
    _record(actor, child, verb=AuditEvent.Verb.UPDATE, action="add_guardian",
            after={"guardian": snapshot(guardian)})
    return guardian


@transaction.atomic
def record_consent(
    *, actor: Actor, child: Child, given_by: str, purpose: str, given_on: date, guardian: Guardian | None = None,
    note: str = "", today: date,
) -> Consent:
    """Record a consent; the child's own consent is recorded only from age 7, a guardian's names the guardian."""
    _ensure_editor(actor, child)
    errors: dict[str, str] = {}
    if given_on > today:
        errors["given_on"] = "Ngày đồng ý ở tương lai."
    if given_by == ConsentGiver.CHILD and child.age_on(given_on) < 7:
        errors["given_by"] = "Trẻ dưới 7 tuổi chưa tự đồng ý; ghi sự đồng ý của cha, mẹ hoặc người giám hộ."
    if guardian is not None and guardian.child_id != child.pk:
        errors["guardian"] = "Người này không phải cha, mẹ, người chăm sóc của trẻ."
    if errors:
        raise ValidationError(errors)
    consent = Consent(child=child, given_by=given_by, purpose=purpose, given_on=given_on, guardian=guardian,
                      note=note)
    consent.full_clean()
    consent.save()
    _record(actor, child, verb=AuditEvent.Verb.UPDATE, action="record_consent", after={"consent": snapshot(consent)})
    return consent


@transaction.atomic
def withdraw_consent(*, actor: Actor, consent: Consent, withdrawn_on: date) -> Consent:
    """Record that a consent was withdrawn on ``withdrawn_on``."""
    _ensure_editor(actor, consent.child)
    if withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": "Ngày rút lại trước ngày đồng ý."})
    before = snapshot(consent)
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on", "updated_at"])
    _record(actor, consent.child, verb=AuditEvent.Verb.UPDATE, action="withdraw_consent",
            before={"consent": before}, after={"consent": snapshot(consent)})
    return consent


@transaction.atomic
def set_legal_basis(*, actor: Actor, child: Child, legal_basis: str, note: str = "", today: date) -> Child:
    """Record the legal basis used to keep a record that lacks the required consent."""
    _ensure_editor(actor, child)
    if legal_basis not in LegalBasis.values:
        raise ValidationError({"legal_basis": "Căn cứ không hợp lệ."})
    if legal_basis != LegalBasis.CONSENT and not note.strip():
        raise ValidationError({"legal_basis_note": "Cần ghi rõ căn cứ (ví dụ: văn bản, tình huống)."})
    return update_child(actor=actor, child=child, today=today,
                        changes={"legal_basis": legal_basis, "legal_basis_note": note.strip()})


@transaction.atomic
def add_special_circumstance(
    *, actor: Actor, child: Child, group: str, identified_on: date | None, subgroup: str = "",
    is_supported: bool = False, support_note: str = "",
) -> SpecialCircumstance:
    """Record that the child belongs to a group of Article 10 (a–o) from ``identified_on``."""
    _ensure_editor(actor, child)
    if group not in SpecialCircumstanceGroup.values:
        raise ValidationError({"group": "Nhóm không hợp lệ (dùng các chữ a–o của Điều 10 Luật Trẻ em)."})
    membership = SpecialCircumstance(child=child, group=group, subgroup=subgroup, identified_on=identified_on,
                                     is_supported=is_supported, support_note=support_note)
    membership.full_clean()
    membership.save()
    _record(actor, child, verb=AuditEvent.Verb.UPDATE, action="add_special_circumstance",
            after={"special_circumstance": snapshot(membership)})
    return membership


@transaction.atomic
def update_special_circumstance(
    *, actor: Actor, membership: SpecialCircumstance, changes: Mapping[str, Any]
) -> SpecialCircumstance:
    """Change the support, sub-group or end date of a membership."""
    _ensure_editor(actor, membership.child)
    allowed = {"subgroup", "is_supported", "support_note", "ended_on"}
    if set(changes) - allowed:
        raise ValidationError({field: "Trường này không sửa được." for field in set(changes) - allowed})
    before = snapshot(membership)
    for field, value in changes.items():
        setattr(membership, field, value)
    membership.full_clean()
    membership.save()
    _record(actor, membership.child, verb=AuditEvent.Verb.UPDATE, action="update_special_circumstance",
            before={"special_circumstance": before}, after={"special_circumstance": snapshot(membership)})
    return membership


def _links_to_child() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) of a foreign key, in any app, that points at a child (the duplicate pairs aside)."""
    links: list[tuple[type[models.Model], str]] = []
    for relation in Child._meta.get_fields(include_hidden=True):
        if not isinstance(relation, models.ForeignObjectRel) or not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.field.model
        if model is DuplicateCandidate:
            continue
        links.append((model, relation.field.name))
    return links


@transaction.atomic
def merge_duplicate_children(
    *, actor: Actor, candidate: DuplicateCandidate, keep: Child, today: date
) -> Child:
    """Merge the pair into ``keep``: every link (guardians, residences, consents, special circumstances and the
    records of other modules) moves to the kept record, its empty fields are filled from the other, and the other
    record is marked merged; both histories stay and the kept record's page shows them together.
    Only a reviewer of duplicates in the communes of both children may merge them.
    """
    _ensure_reviewer(actor, candidate)
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateStatus.OPEN:
        raise ValidationError(_("Cặp hồ sơ này đã được xử lý."))
    if keep.pk not in (candidate.child_a_id, candidate.child_b_id):
        raise ValidationError(_("Hồ sơ giữ lại phải là một trong hai hồ sơ của cặp."))
    other_id = candidate.child_b_id if keep.pk == candidate.child_a_id else candidate.child_a_id
    keep = Child.objects.select_for_update(of=("self",)).select_related("commune").get(pk=keep.pk)
    other = Child.objects.select_for_update(of=("self",)).select_related("commune").get(pk=other_id)
    if not keep.is_active or not other.is_active:
        raise ValidationError(_("Một trong hai hồ sơ đã bị xoá hoặc đã được gộp."))
    before_keep = snapshot(keep)
    filled: dict[str, Any] = {}
    for field in EDITABLE_FIELDS:
        mine, theirs = getattr(keep, field), getattr(other, field)
        if mine in (None, "") and theirs not in (None, ""):
            setattr(keep, field, theirs)
            filled[field] = theirs
    if "full_name" in filled:
        keep.name_folded = fold_name(keep.full_name)
    keep.save()
    moved: dict[str, int] = {}
    their_residences = list(
        Residence.objects.filter(child=other, moved_out_on__isnull=True).values_list("pk", flat=True))
    left: dict[str, int] = {}
    for model, field_name in _links_to_child():
        label = f"{model._meta.label_lower}.{field_name}"
        count, kept_back = _move_links(model, field_name, other=other, keep=keep)
        if count:
            moved[label] = count
        if kept_back:
            left[label] = kept_back
    # The merged record's current residence duplicates the kept one's: it ends today.
    Residence.objects.filter(pk__in=their_residences).filter(
        models.Q(moved_in_on__isnull=True) | models.Q(moved_in_on__lt=today)).update(moved_out_on=today)
    other.merged_into = keep
    other.save(update_fields=["merged_into", "updated_at"])
    now = timezone.now()
    candidate.status, candidate.decided_by, candidate.decided_at = DuplicateStatus.MERGED, _user_or_none(actor), now
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _resolve_pairs_of_merged(other=other, keep=keep)
    after_keep = snapshot(keep)
    changed = sorted(key for key in after_keep if before_keep.get(key) != after_keep.get(key) and key != "updated_at")
    _record(actor, keep, verb=AuditEvent.Verb.UPDATE, action="merge_duplicate_children",
            reason=f"Gộp hồ sơ #{other.pk} vào hồ sơ này",
            before={key: before_keep.get(key) for key in changed},
            after={**{key: after_keep.get(key) for key in changed}, "merged_record": other.pk, "moved_links": moved,
                   "links_left_on_merged_record": left})
    _record(actor, other, verb=AuditEvent.Verb.UPDATE, action="merge_duplicate_children",
            reason=f"Đã gộp vào hồ sơ #{keep.pk}", before={"merged_into_id": None},
            after={"merged_into_id": keep.pk})
    return keep


def _move_links(model: type[models.Model], field_name: str, *, other: Child, keep: Child) -> tuple[int, int]:
    """Point ``model``'s rows from ``other`` to ``keep``; returns (moved, left behind).

    A row that would break a uniqueness rule of its own model once moved (for example two measurements of the same
    child on the same day) stays linked to the merged record, which still leads to the kept one.
    """
    rows = model._base_manager.filter(**{field_name: other})
    try:
        with transaction.atomic():
            return rows.update(**{field_name: keep}), 0
    except IntegrityError:
        pass
    moved = left = 0
    for pk in list(rows.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=pk).update(**{field_name: keep})
            moved += 1
        except IntegrityError:
            left += 1
    return moved, left


def _resolve_pairs_of_merged(*, other: Child, keep: Child) -> None:
    """Other open pairs of the merged record now concern the kept one (or disappear when they pair the two)."""
    for pair in DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN).filter(
        models.Q(child_a=other) | models.Q(child_b=other)
    ):
        partner = pair.child_b_id if pair.child_a_id == other.pk else pair.child_a_id
        low, high = sorted((partner, keep.pk))
        if low == high or DuplicateCandidate.objects.filter(child_a_id=low, child_b_id=high).exists():
            pair.delete()
            continue
        pair.child_a_id, pair.child_b_id = low, high
        pair.save(update_fields=["child_a", "child_b", "updated_at"])


def _user_or_none(actor: Actor) -> Any:
    return actor if isinstance(actor, AbstractBaseUser) and actor.pk is not None else None


@transaction.atomic
def mark_not_same_child(*, actor: Actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """The officer decided the two records are different children; the pair is not proposed again."""
    _ensure_reviewer(actor, candidate)
    candidate = DuplicateCandidate.objects.select_for_update(of=("self",)).select_related("child_a__commune").get(
        pk=candidate.pk)
    if candidate.status != DuplicateStatus.OPEN:
        raise ValidationError(_("Cặp hồ sơ này đã được xử lý."))
    candidate.status = DuplicateStatus.NOT_SAME
    candidate.decided_by, candidate.decided_at = _user_or_none(actor), timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    child_b = Child.objects.select_related("commune").get(pk=candidate.child_b_id)
    for child, partner in ((candidate.child_a, child_b), (child_b, candidate.child_a)):
        _record(actor, child, verb=AuditEvent.Verb.UPDATE, action="mark_not_same_child",
                reason=f"Không phải cùng một trẻ với hồ sơ #{partner.pk}",
                after={"duplicate_pair": candidate.pk, "status": DuplicateStatus.NOT_SAME})
    return candidate


def record_child_opened(*, actor: Actor, child: Child) -> None:
    """Record that ``actor`` opened the record of ``child`` (a page or an API read)."""
    record_read(actor=actor, obj=child, org_unit_path=child.commune.path)


def record_children_export(
    *, actor: Actor, child_ids: list[int], org_unit_path: str, description: str, full_ids: bool
) -> AuditEvent:
    """Record an export of children's identities: who, when, the scope and filters, and which records."""
    return record_event(actor=actor, verb=AuditEvent.Verb.EXPORT, object_type="registry.child",
                        object_repr=f"Xuất danh sách {len(child_ids)} trẻ em", org_unit_path=org_unit_path,
                        action="export_children", reason=description,
                        after={"count": len(child_ids), "full_personal_ids": full_ids, "child_ids": child_ids})
