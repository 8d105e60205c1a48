"""Plans for tests: the real Lai Châu plan loaded by the production loader, or small plans built row by row."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

from treem.plans import planfile
from treem.plans.models import DataElement, Indicator, Plan, Target
from treem.plans.services import PlanLoadReport, _Loader, agencies_from_database

LAI_CHAU_PLAN = Path(settings.BASE_DIR) / "reference_data" / "plans" / "lai-chau-2024.yaml"


@cache
def _lai_chau_file() -> planfile.PlanFile:
    return planfile.read_plan_file(LAI_CHAU_PLAN, agencies=agencies_from_database())


def load_lai_chau_plan() -> PlanLoadReport:
    """The Lai Châu plan, loaded as ``load_plan`` does (the file is read and checked once per test run)."""
    return _Loader(actor=None, plan_file=_lai_chau_file()).run()


@pytest.fixture
def lai_chau_plan(db: None) -> Plan:
    report = load_lai_chau_plan()
    assert report.plan is not None
    return report.plan


def edited_plan_file(folder: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of the Lai Châu plan file in ``folder`` with each (old, new) text replaced once."""
    text = LAI_CHAU_PLAN.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / LAI_CHAU_PLAN.name
    path.write_text(text, encoding="utf-8")
    return path


def make_plan(code: str = "TEST-PLAN", **fields: object) -> Plan:
    values: dict[str, object] = {"document_type": "Kế hoạch", "symbol": "KH-UBND", "year": 2024,
                                 "issuer": "UBND tỉnh", "title": "Kế hoạch thử", "start_year": 2024,
                                 "end_year": 2030}
    values.update(fields)
    return Plan.objects.create(code=code, **values)


def make_element(plan: Plan, code: str, *, source: str = "entered", derived_from: str = "",
                 by_sex: bool = True, by_ethnicity: bool = True, reporter_is_locality: bool | None = None,
                 **fields: object) -> DataElement:
    if reporter_is_locality is None:
        reporter_is_locality = source == "entered"
    return DataElement.objects.create(
        plan=plan, code=code, name=code, definition=code, unit="trẻ em", source=source, derived_from=derived_from,
        reporter_is_locality=reporter_is_locality, by_sex=by_sex, by_ethnicity=by_ethnicity, **fields)


def make_indicator(plan: Plan, code: str, numerator: DataElement, denominator: DataElement, *,
                   targets: tuple[tuple[int, str, str], ...] = ((2025, "gte", "80"),),
                   direction: str = "higher_is_better") -> Indicator:
    indicator = Indicator.objects.create(plan=plan, code=code, name=code, wording=code, numerator=numerator,
                                         denominator=denominator, direction=direction)
    for year, comparison, value in targets:
        Target.objects.create(indicator=indicator, year=year, comparison=comparison, value=Decimal(value),
                              wording=value)
    return Indicator.objects.select_related("numerator", "denominator").get(pk=indicator.pk)


def ensure_lai_chau_plan() -> Plan:
    """The Lai Châu plan, loaded if it is not yet (for tests outside the plans and indicators apps)."""
    plan = Plan.objects.filter(code="LAICHAU-2024-CT28").first()
    if plan is not None:
        return plan
    report = load_lai_chau_plan()
    assert report.plan is not None
    return report.plan
