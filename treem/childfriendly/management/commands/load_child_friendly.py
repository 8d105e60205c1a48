from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from treem.childfriendly.reference import load_child_friendly


class Command(BaseCommand):
    help = (
        "Nạp bảng điểm xã, phường, thị trấn phù hợp với trẻ em (reference_data/child-friendly/*.yaml), cấp công nhận "
        "và nhóm điểm chuẩn của các xã (settings.yaml). Load the child-friendly scoring tables and settings. "
        "Idempotent; a version already used by an assessment is never changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="scoring files (default: every table in reference_data)")
        parser.add_argument("--quiet", action="store_true", help="print nothing on success")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_child_friendly([Path(name) for name in options["files"]] or None)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        if not options["quiet"]:
            self.stdout.write(
                f"Bảng điểm: {len(report.versions_created)} thêm, {len(report.versions_updated)} cập nhật, "
                f"{len(report.versions_unchanged)} không đổi; cấp công nhận: {report.levels} thêm; "
                f"nhóm điểm chuẩn của xã: {report.bands} thêm.")
