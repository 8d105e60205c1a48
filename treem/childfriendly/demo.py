"""Demo assessments (``is_demo``) for a few communes of the demo year, written through the same services as real
ones: two recognised, one returned with a comment, one submitted, one in draft. A commune that already has an
assessment that year is left as it is."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from treem.childfriendly.models import Assessment
from treem.childfriendly.reference import load_child_friendly
from treem.childfriendly.services import (
    ScoreInput,
    review_assessment,
    save_scores,
    start_assessment,
    submit_assessment,
)
from treem.hierarchy.models import Level, OrgUnit
from treem.indicators.engine import reference_date

YEAR = 2026
OUTCOMES = ["recognise", "recognise", "return", "submit", "draft"]


def _passing_entries(assessment: Assessment) -> list[ScoreInput]:
    """Figures that meet every sub-item; pre-filled figures are kept as they are (no override in the demo)."""
    entries = []
    for score in assessment.scores.select_related("sub_item"):
        item = score.sub_item
        if score.prefilled_value is not None:
            entries.append(ScoreInput(code=item.code, value=score.prefilled_value))
            continue
        threshold = item.threshold if item.threshold is not None else Decimal(1)
        value = Decimal(1) if item.is_yes_no else threshold
        entries.append(ScoreInput(code=item.code, value=value))
    return entries


@transaction.atomic
def seed_assessments(*, size: str, stdout: Callable[[str], None]) -> None:
    load_child_friendly()
    communes = list(OrgUnit.objects.valid_on(reference_date(YEAR)).filter(level=Level.COMMUNE).order_by("path"))
    made = 0
    for commune, outcome in zip(communes[1:len(OUTCOMES) + 1], OUTCOMES, strict=False):
        if Assessment.objects.active().filter(org_unit=commune, year=YEAR).exists():
            continue
        assessment = start_assessment(actor=None, org_unit=commune, year=YEAR, is_demo=True)
        save_scores(actor=None, assessment=assessment, entries=_passing_entries(assessment))
        made += 1
        if outcome == "draft":
            continue
        submit_assessment(actor=None, assessment=assessment)
        if outcome == "recognise":
            assessment.refresh_from_db()
            if not review_assessment_allowed(assessment):
                continue
            review_assessment(actor=None, assessment=assessment, decision="recognise")
        elif outcome == "return":
            review_assessment(actor=None, assessment=assessment, decision="return",
                              comment="Đề nghị bổ sung biên bản họp lấy ý kiến trẻ em (mục 11.2).")
    stdout(f"Đánh giá xã phù hợp với trẻ em (trình diễn): {made} bản, năm {YEAR}.")


def review_assessment_allowed(assessment: Assessment) -> bool:
    from treem.childfriendly.selectors import recognition_of

    return recognition_of(assessment).is_recognisable
