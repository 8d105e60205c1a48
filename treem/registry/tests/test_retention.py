"""Retention rules as data: the file is checked, a dry run changes nothing, applying soft-deletes the records that
are due (each audited) and leaves the others."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from treem.core.models import AuditEvent
from treem.registry import services
from treem.registry.models import Child, ConsentGiver, ConsentPurpose
from treem.registry.retention import load_rules
from treem.registry.tests.factories import GuardianFactory, child_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)


def test_the_rules_file_is_complete_and_names_a_legal_basis_for_every_rule() -> None:
    rules = load_rules()
    kinds = {rule.kind for rule in rules}
    assert {"registry.child.adult", "registry.child.withdrawn", "protection.case", "core.auditevent"} <= kinds
    assert all(rule.legal_basis.strip() and rule.action in {"soft_delete", "keep"} for rule in rules)
    assert next(rule for rule in rules if rule.kind == "protection.case").action == "keep"


def test_a_rule_with_an_unknown_action_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "retention.yaml"
    path.write_text("rules:\n  - {kind: x, record: x, period_years: 1, counted_from: x, legal_basis: x, "
                    "action: erase}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="không hợp lệ"):
        load_rules(path)


def people() -> tuple[Child, Child, Child, Child]:
    long_adult = child_in("03390", full_name="Lò Văn Lớn", birth_date=date(2004, 1, 1))  # 16 in 2020: due
    young_adult = child_in("03390", full_name="Lò Văn Vừa", birth_date=date(2009, 6, 1))  # 16 in 2025: not yet
    withdrawn = child_in("03390", full_name="Lò Thị Rút", birth_date=date(2020, 1, 1))
    recent = child_in("03390", full_name="Lò Thị Mới", birth_date=date(2020, 1, 1))
    for child, withdrawn_on in [(withdrawn, TODAY - timedelta(days=400)), (recent, TODAY - timedelta(days=30))]:
        guardian = GuardianFactory(child=child)
        consent = services.record_consent(actor=None, child=child, given_by=ConsentGiver.GUARDIAN, guardian=guardian,
                                          purpose=ConsentPurpose.REGISTRY, given_on=date(2021, 1, 1), today=TODAY)
        services.withdraw_consent(actor=None, consent=consent, withdrawn_on=withdrawn_on)
    return long_adult, young_adult, withdrawn, recent


def test_a_dry_run_lists_what_is_due_and_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    people()
    events = AuditEvent.objects.count()
    call_command("apply_retention", "--today", TODAY.isoformat())
    output = capsys.readouterr().out
    assert "[chạy thử] Hồ sơ trẻ em đã đủ 16 tuổi (không còn là trẻ em): 1 hồ sơ" in output
    assert "[chạy thử] Hồ sơ trẻ em đã rút lại sự đồng ý, không có căn cứ pháp lý khác: 1 hồ sơ" in output
    assert "[giữ lại] Hồ sơ trường hợp trẻ em cần bảo vệ" in output
    assert Child.objects.active().count() == 4
    assert AuditEvent.objects.count() == events


def test_applying_soft_deletes_only_the_records_that_are_due_each_audited() -> None:
    long_adult, _young_adult, withdrawn, _recent = people()
    call_command("apply_retention", "--today", TODAY.isoformat(), "--apply")
    assert set(Child.objects.active().values_list("full_name", flat=True)) == {"Lò Văn Vừa", "Lò Thị Mới"}
    assert Child.objects.filter(pk__in=[long_adult.pk, withdrawn.pk], deleted_at__isnull=False).count() == 2
    events = AuditEvent.objects.filter(action="delete_child", object_id__in=[str(long_adult.pk), str(withdrawn.pk)])
    assert events.count() == 2
    assert all("Hết thời hạn lưu trữ" in event.reason for event in events)
    call_command("apply_retention", "--today", TODAY.isoformat(), "--apply")
    assert AuditEvent.objects.filter(action="delete_child").count() == 2
