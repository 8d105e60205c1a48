from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.hierarchy.selectors import unit_with_code_on
from treem.hierarchy.services import ChangeRefused, import_villages, read_villages_csv


class Command(BaseCommand):
    help = (
        "Nhập danh sách thôn/bản của một xã từ tệp CSV (cột 'Tên thôn/bản', tuỳ chọn cột 'Mã'). "
        "Import the villages of one commune from a CSV file; every row is created, updated or rejected with a reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--commune", required=True, help="statistics code of the commune (valid today)")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = unit_with_code_on(code=options["commune"], on=date.today())
        if commune is None:
            raise CommandError(f"Không có xã mã {options['commune']} đang có hiệu lực.")
        try:
            rows = read_villages_csv(options["file"].read_bytes())
            result = import_villages(actor=None, commune=commune, rows=rows)
        except (OSError, ValueError, ChangeRefused) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{result.rows} dòng: {result.created} thêm mới, {result.updated} cập nhật, "
                          f"{len(result.rejected)} bị từ chối.")
        for number, reason in result.rejected:
            self.stdout.write(f"  dòng {number}: {reason}")
