"""manage.py restore ARCHIVE: put a backup back, into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.core.backup import BackupError, restore_archive


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu (tệp .tar của lệnh backup): kiểm tra mã SHA-256 của mọi tệp trước, rồi nạp cơ sở "
        "dữ liệu và các tệp tải lên. Chỉ nạp vào cơ sở dữ liệu trống, trừ khi có --replace. Restore a backup "
        "archive into an empty database (or, with --replace, over the current data)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="tệp sao lưu treem-….tar")
        parser.add_argument("--database-url", help="cơ sở dữ liệu đích (mặc định: DATABASE_URL của hệ thống)")
        parser.add_argument("--media-root", type=Path, help="thư mục tệp tải lên đích (mặc định MEDIA_ROOT)")
        parser.add_argument("--replace", action="store_true",
                            help="thay toàn bộ dữ liệu hiện có (mặc định: từ chối cơ sở dữ liệu đã có dữ liệu)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore_archive(archive_path=options["archive"], database_url=options["database_url"],
                                       media_root=options["media_root"], replace=options["replace"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Đã khôi phục bản sao lưu lúc {manifest['created_at']} ({len(manifest['files'])} tệp). "
                          "Chạy 'manage.py migrate' nếu mã nguồn mới hơn bản sao lưu.")
