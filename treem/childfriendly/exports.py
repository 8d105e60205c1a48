"""The printable assessment record (.docx) and the provincial summary table (.xlsx), through ``core/office.py``.

Both are Vietnamese documents whatever the page's language (``translation.override("vi")``)."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from treem.childfriendly.models import Assessment
from treem.childfriendly.rules import format_points
from treem.childfriendly.selectors import OverviewRow, band_of, recognition_of, scores_of, threshold_of
from treem.core.office import (
    AdministrativeDocument,
    DocumentHeading,
    Signature,
    TableSpec,
    add_table_sheet,
    new_workbook,
    workbook_bytes,
)


def _value_text(score_value: object, *, is_share: bool, is_yes_no: bool) -> str:
    if score_value is None:
        return "—"
    text = format_points(score_value)  # type: ignore[arg-type]
    if is_yes_no:
        return "Có" if text == "1" else "Không"
    return f"{text} %" if is_share else text


def assessment_record(assessment: Assessment, *, today: date) -> bytes:
    """Biên bản tự đánh giá: every sub-item with its figure, source and points; the criteria; the result."""
    with translation.override("vi"):
        commune = assessment.org_unit
        document = AdministrativeDocument(
            heading=DocumentHeading(issuing_body=f"UBND {commune.name}", symbol="BB-UBND", issued_on=today),
            kind="BIÊN BẢN",
            title=f"Tự đánh giá xã, phường, thị trấn phù hợp với trẻ em năm {assessment.year}")
        result = recognition_of(assessment)
        threshold = threshold_of(assessment)
        document.paragraph(f"Căn cứ {assessment.version.legal_basis} ({assessment.version.title}).")
        document.paragraph(f"Đơn vị: {commune.name}. Nhóm điểm chuẩn: {band_of(assessment) or 'chưa xác định'}"
                           f" (điểm chuẩn {threshold if threshold is not None else '—'}).")
        rows = []
        for score in scores_of(assessment):
            item = score.sub_item
            source = score.prefill_source or "Xã tự đánh giá"
            if score.is_override:
                source += f"; đã sửa số liệu điền sẵn ({format_points(score.prefilled_value)}): {score.override_reason}"  # type: ignore[arg-type]
            rows.append([item.code, item.text,
                         _value_text(score.value, is_share=item.is_share, is_yes_no=item.is_yes_no),
                         source, item.points, score.points])
        document.table(TableSpec(headers=["Mục", "Nội dung", "Số liệu", "Nguồn", "Điểm tối đa", "Điểm đạt"],
                                 rows=rows, number_columns=frozenset({4, 5}), decimals=0,
                                 widths_cm=[1.2, 6.0, 2.0, 4.3, 1.5, 1.5]),
                       caption="Điểm từng mục")
        document.table(TableSpec(headers=["Tiêu chí", "Tên", "Điểm tối đa", "Điểm đạt", "Đạt"],
                                 rows=[[criterion.number, criterion.name, criterion.max_points, criterion.points,
                                        "Đạt" if criterion.is_met else "Chưa đạt"] for criterion in result.criteria],
                                 number_columns=frozenset({2, 3}), decimals=0, widths_cm=[1.5, 8.5, 2.0, 2.0, 2.5]),
                       caption="Tổng hợp theo tiêu chí")
        document.paragraph(f"Tổng điểm: {format_points(result.total)}/{assessment.version.max_total}.", bold=True)
        if result.is_recognisable:
            document.paragraph("Kết quả: đủ điều kiện công nhận xã, phường, thị trấn phù hợp với trẻ em.", bold=True)
        else:
            document.paragraph("Kết quả: chưa đủ điều kiện công nhận.", bold=True)
            document.bullets(result.reasons())
        document.paragraph(f"Trạng thái: {assessment.get_status_display()}."
                           + (f" Ý kiến thẩm định: {assessment.review_comment}" if assessment.review_comment else ""))
        document.closing(recipients=["Cấp thẩm định", "Lưu: VT"], signature=Signature(
            title="CHỦ TỊCH", on_behalf_of="TM. ỦY BAN NHÂN DÂN"))
        return document.to_bytes()


RESULT_LABELS = {True: "Được công nhận", False: "Chưa công nhận"}


def summary_workbook(rows: list[OverviewRow], *, year: int, area: str) -> bytes:
    """The province's summary: commune, band, points of each criterion, total, result."""
    with translation.override("vi"):
        criteria_count = 0
        table_rows: list[list[object]] = []
        for row in rows:
            assessment = row.assessment
            if assessment is None:
                table_rows.append([row.org_unit.name, "", *([None] * criteria_count), None, "Chưa đánh giá"])
                continue
            result = recognition_of(assessment)
            criteria_count = max(criteria_count, len(result.criteria))
            result_label = (RESULT_LABELS[True] if assessment.status == Assessment.Status.RECOGNISED
                            else f"{RESULT_LABELS[False]} ({assessment.get_status_display().lower()})")
            table_rows.append([row.org_unit.name, band_of(assessment),
                               *[criterion.points for criterion in result.criteria], result.total, result_label])
        criteria_count = criteria_count or 13
        width = 2 + criteria_count + 2
        table_rows = [row if len(row) == width else [*row[:2], *([None] * criteria_count), *row[-2:]]
                      for row in table_rows]
        headers = ["Xã", "Nhóm điểm chuẩn", *[f"TC {number}" for number in range(1, criteria_count + 1)],
                   "Tổng điểm", "Kết quả"]
        workbook = new_workbook()
        add_table_sheet(workbook, sheet_title=f"Tổng hợp {year}",
                        title=f"Tổng hợp đánh giá xã, phường, thị trấn phù hợp với trẻ em năm {year}",
                        subtitle=area, table=TableSpec(headers=headers, rows=table_rows, decimals=0,
                                                       number_columns=frozenset(range(2, 3 + criteria_count))))
        return workbook_bytes(workbook)
