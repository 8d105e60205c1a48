"""Excel exports of the reporting cycle: the coordinator's status board."""

from __future__ import annotations

from treem.core.office import TableSpec, add_table_sheet, new_workbook, workbook_bytes
from treem.reporting.models import local_time_text
from treem.reporting.selectors import StatusBoard


def status_board_workbook(board: StatusBoard) -> bytes:
    """Two sheets: every expected reporter × status, submitted at, on time or late; completeness and timeliness
    overall and by kind of reporter."""
    workbook = new_workbook()
    cycle = board.cycle
    subtitle = f"Hạn nộp {cycle.deadline_local:%H:%M ngày %d/%m/%Y}"
    add_table_sheet(workbook, sheet_title="Tình hình nộp", title=f"Tình hình nộp báo cáo năm {cycle.year}",
                    subtitle=subtitle, table=TableSpec(
                        headers=["Đơn vị báo cáo", "Loại", "Mã đơn vị", "Trạng thái", "Nộp lần đầu lúc",
                                 "Nộp lần gần nhất lúc", "Đúng hạn/muộn", "Số phiên bản"],
                        rows=[[row.submission.reporter_name, board.kind_label(row.submission.kind),
                               row.submission.agency.code if row.submission.agency else row.submission.org_unit.code,
                               row.status_label,
                               local_time_text(row.submitted_at), local_time_text(row.submission.submitted_at),
                               row.timeliness_label, row.submission.version_count] for row in board.rows],
                        number_columns=frozenset({7}), decimals=0))
    rates = [("Tổng số", board.overall), *((board.kind_label(kind), rate) for kind, rate in board.by_kind.items())]
    add_table_sheet(workbook, sheet_title="Tỷ lệ", title="Tính đầy đủ và kịp thời", subtitle=subtitle,
                    table=TableSpec(
                        headers=["Loại đơn vị", "Phải nộp", "Đã nộp", "Đúng hạn", "Đầy đủ (%)", "Kịp thời (%)"],
                        rows=[[label, rate.expected, rate.received, rate.on_time, rate.completeness, rate.timeliness]
                              for label, rate in rates],
                        number_columns=frozenset({1, 2, 3, 4, 5})))
    return workbook_bytes(workbook)
