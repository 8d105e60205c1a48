"""Writes to the registry keep the history of every change; moves and merges keep the record and its links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.registry import services
from treem.registry.models import (
    Child,
    ChildStatus,
    ConsentGiver,
    ConsentPurpose,
    DuplicateCandidate,
    DuplicateStatus,
    Guardian,
    LegalBasis,
    Residence,
    SpecialCircumstance,
    consent_state,
)
from treem.registry.selectors import history_of
from treem.registry.tests.factories import GuardianFactory, child_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 1)


def test_registering_a_child_standardises_it_and_records_the_creation() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    child = services.register_child(actor=officer, commune=unit("03390"), full_name="  lò   văn sình ",
                                    birth_date=dt.date(2019, 1, 2), sex="M", today=TODAY, personal_id="12219000001")
    assert (child.full_name, child.name_folded, child.personal_id) == ("Lò Văn Sình", "lo van sinh", "012219000001")
    assert Residence.objects.filter(child=child, moved_in_on__isnull=True, moved_out_on__isnull=True).exists()
    event = AuditEvent.objects.for_object(child).get()
    assert (event.verb, event.actor, event.action) == ("create", officer, "register_child")


@pytest.mark.parametrize(("birth_date", "message"), [(dt.date(2010, 4, 30), "đã đủ 16 tuổi"),
                                                     (dt.date(2026, 5, 2), "ở tương lai")])
def test_a_person_of_16_or_a_future_birth_is_refused(birth_date: dt.date, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        services.register_child(actor=None, commune=unit("03390"), full_name="Lò Văn A", birth_date=birth_date,
                                sex="M", today=TODAY)


def test_every_change_is_kept_with_the_values_before_and_after() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    child = child_in("03390", full_name="Lò Văn Sinh")
    services.update_child(actor=officer, child=child, changes={"full_name": "Lò Văn Sình", "notes": "đã xác minh"},
                          today=TODAY, reason="sửa dấu")
    services.update_child(actor=officer, child=child, changes={"full_name": "Lò Văn Sình"}, today=TODAY)
    event = history_of(child).get()
    assert event.before == {"full_name": "Lò Văn Sinh", "notes": ""}
    assert event.after == {"full_name": "Lò Văn Sình", "notes": "đã xác minh"}
    assert (event.actor, event.reason) == (officer, "sửa dấu")


def test_consent_of_the_guardian_and_from_age_7_of_the_child() -> None:
    child = child_in("03390", birth_date=dt.date(2018, 3, 12))
    guardian = GuardianFactory(child=child)
    state = consent_state(child, [], on=TODAY)
    assert state.needs_own_consent and not state.is_complete
    assert state.missing == ["sự đồng ý của cha, mẹ hoặc người giám hộ", "sự đồng ý của trẻ (từ đủ 7 tuổi)"]
    services.record_consent(actor=None, child=child, given_by=ConsentGiver.GUARDIAN, guardian=guardian,
                            purpose=ConsentPurpose.REGISTRY, given_on=dt.date(2026, 1, 5), today=TODAY)
    services.record_consent(actor=None, child=child, given_by=ConsentGiver.CHILD, purpose=ConsentPurpose.REGISTRY,
                            given_on=dt.date(2026, 1, 5), today=TODAY)
    assert consent_state(child, list(child.consents.all()), on=TODAY).is_complete
    assert consent_state(child, list(child.consents.all()), on=dt.date(2026, 1, 4)).missing


def test_a_child_under_7_cannot_give_its_own_consent_and_the_guardian_suffices() -> None:
    child = child_in("03390", birth_date=dt.date(2021, 3, 12))
    with pytest.raises(ValidationError, match="dưới 7 tuổi"):
        services.record_consent(actor=None, child=child, given_by=ConsentGiver.CHILD,
                                purpose=ConsentPurpose.REGISTRY, given_on=TODAY, today=TODAY)
    services.record_consent(actor=None, child=child, given_by=ConsentGiver.GUARDIAN,
                            purpose=ConsentPurpose.REGISTRY, given_on=TODAY, today=TODAY)
    assert consent_state(child, list(child.consents.all()), on=TODAY).is_complete


def test_a_withdrawn_consent_no_longer_counts_and_the_legal_basis_used_instead_is_recorded() -> None:
    child = child_in("03390", birth_date=dt.date(2021, 3, 12))
    consent = services.record_consent(actor=None, child=child, given_by=ConsentGiver.GUARDIAN,
                                      purpose=ConsentPurpose.REGISTRY, given_on=dt.date(2025, 1, 1), today=TODAY)
    services.withdraw_consent(actor=None, consent=consent, withdrawn_on=dt.date(2026, 2, 1))
    with pytest.raises(ValidationError, match="ghi rõ căn cứ"):
        services.set_legal_basis(actor=None, child=child, legal_basis=LegalBasis.PROTECTION, note="", today=TODAY)
    services.set_legal_basis(actor=None, child=child, legal_basis=LegalBasis.PROTECTION,
                             note="Trẻ đang được can thiệp khẩn cấp", today=TODAY)
    child.refresh_from_db()
    state = consent_state(child, list(child.consents.all()), on=TODAY)
    assert not state.is_complete and state.has_basis_without_consent
    assert [event.action for event in history_of(child)][:3] == ["update_child", "withdraw_consent",
                                                                  "record_consent"]


def test_moving_to_another_commune_keeps_the_record_and_its_history() -> None:
    coordinator = user_with_role(Role.COORDINATOR, "12")
    child = child_in("03390")
    services.update_child(actor=coordinator, child=child, changes={"notes": "trước khi chuyển"}, today=TODAY)
    moved = services.move_child(actor=coordinator, child=child, commune=unit("03408"), moved_on=TODAY)
    assert moved.pk == child.pk and moved.commune == unit("03408")
    assert list(Residence.objects.filter(child=child).order_by("pk").values_list(
        "commune__code", "moved_in_on", "moved_out_on")) == [("03390", None, TODAY), ("03408", TODAY, None)]
    assert [event.action for event in history_of(moved)] == ["move_child", "update_child"]


def test_status_turned_16_needs_the_age() -> None:
    child = child_in("03390", birth_date=dt.date(2012, 1, 1))
    with pytest.raises(ValidationError, match="chưa đủ 16"):
        services.record_child_status(actor=None, child=child, status=ChildStatus.TURNED_16, status_on=TODAY)
    services.record_child_status(actor=None, child=child, status=ChildStatus.DECEASED, status_on=TODAY)
    child.refresh_from_db()
    assert (child.status, child.status_on) == (ChildStatus.DECEASED, TODAY)


def test_a_soft_deleted_child_disappears_but_its_row_and_history_stay() -> None:
    child = child_in("03390")
    with pytest.raises(ValidationError):
        services.delete_child(actor=None, child=child, reason=" ")
    services.delete_child(actor=None, child=child, reason="nhập nhầm")
    assert not Child.objects.active().filter(pk=child.pk).exists()
    assert Child.objects.filter(pk=child.pk).exists()
    assert AuditEvent.objects.for_object(child).get().verb == "delete"


def _pair(a: Child, b: Child) -> DuplicateCandidate:
    low, high = sorted((a.pk, b.pk))
    return DuplicateCandidate.objects.create(child_a_id=low, child_b_id=high, score=0.95, reasons=["Cùng họ tên"])


def test_merging_keeps_both_histories_and_moves_every_link_to_the_kept_record() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    keep = child_in("03390", full_name="Lò Văn Sình", birth_date=dt.date(2017, 5, 4))
    other = child_in("03390", full_name="Lò Văn Sinh", birth_date=dt.date(2017, 5, 4), personal_id="012217000001")
    services.update_child(actor=officer, child=keep, changes={"notes": "hồ sơ A"}, today=TODAY)
    services.update_child(actor=officer, child=other, changes={"notes": "hồ sơ B"}, today=TODAY)
    GuardianFactory(child=other, full_name="Lò Văn Pâng")
    services.add_special_circumstance(actor=officer, child=other, group="d", identified_on=TODAY)
    services.record_consent(actor=officer, child=other, given_by=ConsentGiver.GUARDIAN,
                            purpose=ConsentPurpose.REGISTRY, given_on=TODAY, today=TODAY)
    third = child_in("03390", full_name="Lò Văn Sỉnh", birth_date=dt.date(2017, 5, 4))
    pair = _pair(keep, other)
    later_pair = _pair(other, third)

    services.merge_duplicate_children(actor=officer, candidate=pair, keep=keep, today=TODAY)

    keep.refresh_from_db()
    other.refresh_from_db()
    assert other.merged_into == keep and not other.is_active
    assert keep.personal_id == "012217000001"  # an empty field is filled from the merged record
    assert keep.notes == "hồ sơ A"  # a filled field is kept
    assert Guardian.objects.get().child == keep
    assert SpecialCircumstance.objects.get().child == keep
    assert keep.consents.count() == 1
    assert Residence.objects.filter(child=keep).count() == 2
    actions = [(event.object_id, event.action) for event in history_of(keep)]
    assert (str(other.pk), "update_child") in actions and (str(keep.pk), "update_child") in actions
    assert (str(keep.pk), "merge_duplicate_children") in actions
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.MERGED
    later_pair.refresh_from_db()
    assert {later_pair.child_a_id, later_pair.child_b_id} == {keep.pk, third.pk}


def test_a_pair_marked_not_the_same_child_is_closed_and_both_records_say_so() -> None:
    a, b = child_in("03390"), child_in("03390")
    pair = services.mark_not_same_child(actor=None, candidate=_pair(a, b))
    assert pair.status == DuplicateStatus.NOT_SAME
    assert history_of(a).get().action == history_of(b).get().action == "mark_not_same_child"
    with pytest.raises(ValidationError):
        services.merge_duplicate_children(actor=None, candidate=pair, keep=a, today=TODAY)


def test_a_link_that_would_break_its_own_uniqueness_rule_stays_with_the_merged_record() -> None:
    first, second, keep, other = (child_in("03390") for _ in range(4))
    DuplicateCandidate.objects.create(child_a=first, child_b=other, score=0.9)
    DuplicateCandidate.objects.create(child_a=first, child_b=keep, score=0.9)
    DuplicateCandidate.objects.create(child_a=second, child_b=other, score=0.9)
    moved, left = services._move_links(DuplicateCandidate, "child_b", other=other, keep=keep)
    assert (moved, left) == (1, 1)
    assert set(DuplicateCandidate.objects.values_list("child_a_id", "child_b_id")) == {
        (first.pk, other.pk), (first.pk, keep.pk), (second.pk, keep.pk)}
