"""manage.py backup: one archive of the database and the uploaded files, with a manifest of checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.core.backup import BackupError, prune_archives, take_backup


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu (PostgreSQL: pg_dump; SQLite: sao lưu trực tuyến) cùng các tệp tải lên (var/media) "
        "vào một tệp .tar có bảng kê mã kiểm tra SHA-256. Chạy hằng đêm; --prune xoá các bản cũ theo quy tắc giữ "
        "14 ngày / 8 tuần / 12 tháng. Back up the database and uploaded files into one archive with checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output-dir", type=Path, help="thư mục lưu (mặc định BACKUP_DIR, var/backups)")
        parser.add_argument("--prune", action="store_true",
                            help="sau khi sao lưu, xoá các bản không còn thuộc diện giữ lại")
        parser.add_argument("--prune-only", action="store_true", help="chỉ xoá bản cũ, không sao lưu")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if not options["prune_only"]:
                result = take_backup(directory=options["output_dir"])
                size = result.path.stat().st_size
                self.stdout.write(f"Đã sao lưu: {result.path} ({size:,} byte, {len(result.manifest['files'])} tệp, "
                                  f"CSDL {result.manifest['vendor']}).")
            if options["prune"] or options["prune_only"]:
                deleted = prune_archives(directory=options["output_dir"])
                self.stdout.write(f"Đã xoá {len(deleted)} bản sao lưu cũ."
                                  + "".join(f"\n  {path.name}" for path in deleted))
        except BackupError as error:
            raise CommandError(str(error)) from error
