"""Subject access (Decree 13/2023/NĐ-CP, Article 9 and 14): everything treem holds on one child, as one file.

The registry contributes the record, where the child lived, guardians, consents, special circumstances and the
audit events about the child; nutrition and protection add their sections through
``treem.core.personal_data``. Every section shows only what the requesting user may see; the export itself is
recorded in the audit trail. The file is an Excel workbook (one sheet per section, for printing and handing over)
or JSON (for transfer to another system).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from treem.core.access import UserLike
from treem.core.audit import record_read
from treem.core.models import AuditEvent
from treem.core.office import TableSpec, add_table_sheet, new_workbook, workbook_bytes
from treem.core.personal_data import (
    PersonalDataTable,
    model_table,
    personal_data_sections,
    plain,
    register_personal_data_section,
)
from treem.registry.models import Child, Consent, Guardian, Residence, SpecialCircumstance, mask_personal_id
from treem.registry.selectors import can_see_personal_id, child_for

NOTICE = ("Dữ liệu cá nhân của trẻ em, cung cấp theo yêu cầu của chủ thể dữ liệu (Nghị định 13/2023/NĐ-CP, Điều 9 "
          "và Điều 14). Chỉ giao cho trẻ em, cha, mẹ hoặc người giám hộ hợp pháp; không chia sẻ cho người khác.")


@dataclass(frozen=True)
class SubjectAccessExport:
    child: Child
    exported_by: str
    exported_at: datetime
    tables: list[PersonalDataTable]

    def as_json(self) -> bytes:
        body = {
            "notice": NOTICE, "child_id": self.child.pk, "exported_by": self.exported_by,
            "exported_at": self.exported_at.isoformat(),
            "sections": [{"title": table.title, "note": table.note,
                          "rows": [dict(zip(table.headers, row, strict=True)) for row in table.rows]}
                         for table in self.tables],
        }
        return json.dumps(body, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder).encode("utf-8")

    def as_xlsx(self) -> bytes:
        workbook = new_workbook()
        cover = TableSpec(headers=["Mục", "Nội dung"], rows=[
            ["Trẻ em", self.child.full_name], ["Ngày sinh", self.child.birth_date_label],
            ["Xuất bởi", self.exported_by], ["Thời điểm", plain(self.exported_at)], ["Lưu ý", NOTICE],
            *[[table.title, f"{len(table.rows)} dòng" + (f" – {table.note}" if table.note else "")]
              for table in self.tables],
        ])
        add_table_sheet(workbook, sheet_title="Tóm tắt", title="DỮ LIỆU CÁ NHÂN CỦA TRẺ EM", table=cover)
        for number, table in enumerate(self.tables, start=1):
            add_table_sheet(workbook, sheet_title=f"{number}. {table.title}", title=table.title,
                            subtitle=table.note, table=TableSpec(headers=list(table.headers) or ["—"],
                                                                 rows=[list(row) for row in table.rows]))
        return workbook_bytes(workbook)


@transaction.atomic
def export_child_personal_data(*, actor: UserLike, child_id: int, file_format: str = "xlsx",
                               now: datetime | None = None) -> SubjectAccessExport:
    """Gather every section for a child the actor may see (the same 404 otherwise) and record the export."""
    child = child_for(actor, child_id=child_id)
    tables = [section.collect(user=actor, child=child) for section in personal_data_sections()]
    record_read(actor=actor, obj=child, org_unit_path=child.commune.path, verb=AuditEvent.Verb.EXPORT,
                reason=f"Cung cấp dữ liệu cá nhân theo yêu cầu của chủ thể ({file_format}, {len(tables)} mục)")
    return SubjectAccessExport(child=child, exported_by=actor.get_username(), exported_at=now or timezone.now(),
                               tables=tables)


# ---- the registry's own sections ---------------------------------------------------------------------------------


def _record(*, user: UserLike, child: Child) -> PersonalDataTable:
    table = model_table("Hồ sơ trẻ em", [child], Child, exclude=["name_folded", "deleted_at", "deletion_reason"])
    if not can_see_personal_id(user):
        position = list(table.headers).index(str(Child._meta.get_field("personal_id").verbose_name))
        rows = [[*row[:position], mask_personal_id(child.personal_id), *row[position + 1:]] for row in table.rows]
        return PersonalDataTable(title=table.title, headers=table.headers, rows=rows,
                                 note="Số định danh cá nhân được che một phần theo quyền của người xuất.")
    return table


def _residences(*, user: UserLike, child: Child) -> PersonalDataTable:
    return model_table("Nơi cư trú", Residence.objects.filter(child=child).select_related("commune", "village")
                       .order_by("moved_in_on", "id"), Residence, exclude=["child"])


def _guardians(*, user: UserLike, child: Child) -> PersonalDataTable:
    return model_table("Cha, mẹ, người chăm sóc", Guardian.objects.filter(child=child).order_by("id"), Guardian,
                       exclude=["child"])


def _consents(*, user: UserLike, child: Child) -> PersonalDataTable:
    return model_table("Sự đồng ý", Consent.objects.filter(child=child).select_related("guardian")
                       .order_by("given_on", "id"), Consent, exclude=["child"])


def _special_circumstances(*, user: UserLike, child: Child) -> PersonalDataTable:
    return model_table("Hoàn cảnh đặc biệt", SpecialCircumstance.objects.filter(child=child)
                       .order_by("identified_on", "id"), SpecialCircumstance, exclude=["child"])


def _audit_events(*, user: UserLike, child: Child) -> PersonalDataTable:
    events = AuditEvent.objects.filter(object_type="registry.child", object_id=str(child.pk)).order_by("at", "id")
    rows = [[plain(event.at), event.actor_username, event.get_verb_display(), event.action, event.reason,
             plain(event.before), plain(event.after)] for event in events]
    return PersonalDataTable(
        title="Nhật ký xử lý dữ liệu", rows=rows,
        headers=["Thời điểm", "Người thực hiện", "Hành động", "Nghiệp vụ", "Lý do", "Trước", "Sau"],
        note="Mọi lần tạo, sửa, xem, xuất hồ sơ của trẻ.")


def register() -> None:
    register_personal_data_section("registry.record", _record, order=100)
    register_personal_data_section("registry.residences", _residences, order=110)
    register_personal_data_section("registry.guardians", _guardians, order=120)
    register_personal_data_section("registry.consents", _consents, order=130)
    register_personal_data_section("registry.special_circumstances", _special_circumstances, order=140)
    register_personal_data_section("registry.audit", _audit_events, order=900)
