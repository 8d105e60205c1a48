from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from treem.accounts.models import Assignment, User
from treem.core.roles import Role
from treem.reporting.consolidated import build_docx, build_xlsx, consolidated_report
from treem.reporting.selectors import cycle_of_year


def default_reader() -> User | None:
    """The account whose view of the province the report takes: an active coordinator, else an administrator."""
    for role in (Role.COORDINATOR, Role.ADMIN):
        assignment = (Assignment.objects.active(timezone.localdate()).filter(role=role, user__is_active=True,
                                                                              org_unit__level="province")
                      .select_related("user").order_by("user__is_demo", "user__username").first())
        if assignment is not None:
            return assignment.user
    return None


class Command(BaseCommand):
    help = (
        "Tạo báo cáo tổng hợp của tỉnh cho một năm: tệp Word (thể thức Nghị định 30/2020/NĐ-CP) hoặc phụ lục Excel. "
        "Build the consolidated provincial report of a year as Word (docx) or its Excel annex (xlsx)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the reporting year, e.g. 2026")
        parser.add_argument("--format", choices=["docx", "xlsx"], default="docx", help="docx (report) or xlsx (annex)")
        parser.add_argument("--output", required=True, help="where to write the file")
        parser.add_argument("--user", help="the username whose scope the report uses (default: a coordinator)")

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = cycle_of_year(year=options["year"])
        if cycle is None:
            raise CommandError(f"Chưa mở kỳ báo cáo năm {options['year']}.")
        user = User.objects.filter(username=options["user"]).first() if options["user"] else default_reader()
        if user is None:
            raise CommandError("Không có tài khoản điều phối tỉnh hoặc quản trị để lấy phạm vi số liệu; dùng --user.")
        report = consolidated_report(user=user, cycle=cycle, today=timezone.localdate())
        content = build_docx(report) if options["format"] == "docx" else build_xlsx(report)
        path = Path(options["output"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.stdout.write(f"Đã ghi {path} ({len(content):,} byte).")
