"""Helpers for child-friendly tests: officers and reviewers, and assessments scored to a chosen total."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from treem.accounts.models import Assignment, User
from treem.accounts.tests.factories import UserFactory, unit, user_with_role
from treem.childfriendly.models import Assessment
from treem.childfriendly.services import ScoreInput, save_scores, start_assessment
from treem.core.roles import Role

OWN, OTHER = "03390", "03408"  # new communes (from 01/07/2025)
OLD_COMMUNE, OLD_DISTRICT = "03412", "106"  # Xã Bình Lư (old) in Huyện Tam Đường, until 30/06/2025
BEFORE_REFORM = date(2024, 6, 1)
PDF = b"%PDF-1.4\n% bien ban hop\n"


def officer(code: str = OWN) -> User:
    return user_with_role(Role.COMMUNE_OFFICER, code)


def assigned(role: str, code: str, *, on: date) -> User:
    """A user assigned to the unit with ``code`` as it was on ``on`` (an old district, an old commune)."""
    user: User = UserFactory()
    Assignment.objects.create(user=user, role=role, org_unit=unit(code, on=on))
    return user


def pdf(name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def full_entries(assessment: Assessment, *, points: dict[str, Decimal | int] | None = None) -> list[ScoreInput]:
    """Figures that meet every sub-item (pre-filled figures kept), with chosen points for some sub-items."""
    chosen = points or {}
    entries = []
    for score in assessment.scores.select_related("sub_item"):
        item = score.sub_item
        if score.prefilled_value is not None:
            value: Decimal = score.prefilled_value
        elif item.is_yes_no:
            value = Decimal(1)
        else:
            value = item.threshold if item.threshold is not None else Decimal(0)
        entries.append(ScoreInput(code=item.code, value=value, points=chosen.get(item.code)))
    return entries


def scored_assessment(*, code: str = OWN, year: int = 2026, on: date | None = None,
                      points: dict[str, Decimal | int] | None = None) -> Assessment:
    """An assessment of the commune, every sub-item filled in so that it meets its rule, by the console."""
    assessment = start_assessment(actor=None, org_unit=unit(code, on=on), year=year)
    return save_scores(actor=None, assessment=assessment, entries=full_entries(assessment, points=points))
