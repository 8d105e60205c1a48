from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.hierarchy.selectors import unit_with_code_on
from treem.nutrition.importing import UnreadableFile, import_measurements, rejected_workbook


class Command(BaseCommand):
    help = (
        "Nhập số đo cân nặng, chiều dài/chiều cao của trẻ một xã từ tệp Excel (.xlsx, .xls, .ods) hoặc CSV. "
        "Import a commune's measurements; every row is created, updated or rejected with a reason; trẻ phải có "
        "trong sổ trẻ em của xã (nhận ra bằng số định danh, hoặc họ tên và ngày sinh). All-or-nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commune", required=True,
                            help="statistics code of the commune whose child registry holds the children (valid today)")
        parser.add_argument("--as-of", required=True, type=date.fromisoformat, help="YYYY-MM-DD: no later date")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument("--rejected", type=Path, help="write the rejected rows (cells + reason) to this .xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = unit_with_code_on(code=options["commune"], on=date.today())
        if commune is None:
            raise CommandError(f"Không có xã mã {options['commune']} đang có hiệu lực.")
        try:
            result = import_measurements(actor=None, path=options["file"], commune=commune,
                                         as_of=options["as_of"], dry_run=options["dry_run"])
        except (OSError, UnreadableFile) as error:
            raise CommandError(str(error)) from error
        if options["rejected"] and result.rejected_cells:
            options["rejected"].write_bytes(rejected_workbook(result))
        summary = result.summary
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(f"{summary['rows']} dòng: {summary['created']} thêm mới, {summary['updated']} cập nhật, "
                          f"{summary['rejected']} bị từ chối{' (chạy thử, chưa lưu)' if result.dry_run else ''}.")
        for item in result.outcomes:
            if item.reason:
                self.stdout.write(f"  dòng {item.row}: {item.reason}")
            for warning in item.warnings:
                self.stdout.write(f"  dòng {item.row} (cảnh báo): {warning}")
