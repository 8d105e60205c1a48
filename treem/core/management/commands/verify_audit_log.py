"""``manage.py verify_audit_log``: seal what is new, then recompute the whole chain and report the first audit row
changed or removed after it was sealed. Exits with an error when the chain is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.core.integrity import seal_audit_log, verify_audit_log


def _anchor(text: str) -> tuple[int, str]:
    seal_id, _, digest = text.partition(":")
    if not seal_id.isdigit() or len(digest) != 64:
        raise CommandError(f"Mốc không hợp lệ: {text!r} (cần dạng SỐ_MẮT_XÍCH:MÃ_BĂM_64_KÝ_TỰ).")
    return int(seal_id), digest.lower()


class Command(BaseCommand):
    help = "Kiểm tra chuỗi niêm phong của nhật ký kiểm toán."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-seal", action="store_true",
                            help="Không niêm phong các dòng mới trước khi kiểm tra.")
        parser.add_argument("--anchor", action="append", default=[], metavar="ID:DIGEST",
                            help="Mốc đầu chuỗi đã ghi lại bên ngoài (có thể nhắc lại).")

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = [_anchor(text) for text in options["anchor"]]
        if not options["no_seal"]:
            sealed = seal_audit_log()
            self.stdout.write(f"Đã niêm phong {sealed.sealed} dòng mới.")
        result = verify_audit_log(anchors=anchors)
        self.stdout.write(f"Đã kiểm tra {result.sealed} mắt xích. Đầu chuỗi: #{result.head_id} {result.head_digest}")
        if result.unsealed:
            self.stdout.write(f"Chưa niêm phong: {result.unsealed} dòng.")
        if result.unsealed_below_head:
            listed = ", ".join(str(event_id) for event_id in result.unsealed_below_head)
            self.stdout.write(f"Dòng có số nhỏ hơn đầu chuỗi mà chưa niêm phong (ghi muộn hoặc chèn thêm): {listed}")
        for mismatch in result.anchor_mismatches:
            self.stderr.write(mismatch)
        if result.problems:
            first = result.first_problem
            assert first is not None
            raise CommandError(f"Chuỗi niêm phong bị phá vỡ ({len(result.problems)} mắt xích sai). Đầu tiên: "
                               f"{first.message}")
        if result.anchor_mismatches:
            raise CommandError("Chuỗi niêm phong không khớp với mốc đã ghi lại.")
        self.stdout.write(self.style.SUCCESS("Nhật ký kiểm toán nguyên vẹn."))
