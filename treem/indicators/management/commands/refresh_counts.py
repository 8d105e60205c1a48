from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from treem.indicators.services import refresh_derived_counts
from treem.indicators.sources import SOURCES


class Command(BaseCommand):
    help = (
        "Đếm trước số liệu từ hồ sơ (sổ trẻ em, số đo…) cho các trang chỉ tiêu, để không ai phải chờ khi mở trang. "
        "Count ahead the figures derived from records (registry, measurements) and store them: each stored count "
        "that is missing or out of date is counted again, the current ones are left alone. Safe to run at any "
        "time, e.g. nightly or after a large import; the pages count whatever is out of date themselves."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", dest="years",
                            help="a year to count (repeatable; default: from the first year with data to this year)")
        parser.add_argument("--source", action="append", dest="sources",
                            help=f"only this source (repeatable): {', '.join(sorted(SOURCES))}")
        parser.add_argument("--quiet", action="store_true", help="print nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = sorted(set(options["sources"] or []) - SOURCES.keys())
        if unknown:
            raise CommandError(f"Không có nguồn {', '.join(unknown)}; các nguồn: {', '.join(sorted(SOURCES))}.")
        report = refresh_derived_counts(today=timezone.localdate(), years=options["years"],
                                        sources=options["sources"])
        if options["quiet"]:
            return
        counted = [item for item in report if not item.was_current]
        years = sorted({item.year for item in report})
        span = f"{years[0]}–{years[-1]}" if years else "không có năm nào"
        self.stdout.write(f"Số liệu từ hồ sơ, năm {span}: {len(report)} hàm × năm, đếm lại {len(counted)} "
                          f"({sum(item.seconds for item in counted):.1f} giây), {len(report) - len(counted)} "
                          f"vẫn còn đúng.")
