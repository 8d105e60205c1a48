"""Helpers for child-friendly tests: officers and reviewers, and assessments scored to a chosen total.

Figures about the scoring table (points of a sub-item, a criterion's maximum, the total) are read from the loaded
version, never written here: the table is data and its provisional parts will change."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from treem.accounts.models import Assignment, User
from treem.accounts.tests.factories import UserFactory, unit, user_with_role
from treem.childfriendly.models import Assessment, ScoringVersion, SubItem
from treem.childfriendly.services import ScoreInput, save_scores, start_assessment
from treem.core.roles import Role

OWN, OTHER = "03390", "03408"  # new communes (from 01/07/2025)
OLD_COMMUNE, OLD_DISTRICT = "03412", "106"  # Xã Bình Lư (old) in Huyện Tam Đường, until 30/06/2025
BEFORE_REFORM = date(2024, 6, 1)
PDF = b"%PDF-1.4\n% bien ban hop\n"
VERSION = "QD-06-2019"


def scoring_version() -> ScoringVersion:
    return ScoringVersion.objects.get(code=VERSION)


def sub_item(code: str) -> SubItem:
    return SubItem.objects.select_related("criterion").get(criterion__version__code=VERSION, code=code)


def criterion_maxima() -> dict[int, int]:
    """Each criterion's maximum: the sum of its sub-items' points, in the criteria's order."""
    maxima: dict[int, int] = defaultdict(int)
    for number, points in (SubItem.objects.filter(criterion__version__code=VERSION)
                           .order_by("criterion__number").values_list("criterion__number", "points")):
        maxima[number] += points
    return dict(maxima)


def points_for_total(total: int, *, zero: int | None = None) -> dict[str, Decimal | int]:
    """Points for every sub-item adding up to ``total``: each starts at its maximum (criterion ``zero`` at 0), and
    points are taken off from the last sub-item backwards, every other criterion keeping at least its minimum and
    one point, so that only the total decides the result."""
    items = list(SubItem.objects.filter(criterion__version__code=VERSION).select_related("criterion")
                 .order_by("-criterion__number", "-position"))
    points = {item.code: 0 if item.criterion.number == zero else item.points for item in items}
    left: dict[int, int] = defaultdict(int)
    for item in items:
        left[item.criterion.number] += points[item.code]
    excess = sum(points.values()) - total
    for item in items:
        if excess <= 0 or item.criterion.number == zero:
            continue
        floor = max(1, item.criterion.min_points)
        taken = min(points[item.code], left[item.criterion.number] - floor, excess)
        points[item.code] -= taken
        left[item.criterion.number] -= taken
        excess -= taken
    if excess != 0:
        raise ValueError(f"Bảng điểm không cho tổng {total} với các điều kiện này.")
    return dict(points)


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
