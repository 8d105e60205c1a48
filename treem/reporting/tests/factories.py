"""Test helpers for reporting: a cycle of the loaded plan, its reports, and the people who write and review them."""

from __future__ import annotations

from datetime import datetime

from treem.accounts.models import User
from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role
from treem.plans.models import Plan
from treem.reporting.models import ReportingCycle, Submission
from treem.reporting.services import open_reporting_cycle

PROVINCE = "12"
OWN_COMMUNE, OTHER_COMMUNE = "03390", "03408"


def cycle(year: int = 2026, **dates: datetime) -> ReportingCycle:
    return open_reporting_cycle(actor=None, plan=Plan.objects.get(), year=year, **dates)  # type: ignore[arg-type]


def agency_report(reporting_cycle: ReportingCycle, agency_code: str) -> Submission:
    return reporting_cycle.submissions.get(agency__code=agency_code)


def commune_report(reporting_cycle: ReportingCycle, code: str) -> Submission:
    return reporting_cycle.submissions.get(agency__isnull=True, org_unit__code=code)


def coordinator() -> User:
    return user_with_role(Role.COORDINATOR, PROVINCE, agency_code="SYT")


def agency_reporter(agency_code: str = "SGDDT") -> User:
    return user_with_role(Role.AGENCY_REPORTER, PROVINCE, agency_code=agency_code)


def commune_officer(code: str = OWN_COMMUNE) -> User:
    return user_with_role(Role.COMMUNE_OFFICER, code)
