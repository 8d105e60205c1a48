from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from treem.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts
from treem.core.roles import Role


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu trình diễn (đánh dấu rõ là dữ liệu trình diễn): một tài khoản cho mỗi vai trò. "
        "Seed clearly-labelled demo data: one demo account per role. Idempotent: existing records are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="do not print the demo accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        results = ensure_demo_accounts(today=timezone.localdate())
        if options["quiet"]:
            return
        self.stdout.write("")
        self.stdout.write("Tài khoản TRÌNH DIỄN (demo) – chỉ dùng để thử, không dùng cho dữ liệu thật:")
        self.stdout.write(f"  {'tên đăng nhập':<18} {'mật khẩu':<17} vai trò / đơn vị")
        for account, created in results:
            role_label = Role(account.role).label
            self.stdout.write(f"  {account.username:<18} {DEMO_PASSWORD:<17} {role_label} – mã đơn vị "
                              f"{account.org_unit_code}{' – ' + account.agency_code if account.agency_code else ''}"
                              f"{'' if created else ' (đã có)'}")
        self.stdout.write(f"  ({len(DEMO_ACCOUNTS)} tài khoản)")
