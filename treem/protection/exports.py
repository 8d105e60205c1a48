"""Excel export of the incident register: the filtered rows, through core's one sheet writer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils.translation import gettext as _

from treem.core.office import TableSpec, add_table_sheet, new_workbook, workbook_bytes
from treem.protection.models import Incident
from treem.protection.selectors import IncidentFilters


def incidents_workbook(incidents: Iterable[Incident], *, filters: IncidentFilters, exported_by: str,
                       exported_at: datetime) -> bytes:
    """One sheet: the register's columns, one row per incident, the latest first."""
    workbook = new_workbook()
    rows = [[
        incident.occurred_on, incident.org_unit.name, incident.village.name if incident.village else "",
        incident.place, incident.get_kind_display(), incident.get_harm_kind_display() if incident.harm_kind else "",
        incident.child_age_years, incident.get_child_sex_display(),
        incident.child_ethnic_group.name if incident.child_ethnic_group else "", incident.get_outcome_display(),
        incident.actions_taken, _("Có") if incident.is_demo else "",
    ] for incident in incidents]
    subtitle = _("Xuất bởi %(user)s lúc %(time)s") % {"user": exported_by, "time": f"{exported_at:%H:%M %d/%m/%Y}"}
    add_table_sheet(workbook, sheet_title=_("Sổ theo dõi"),
                    title=_("Sổ theo dõi tai nạn, thương tích, xâm hại trẻ em năm %(year)s") % {"year": filters.year},
                    subtitle=subtitle, table=TableSpec(
                        headers=[_("Ngày xảy ra"), _("Xã"), _("Thôn, bản"), _("Nơi xảy ra"), _("Loại"),
                                 _("Hình thức xâm hại"), _("Tuổi"), _("Giới tính"), _("Dân tộc"), _("Hậu quả"),
                                 _("Biện pháp đã xử lý"), _("Dữ liệu trình diễn")],
                        rows=rows, number_columns=frozenset({6}), decimals=0))
    return workbook_bytes(workbook)
