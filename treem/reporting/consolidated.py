"""The consolidated provincial report of a year: the Word report (Decree 30 layout) and its Excel annex.

The indicator table comes from the same selector as ``GET /api/v1/indicator-values`` (the province, the year,
its reference date), so the report and the API always agree. Results by task group are drawn from the approved
reports only, agency by agency, then the localities summed up.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from treem.core.access import UserLike, scope_paths
from treem.core.office import (
    AdministrativeDocument,
    DocumentHeading,
    Signature,
    TableSpec,
    add_table_sheet,
    format_number,
    new_workbook,
    workbook_bytes,
)
from treem.hierarchy.selectors import coordinating_agency
from treem.indicators.models import DataValue, Sex
from treem.indicators.selectors import Scope, indicator_values
from treem.plans.models import Indicator, PlanAssignment, TaskGroup
from treem.reporting.models import ReporterKind, ReportingCycle, Submission, TaskProgress, local_time_text
from treem.reporting.permissions import VIEW_STATUS_BOARD
from treem.reporting.reporters import province_on
from treem.reporting.selectors import StatusBoard, status_board


@dataclass
class IndicatorLine:
    code: str
    name: str
    unit: str
    value: Fraction | None
    numerator: Decimal | None
    denominator: Decimal | None
    targets: dict[int, tuple[str, str]]  # year → (target wording, status label)
    status: str
    is_demo: bool

    def value_text(self) -> str:
        if self.value is None:
            return "Chưa có số liệu"
        return format_number(Decimal(self.value.numerator) / Decimal(self.value.denominator), decimals=1) + (
            "%" if self.unit == "%" else f" {self.unit}")


@dataclass
class ResultLine:
    reporter: str
    duty: str
    status: str
    results: str


@dataclass
class ConsolidatedReport:
    cycle: ReportingCycle
    today: date
    province_name: str
    issuer_name: str
    issuer_code: str
    board: StatusBoard
    indicators: list[IndicatorLine]
    results_by_group: list[tuple[TaskGroup, list[ResultLine]]]
    late: list[Submission]
    missing: list[Submission]
    difficulties: list[tuple[str, str]] = field(default_factory=list)
    proposals: list[tuple[str, str]] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.cycle.year


TARGET_YEARS = (2025, 2030)


def indicator_lines(user: UserLike, *, cycle: ReportingCycle, province_code: str, today: date) -> list[IndicatorLine]:
    """The plan's indicators for the province and the year, through ``indicator_values`` (as the API)."""
    lines = []
    scope = Scope(user)  # one engine for the whole table: the hierarchy and the values are read once
    for indicator in Indicator.objects.filter(plan=cycle.plan, is_active=True).order_by("order"):
        _indicator, rows, _on = indicator_values(user, plan=cycle.plan, code=indicator.code, year=cycle.year,
                                                 org_unit_code=province_code, level=None, on=None, today=today,
                                                 scope=scope)
        row = rows[0]
        figure = row.figure
        targets = {}
        for target, assessment in row.progress.assessments:
            targets[target.year] = (f"{target.symbol} {format_number(target.value, decimals=1)}"
                                    f"{'%' if indicator.unit == '%' else ''}", assessment.label)
        headline = row.progress.headline
        lines.append(IndicatorLine(
            code=indicator.code, name=indicator.name, unit=indicator.unit,
            value=figure.value if figure is not None else None,
            numerator=figure.numerator if figure is not None else None,
            denominator=figure.denominator if figure is not None else None,
            targets=targets, status=headline[1].label if headline else "",
            is_demo=bool(figure and figure.includes_demo),
        ))
    return lines


def _duty_groups(duty: PlanAssignment) -> set[int]:
    groups = {group.pk for group in duty.serves_groups.all()}
    groups |= {task.group_id for task in duty.serves_tasks.all()}
    return groups


