"""Reads of the field page: the bundle a device takes offline, and receipts of records already received."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings

from treem.core.access import UserLike
from treem.fieldwork.models import SyncReceipt
from treem.hierarchy.models import OrgUnit, Village
from treem.indicators.models import DataValue
from treem.nutrition import selectors as nutrition_selectors
from treem.nutrition.checks import previous_from_scores
from treem.nutrition.models import Measurement
from treem.nutrition.permissions import RECORD_MEASUREMENTS
from treem.plans.models import DataElement
from treem.reporting import selectors as reporting_selectors
from treem.reporting.models import Submission
from treem.reporting.permissions import WRITE_SUBMISSION

MEASUREMENT_FIELDS = ("weight_kg", "length_cm", "position", "has_oedema")
"""The fields a field record of a measurement carries, each compared on its own for conflicts."""
REPORT_VALUE_FIELDS = ("value", "comment")
"""The fields of a field record of a report's figure."""


def field_communes(user: UserLike, *, on: date) -> list[OrgUnit]:
    """The communes whose weighing days the user may enter, on ``on``."""
    return list(nutrition_selectors.communes_for(user, on=on, capability=RECORD_MEASUREMENTS))


def field_commune(user: UserLike, *, uid: str | None, on: date) -> OrgUnit | None:
    """The commune asked for by uid (404 when not the user's), else the user's first; None without any."""
    if uid:
        return nutrition_selectors.commune_for(user, uid=uid, capability=RECORD_MEASUREMENTS)
    communes = field_communes(user, on=on)
    return communes[0] if communes else None


def _plain(value: object) -> object:
    return None if value is None else (value if isinstance(value, bool | str) else format(value, "f"))


def measurement_values(measurement: Measurement | None) -> dict[str, Any] | None:
    """The compared fields of a stored measurement as the device sees them (decimals as text), None when absent."""
    if measurement is None:
        return None
    return {name: _plain(getattr(measurement, name)) for name in MEASUREMENT_FIELDS}


def _previous(child: Any, measurement: Measurement) -> dict[str, Any]:
    """The comparison point of the change warnings, as ``nutrition.checks.previous_from_scores`` makes it."""
    point = previous_from_scores(measured_on=measurement.measured_on, weight_kg=measurement.weight_kg,
                                 waz=measurement.waz, length_cm=measurement.length_cm,
                                 position=measurement.position, sex=child.sex, age_days=measurement.age_days)
    return {"measured_on": point.measured_on.isoformat(), "weight_kg": _plain(point.weight_kg),
            "waz": _plain(point.waz), "adjusted_length_cm": point.adjusted_length_cm}


def field_bundle(user: UserLike, *, commune: OrgUnit, on: date, now: datetime) -> dict[str, Any]:
    """Everything the device needs to enter the commune's weighing day offline: the children under five with the
    day's measurement (the base of a later conflict check) and the one before, and the commune's villages."""
    rows = nutrition_selectors.weighing_rows(user, commune=commune, on=on, capability=RECORD_MEASUREMENTS)
    villages = Village.objects.filter(org_unit=commune).order_by("name")
    children = []
    for row in rows:
        child = row.child
        previous = row.previous
        children.append({
            "id": child.pk,
            "name": child.full_name,
            "sex": child.sex,
            "birth_date": child.birth_date.isoformat(),
            "birth_date_precision": child.birth_date_precision,
            "village_id": child.village_id,
            "default_position": row.default_position,
            "today": measurement_values(row.measurement),
            "previous": None if previous is None else _previous(child, previous),
        })
    days = settings.FIELDWORK_OFFLINE_DAYS
    return {
        "user_id": user.pk,
        "generated_at": now.isoformat(),
        "offline_until": (now + timedelta(days=days)).isoformat(),
        "offline_days": days,
        "on": on.isoformat(),
        "time_zone": settings.TIME_ZONE,  # the device's "today" is the province's, not the UTC date
        "commune": {"uid": commune.uid, "name": commune.name},
        "villages": [{"id": village.pk, "name": village.name} for village in villages],
        "children": children,
        "report": field_report(user, commune=commune),
    }


def stored_figure(*, element: DataElement, org_unit: OrgUnit, year: int) -> dict[str, Any] | None:
    """A report's stored figure (all categories) as the device sees it: the value as text and the comment."""
    row = DataValue.objects.filter(data_element=element, org_unit=org_unit, year=year, sex="",
                                   ethnic_group__isnull=True).first()
    if row is None:
        return None
    return {"value": None if row.value is None else format(row.value.normalize(), "f"), "comment": row.comment}


def field_report(user: UserLike, *, commune: OrgUnit) -> dict[str, Any] | None:
    """The commune's report the user may still edit, in the latest cycle: its figures (the base of conflict checks)
    with last year's, for the rules that compare with it. None when there is none to edit."""
    submission = (reporting_selectors.submissions_for(user, capability=WRITE_SUBMISSION)
                  .filter(org_unit=commune, agency__isnull=True, status__in=Submission.EDITABLE)
                  .order_by("-cycle__year").first())
    if submission is None:
        return None
    year = submission.cycle.year
    grid = reporting_selectors.value_grid(submission)
    element_ids = [row["element"].pk for row in grid]
    last_year = {(row.data_element_id, row.org_unit_id): row.value for row in DataValue.objects.filter(
        data_element_id__in=element_ids, year=year - 1, sex="", ethnic_group__isnull=True)}
    elements = []
    for row in grid:
        element = row["element"]
        cells = []
        for cell in row["cells"]:
            unit = cell["unit"]
            previous = last_year.get((element.pk, unit.pk))
            cells.append({"org_unit_id": unit.pk, "unit_name": unit.name,
                          "server": {"value": cell["value"] or None, "comment": cell["comment"]},
                          "last_year": None if previous is None else format(previous.normalize(), "f")})
        elements.append({"id": element.pk, "code": element.code, "name": element.name, "cells": cells})
    codes = {item["code"] for item in elements}
    related = codes | {rule["other_element"] for rule in reporting_selectors.active_validation_rules()
                       if rule["element"] in codes and rule["other_element"]}
    names = dict(DataElement.objects.filter(code__in=related).values_list("code", "name"))
    return {"submission_id": submission.pk, "year": year, "elements": elements, "element_names": names}


def receipt_for_key(key: str) -> SyncReceipt | None:
    """The receipt already given for an idempotency key, if any."""
    return SyncReceipt.objects.filter(key=key).select_related("user").first()
