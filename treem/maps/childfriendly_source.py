"""The child-friendly score on the map: each commune's points in the year's assessment (Decision 06/QĐ-TTg,
``treem.childfriendly``), and whether it was recognised. A district has no score of its own; it shows none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from django.urls import reverse
from django.utils.translation import gettext

from treem.childfriendly.selectors import assessment_scores
from treem.indicators.engine import Unit
from treem.indicators.selectors import Scope
from treem.maps.sources import MapSource, MapValue
from treem.plans.models import Plan


class ChildFriendlyScoreSource:
    """The total points of each commune's assessment of the year (of 1,000)."""

    key = "child-friendly:score"
    @property
    def label(self) -> str:
        return gettext("Điểm xã phù hợp với trẻ em")

    @property
    def unit(self) -> str:
        return gettext("điểm")

    def values(self, scope: Scope, *, units: Sequence[Unit], year: int, on: date) -> dict[int, MapValue]:
        communes = [unit.id for unit in units if unit.level == "commune"]  # the caller shows only scoped units
        return {unit_id: MapValue(value=Fraction(total), numerator=total, denominator=None, units_counted=1)
                for unit_id, (total, _recognised) in assessment_scores(year=year, unit_ids=communes).items()}

    def unit_url(self, unit: Unit, *, year: int) -> str:
        return f"{reverse('childfriendly:index')}?nam={year}"


def child_friendly_sources(plan: Plan) -> Sequence[MapSource]:
    return [ChildFriendlyScoreSource()]
