from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from treem.hierarchy.models import Level
from treem.hierarchy.selectors import unit_with_code_on
from treem.registry.imports import ImportRefused, import_children_file


class Command(BaseCommand):
    help = (
        "Nhập danh sách trẻ em của một xã từ tệp Excel (.xlsx, .xls, .ods) hoặc CSV. Mỗi dòng được thêm mới, cập "
        "nhật hoặc từ chối kèm lý do; các dòng bị từ chối được ghi ra tệp .xlsx để sửa và nhập lại. Cả lần nhập là "
        "một giao dịch: lỗi giữa chừng không để lại dữ liệu dở dang. "
        "Import a commune's child list; every row is created, updated or rejected with a reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="tệp .xlsx, .xls, .ods hoặc .csv")
        parser.add_argument("--commune", required=True, help="mã thống kê của xã (có hiệu lực vào ngày --as-of)")
        parser.add_argument("--as-of", required=True, type=date.fromisoformat,
                            help="số liệu tính đến ngày (YYYY-MM-DD): tuổi và ngày sinh được kiểm tra theo ngày này")
        parser.add_argument("--dry-run", action="store_true", help="kiểm tra và báo kết quả nhưng không lưu gì")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        parser.add_argument("--rejected", type=Path,
                            help="nơi ghi tệp các dòng bị từ chối (mặc định: cạnh tệp nhập, đuôi -tu-choi.xlsx)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        as_of: date = options["as_of"]
        if not path.exists():
            raise CommandError(f"Không có tệp {path}.")
        commune = unit_with_code_on(code=options["commune"], on=as_of)
        if commune is None or commune.level != Level.COMMUNE:
            raise CommandError(f"Không có xã mã {options['commune']} có hiệu lực ngày {as_of:%d/%m/%Y}.")
        rejected_path = options["rejected"] or path.with_name(f"{path.stem}-tu-choi.xlsx")
        bar = tqdm(total=None, unit=" dòng", disable=options["json"] or options["verbosity"] == 0, desc=path.name)

        def progress(done: int, total: int | None) -> None:
            if total and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            summary = import_children_file(actor=None, path=path, commune=commune, as_of=as_of,
                                           dry_run=options["dry_run"], rejected_path=rejected_path,
                                           progress=progress)
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
            return
        prefix = "THỬ (không lưu): " if summary.dry_run else ""
        self.stdout.write(f"{prefix}{summary.rows} dòng: {summary.created} thêm mới, {summary.updated} cập nhật "
                          f"({summary.changed} có thay đổi), {summary.rejected} bị từ chối; "
                          f"{summary.possible_duplicates} nghi trùng; {summary.warnings} dòng có cảnh báo.")
        if summary.sheet_name:
            self.stdout.write(f"Trang tính: {summary.sheet_name}; dòng tiêu đề: {summary.header_row}"
                              + (f" (tiêu đề trên {summary.header_rows} dòng)" if summary.header_rows > 1 else "")
                              + (f"; bỏ qua {summary.skipped_rows} dòng đánh số cột hoặc cuối bảng"
                                 if summary.skipped_rows else ""))
        for number, reason in summary.rejected_rows:
            self.stdout.write(f"  dòng {number}: {reason}")
        if summary.rejected > len(summary.rejected_rows):
            self.stdout.write(f"  … và {summary.rejected - len(summary.rejected_rows)} dòng khác")
        if summary.rejected_file:
            self.stdout.write(f"Các dòng bị từ chối: {summary.rejected_file}")
