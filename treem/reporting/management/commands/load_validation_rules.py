from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.reporting.rules import DEFAULT_RULES_FILE, load_validation_rules


class Command(BaseCommand):
    help = (
        "Nạp các quy tắc kiểm tra số liệu từ tệp YAML (mặc định reference_data/reporting/validation_rules.yaml). "
        "Load the validation rules for entered figures; idempotent: rules are matched by code, changed ones "
        "updated, rules missing from the file deactivated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", default=str(DEFAULT_RULES_FILE), help="the rules file (YAML)")
        parser.add_argument("--quiet", action="store_true", help="print nothing on success")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_validation_rules(actor=None, path=options["path"])
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError("Tệp quy tắc có lỗi; không thay đổi gì.") from error
        if not options["quiet"]:
            self.stdout.write(f"Quy tắc kiểm tra: {report.created} mới, {report.updated} cập nhật, "
                              f"{report.unchanged} không đổi, {report.deactivated} ngừng áp dụng.")
