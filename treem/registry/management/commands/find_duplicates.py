from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.hierarchy.models import Level
from treem.hierarchy.selectors import unit_with_code_on
from treem.registry.duplicates import detect_duplicates


class Command(BaseCommand):
    help = (
        "Tìm các cặp hồ sơ trẻ em có thể là cùng một trẻ (cùng số định danh, hoặc tên gần giống không dấu và ngày "
        "sinh giống hoặc gần giống, ở cùng xã hoặc xã lân cận) và đưa vào danh sách chờ cán bộ xem xét. Các cặp đã "
        "quyết định không bị đề xuất lại. Find possible duplicate child records and queue them for review."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", help="chỉ các cặp có trẻ của xã này (mã thống kê, có hiệu lực hôm nay)")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = None
        if options["commune"]:
            commune = unit_with_code_on(code=options["commune"], on=date.today())
            if commune is None or commune.level != Level.COMMUNE:
                raise CommandError(f"Không có xã mã {options['commune']} đang có hiệu lực.")
        started = time.perf_counter()
        result = detect_duplicates(commune=commune)
        seconds = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(json.dumps({
                "children": result.children, "pairs": result.found, "new": result.created,
                "updated": result.updated, "removed": result.removed, "already_decided": result.skipped_decided,
                "seconds": round(seconds, 2)}))
            return
        self.stdout.write(
            f"{result.children} hồ sơ được so sánh; {result.found} cặp nghi trùng ({result.created} mới, "
            f"{result.updated} cập nhật điểm, {result.removed} cặp cũ không còn giống); "
            f"{result.skipped_decided} cặp đã quyết định trước đây; {seconds:.1f} giây.")
