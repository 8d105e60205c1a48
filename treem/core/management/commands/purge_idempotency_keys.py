"""Forget the API's idempotency keys older than their retention (IDEMPOTENCY_KEY_RETENTION_HOURS, 48 by default)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from treem.core.idempotency import purge_idempotency_keys


class Command(BaseCommand):
    help = ("Xóa các khóa chống tạo trùng (Idempotency-Key) của API đã quá thời gian lưu "
            "(IDEMPOTENCY_KEY_RETENTION_HOURS, mặc định 48 giờ). Chạy hằng ngày cùng các việc định kỳ khác.")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_idempotency_keys(now=timezone.now())
        self.stdout.write(f"Đã xóa {deleted} khóa chống tạo trùng quá hạn.")
