"""Writes of measurements: each service is atomic, validates, computes the z-scores and leaves one audit event.

The history of a measurement is its audit events (``AuditEvent.objects.for_object(measurement)``): the values
before and after every correction, and the reason of a deletion. Deletion is soft (``deleted_at``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.core.access import ensure_permitted
from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent
from treem.hierarchy.models import OrgUnit
from treem.indicators.sources import records_changed
from treem.nutrition.checks import MeasurementValues, value_errors
from treem.nutrition.models import Measurement, Place, Source, age_in_days
from treem.nutrition.permissions import RECOMPUTE_MEASUREMENTS, RECORD_MEASUREMENTS
from treem.nutrition.scoring import RowInput, RowScores, score_rows
from treem.registry.models import Child, Residence

Actor = AbstractBaseUser | AnonymousUser | None

CORRECTABLE_FIELDS: Final = (
    "measured_on", "weight_kg", "length_cm", "position", "has_oedema", "place", "measured_by", "note",
)
SCORE_FIELDS: Final = (
    "age_days", "waz", "haz", "whz", "flag_waz", "flag_haz", "flag_whz", "is_position_implausible",
)


def user_or_none(actor: Actor) -> Any:
    return actor if isinstance(actor, AbstractBaseUser) and actor.pk is not None else None


def commune_on(child: Child, on: date) -> OrgUnit:
    """The commune the child lived in on ``on`` (from its residences), else its current commune."""
    residence = (
        Residence.objects.filter(child=child)
        .filter(Q(moved_in_on__isnull=True) | Q(moved_in_on__lte=on))
        .filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=on))
        .select_related("commune")
        .order_by("-moved_in_on")
        .first()
    )
    return residence.commune if residence is not None else child.commune


def _hundredths(value: Decimal | float | None) -> Decimal | None:
    """A weight or length as stored: a decimal with two places (floats go through their shortest text form)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _apply_scores(measurement: Measurement, scores: RowScores, age_days: int | None) -> None:
    measurement.age_days = age_days
    measurement.waz = scores.as_decimal("waz")
    measurement.haz = scores.as_decimal("haz")
    measurement.whz = scores.as_decimal("whz")
    measurement.flag_waz = bool(scores.flag_waz)
    measurement.flag_haz = bool(scores.flag_haz)
    measurement.flag_whz = bool(scores.flag_whz)
    measurement.is_position_implausible = scores.position_implausible


def score_measurements(measurements: Iterable[Measurement]) -> list[Measurement]:
    """Compute age and scores of each measurement (its child loaded) in one call of the engine; not saved."""
    items = list(measurements)
    ages = [age_in_days(item.child, item.measured_on) for item in items]
    scores = score_rows([
        RowInput(
            sex=item.child.sex,
            age_days=None if age is None else float(age),
            weight_kg=item.weight_kg,
            length_cm=item.length_cm,
            measured=item.position,
            oedema=item.has_oedema,
        )
        for item, age in zip(items, ages, strict=True)
    ])
    for item, result, age in zip(items, scores, ages, strict=True):
        _apply_scores(item, result, age)
    return items


def _validate(measurement: Measurement, *, today: date) -> None:
    errors = value_errors(
        MeasurementValues(measured_on=measurement.measured_on, weight_kg=measurement.weight_kg,
                          length_cm=measurement.length_cm, position=measurement.position,
                          has_oedema=measurement.has_oedema),
        birth_date=measurement.child.birth_date,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    duplicate = Measurement.objects.filter(child=measurement.child, measured_on=measurement.measured_on,
                                           deleted_at__isnull=True).exclude(pk=measurement.pk)
    if duplicate.exists():
        raise ValidationError({"measured_on": f"Trẻ đã có số đo ngày {measurement.measured_on:%d/%m/%Y}; "
                                              "hãy sửa số đo đó."})


@dataclass(frozen=True)
class SavedMeasurement:
    measurement: Measurement
    created: bool
    changed: bool


@transaction.atomic
def record_measurement(
    *,
    actor: Actor,
    child: Child,
    measured_on: date,
    weight_kg: Decimal | None,
    length_cm: Decimal | None,
    position: str = "",
    has_oedema: bool = False,
    place: str = Place.HEALTH_STATION,
    measured_by: str = "",
    note: str = "",
    source: str = Source.ENTERED,
    today: date | None = None,
    is_demo: bool = False,
) -> SavedMeasurement:
    """Record the child's measurement of ``measured_on``; a measurement of that day already recorded is corrected.

    Returns the measurement, whether it was created, and whether anything changed (re-saving the same values
    changes nothing and writes no audit event). Only an officer who records measurements in the child's current
    commune may.
    """
    ensure_permitted(actor, RECORD_MEASUREMENTS, path=child.commune.path)
    today = today or timezone.localdate()
    if not child.is_active:
        raise ValidationError(_("Hồ sơ trẻ đã bị xoá hoặc đã được gộp vào hồ sơ khác."))
    existing = (Measurement.objects.select_for_update(of=("self",)).select_related("child__commune")
                .filter(child=child, measured_on=measured_on, deleted_at__isnull=True).first())
    values = {"weight_kg": _hundredths(weight_kg), "length_cm": _hundredths(length_cm), "position": position,
              "has_oedema": has_oedema, "place": place, "measured_by": measured_by.strip(), "note": note.strip()}
    if existing is not None:
        corrected, changed = _correct(actor=actor, measurement=existing, changes=values, today=today,
                                      reason="Nhập lại số đo cùng ngày")
        return SavedMeasurement(measurement=corrected, created=False, changed=bool(changed))
    measurement = Measurement(child=child, org_unit=commune_on(child, measured_on), measured_on=measured_on,
                              recorded_by=user_or_none(actor), source=source, is_demo=is_demo, **values)
    _validate(measurement, today=today)
    score_measurements([measurement])
    measurement.full_clean()
    measurement.save()
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=measurement, action="record_measurement",
                 org_unit_path=child.commune.path, after=snapshot(measurement))
    return SavedMeasurement(measurement=measurement, created=True, changed=True)


