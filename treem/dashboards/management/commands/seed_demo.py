from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from treem.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts
from treem.core.extensions import demo_seeders
from treem.core.roles import Role
from treem.indicators.services import refresh_derived_counts

SIZES = ["small", "medium", "full"]


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu trình diễn, đánh dấu rõ là dữ liệu trình diễn: tài khoản cho mỗi vai trò và dữ liệu mẫu của "
        "từng phân hệ. Seed clearly-labelled demo data: one account per role, then each domain's demo data. "
        "Idempotent: existing records are kept; --size small|medium|full sets how much (full: about 160,000 "
        "children, as in Lai Châu)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=SIZES, default="small", help="how much demo data (default: small)")
        parser.add_argument("--quiet", action="store_true", help="do not print the demo accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        results = ensure_demo_accounts(today=timezone.localdate())
        write = self.stdout.write if not options["quiet"] else (lambda message: None)
        for entry in demo_seeders():
            write(f"Dữ liệu trình diễn: {entry.name} …")
            entry.seeder(size=options["size"], stdout=write)
        write("Đếm trước số liệu từ hồ sơ cho các trang chỉ tiêu …")
        refresh_derived_counts(today=timezone.localdate())
        if options["quiet"]:
            return
        self.stdout.write("")
        self.stdout.write("Tài khoản TRÌNH DIỄN (demo) – chỉ dùng để thử, không dùng cho dữ liệu thật:")
        self.stdout.write(f"  {'tên đăng nhập':<18} {'mật khẩu':<17} vai trò / đơn vị")
        for account, created in results:
            self.stdout.write(f"  {account.username:<18} {DEMO_PASSWORD:<17} {Role(account.role).label} – mã đơn vị "
                              f"{account.org_unit_code}{' – ' + account.agency_code if account.agency_code else ''}"
                              f"{'' if created else ' (đã có)'}")
        self.stdout.write(f"  ({len(DEMO_ACCOUNTS)} tài khoản)")
