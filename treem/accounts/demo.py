"""Demo accounts, one per role, clearly marked as demo (``User.is_demo``) and printed by ``make run``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from treem.accounts.models import User
from treem.accounts.services import assign_role, create_user
from treem.core.roles import Role
from treem.hierarchy.models import Agency
from treem.hierarchy.selectors import unit_with_code_on

DEMO_PASSWORD = "treem-demo-2026"
PROVINCE_CODE = "12"
DEMO_COMMUNE_CODE = "03390"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    org_unit_code: str
    agency_code: str | None
    full_name: str


DEMO_ACCOUNTS = [
    DemoAccount("demo_admin", Role.ADMIN, PROVINCE_CODE, None, "Quản trị hệ thống (demo)"),
    DemoAccount("demo_coordinator", Role.COORDINATOR, PROVINCE_CODE, "SYT", "Cán bộ điều phối tỉnh (demo)"),
    DemoAccount("demo_leader", Role.LEADER, PROVINCE_CODE, None, "Lãnh đạo UBND tỉnh (demo)"),
    DemoAccount("demo_agency", Role.AGENCY_REPORTER, PROVINCE_CODE, "SGDDT", "Cán bộ Sở GD&ĐT (demo)"),
    DemoAccount("demo_commune", Role.COMMUNE_OFFICER, DEMO_COMMUNE_CODE, None, "Công chức VH-XH xã Bình Lư (demo)"),
    DemoAccount("demo_caseworker", Role.CASE_WORKER, DEMO_COMMUNE_CODE, None, "Cán bộ quản lý trường hợp (demo)"),
    DemoAccount("demo_supervisor", Role.CASE_SUPERVISOR, PROVINCE_CODE, None, "Giám sát quản lý trường hợp (demo)"),
]


def ensure_demo_accounts(*, today: date) -> list[tuple[DemoAccount, bool]]:
    """Create any missing demo account (existing ones, and their passwords, are left as they are)."""
    results: list[tuple[DemoAccount, bool]] = []
    for account in DEMO_ACCOUNTS:
        org_unit = unit_with_code_on(code=account.org_unit_code, on=today)
        if org_unit is None:
            raise RuntimeError(f"Chưa nạp đơn vị {account.org_unit_code}: chạy 'manage.py load_reference' trước.")
        agency = Agency.objects.filter(code=account.agency_code).first() if account.agency_code else None
        user = User.objects.filter(username=account.username).first()
        if user is None:
            create_user(actor=None, username=account.username, password=DEMO_PASSWORD, role=account.role,
                        org_unit=org_unit, agency=agency, full_name=account.full_name, is_demo=True)
            results.append((account, True))
        else:
            assign_role(actor=None, user=user, role=account.role, org_unit=org_unit, agency=agency)
            results.append((account, False))
    return results
