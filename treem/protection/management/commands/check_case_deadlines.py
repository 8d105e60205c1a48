from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from treem.protection.services import raise_deadline_alerts


class Command(BaseCommand):
    help = (
        "Báo quá hạn: gửi thông báo (trong hệ thống và e-mail) cho cán bộ quản lý trường hợp và người giám sát về "
        "mỗi bước đã quá hạn và mỗi chuyển gửi đến hạn theo dõi. Raise the overdue-step and referral follow-up "
        "alerts to the workers and their supervisors. Safe to run many times a day: each alert is sent once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="check as of this moment (yyyy-mm-ddThh:mm, local time); default: now")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options.get("at"):
            try:
                moment = datetime.fromisoformat(options["at"])
            except ValueError as error:
                raise CommandError(f"Không đọc được thời điểm '{options['at']}' (yyyy-mm-ddThh:mm).") from error
            now = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        result = raise_deadline_alerts(now=now)
        self.stdout.write(
            f"{result.overdue_steps} bước quá hạn, {result.follow_ups_due} chuyển gửi đến hạn theo dõi; "
            f"{result.notices_created} thông báo mới."
        )
