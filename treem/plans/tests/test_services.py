"""load_plan: the whole plan from its file, idempotent, edits update without losing anything, problems change
nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from treem.core.models import AuditEvent
from treem.plans.models import DataElement, Indicator, Plan, PlanAssignment, Target, Task
from treem.plans.planfile import PlanFileError
from treem.plans.services import load_plan
from treem.plans.tests.factories import LAI_CHAU_PLAN, make_element, make_plan
from treem.plans.tests.factories import edited_plan_file as edited

pytestmark = pytest.mark.django_db


def test_the_plan_file_loads_whole(lai_chau_plan: Plan) -> None:
    plan = lai_chau_plan
    assert plan.code == "LAICHAU-2024-CT28"
    assert plan.number is None and str(plan) == "Kế hoạch …/KH-UBND"
    assert plan.data_elements.count() == 27
    assert plan.indicators.count() == 14
    assert Target.objects.filter(indicator__plan=plan).count() == 23
    assert plan.task_groups.count() == 6 and plan.tasks.count() == 17
    assert plan.assignments.count() == 33
    assert plan.funding_sources.count() == 2
    assert plan.last_day_to_report(2025).isoformat() == "2025-11-30"
    i05 = plan.indicators.get(code="I05")
    assert [(t.year, t.comparison, t.value) for t in i05.targets.all()] == [
        (2025, "lt", Decimal("15.0000")), (2030, "lt", Decimal("12.0000"))]
    assert (i05.numerator.code, i05.denominator.code) == ("DE_U5_UNDERWEIGHT", "DE_U5_MEASURED_WAZ")
    i07 = plan.indicators.get(code="I07")
    assert [(t.year, t.comparison, t.wording) for t in i07.targets.all()] == [
        (2025, "gt", "đạt trên 99,1%"), (2030, "gte", "đạt 99,9%")]
    element = DataElement.objects.get(code="DE_U5_TOTAL")
    assert (element.source, element.derived_from, element.reporter_agency.code) == (  # type: ignore[union-attr]
        "derived", "registry.count_children_under_5", "SYT")
    assert DataElement.objects.get(code="DE_COMMUNE_CHILD_FRIENDLY").reporter_is_locality
    assert not DataElement.objects.get(code="DE_COMMUNE_TOTAL").can_be_entered


def test_a_duty_moves_to_the_agency_that_took_it_over() -> None:
    load_plan(actor=None, path=LAI_CHAU_PLAN)
    duty = PlanAssignment.objects.prefetch_related("reassignments__agency").get(code="A.SKHDT.1")
    from datetime import date

    assert duty.agency_on(date(2025, 2, 28)).code == "SKHDT"  # type: ignore[union-attr]
    assert duty.agency_on(date(2025, 3, 1)).code == "STC"  # type: ignore[union-attr]
    indicator = Indicator.objects.prefetch_related("responsibilities__agency").get(code="I01")
    assert indicator.responsible_agency_on(date(2025, 3, 1)).code == "SYT"  # type: ignore[union-attr]


def test_loading_the_same_file_twice_changes_nothing() -> None:
    load_plan(actor=None, path=LAI_CHAU_PLAN)
    events = AuditEvent.objects.count()
    report = load_plan(actor=None, path=LAI_CHAU_PLAN)
    assert not report.changed
    assert report.changes == []
    assert report.counts["indicator"].unchanged == 14
    assert AuditEvent.objects.count() == events + 1  # only the import event of the load itself


def test_an_edited_file_updates_the_rows_in_place(tmp_path: Path) -> None:
    load_plan(actor=None, path=LAI_CHAU_PLAN)
    element = DataElement.objects.get(code="DE_SCHOOL_PSYCH_SUPPORT")
    path = edited(
        tmp_path,
        ('number: null  # left blank', 'number: 123  # left blank'),
        ('{year: 2025, comparison: lt, value: 15.0, wording: "xuống dưới 15%", section: II.2.1(3)}',
         '{year: 2025, comparison: lt, value: 14.0, wording: "xuống dưới 15%", section: II.2.1(3)}'),
        ("    name: Số trường có dịch vụ hỗ trợ tâm lý trẻ em\n",
         "    name: Số trường phổ thông có dịch vụ hỗ trợ tâm lý trẻ em\n"),
    )
    report = load_plan(actor=None, path=path)
    assert report.counts["plan"].updated == 1
    assert report.counts["target"].updated == 1
    assert report.counts["data_element"].updated == 1
    assert any("I05 2025" in line and "value" in line for line in report.changes)
    assert Plan.objects.get().number == 123
    assert Target.objects.get(indicator__code="I05", year=2025).value == 14
    element.refresh_from_db()  # the same row, so the values entered against it stay with it
    assert element.name == "Số trường phổ thông có dịch vụ hỗ trợ tâm lý trẻ em"
    target = Target.objects.get(indicator__code="I05", year=2025)
    history = AuditEvent.objects.for_object(target).filter(verb=AuditEvent.Verb.UPDATE).get()
    assert (history.before["value"], history.after["value"]) == ("15.0000", "14.0000")  # type: ignore[index]


def test_what_leaves_the_file_is_retired_never_deleted(tmp_path: Path) -> None:
    load_plan(actor=None, path=LAI_CHAU_PLAN)
    path = edited(
        tmp_path,
        ('      - {year: 2030, comparison: lt, value: 12.0, wording: "xuống dưới 12%", section: II.2.2(3)}'
         '  # strictly below\n', ""),
        ("      - code: A.LOCALITY.4\n        role: lead\n        title: Theo dõi, sơ kết, tổng kết, báo cáo kết quả"
         " tại địa phương\n        serves: [G6]\n        text: Theo dõi, sơ kết, tổng kết báo cáo kết quả thực hiện"
         " kế hoạch tại địa phương.\n", ""),
    )
    report = load_plan(actor=None, path=path)
    assert report.counts["target"].retired == 1
    assert report.counts["assignment"].retired == 1
    retired = Target.objects.get(indicator__code="I05", year=2030)
    assert not retired.is_active
    assert not PlanAssignment.objects.get(code="A.LOCALITY.4").is_active
    report = load_plan(actor=None, path=LAI_CHAU_PLAN)  # put back: used again
    assert report.counts["target"].updated == 1
    assert Target.objects.get(indicator__code="I05", year=2030).is_active


def test_a_file_with_a_problem_changes_nothing(tmp_path: Path) -> None:
    load_plan(actor=None, path=LAI_CHAU_PLAN)
    events = AuditEvent.objects.count()
    path = edited(
        tmp_path,
        ('number: null  # left blank', 'number: 123  # left blank'),
        ("    numerator: DE_U5_STUNTED\n", "    numerator: DE_U5_SHORT\n"),
    )
    with pytest.raises(PlanFileError) as error:
        load_plan(actor=None, path=path)
    assert any("DE_U5_SHORT" in str(problem) and problem.line for problem in error.value.problems)
    assert Plan.objects.get().number is None
    assert AuditEvent.objects.count() == events


def test_a_data_element_of_another_plan_cannot_be_redefined() -> None:
    other = make_plan("OTHER-PLAN")
    make_element(other, "DE_U5_TOTAL")
    with pytest.raises(PlanFileError) as error:
        load_plan(actor=None, path=LAI_CHAU_PLAN)
    assert "OTHER-PLAN" in str(error.value)
    assert not Plan.objects.filter(code="LAICHAU-2024-CT28").exists()


def test_the_command_prints_what_changed_and_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    call_command("load_plan", str(LAI_CHAU_PLAN))
    assert "chỉ tiêu: 14 thêm" in capsys.readouterr().out
    call_command("load_plan", str(LAI_CHAU_PLAN))
    assert "không có gì thay đổi" in capsys.readouterr().out
    with pytest.raises(CommandError, match="không thay đổi gì"):
        call_command("load_plan", str(edited(tmp_path, ("comparison: gt,", "comparison: above,"))))
    assert "dòng" in capsys.readouterr().err
    assert Task.objects.count() == 17
