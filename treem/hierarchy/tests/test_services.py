"""Recording a reorganisation (merge, split, rename) keeps history and refuses inconsistent changes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from treem.core.models import AuditEvent
from treem.hierarchy.models import LineageKind, OrgUnit, Village
from treem.hierarchy.selectors import predecessors, unit_with_code_on
from treem.hierarchy.services import ChangeRefused, NewUnit, import_villages, read_villages_csv, record_org_unit_change

pytestmark = pytest.mark.django_db

FUTURE = date(2027, 1, 1)
TODAY = date(2026, 11, 28)


def current(code: str) -> OrgUnit:
    unit = unit_with_code_on(code=code, on=TODAY)
    assert unit is not None
    return unit


def test_a_future_merge_ends_the_old_communes_the_day_before_and_keeps_their_history() -> None:
    first, second, province = current("03388"), current("03408"), current("12")
    created = record_org_unit_change(
        actor=None, kind=LineageKind.MERGE, sources=[first, second],
        targets=[NewUnit(code="03388", name="Phường  Lai Châu", kind="phường", parent=province)],
        effective_on=FUTURE, legal_basis="Nghị quyết thử nghiệm",
    )
    new = created[0]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.valid_to, second.valid_to) == (date(2026, 12, 31), date(2026, 12, 31))
    assert new.name == "Phường Lai Châu"
    assert unit_with_code_on(code="03388", on=date(2026, 12, 31)) == first
    assert unit_with_code_on(code="03388", on=FUTURE) == new
    assert set(predecessors(unit=new)) == {first, second}
    event = AuditEvent.objects.get(action="record_org_unit_change")
    assert event.before is not None and event.after is not None
    assert {unit["code"] for unit in event.before["units"]} == {"03388", "03408"}
    assert event.after["units"][0]["name"] == "Phường Lai Châu"


def test_a_split_creates_two_units_each_descending_from_the_old_one() -> None:
    source, province = current("03390"), current("12")
    created = record_org_unit_change(
        actor=None, kind=LineageKind.SPLIT, sources=[source],
        targets=[NewUnit(code="99001", name="Xã Bình Lư Bắc", kind="xã", parent=province),
                 NewUnit(code="99002", name="Xã Bình Lư Nam", kind="xã", parent=province)],
        effective_on=FUTURE,
    )
    assert [list(predecessors(unit=unit)) for unit in created] == [[source], [source]]


def test_a_change_that_reuses_a_code_still_in_force_is_refused_as_overlapping() -> None:
    with pytest.raises(ChangeRefused) as refusal:
        record_org_unit_change(
            actor=None, kind=LineageKind.RENAME, sources=[current("03390")],
            targets=[NewUnit(code="03408", name="Xã Mới", kind="xã", parent=current("12"))], effective_on=FUTURE,
        )
    assert any("chồng lấn" in problem for problem in refusal.value.problems)
    assert current("03390").valid_to is None


def test_ending_a_unit_that_already_ended_is_refused() -> None:
    old = unit_with_code_on(code="03386", on=date(2025, 6, 30))
    assert old is not None
    with pytest.raises(ChangeRefused) as refusal:
        record_org_unit_change(
            actor=None, kind=LineageKind.RENAME, sources=[old],
            targets=[NewUnit(code="88888", name="Xã X", kind="xã", parent=current("12"))], effective_on=FUTURE,
        )
    assert "không có hiệu lực" in " ".join(refusal.value.problems)


def test_ending_a_unit_whose_children_would_be_left_without_parent_is_refused() -> None:
    with pytest.raises(ChangeRefused) as refusal:
        record_org_unit_change(
            actor=None, kind=LineageKind.RENAME, sources=[current("12")],
            targets=[NewUnit(code="13", name="Tỉnh Mới", kind="tỉnh", parent=current("VN"))], effective_on=FUTURE,
        )
    assert any("đơn vị cấp dưới" in problem for problem in refusal.value.problems)


def test_the_command_records_a_merge_and_refuses_a_change_without_successor() -> None:
    call_command("record_org_change", "--kind", "merge", "--from", "03388", "03408",
                 "--new", "03388; Phường Lai Châu; phường", "--parent", "12", "--effective-on", "2027-01-01")
    assert unit_with_code_on(code="03388", on=FUTURE).name == "Phường Lai Châu"  # type: ignore[union-attr]
    with pytest.raises(CommandError, match="đơn vị mới"):
        call_command("record_org_change", "--kind", "merge", "--from", "03390", "--new", "", "--parent", "12",
                     "--effective-on", "2027-01-01")


def test_villages_import_accounts_for_every_row() -> None:
    content = "Tên thôn/bản;Mã\nBản Nà Tăm;01\n;02\nBản Nà Tăm;03\nThôn Hợp  Nhất;04\n".encode()
    result = import_villages(actor=None, commune=current("03390"), rows=read_villages_csv(content))
    assert (result.rows, result.created, result.updated, len(result.rejected)) == (4, 2, 0, 2)
    assert [reason for _, reason in result.rejected] == [
        "Thiếu tên thôn/bản.", "Thôn/bản 'Bản Nà Tăm' trùng với một dòng phía trên."]
    assert set(Village.objects.filter(org_unit=current("03390")).values_list("name", flat=True)) == {
        "Bản Nà Tăm", "Thôn Hợp Nhất"}
    again = import_villages(actor=None, commune=current("03390"), rows=read_villages_csv(content))
    assert (again.created, again.updated) == (0, 2)
    other_spelling = "Tên thôn/bản;Mã\nbản nà  tăm;01\nTHÔN HỢP NHẤT;04\n".encode()  # the same, typed otherwise
    third = import_villages(actor=None, commune=current("03390"), rows=read_villages_csv(other_spelling))
    assert (third.created, third.updated) == (0, 2)
    assert Village.objects.filter(org_unit=current("03390")).count() == 2
