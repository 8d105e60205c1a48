"""The pages: who may open and post to each route, refused input shown next to its field, the Word record and
the Excel summary read back."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from treem.accounts.tests.factories import unit, user_with_role
from treem.childfriendly.models import Assessment, SubItem
from treem.childfriendly.services import review_assessment, submit_assessment
from treem.childfriendly.tests.factories import (
    OWN,
    criterion_maxima,
    officer,
    points_for_total,
    scored_assessment,
    scoring_version,
)
from treem.core.roles import Role

pytestmark = pytest.mark.django_db


def routes(assessment: Assessment) -> dict[str, tuple[str, str]]:
    """Every route: name → (method, address)."""
    pk = assessment.pk
    return {
        "index": ("get", reverse("childfriendly:index") + "?nam=2026"),
        "summary_xlsx": ("get", reverse("childfriendly:summary_xlsx") + "?nam=2026"),
        "start": ("post", reverse("childfriendly:start")),
        "assessment": ("get", reverse("childfriendly:assessment", args=[pk])),
        "scores": ("post", reverse("childfriendly:scores", args=[pk])),
        "submit": ("post", reverse("childfriendly:submit", args=[pk])),
        "review": ("post", reverse("childfriendly:review", args=[pk])),
        "record_docx": ("get", reverse("childfriendly:record_docx", args=[pk])),
    }


# Who may reach each route (the service may still refuse the act: that answer is not 403).
ALLOWED = {
    Role.COMMUNE_OFFICER: {"index", "summary_xlsx", "start", "assessment", "scores", "submit", "record_docx"},
    Role.COORDINATOR: {"index", "summary_xlsx", "assessment", "review", "record_docx"},
    Role.LEADER: {"index", "summary_xlsx", "assessment", "record_docx"},
    Role.ADMIN: {"index", "summary_xlsx", "assessment", "record_docx"},
    Role.AGENCY_REPORTER: set(),
    Role.CASE_WORKER: set(),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_reaches_exactly_its_routes(client: Client, role: str) -> None:
    assessment = scored_assessment()
    client.force_login(user_with_role(role, OWN if role != Role.COORDINATOR else "12"))
    for name, (method, url) in routes(assessment).items():
        response = getattr(client, method)(url, {"decision": "return", "comment": "x"} if name == "review" else {})
        if name in ALLOWED[role]:
            assert response.status_code != 403, (role, name)
        else:
            assert response.status_code == 403, (role, name, response.status_code)


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login_page(client: Client) -> None:
    assessment = scored_assessment()
    for name, (method, url) in routes(assessment).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/tai-khoan/" in response["Location"], name


def test_an_officer_starts_and_scores_and_a_share_above_100_is_shown_next_to_its_field(client: Client) -> None:
    client.force_login(officer())
    response = client.post(reverse("childfriendly:start"), {"nam": "2026", "org_unit": unit(OWN).pk})
    assessment = Assessment.objects.get(org_unit=unit(OWN), year=2026)
    assert response.status_code == 302 and response["Location"].endswith(f"/danh-gia/{assessment.pk}/")
    page = client.post(reverse("childfriendly:scores", args=[assessment.pk]),
                       {"value_7.1": "120", "value_1.1": "1"})
    assert page.status_code == 422
    html = page.content.decode()
    assert 'data-testid="error-7.1">Mục 7.1: tỷ lệ không được quá 100 % (nhận được 120 %).</span>' in html
    assert assessment.scores.get(sub_item__code="1.1").value is None
    saved = client.post(reverse("childfriendly:scores", args=[assessment.pk]), {"value_7.1": "98,5"})
    assert saved.status_code == 302
    assert str(assessment.scores.get(sub_item__code="7.1").value) == "98.50"


def test_the_page_shows_the_source_of_the_i01_value_after_recognition(client: Client) -> None:
    assessment = submit_assessment(actor=None, assessment=scored_assessment())
    review_assessment(actor=None, assessment=assessment, decision="recognise")
    client.force_login(user_with_role(Role.LEADER, "12"))
    html = client.get(reverse("childfriendly:assessment", args=[assessment.pk])).content.decode()
    assert 'data-testid="i01-source"' in html and f"bản đánh giá số {assessment.pk}" in html


def test_the_record_is_a_word_document_with_every_sub_item_and_the_result(client: Client) -> None:
    assessment = submit_assessment(actor=None, assessment=scored_assessment(points=points_for_total(950, zero=7)))
    version = scoring_version()
    sub_items = list(SubItem.objects.filter(criterion__version=version).order_by("criterion__number", "position")
                     .values_list("code", flat=True))
    client.force_login(officer())
    response = client.get(reverse("childfriendly:record_docx", args=[assessment.pk]))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    scores_table = document.tables[1]
    codes = [row.cells[0].text for row in scores_table.rows[1:]]
    assert codes == sub_items
    criteria = document.tables[2]
    row_7 = next(row for row in criteria.rows if row.cells[0].text == "7")
    assert [cell.text for cell in row_7.cells[2:]] == [str(criterion_maxima()[7]), "0", "Chưa đạt"]
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert f"Tổng điểm: 950/{version.max_total}." in text and "Tiêu chí 7 bị 0 điểm." in text


def test_the_summary_table_lists_each_commune_with_band_criteria_total_and_result(client: Client) -> None:
    recognised = submit_assessment(actor=None, assessment=scored_assessment())
    review_assessment(actor=None, assessment=recognised, decision="recognise")
    client.force_login(user_with_role(Role.COORDINATOR, "12"))
    response = client.get(reverse("childfriendly:summary_xlsx") + "?nam=2026")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    assert header[:3] == ("Xã", "Nhóm điểm chuẩn", "TC 1") and header[-2:] == ("Tổng điểm", "Kết quả")
    by_name = {row[0]: row for row in rows[3:]}
    assert len(by_name) == 38
    own = by_name[unit(OWN).name]
    maxima = criterion_maxima()
    assert own[1].startswith("Xã, thị trấn miền núi") and own[-1] == "Được công nhận"
    assert own[-2] == scoring_version().max_total == sum(maxima.values())
    assert own[2:2 + len(maxima)] == tuple(maxima.values())
    assert by_name[unit("03408").name][-1] == "Chưa đánh giá"