def consolidated_report(*, user: UserLike, cycle: ReportingCycle, today: date) -> ConsolidatedReport:
    province = province_on(cycle.reference_date, within=scope_paths(user, capability=VIEW_STATUS_BOARD))
    issuer = coordinating_agency(on=today) or coordinating_agency(on=cycle.reference_date)
    board = status_board(user, cycle=cycle, capability=VIEW_STATUS_BOARD)
    submissions = [row.submission for row in board.rows]
    approved = [submission for submission in submissions if submission.status == Submission.Status.APPROVED]
    progress_rows = list(TaskProgress.objects.filter(submission__in=approved).select_related(
        "submission__agency", "submission__org_unit", "assignment").prefetch_related(
        "assignment__serves_groups", "assignment__serves_tasks").order_by("submission__agency__code",
                                                                           "assignment__order"))
    by_group: dict[int, list[ResultLine]] = defaultdict(list)
    locality: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    locality_titles: dict[str, str] = {}
    difficulties, proposals = [], []
    for progress in progress_rows:
        submission = progress.submission
        groups = _duty_groups(progress.assignment)
        if submission.kind == ReporterKind.AGENCY:
            for group_id in groups:
                by_group[group_id].append(ResultLine(
                    reporter=submission.reporter_name, duty=f"{progress.assignment.code} – {progress.assignment.title}",
                    status=str(progress.get_status_display()), results=progress.results or "(không nêu kết quả)"))
        else:
            for group_id in groups:
                locality[(group_id, progress.assignment.code)][str(progress.get_status_display())] += 1
                locality_titles[progress.assignment.code] = progress.assignment.title
        if progress.difficulties:
            difficulties.append((submission.reporter_name, progress.difficulties))
        if progress.proposals:
            proposals.append((submission.reporter_name, progress.proposals))
    for (group_id, code), counts in sorted(locality.items()):
        summary = "; ".join(f"{count} đơn vị {label.lower()}" for label, count in sorted(counts.items()))
        by_group[group_id].append(ResultLine(reporter="UBND cấp xã, cấp huyện",
                                             duty=f"{code} – {locality_titles[code]}", status="", results=summary))
    task_groups = list(TaskGroup.objects.filter(plan=cycle.plan, is_active=True).order_by("order"))
    return ConsolidatedReport(
        cycle=cycle, today=today, province_name=province.name,
        issuer_name=issuer.name if issuer else "Cơ quan thường trực về trẻ em",
        issuer_code=issuer.code if issuer else "UBND",
        board=board,
        indicators=indicator_lines(user, cycle=cycle, province_code=province.code, today=today),
        results_by_group=[(group, by_group.get(group.pk, [])) for group in task_groups],
        late=[submission for submission in submissions if submission.is_received and submission.is_late],
        missing=[submission for submission in submissions if not submission.is_received],
        difficulties=difficulties, proposals=proposals,
    )


def _percent(value: Decimal | None) -> str:
    return "–" if value is None else format_number(value, decimals=1) + "%"


def _place(province_name: str) -> str:
    for prefix in ("Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "):
        if province_name.startswith(prefix):
            return province_name[len(prefix):]
    return province_name


def indicator_table(report: ConsolidatedReport) -> TableSpec:
    rows = []
    for number, line in enumerate(report.indicators, start=1):
        rows.append([number, f"{line.code}. {line.name}", line.value_text(),
                     *(part for year in TARGET_YEARS for part in line.targets.get(year, ("", ""))), line.status])
    return TableSpec(headers=["TT", "Chỉ tiêu", f"Năm {report.year}", "Mục tiêu 2025", "Đánh giá 2025",
                              "Mục tiêu 2030", "Đánh giá 2030", "Tình trạng"],
                     rows=rows, widths_cm=[0.9, 4.6, 1.9, 1.7, 1.9, 1.7, 1.9, 1.9])


def build_docx(report: ConsolidatedReport) -> bytes:
    place = _place(report.province_name)
    plan = report.cycle.plan
    document = AdministrativeDocument(
        heading=DocumentHeading(parent_body=f"UBND {report.province_name}", issuing_body=report.issuer_name,
                                symbol=f"BC-{report.issuer_code}", place=place, issued_on=report.today),
        kind="Báo cáo",
        title=f"Kết quả thực hiện {plan.document_type} số {plan.label_number} năm {report.year}",
    )
    overall = report.board.overall
    document.section("I. KHÁI QUÁT CHUNG")
    document.paragraph(
        f"Thực hiện {plan.document_type} số {plan.label_number} của {plan.issuer} về {plan.title[:1].lower()}"
        f"{plan.title[1:]}, {report.issuer_name} tổng hợp kết quả thực hiện năm {report.year} từ báo cáo của "
        f"các sở, ban, ngành và địa phương như sau.")
    document.paragraph(
        f"Số đơn vị phải báo cáo: {overall.expected}; đã nộp: {overall.received} (đầy đủ "
        f"{_percent(overall.completeness)}); nộp đúng hạn ({report.cycle.deadline_local:%H:%M ngày %d/%m/%Y}): "
        f"{overall.on_time} (đúng hạn {_percent(overall.timeliness)}).")
    for kind, rate in report.board.by_kind.items():
        document.bullets([f"{report.board.kind_label(kind)}: {rate.received}/{rate.expected} đã nộp, "
                          f"{rate.on_time} đúng hạn."])

    document.section("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU")
    if any(line.is_demo for line in report.indicators):
        document.paragraph("(Số liệu có phần dữ liệu trình diễn, không phải số liệu thật.)", italic=True)
    document.table(indicator_table(report), caption=f"Bảng 1. Các chỉ tiêu của kế hoạch, năm {report.year}")

    document.section("III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ")
    for number, (group, lines) in enumerate(report.results_by_group, start=1):
        document.subsection(f"{number}. {group.title}")
        if not lines:
            document.paragraph("Chưa có báo cáo đã duyệt về nhóm nhiệm vụ này.", italic=True)
        for line in lines:
            status = f" ({line.status.lower()})" if line.status else ""
            document.paragraph(f"- {line.reporter} – {line.duty}{status}: {line.results}")

    document.section("IV. TÌNH HÌNH BÁO CÁO")
    document.paragraph(f"Đơn vị nộp muộn ({len(report.late)}): "
                       + (", ".join(submission.reporter_name for submission in report.late) or "không có") + ".")
    document.paragraph(f"Đơn vị chưa nộp ({len(report.missing)}): "
                       + (", ".join(submission.reporter_name for submission in report.missing) or "không có") + ".")

    document.section("V. KHÓ KHĂN, VƯỚNG MẮC")
    document.bullets([f"{who}: {text}" for who, text in report.difficulties] or ["Không có đơn vị nêu khó khăn."])
    document.section("VI. ĐỀ XUẤT, KIẾN NGHỊ")
    document.bullets([f"{who}: {text}" for who, text in report.proposals] or ["Không có đề xuất."])
    document.paragraph(f"Trên đây là báo cáo kết quả thực hiện kế hoạch năm {report.year} của {report.issuer_name}./.")
    document.closing(recipients=[f"UBND {report.province_name} (b/c)", "Các sở, ban, ngành liên quan",
                                 "UBND các xã, phường", "Lưu: VT"],
                     signature=Signature(on_behalf_of="KT. Giám đốc", title="Phó Giám đốc"))
    return document.to_bytes()


