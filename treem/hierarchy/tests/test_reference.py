"""The Lai Châu hierarchy as loaded from reference_data: counts on each side of 1 July 2025, and the lineage."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from treem.core.models import AuditEvent, CodeSystem, EthnicGroup
from treem.hierarchy.models import Agency, Level, Lineage, OrgUnit
from treem.hierarchy.selectors import (
    coordinating_agency,
    predecessors,
    subtree_on,
    successors,
    successors_on,
    unit_with_code_on,
    units_on,
)

pytestmark = pytest.mark.django_db

BEFORE = date(2025, 6, 30)
AFTER = date(2025, 7, 1)


def province(on: date) -> OrgUnit:
    unit = unit_with_code_on(code="12", on=on)
    assert unit is not None
    return unit


def test_before_the_reorganisation_the_province_has_8_districts_and_106_communes() -> None:
    children = units_on(on=BEFORE).filter(parent=province(BEFORE))
    assert sorted(children.values_list("code", flat=True)) == [str(code) for code in range(105, 113)]
    assert set(children.values_list("level", flat=True)) == {Level.DISTRICT}
    assert subtree_on(unit=province(BEFORE), on=BEFORE).filter(level=Level.COMMUNE).count() == 106


def test_from_1_july_2025_the_province_has_38_communes_directly_and_no_district() -> None:
    children = units_on(on=AFTER).filter(parent=province(AFTER))
    assert children.count() == 38
    assert set(children.values_list("level", flat=True)) == {Level.COMMUNE}
    assert not units_on(on=AFTER).filter(level=Level.DISTRICT).exists()


def test_each_old_commune_has_exactly_one_successor_valid_on_1_july_2025() -> None:
    old_communes = units_on(on=BEFORE).filter(level=Level.COMMUNE)
    assert old_communes.count() == 106
    for old in old_communes:
        found = successors(unit=old)
        assert found.count() == 1, old
        assert found.get().is_valid_on(AFTER)


def test_the_predecessors_of_the_38_new_communes_cover_all_106_old_ones_once() -> None:
    covered: list[int] = []
    for new in units_on(on=AFTER).filter(level=Level.COMMUNE):
        covered.extend(predecessors(unit=new).values_list("pk", flat=True))
    assert len(covered) == 106
    assert set(covered) == set(units_on(on=BEFORE).filter(level=Level.COMMUNE).values_list("pk", flat=True))


def test_a_reused_code_names_different_units_before_and_after_the_merger() -> None:
    old = unit_with_code_on(code="03388", on=BEFORE)
    new = unit_with_code_on(code="03388", on=AFTER)
    assert old is not None and new is not None
    assert old.pk != new.pk
    assert (old.name, new.name) == ("Phường Quyết Tiến", "Phường Đoàn Kết")
    assert old.path == "/12/105/03388/" and new.path == "/12/03388/"
    assert old.uid != new.uid


def test_successors_on_a_date_follow_the_lineage_from_an_old_commune() -> None:
    old = unit_with_code_on(code="03386", on=BEFORE)
    assert old is not None
    assert [unit.code for unit in successors_on(unit=old, on=date(2026, 1, 1))] == ["03388"]
    assert successors_on(unit=old, on=BEFORE) == [old]


def test_loading_the_reference_data_twice_changes_nothing_and_writes_no_new_audit_row() -> None:
    counts = (OrgUnit.objects.count(), Lineage.objects.count(), EthnicGroup.objects.count(), Agency.objects.count())
    audit_rows = AuditEvent.objects.count()
    call_command("load_reference", quiet=True)
    assert (OrgUnit.objects.count(), Lineage.objects.count(), EthnicGroup.objects.count(),
            Agency.objects.count()) == counts
    assert AuditEvent.objects.count() == audit_rows
    assert counts[:3] == (1 + 1 + 8 + 106 + 38, 106, 54)


def test_the_54_ethnic_groups_carry_the_code_system_of_decision_121_and_kinh_is_the_majority() -> None:
    groups = EthnicGroup.objects.all()
    assert groups.count() == 54
    assert set(groups.values_list("code_system", flat=True)) == {CodeSystem.ETHNIC_121_1979}
    assert groups.get(code="08").name == "HMông"
    assert list(groups.filter(is_majority=True).values_list("name", flat=True)) == ["Kinh"]


def test_the_coordinating_agency_is_the_labour_department_until_2025_and_health_since() -> None:
    before = coordinating_agency(on=date(2024, 12, 1))
    since = coordinating_agency(on=date(2026, 12, 1))
    assert before is not None and since is not None
    assert before.code == "SLDTBXH"
    assert since.code == "SYT"
    passed_to = set(Agency.objects.get(code="SLDTBXH").successor_links.values_list("successor__code", flat=True))
    assert "SYT" in passed_to
