"""Reads of the child-friendly assessment, scoped to the user (``childfriendly.view``), and the scores the map of
communes colours by (``assessment_scores``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from treem.childfriendly.models import Assessment, CommuneBand, Criterion, Evidence, RecognisingLevel, Score
from treem.childfriendly.permissions import ASSESS_COMMUNE, REVIEW_ASSESSMENTS, VIEW_ASSESSMENTS
from treem.childfriendly.rules import CriterionInput, Recognition, recognition
from treem.core.access import UserLike, get_visible_or_404, scope_paths, visible_to
from treem.hierarchy.models import Level, OrgUnit
from treem.indicators.engine import reference_date


def assessments_for(user: UserLike, *, year: int | None = None) -> QuerySet[Assessment]:
    """The assessments of the communes in the user's area (none without an assignment)."""
    queryset = Assessment.objects.active().select_related("org_unit", "version")
    if year is not None:
        queryset = queryset.filter(year=year)
    return visible_to(user, queryset, capability=VIEW_ASSESSMENTS)


def assessment_for(user: UserLike, *, assessment_id: int | str) -> Assessment:
    """One assessment the user may see; the same 404 for missing and not yours."""
    return get_visible_or_404(user, Assessment.objects.active().select_related("org_unit", "version"),
                              capability=VIEW_ASSESSMENTS, pk=assessment_id)


def assessment_version(assessment: Assessment) -> str:
    """A token that changes whenever the assessment is saved (its scores, total, status): the API sends it as the
    ETag and refuses a write of scores based on an older one."""
    text = f"{assessment.pk}|{assessment.status}|{assessment.updated_at.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def evidence_for(user: UserLike, *, assessment: Assessment, evidence_id: int | str) -> Evidence:
    return get_visible_or_404(user, Evidence.objects.filter(assessment=assessment, deleted_at__isnull=True),
                              path_field="assessment__org_unit__path", capability=VIEW_ASSESSMENTS,
                              pk=evidence_id)


def communes_to_assess(user: UserLike, *, year: int) -> QuerySet[OrgUnit]:
    """Communes in force on 31 December of ``year`` that the user may assess."""
    return visible_to(user, OrgUnit.objects.valid_on(reference_date(year)).filter(level=Level.COMMUNE),
                      path_field="path", capability=ASSESS_COMMUNE).order_by("path")


def reviewing_unit_for(org_unit: OrgUnit, *, on: date) -> OrgUnit | None:
    """The unit that recognises ``org_unit`` on ``on``: its ancestor at the level in force (district, else the
    province when the commune has no district, as after 1 July 2025)."""
    setting = RecognisingLevel.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    wanted = setting.level if setting is not None else Level.PROVINCE
    ancestors: list[OrgUnit] = []
    unit = org_unit.parent
    while unit is not None:
        ancestors.append(unit)
        unit = unit.parent
    for level in ([wanted, Level.PROVINCE] if wanted == Level.DISTRICT else [Level.PROVINCE]):
        for ancestor in ancestors:
            if ancestor.level == level:
                return ancestor
    return None


def can_assess(user: UserLike, assessment: Assessment) -> bool:
    return assessment.is_editable and any(
        assessment.org_unit.path.startswith(root) for root in scope_paths(user, capability=ASSESS_COMMUNE))


def can_review(user: UserLike, assessment: Assessment, *, on: date) -> bool:
    if assessment.status != Assessment.Status.SUBMITTED:
        return False
    reviewer = reviewing_unit_for(assessment.org_unit, on=on)
    return reviewer is not None and any(
        reviewer.path.startswith(root) for root in scope_paths(user, capability=REVIEW_ASSESSMENTS))


def scores_of(assessment: Assessment) -> list[Score]:
    return list(assessment.scores.select_related("sub_item__criterion").order_by("sub_item__criterion__number",
                                                                                 "sub_item__position"))


def evidence_of(assessment: Assessment) -> list[Evidence]:
    return list(Evidence.objects.filter(assessment=assessment, deleted_at__isnull=True).select_related("score"))


def _criteria_inputs(assessment: Assessment) -> list[CriterionInput]:
    criteria = Criterion.objects.filter(version=assessment.version).prefetch_related("sub_items")
    return [CriterionInput(number=criterion.number, name=criterion.name,
                           max_points=sum(item.points for item in criterion.sub_items.all()),
                           min_points=criterion.min_points,
                           sub_item_codes=[item.code for item in criterion.sub_items.all()])
            for criterion in criteria]


def threshold_of(assessment: Assessment) -> int | None:
    """The total the commune needs: fixed when submitted, else from its band in force on 31 December."""
    if assessment.threshold is not None:
        return assessment.threshold
    band = CommuneBand.band_on(assessment.org_unit, reference_date(assessment.year))
    return assessment.version.threshold_for(band.band) if band is not None else None


def band_of(assessment: Assessment) -> str:
    if assessment.band:
        return assessment.get_band_display()
    band = CommuneBand.band_on(assessment.org_unit, reference_date(assessment.year))
    return band.get_band_display() if band is not None else ""


def recognition_of(assessment: Assessment) -> Recognition:
    """The recognition rule applied to the assessment as it stands (a sub-item without a figure is unassessed)."""
    points = {score.sub_item.code: (score.points if score.value is not None else None)
              for score in assessment.scores.select_related("sub_item")}
    return recognition(_criteria_inputs(assessment), points, threshold=threshold_of(assessment))


@dataclass(frozen=True)
class OverviewRow:
    org_unit: OrgUnit
    assessment: Assessment | None


def overview(user: UserLike, *, year: int) -> list[OverviewRow]:
    """Every commune in the user's area in force that year, with its assessment (or none yet)."""
    communes = visible_to(user, OrgUnit.objects.valid_on(reference_date(year)).filter(level=Level.COMMUNE),
                          path_field="path", capability=VIEW_ASSESSMENTS).order_by("path")
    by_unit = {assessment.org_unit_id: assessment for assessment in assessments_for(user, year=year)}
    return [OverviewRow(org_unit=commune, assessment=by_unit.get(commune.pk)) for commune in communes]


def assessment_scores(*, year: int, unit_ids: Iterable[int]) -> dict[int, tuple[Decimal, bool]]:
    """``{org unit id: (total points, recognised)}`` of the year's assessments of those units — for the map of
    communes. Aggregates only (no child, no figure behind the points); the caller scopes the units it shows."""
    rows = (Assessment.objects.active().filter(year=year, org_unit_id__in=list(unit_ids))
            .values_list("org_unit_id", "total", "status"))
    return {unit_id: (total, status == Assessment.Status.RECOGNISED) for unit_id, total, status in rows}
