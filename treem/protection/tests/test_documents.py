"""The printable forms (Mẫu 01–06) are filled from the steps' structured forms, blank where a step is not done."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from treem.protection import services
from treem.protection.documents import BLANK, UnknownForm, form_numbers, render_case_form
from treem.protection.tests.factories import CHILD_NAME, advance_to_plan, make_case, open_step, worker
from treem.protection.workflow import Outcome

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_there_are_six_forms_and_an_unknown_one_is_refused() -> None:
    assert form_numbers() == ["01", "02", "03", "04", "05", "06"]
    with pytest.raises(UnknownForm):
        render_case_form(make_case(), "09")


def test_the_receipt_form_carries_the_report() -> None:
    case = make_case(reporter_name="Lò Thị Báo", occurred_place="Nương ngô đầu bản")
    filename, content = render_case_form(case, "01")
    text = text_of(content)
    assert filename == f"mau-01-{case.number}.docx"
    for expected in (case.number, CHILD_NAME, "Lò Thị Báo", "Nương ngô đầu bản", "Bạo lực thể chất",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", case.org_unit.name.upper()):
        assert expected in text


def test_the_verification_form_is_blank_until_done_then_filled() -> None:
    actor = worker()
    case = make_case(actor, is_in_danger=True)
    assert BLANK in text_of(render_case_form(case, "02")[1])
    services.complete_step(actor=actor, step=open_step(case), outcome=Outcome.CONFIRMED, data={
        "findings": "Xác minh cùng công an xã", "risk_level": "high", "is_in_danger": True,
        "emergency_measures": ["safe_place", "police"], "emergency_measures_at": timezone.now().isoformat()})
    text = text_of(render_case_form(case, "02")[1])
    assert "Xác minh cùng công an xã" in text and "Đưa trẻ đến nơi an toàn" in text and "Cao" in text


def test_the_plan_form_lists_the_services_and_the_chairs_approval() -> None:
    actor = worker()
    case = make_case(actor)
    advance_to_plan(case, actor)
    today = timezone.localdate()
    plan = services.save_plan(actor=actor, case=case, goals="Trẻ trở lại trường", starts_on=today,
                              review_on=today + timedelta(days=30))
    services.add_service(actor=actor, plan=plan, kind="education", description="Học phụ đạo",
                         provider_name="Trường PTDTBT", planned_on=today)
    services.approve_plan(actor=actor, plan=plan, approved_on=today, approver_name="Lò Văn Thắng",
                          decision_number="07/QĐ-UBND")
    text = text_of(render_case_form(case, "04")[1])
    for expected in ("Trẻ trở lại trường", "Học phụ đạo", "Trường PTDTBT", "Lò Văn Thắng", "07/QĐ-UBND",
                     "CHỦ TỊCH"):
        assert expected in text


def test_a_demo_case_prints_the_demo_mark() -> None:
    case = make_case(is_demo=True)
    assert "DỮ LIỆU TRÌNH DIỄN" in text_of(render_case_form(case, "06")[1])
