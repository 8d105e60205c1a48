from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from treem.nutrition.services import recompute_zscores


class Command(BaseCommand):
    help = (
        "Tính lại tuổi và chỉ số Z (WHO 2006) của mọi số đo đã lưu, ví dụ sau khi sửa ngày sinh hoặc cập nhật "
        "chương trình. Recompute age and WHO z-scores of every stored measurement with the engine, in batches; "
        "only measurements whose values change are written; one audit event records the run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=20_000, help="measurements per batch")
        parser.add_argument("--include-deleted", action="store_true", help="also deleted measurements")

    def handle(self, *args: Any, **options: Any) -> None:
        result = recompute_zscores(batch_size=options["batch_size"], include_deleted=options["include_deleted"])
        self.stdout.write(f"Đã kiểm tra {result.checked:,} số đo, cập nhật {result.changed:,}.".replace(",", "."))
