"""Reads of measurements, scoped to the requesting user through the child's current commune."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from treem.core.access import UserLike, get_visible_or_404, visible_to
from treem.core.intake.models import ImportRecord
from treem.core.intake.names import fold_name
from treem.core.models import AuditEvent
from treem.hierarchy.models import Level, OrgUnit
from treem.nutrition.checks import PreviousMeasurement, previous_from_scores
from treem.nutrition.models import Measurement, age_in_days
from treem.nutrition.permissions import VIEW_MEASUREMENTS
from treem.nutrition.prevalence import Indicator, MeasurementArrays, latest_valid
from treem.registry.models import Child, born_after_for_age

UNDER_FIVE_YEARS = 5
MEASUREMENT_PATH = "child__commune__path"


def measurements_for(user: UserLike, *, capability: str = VIEW_MEASUREMENTS) -> QuerySet[Measurement]:
    """Current measurements of the children the user may see."""
    return visible_to(user, Measurement.objects.current(), path_field=MEASUREMENT_PATH, capability=capability)


def measurement_for(user: UserLike, *, measurement_id: int, capability: str = VIEW_MEASUREMENTS) -> Measurement:
    """One current measurement of a child the user may see; the same 404 when missing or not theirs."""
    queryset = Measurement.objects.current().select_related("child__commune", "child__ethnic_group", "org_unit")
    return get_visible_or_404(user, queryset, path_field=MEASUREMENT_PATH, capability=capability,
                              pk=measurement_id)


def child_for(user: UserLike, *, child_id: int, capability: str = VIEW_MEASUREMENTS) -> Child:
    """An active child the user may see; the same 404 when missing or not theirs."""
    queryset = Child.objects.active().select_related("commune", "village", "ethnic_group")
    return get_visible_or_404(user, queryset, path_field="commune__path", capability=capability, pk=child_id)


def communes_for(user: UserLike, *, on: date, capability: str = VIEW_MEASUREMENTS) -> QuerySet[OrgUnit]:
    """Communes valid on ``on`` inside the user's subtrees."""
    units = OrgUnit.objects.valid_on(on).of_level(Level.COMMUNE).order_by("name")
    return visible_to(user, units, path_field="path", capability=capability)


def commune_for(user: UserLike, *, uid: str, capability: str = VIEW_MEASUREMENTS) -> OrgUnit:
    """A commune-level unit inside the user's subtrees (any validity period); 404 otherwise."""
    return get_visible_or_404(user, OrgUnit.objects.of_level(Level.COMMUNE), path_field="path",
                              capability=capability, uid=uid)


def default_commune(user: UserLike, *, on: date, capability: str = VIEW_MEASUREMENTS) -> OrgUnit | None:
    """The user's commune when they are assigned to exactly one, else None (they pick one)."""
    communes = list(communes_for(user, on=on, capability=capability)[:2])
    return communes[0] if len(communes) == 1 else None


def child_measurements(child: Child) -> QuerySet[Measurement]:
    """The child's current measurements, oldest first (the child was fetched through ``child_for``)."""
    return Measurement.objects.filter(child=child, deleted_at__isnull=True).order_by("measured_on", "id")


def measurement_on(child: Child, *, on: date) -> Measurement | None:
    """The child's current measurement of day ``on``, if any (the child was fetched through ``child_for``)."""
    return child_measurements(child).filter(measured_on=on).first()


def has_demo_measurements(*, commune: OrgUnit) -> bool:
    """Whether the commune's figures include demonstration measurements (the page then says so)."""
    return Measurement.objects.filter(org_unit=commune, is_demo=True).exists()


def child_history(child: Child) -> QuerySet[AuditEvent]:
    """Audit events of every measurement of the child, deleted ones included, newest first."""
    ids = [str(pk) for pk in Measurement.objects.filter(child=child).values_list("pk", flat=True)]
    return AuditEvent.objects.filter(object_type=Measurement._meta.label_lower, object_id__in=ids)


MEASUREMENTS_KIND = "measurements"
"""The measurement import among the kinds of the intake pipeline (``ImportRecord.kind``)."""


def imports_for(user: UserLike, *, capability: str) -> QuerySet[ImportRecord]:
    """The measurement imports of the user's communes, newest first."""
    records = ImportRecord.objects.filter(kind=MEASUREMENTS_KIND).select_related("org_unit")
    return visible_to(user, records, path_field="org_unit__path", capability=capability)


def import_for(user: UserLike, *, import_id: int, capability: str) -> ImportRecord:
    return get_visible_or_404(user, imports_for(user, capability=capability), path_field="org_unit__path",
                              capability=capability, pk=import_id)


@dataclass
class WeighingRow:
    """A child on the weighing-day list, with the day's measurement (if any) and the one before."""

    child: Child
    age_days: int | None
    measurement: Measurement | None
    previous: Measurement | None

    @property
    def age_months(self) -> float | None:
        return None if self.age_days is None else self.age_days / 30.4375

    @property
    def search_key(self) -> str:
        """Accent-insensitive name and village, for the page's quick filter."""
        village = self.child.village.name if self.child.village else ""
        return f"{self.child.name_folded} {fold_name(village)}"

    @property
    def default_position(self) -> str:
        """Lying below 2 years (731 days), standing from then, as WHO's protocol measures children."""
        if self.measurement is not None:
            return self.measurement.position
        return "L" if self.age_days is not None and self.age_days < 731 else "H"


