"""``manage.py seal_audit_log``: append the hash-chain links of the audit rows written since the last run (nightly,
and after large imports)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from treem.core.integrity import seal_audit_log


class Command(BaseCommand):
    help = "Niêm phong các dòng nhật ký kiểm toán mới bằng chuỗi mã băm."

    def handle(self, *args: Any, **options: Any) -> None:
        result = seal_audit_log()
        self.stdout.write(f"Đã niêm phong {result.sealed} dòng. Đầu chuỗi: #{result.head_id} {result.head_digest}")