def build_xlsx(report: ConsolidatedReport) -> bytes:
    """The annex: indicators (with numerators and denominators), reporting status, task results, figures."""
    workbook = new_workbook()
    subtitle = f"Năm {report.year} – {report.province_name}"
    add_table_sheet(workbook, sheet_title="Chỉ tiêu", title="Phụ lục 1. Các chỉ tiêu của kế hoạch", subtitle=subtitle,
                    table=TableSpec(
                        headers=["Mã", "Chỉ tiêu", "Đơn vị", "Giá trị", "Tử số", "Mẫu số", "Mục tiêu 2025",
                                 "Đánh giá 2025", "Mục tiêu 2030", "Đánh giá 2030", "Tình trạng"],
                        rows=[[line.code, line.name, line.unit,
                               None if line.value is None else float(line.value),
                               line.numerator, line.denominator,
                               *(part for year in TARGET_YEARS for part in line.targets.get(year, ("", ""))),
                               line.status] for line in report.indicators],
                        number_columns=frozenset({3, 4, 5})))
    add_table_sheet(workbook, sheet_title="Tình hình báo cáo", title="Phụ lục 2. Tình hình nộp báo cáo",
                    subtitle=subtitle, table=TableSpec(
                        headers=["Đơn vị báo cáo", "Loại", "Trạng thái", "Nộp lần đầu", "Đúng hạn/muộn"],
                        rows=[[row.submission.reporter_name, report.board.kind_label(row.submission.kind),
                               row.status_label, local_time_text(row.submitted_at), row.timeliness_label]
                              for row in report.board.rows]))
    add_table_sheet(workbook, sheet_title="Nhiệm vụ", title="Phụ lục 3. Kết quả thực hiện nhiệm vụ (báo cáo đã duyệt)",
                    subtitle=subtitle, table=TableSpec(
                        headers=["Nhóm nhiệm vụ", "Đơn vị", "Nhiệm vụ", "Tình hình", "Kết quả"],
                        rows=[[group.code, line.reporter, line.duty, line.status, line.results]
                              for group, lines in report.results_by_group for line in lines]))
    # Plain tuples, not model instances: the province's values are tens of thousands of rows.
    values = DataValue.objects.with_value().filter(data_element__plan=report.cycle.plan, year=report.year) \
        .order_by("data_element__order", "org_unit__path", "sex", "ethnic_group__code").values_list(
        "data_element__code", "data_element__name", "data_element__unit", "org_unit__code", "org_unit__name", "sex",
        "ethnic_group__name", "value", "comment")
    sex_labels = {value: str(label) for value, label in Sex.choices}
    add_table_sheet(workbook, sheet_title="Số liệu", title="Phụ lục 4. Số liệu đã nhập", subtitle=subtitle,
                    table=TableSpec(
                        headers=["Mã phần tử", "Phần tử dữ liệu", "Đơn vị tính", "Mã đơn vị", "Đơn vị", "Giới tính",
                                 "Dân tộc", "Giá trị", "Ghi chú"],
                        rows=[[code, name, unit, unit_code, unit_name, sex_labels.get(sex, "") if sex else "",
                               group or "", value, comment]
                              for code, name, unit, unit_code, unit_name, sex, group, value, comment in values],
                        number_columns=frozenset({7}), decimals=0))
    return workbook_bytes(workbook)
