from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from treem.reporting.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Nhắc các đơn vị chưa nộp báo cáo (14, 7, 3, 1 ngày trước hạn và khi quá hạn), qua thư điện tử và thông báo "
        "trong ứng dụng; cùng lịch đó nhắc các hồ sơ khác có hạn theo báo cáo năm (bản tự đánh giá xã phù hợp với "
        "trẻ em chưa gửi; bản chờ thẩm định báo cho cấp thẩm định). Chạy hằng ngày (cron hoặc systemd timer, xem "
        "docs/reporting.md); chạy hai lần trong một ngày không gửi lặp. Remind reporters who have not submitted, and "
        "whatever else is due with the yearly report; run daily; idempotent per day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to act as today (yyyy-mm-dd); default: today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        run = send_reminders(today=today)
        self.stdout.write(f"{today:%d/%m/%Y}: {run.notifications} thông báo mới ({run.emails} thư điện tử) "
                          f"cho {run.reports} báo cáo chưa nộp.")
        for label, records in run.by_source.items():
            self.stdout.write(f"  {label}: {records}")
