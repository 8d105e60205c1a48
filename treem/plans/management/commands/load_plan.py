from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.plans.planfile import PlanFileError
from treem.plans.services import load_plan


class Command(BaseCommand):
    help = (
        "Nạp (hoặc cập nhật) một kế hoạch từ tệp YAML, ví dụ reference_data/plans/lai-chau-2024.yaml; chạy sau "
        "load_reference. Load or update a plan from its YAML file (format: docs/plan-format.md). The whole file is "
        "checked first and nothing changes if anything is wrong; loading again is idempotent; entries are matched "
        "by code, edited ones are updated, missing ones are retired (never deleted), and every change is printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the plan file (YAML)")
        parser.add_argument("--quiet", action="store_true", help="print nothing on success")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_plan(actor=None, path=options["path"])
        except PlanFileError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Tệp kế hoạch có {len(error.problems)} lỗi; không thay đổi gì.") from error
        except FileNotFoundError as error:
            raise CommandError(f"Không tìm thấy tệp {options['path']}.") from error
        if options["quiet"]:
            return
        plan = report.plan
        assert plan is not None
        if report.counts["plan"].created:
            state = "đã nạp lần đầu"
        else:
            state = "đã cập nhật" if report.changed else "không có gì thay đổi"
        self.stdout.write(f"Kế hoạch {plan.code} ({plan}): {state}.")
        for line in report.summary_lines():
            self.stdout.write(f"  {line}")
        if report.counts["plan"].created:
            return  # a first load: the counts say it all
        for line in report.changes:
            self.stdout.write(f"  – {line}")
