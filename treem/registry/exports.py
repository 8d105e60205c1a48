"""Excel export of a list of children. The file says on its first rows that it holds children's identities, who
exported it and when, and for what scope; the ID number is masked unless the exporter may see it in full."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from treem.core.office import excel_row
from treem.registry.models import Child, mask_personal_id

COLUMNS = ("STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số định danh cá nhân", "Xã", "Thôn/bản",
           "Đăng ký khai sinh", "Cấp học", "Trường", "Khuyết tật", "Nhóm hoàn cảnh đặc biệt", "Tình trạng",
           "Dữ liệu trình diễn")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Có" if value else "Không")


def children_workbook(
    children: Iterable[Child], *, exported_by: str, exported_at: datetime, scope: str, full_ids: bool,
    special_groups: dict[int, list[str]], today: date,
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách trẻ em")
    bold = Font(bold=True)

    def title(text: str) -> list[WriteOnlyCell]:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return [cell]

    sheet.append(title("DANH SÁCH TRẺ EM – CÓ THÔNG TIN ĐỊNH DANH CÁ NHÂN"))
    sheet.append(excel_row(sheet, [f"Xuất bởi {exported_by} lúc {exported_at:%H:%M %d/%m/%Y}, theo quyền 'xuất danh "
                                   f"sách trẻ em có danh tính'. Phạm vi: {scope}."]))
    sheet.append(["Tệp chứa dữ liệu cá nhân của trẻ em (Nghị định 13/2023/NĐ-CP, Luật Bảo vệ dữ liệu cá nhân): chỉ "
                  "dùng cho công việc được giao; không chia sẻ, không gửi qua mạng xã hội; xoá khi không còn dùng."])
    sheet.append([])
    sheet.append([WriteOnlyCell(sheet, value=column) for column in COLUMNS])
    for number, child in enumerate(children, start=1):
        personal_id = child.personal_id if full_ids else mask_personal_id(child.personal_id)
        sheet.append(excel_row(sheet, [
            number, child.full_name, child.birth_date_label, child.get_sex_display(),
            child.ethnic_group.name if child.ethnic_group else "", personal_id, child.commune.name,
            child.village.name if child.village else "", _yes_no(child.is_birth_registered),
            child.get_school_level_display() if child.school_level else "", child.school_name,
            _yes_no(child.has_disability), ", ".join(special_groups.get(child.pk, [])), child.get_status_display(),
            "Có" if child.is_demo else "",
        ]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
