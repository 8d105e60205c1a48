"""``manage.py export_child_data``: everything held on one child, for a subject access request, written to a file
as the named officer may see it (scoped and audited as on the page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from treem.accounts.models import User
from treem.registry.subject_access import export_child_personal_data


class Command(BaseCommand):
    help = "Xuất toàn bộ dữ liệu cá nhân đang lưu về một trẻ em (yêu cầu của chủ thể dữ liệu, Nghị định 13/2023)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--child", type=int, required=True, help="mã hồ sơ trẻ em")
        parser.add_argument("--username", required=True, help="cán bộ thực hiện (quyền xem hồ sơ trẻ em)")
        parser.add_argument("--output", required=True, help="tệp kết quả (.xlsx hoặc .json)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"Không có người dùng đang hoạt động '{options['username']}'.")
        output = Path(options["output"])
        file_format = "json" if output.suffix.lower() == ".json" else "xlsx"
        try:
            export = export_child_personal_data(actor=actor, child_id=options["child"], file_format=file_format)
        except Http404 as error:
            raise CommandError("Không tìm thấy hoặc người dùng không có quyền xem hồ sơ này.") from error
        output.write_bytes(export.as_json() if file_format == "json" else export.as_xlsx())
        self.stdout.write(f"Đã ghi {len(export.tables)} mục về trẻ {export.child.full_name} vào {output}.")
