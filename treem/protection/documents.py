"""The printable forms of a case (Mẫu 01–06) as Word documents, the format Vietnamese offices exchange.

Each form is filled from the structured form of its step; a step not yet done prints blank lines to fill by hand
in the field. Forms are numbered in the order of the Decree 56/2017 steps (see ``workflow.STEP_RULES``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone, translation

from treem.core.office import AdministrativeDocument, DocumentHeading, Signature, TableSpec
from treem.protection.forms import CLOSURE_REASONS, EMERGENCY_MEASURES
from treem.protection.models import (
    Case,
    CaseStep,
    HarmKind,
    RiskLevel,
    ServiceKind,
    SupportPlan,
)
from treem.protection.workflow import STEP_RULES, Outcome, StepKind

BLANK = "……………………………………………"
FORM_STEPS = {rule.form_number: kind for kind, rule in STEP_RULES.items() if rule.form_number}


class UnknownForm(LookupError):
    pass


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _iso_text(value: Any, *, with_time: bool = False) -> str:
    """A date or datetime stored as ISO text in a step form, shown as dd/mm/yyyy (hh:mm)."""
    if not value:
        return BLANK
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if with_time:
        return _text(parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed))
    return parsed.strftime("%d/%m/%Y")


def _labels(values: Iterable[str] | None, choices: Sequence[tuple[str, object]]) -> str:
    names = dict(choices)
    chosen = [str(names.get(value, value)) for value in values or []]
    return "; ".join(chosen) if chosen else BLANK


def _choice(value: str | None, choices: Sequence[tuple[str, object]]) -> str:
    return str(dict(choices).get(value or "", BLANK)) if value else BLANK


def _section(document: AdministrativeDocument, heading: str, rows: list[tuple[str, str]]) -> None:
    document.section(heading)
    document.table(TableSpec(headers=["Nội dung", "Thông tin"], rows=rows, widths_cm=[5.5, 11.0]))


def _last_step(case: Case, kind: str) -> CaseStep | None:
    return case.steps.filter(kind=kind, status=CaseStep.Status.DONE).order_by("-completed_at").first()


def _child_rows(case: Case) -> list[tuple[str, str]]:
    born = _text(case.child_birth_date) if case.child_birth_date else (
        f"{case.child_age_years} tuổi" if case.child_age_years is not None else BLANK)
    return [
        ("Họ và tên trẻ em", _text(case.child_full_name)),
        ("Ngày sinh / tuổi", born),
        ("Giới tính", case.get_child_sex_display()),
        ("Dân tộc", case.child_ethnic_group.name if case.child_ethnic_group else BLANK),
        ("Nơi ở", _text(", ".join(part for part in (case.child_address, case.village.name if case.village else "",
                                                     case.org_unit.name) if part))),
        ("Nhóm hoàn cảnh đặc biệt", case.get_special_circumstance_display() if case.special_circumstance else
         "Không"),
        ("Cha, mẹ / người chăm sóc", _text(case.guardian_name)),
        ("Điện thoại người chăm sóc", _text(case.guardian_phone)),
    ]


def _form_01(document: AdministrativeDocument, case: Case) -> None:
    _section(document, "I. THÔNG TIN TIẾP NHẬN", [
        ("Thời điểm tiếp nhận", _text(case.reported_at)),
        ("Nguồn thông tin", case.get_reported_via_display()),
        ("Người báo tin", _text(case.reporter_name)),
        ("Điện thoại người báo tin", _text(case.reporter_phone)),
        ("Nơi xảy ra sự việc", _text(case.occurred_place)),
    ])
    _section(document, "II. THÔNG TIN VỀ TRẺ EM", _child_rows(case))
    _section(document, "III. NỘI DUNG SỰ VIỆC", [
        ("Hình thức xâm hại", case.get_harm_kind_display()),
        ("Người bị nghi gây hại", case.get_perpetrator_relation_display()),
        ("Nội dung", _text(case.summary)),
        ("Trẻ đang gặp nguy hiểm", _text(case.is_in_danger)),
    ])


def _form_02(document: AdministrativeDocument, case: Case) -> None:
    step = _last_step(case, StepKind.VERIFY)
    data = step.data if step else {}
    _section(document, "I. THÔNG TIN VỀ TRẺ EM", _child_rows(case)[:4])
    _section(document, "II. XÁC MINH THÔNG TIN", [
        ("Thời điểm tiếp nhận", _text(case.reported_at)),
        ("Phối hợp xác minh với", _text(data.get("verified_with"))),
        ("Kết quả xác minh", _text(data.get("findings"))),
        ("Kết luận", _choice(data.get("outcome"), Outcome.choices)),
    ])
    _section(document, "III. ĐÁNH GIÁ NGUY CƠ BAN ĐẦU VÀ BIỆN PHÁP KHẨN CẤP", [
        ("Trẻ đang gặp nguy hiểm", _text(data.get("is_in_danger")) if step else BLANK),
        ("Mức độ nguy cơ", _choice(data.get("risk_level"), RiskLevel.choices)),
        ("Biện pháp khẩn cấp đã áp dụng", _labels(data.get("emergency_measures"), EMERGENCY_MEASURES)),
        ("Thời điểm áp dụng", _iso_text(data.get("emergency_measures_at"), with_time=True)),
        ("Hoàn thành lúc", _text(step.completed_at) if step else BLANK),
    ])


def _form_03(document: AdministrativeDocument, case: Case) -> None:
    step = _last_step(case, StepKind.ASSESS)
    data = step.data if step else {}
    _section(document, "I. THÔNG TIN VỀ TRẺ EM", _child_rows(case))
    _section(document, "II. ĐÁNH GIÁ CHI TIẾT", [
        ("Hình thức xâm hại", case.get_harm_kind_display()),
        ("Tình trạng của trẻ", _text(data.get("child_situation"))),
        ("Hoàn cảnh gia đình", _text(data.get("family_situation"))),
        ("Ý kiến, nguyện vọng của trẻ", _text(data.get("child_views"))),
        ("Yếu tố bảo vệ, điểm mạnh", _text(data.get("strengths"))),
        ("Yếu tố nguy cơ", _text(data.get("risk_factors"))),
        ("Mức độ nguy cơ", _choice(data.get("risk_level"), RiskLevel.choices)),
        ("Nhu cầu hỗ trợ", _labels(data.get("needs"), ServiceKind.choices)),
    ])


def _services_table(document: AdministrativeDocument, plan: SupportPlan | None) -> None:
    services = list(plan.services.all()) if plan else []
    rows = [[service.get_kind_display(), service.description, service.provider_name, _text(service.planned_on),
             _text(service.delivered_on) if service.delivered_on else "Chưa"] for service in services]
    document.table(TableSpec(headers=["Loại", "Nội dung", "Người, đơn vị thực hiện", "Dự kiến", "Đã thực hiện"],
                             rows=rows or [["", "", "", "", ""]] * 3, widths_cm=[3.0, 4.5, 4.0, 2.5, 2.5]),
                   caption="Các dịch vụ hỗ trợ, can thiệp")


def _form_04(document: AdministrativeDocument, case: Case) -> None:
    plan = case.plans.order_by("-number").first()
    _section(document, "I. THÔNG TIN VỀ TRẺ EM", _child_rows(case)[:5])
    _section(document, "II. KẾ HOẠCH HỖ TRỢ, CAN THIỆP" + (f" (LẦN {plan.number})" if plan else ""), [
        ("Hình thức xâm hại", case.get_harm_kind_display()),
        ("Mục tiêu", _text(plan.goals if plan else "")),
        ("Biện pháp", _text(plan.measures if plan else "")),
        ("Thực hiện từ ngày", _text(plan.starts_on if plan else None)),
        ("Ngày theo dõi, đánh giá", _text(plan.review_on if plan else None)),
    ])
    _services_table(document, plan)
    _section(document, "III. PHÊ DUYỆT", [
        ("Ngày phê duyệt", _text(plan.approved_on if plan else None)),
        ("Người phê duyệt", _text(plan.approver_name if plan else "")),
        ("Số quyết định", _text(plan.decision_number if plan else "")),
    ])


def _form_05(document: AdministrativeDocument, case: Case) -> None:
    step = _last_step(case, StepKind.REVIEW)
    data = step.data if step else {}
    plan = (step.plan if step and step.plan else case.plans.order_by("-number").first())
    _section(document, "I. THÔNG TIN VỀ TRẺ EM", _child_rows(case)[:4])
    _services_table(document, plan)
    _section(document, "II. THEO DÕI, ĐÁNH GIÁ", [
        ("Kết quả thực hiện kế hoạch", _text(data.get("progress"))),
        ("Tình trạng hiện nay của trẻ", _text(data.get("child_situation"))),
        ("Mức độ nguy cơ hiện nay", _choice(data.get("risk_level"), RiskLevel.choices)),
        ("Quyết định", _choice(data.get("decision"), Outcome.choices)),
    ])


def _form_06(document: AdministrativeDocument, case: Case) -> None:
    step = _last_step(case, StepKind.CLOSE)
    data = step.data if step else {}
    _section(document, "I. THÔNG TIN VỀ TRẺ EM", _child_rows(case)[:4])
    _section(document, "II. KẾT THÚC KẾ HOẠCH, ĐÓNG HỒ SƠ", [
        ("Hình thức xâm hại", str(HarmKind(case.harm_kind).label)),
        ("Tiếp nhận lúc", _text(case.reported_at)),
        ("Số kế hoạch đã thực hiện", str(case.plans.count())),
        ("Lý do đóng hồ sơ", _choice(data.get("reason"), CLOSURE_REASONS)),
        ("Tình trạng của trẻ khi đóng", _text(data.get("child_situation"))),
        ("Theo dõi sau khi đóng", _text(data.get("follow_up"))),
        ("Đóng hồ sơ lúc", _text(case.closed_at)),
    ])


@dataclass(frozen=True)
class _Signer:
    title: str
    on_behalf_of: str = ""


PREPARER = _Signer("Người lập phiếu")
CHAIR = _Signer("Chủ tịch", on_behalf_of="TM. Ủy ban nhân dân")

BUILDERS: dict[str, tuple[Callable[[AdministrativeDocument, Case], None], _Signer]] = {
    "01": (_form_01, PREPARER), "02": (_form_02, PREPARER), "03": (_form_03, PREPARER),
    "04": (_form_04, CHAIR), "05": (_form_05, PREPARER), "06": (_form_06, CHAIR),
}


def form_numbers() -> list[str]:
    return sorted(BUILDERS)


def render_case_form(case: Case, number: str) -> tuple[str, bytes]:
    """The Word document of form ``number`` ("01"…"06") for ``case``: its file name and content. The forms are
    the decree's, so they are written in Vietnamese whatever the language of the page that asked for them."""
    if number not in BUILDERS:
        raise UnknownForm(number)
    with translation.override("vi"):
        return _render(case, number)


def _render(case: Case, number: str) -> tuple[str, bytes]:
    build, signer = BUILDERS[number]
    document = AdministrativeDocument(
        heading=DocumentHeading(issuing_body=f"Ủy ban nhân dân {case.org_unit.name}", symbol="BVTE",
                                place=case.org_unit.name),
        kind=f"Mẫu số {number}", title=str(STEP_RULES[FORM_STEPS[number]].form_title),
    )
    document.paragraph(f"Số hồ sơ: {case.number}", bold=True)
    if case.is_demo:
        document.paragraph("DỮ LIỆU TRÌNH DIỄN – KHÔNG PHẢI HỒ SƠ THẬT", bold=True)
    build(document, case)
    document.closing(recipients=[f"Hồ sơ trường hợp {case.number}", "Lưu: VT"],
                     signature=Signature(title=signer.title, on_behalf_of=signer.on_behalf_of))
    return f"mau-{number}-{case.number}.docx", document.to_bytes()