class StaleMeasurement(Exception):
    """A correction based on a version of the measurement that somebody else has changed since; nothing saved."""

    def __init__(self, *, current_version: str) -> None:
        super().__init__(_("Số đo đã được người khác sửa; hãy tải lại rồi sửa lại."))
        self.current_version = current_version


@transaction.atomic
def correct_measurement(
    *, actor: Actor, measurement: Measurement, changes: Mapping[str, Any], today: date | None = None,
    reason: str = "", expected_version: str | None = None,
) -> Measurement:
    """Change values of a measurement (and recompute its scores); the audit event keeps the values before.

    With ``expected_version`` (``Measurement.version`` as read), a measurement changed since is refused with
    ``StaleMeasurement``."""
    corrected, _ = _correct(actor=actor, measurement=measurement, changes=changes,
                            today=today or timezone.localdate(), reason=reason, expected_version=expected_version)
    return corrected


def _correct(
    *, actor: Actor, measurement: Measurement, changes: Mapping[str, Any], today: date, reason: str,
    expected_version: str | None = None,
) -> tuple[Measurement, list[str]]:
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    measurement = (Measurement.objects.select_for_update(of=("self",)).select_related("child__commune")
                   .get(pk=measurement.pk))
    ensure_permitted(actor, RECORD_MEASUREMENTS, path=measurement.child.commune.path)
    if measurement.deleted_at is not None:
        raise ValidationError(_("Số đo này đã bị xoá."))
    if expected_version is not None and expected_version != measurement.version:
        raise StaleMeasurement(current_version=measurement.version)
    before = snapshot(measurement)
    for name, value in changes.items():
        if name in ("weight_kg", "length_cm"):
            value = _hundredths(value)
        setattr(measurement, name, value)
    if "measured_on" in changes:
        measurement.org_unit = commune_on(measurement.child, measurement.measured_on)
    _validate(measurement, today=today)
    score_measurements([measurement])
    measurement.full_clean()
    after = snapshot(measurement)
    changed = sorted(key for key in after if key != "updated_at" and before.get(key) != after.get(key))
    if not changed:
        return measurement, []
    measurement.save()
    after = snapshot(measurement)
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=measurement, action="correct_measurement",
                 org_unit_path=measurement.child.commune.path, reason=reason,
                 before={key: before.get(key) for key in changed}, after={key: after.get(key) for key in changed})
    return measurement, changed


@transaction.atomic
def delete_measurement(*, actor: Actor, measurement: Measurement, reason: str) -> Measurement:
    """Soft-delete a measurement with a reason; it leaves every list and count but stays in the history."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Cần ghi lý do xoá."})
    measurement = (Measurement.objects.select_for_update(of=("self",)).select_related("child__commune")
                   .get(pk=measurement.pk))
    ensure_permitted(actor, RECORD_MEASUREMENTS, path=measurement.child.commune.path)
    if measurement.deleted_at is not None:
        raise ValidationError(_("Số đo này đã bị xoá."))
    measurement.deleted_at = timezone.now()
    measurement.deletion_reason = reason[:255]
    measurement.save(update_fields=["deleted_at", "deletion_reason", "updated_at"])
    record_event(actor=actor, verb=AuditEvent.Verb.DELETE, obj=measurement, action="delete_measurement",
                 org_unit_path=measurement.child.commune.path, reason=reason,
                 before={"deleted_at": None}, after={"deleted_at": measurement.deleted_at})
    return measurement


@dataclass(frozen=True)
class RecomputeResult:
    checked: int
    changed: int


def recompute_zscores(
    *, actor: Actor = None, batch_size: int = 20_000, include_deleted: bool = False
) -> RecomputeResult:
    """Recompute age and scores of every measurement with the engine, in batches; write only those that changed.

    One audit event records the run (how many were checked and changed), not one per measurement. It spans every
    commune, so it runs from the console (``actor=None``) or for an administrator.
    """
    ensure_permitted(actor, RECOMPUTE_MEASUREMENTS)
    queryset = Measurement.objects.select_related("child").order_by("pk")
    if not include_deleted:
        queryset = queryset.filter(deleted_at__isnull=True)
    checked = changed = 0
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        before = {item.pk: tuple(getattr(item, name) for name in SCORE_FIELDS) for item in batch}
        score_measurements(batch)
        dirty = [item for item in batch if tuple(getattr(item, name) for name in SCORE_FIELDS) != before[item.pk]]
        now = timezone.now()
        for item in dirty:
            item.updated_at = now
        with transaction.atomic():
            Measurement.objects.bulk_update(dirty, fields=[*SCORE_FIELDS, "updated_at"], batch_size=2_000)
            records_changed(Measurement)  # bulk writes send no signal
        checked += len(batch)
        changed += len(dirty)
    with transaction.atomic():
        record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, object_type=Measurement._meta.label_lower,
                     object_repr="Tính lại chỉ số Z của mọi số đo", action="recompute_zscores",
                     after={"checked": checked, "changed": changed})
    return RecomputeResult(checked=checked, changed=changed)