def children_to_weigh(user: UserLike, *, commune: OrgUnit, on: date, capability: str) -> QuerySet[Child]:
    """The commune's children present on ``on`` and under five that day, by village and name."""
    children = (Child.objects.active().filter(commune=commune).present_on(on)
                .filter(birth_date__gt=born_after_for_age(on, UNDER_FIVE_YEARS)))
    return (visible_to(user, children, path_field="commune__path", capability=capability)
            .select_related("village", "ethnic_group", "commune").order_by("village__name", "name_folded", "id"))


def weighing_rows(user: UserLike, *, commune: OrgUnit, on: date, capability: str) -> list[WeighingRow]:
    """One row per child to weigh, with that day's and the previous measurement (three queries in all)."""
    children = list(children_to_weigh(user, commune=commune, on=on, capability=capability))
    ids = [child.pk for child in children]
    todays: dict[int, Measurement] = {}
    previous: dict[int, Measurement] = {}
    measurements = (Measurement.objects.filter(child_id__in=ids, deleted_at__isnull=True, measured_on__lte=on)
                    .order_by("child_id", "measured_on", "id"))
    for item in measurements:
        if item.measured_on == on:
            todays[item.child_id] = item
        else:
            previous[item.child_id] = item
    return [WeighingRow(child=child, age_days=age_in_days(child, on), measurement=todays.get(child.pk),
                        previous=previous.get(child.pk)) for child in children]


def previous_measurement(child: Child, *, before: date) -> PreviousMeasurement | None:
    """The child's latest measurement before ``before``, ready for the plausibility checks."""
    item = (Measurement.objects.filter(child=child, deleted_at__isnull=True, measured_on__lt=before)
            .order_by("-measured_on", "-id").first())
    if item is None:
        return None
    return previous_from_scores(measured_on=item.measured_on, weight_kg=item.weight_kg, waz=item.waz,
                                length_cm=item.length_cm, position=item.position, sex=child.sex,
                                age_days=item.age_days)


MEASUREMENT_ARRAY_FIELDS = (
    "pk", "child_id", "measured_on", "age_days", "waz", "haz", "whz", "flag_waz", "flag_haz", "flag_whz",
    "has_oedema",
)


def measurement_arrays(rows: Sequence[Sequence[Any]]) -> MeasurementArrays:
    """Arrays from ``values_list(*MEASUREMENT_ARRAY_FIELDS)`` rows (extra trailing columns are ignored)."""
    columns: list[Sequence[Any]] = (list(zip(*rows, strict=True)) if rows
                                    else [()] * len(MEASUREMENT_ARRAY_FIELDS))
    return MeasurementArrays.build(
        measurement_id=np.array(columns[0], dtype=np.int64),
        child_id=np.array(columns[1], dtype=np.int64),
        measured_on=np.array(columns[2], dtype="datetime64[D]"),
        age_days=columns[3],
        waz=columns[4],
        haz=columns[5],
        whz=columns[6],
        flag_waz=columns[7],
        flag_haz=columns[8],
        flag_whz=columns[9],
        has_oedema=columns[10],
    )


@dataclass
class FollowUpRow:
    """A child whose latest valid score on at least one indicator is below −2, with those latest scores."""

    child: Child
    scores: dict[str, Measurement]
    below: list[str]
    severe: list[str]

    @property
    def latest_measured_on(self) -> date:
        return max(item.measured_on for item in self.scores.values())


INDICATOR_LABELS = {
    Indicator.WEIGHT_FOR_AGE: gettext_lazy("Nhẹ cân (WAZ < −2)"),
    Indicator.HEIGHT_FOR_AGE: gettext_lazy("Thấp còi (HAZ < −2)"),
    Indicator.WEIGHT_FOR_HEIGHT: gettext_lazy("Gầy còm (WHZ < −2)"),
}


def follow_up_rows(user: UserLike, *, commune: OrgUnit, on: date, months: int = 12,
                   capability: str = VIEW_MEASUREMENTS) -> list[FollowUpRow]:
    """Children now in ``commune`` whose latest valid measurement in the ``months`` up to ``on`` is below −2 on
    weight-for-age, height-for-age or weight-for-height (a child under five at that measurement)."""
    since = on - timedelta(days=round(months * 30.4375))
    queryset = (measurements_for(user, capability=capability)
                .filter(child__commune=commune, measured_on__gt=since, measured_on__lte=on))
    rows = list(queryset.values_list(*MEASUREMENT_ARRAY_FIELDS))
    arrays = measurement_arrays(rows)
    chosen: dict[int, dict[str, int]] = defaultdict(dict)
    below: dict[int, list[str]] = defaultdict(list)
    severe: dict[int, list[str]] = defaultdict(list)
    for indicator in Indicator:
        result = latest_valid(arrays, indicator)
        for row, is_below, is_severe in zip(result.rows.tolist(), result.moderate_or_severe.tolist(),
                                            result.severe.tolist(), strict=True):
            child_id = int(arrays.child_id[row])
            chosen[child_id][indicator.value] = int(arrays.measurement_id[row])
            if is_below:
                below[child_id].append(indicator.value)
            if is_severe:
                severe[child_id].append(indicator.value)
    listed = sorted(below)
    if not listed:
        return []
    wanted = {pk for child_id in listed for pk in chosen[child_id].values()}
    by_id = {item.pk: item for item in Measurement.objects.filter(pk__in=wanted)}
    children = Child.objects.select_related("village", "ethnic_group").in_bulk(listed)
    result_rows = [
        FollowUpRow(child=children[child_id],
                    scores={name: by_id[pk] for name, pk in chosen[child_id].items()},
                    below=below[child_id], severe=severe[child_id])
        for child_id in listed
    ]
    return sorted(result_rows, key=lambda row: (row.child.village.name if row.child.village else "",
                                                row.child.name_folded, row.child.pk))
