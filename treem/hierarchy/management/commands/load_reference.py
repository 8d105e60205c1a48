from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from treem.core.reference import load_ethnic_groups
from treem.hierarchy.reference import AGENCIES_FILE, load_agencies, load_units


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu danh mục từ thư mục reference_data/: đơn vị hành chính và kế thừa địa giới, dân tộc, cơ quan. "
        "Load the reference data (hierarchy with lineage, ethnic groups, agencies). Idempotent: inserts what is "
        "missing, updates what changed, never deletes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="print nothing on success")

    def handle(self, *args: Any, **options: Any) -> None:
        units = load_units()
        ethnic = load_ethnic_groups()
        agencies = load_agencies() if AGENCIES_FILE.exists() else None
        if options["quiet"]:
            return
        self.stdout.write(
            f"Đơn vị hành chính: {units.created} thêm, {units.updated} cập nhật, {units.unchanged} không đổi "
            f"({units.details.get('districts', 0)} huyện, {units.details.get('old_communes', 0)} xã cũ, "
            f"{units.details.get('new_communes', 0)} xã mới)."
        )
        self.stdout.write(f"Dân tộc: {ethnic['created']} thêm, {ethnic['updated']} cập nhật.")
        if agencies is not None:
            self.stdout.write(f"Cơ quan: {agencies.created} thêm, {agencies.updated} cập nhật.")
