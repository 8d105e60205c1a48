"""``manage.py apply_retention``: apply the retention rules of reference_data/retention.yaml. Without ``--apply`` it
only lists how many records each rule would take off (a dry run); with it, each record is soft-deleted through the
audited service, its history kept."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from treem.accounts.models import User
from treem.registry.retention import apply_retention


class Command(BaseCommand):
    help = "Áp dụng các quy tắc thời hạn lưu trữ dữ liệu cá nhân (mặc định chỉ liệt kê, không thay đổi gì)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="thực hiện (mặc định: chạy thử)")
        parser.add_argument("--username", help="người chịu trách nhiệm, ghi vào nhật ký")
        parser.add_argument("--today", type=date.fromisoformat, help="ngày tính thời hạn (yyyy-mm-dd)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Không có người dùng đang hoạt động '{options['username']}'.")
        today = options["today"] or timezone.localdate()
        outcomes = apply_retention(actor=actor, today=today, dry_run=not options["apply"])
        for outcome in outcomes:
            rule = outcome.rule
            if rule.action == "keep":
                self.stdout.write(f"[giữ lại] {rule.record}: lưu giữ theo {rule.legal_basis}")
            elif options["apply"]:
                self.stdout.write(f"[đã xoá mềm] {rule.record}: {outcome.applied} hồ sơ")
            else:
                self.stdout.write(f"[chạy thử] {rule.record}: {outcome.due} hồ sơ đến hạn "
                                  f"({rule.period_years} năm kể từ {rule.counted_from})")
        if not options["apply"]:
            self.stdout.write("Chạy thử: chưa thay đổi gì. Thêm --apply để thực hiện.")
