"""Writing measurements: scores computed and stored, history kept in the audit trail, soft deletion."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from treem.accounts.tests.factories import user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.nutrition.models import Measurement, age_in_days
from treem.nutrition.services import (
    correct_measurement,
    delete_measurement,
    recompute_zscores,
    record_measurement,
)
from treem.nutrition.tests.factories import child_in
from treem.nutrition.zscores import compute_zscores
from treem.registry.models import Child, DatePrecision

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 10)


@pytest.fixture
def officer():  # type: ignore[no-untyped-def]
    return user_with_role(Role.COMMUNE_OFFICER, "03390")


def engine_scores(days: int, weight: float, length: float, position: int, sex: int = 1) -> tuple[float, ...]:
    scores = compute_zscores(sex=[sex], age_days=[days], weight_kg=[weight], length_cm=[length], measured=[position])
    return float(scores.waz[0]), float(scores.haz[0]), float(scores.whz[0])


def test_recording_stores_the_engines_rounded_scores_and_one_audit_event(officer) -> None:  # type: ignore[no-untyped-def]
    child = child_in("03390", birth_date=date(2024, 6, 10))
    saved = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("9.6"),
                               length_cm=Decimal("75.7"), position="L", measured_by="Y tế thôn", today=TODAY)
    item = saved.measurement
    assert saved.created and saved.changed
    assert item.age_days == 365
    waz, haz, whz = engine_scores(365, 9.6, 75.7, 1)
    assert (float(item.waz), float(item.haz), float(item.whz)) == (waz, haz, whz)
    assert item.waz == Decimal("-0.04")
    assert not (item.flag_waz or item.flag_haz or item.flag_whz)
    assert item.org_unit == child.commune and item.recorded_by == officer
    events = AuditEvent.objects.for_object(item)
    assert [event.verb for event in events] == [AuditEvent.Verb.CREATE]
    assert events[0].org_unit_path == child.commune.path


def test_a_flagged_value_is_stored_with_its_flag(officer) -> None:  # type: ignore[no-untyped-def]
    child = child_in("03390", birth_date=date(2024, 6, 10))
    item = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("3.0"),
                              length_cm=None, today=TODAY).measurement
    assert item.waz is not None and item.waz < -6 and item.flag_waz
    assert item.haz is None and not item.flag_haz


def test_standing_before_nine_months_is_marked(officer) -> None:  # type: ignore[no-untyped-def]
    child = child_in("03390", birth_date=TODAY - timedelta(days=200))
    item = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("7.5"),
                              length_cm=Decimal("66.0"), position="H", today=TODAY).measurement
    assert item.is_position_implausible


def test_the_same_day_again_corrects_the_measurement_and_keeps_the_old_values(officer) -> None:  # type: ignore[no-untyped-def]
    child = child_in("03390", birth_date=date(2024, 6, 10))
    first = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("9.6"),
                               length_cm=Decimal("75.7"), position="L", today=TODAY).measurement
    again = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("9.1"),
                               length_cm=Decimal("75.7"), position="L", today=TODAY)
    assert not again.created and again.changed and again.measurement.pk == first.pk
    assert Measurement.objects.filter(child=child).count() == 1
    update = AuditEvent.objects.for_object(first).get(verb=AuditEvent.Verb.UPDATE)
    assert update.before["weight_kg"] == "9.60" and update.after["weight_kg"] == "9.10"
    assert "waz" in update.before
    unchanged = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("9.10"),
                                   length_cm=Decimal("75.7"), position="L", today=TODAY)
    assert not unchanged.changed
    assert AuditEvent.objects.for_object(first).count() == 2


def test_correcting_recomputes_the_scores(officer) -> None:  # type: ignore[no-untyped-def]
    child = child_in("03390", birth_date=date(2024, 6, 10))
    item = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("9.6"),
                              length_cm=None, today=TODAY).measurement
    corrected = correct_measurement(actor=officer, measurement=item, changes={"weight_kg": Decimal("7.0")},
                                    today=TODAY, reason="cân nhầm")
    assert corrected.waz == Decimal(f"{engine_scores(365, 7.0, float('nan'), 0)[0]:.2f}")
    event = AuditEvent.objects.for_object(item).get(verb=AuditEvent.Verb.UPDATE)
    assert event.reason == "cân nhầm"


@pytest.mark.parametrize(("measured_on", "weight", "field"), [
    (TODAY + timedelta(days=1), Decimal("9"), "measured_on"),
    (date(2024, 6, 1), Decimal("9"), "measured_on"),
    (TODAY, None, "weight_kg"),
    (TODAY, Decimal("0"), "weight_kg"),
    (TODAY, Decimal("151"), "weight_kg"),
])
def test_impossible_values_are_refused_with_a_message_for_the_field(officer, measured_on, weight, field) -> None:  # type: ignore[no-untyped-def]
    child = child_in("03390", birth_date=date(2024, 6, 10))
    with pytest.raises(ValidationError) as error:
        record_measurement(actor=officer, child=child, measured_on=measured_on, weight_kg=weight, length_cm=None,
                           today=TODAY)
    assert field in error.value.message_dict
    assert not Measurement.objects.exists()


def test_deleting_is_soft_audited_and_needs_a_reason(officer) -> None:  # type: ignore[no-untyped-def]
    child = child_in("03390", birth_date=date(2024, 6, 10))
    item = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("9.6"),
                              length_cm=None, today=TODAY).measurement
    with pytest.raises(ValidationError):
        delete_measurement(actor=officer, measurement=item, reason=" ")
    delete_measurement(actor=officer, measurement=item, reason="nhập nhầm trẻ")
    item.refresh_from_db()
    assert item.deleted_at is not None and item.deletion_reason == "nhập nhầm trẻ"
    assert not Measurement.objects.current().exists()
    assert AuditEvent.objects.for_object(item).filter(verb=AuditEvent.Verb.DELETE).count() == 1
    again = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("9.5"),
                               length_cm=None, today=TODAY)
    assert again.created


def test_age_follows_the_precision_of_the_birth_date() -> None:
    by_day = child_in("03390", birth_date=date(2024, 3, 1))
    by_month = child_in("03390", birth_date=date(2024, 3, 1), birth_date_precision=DatePrecision.MONTH)
    by_year = child_in("03390", birth_date=date(2024, 7, 1), birth_date_precision=DatePrecision.YEAR)
    assert age_in_days(by_day, date(2025, 3, 1)) == 365
    assert age_in_days(by_month, date(2025, 3, 1)) == 351
    assert age_in_days(by_year, date(2025, 3, 1)) is None


def test_recompute_updates_scores_after_a_birth_date_correction(officer) -> None:  # type: ignore[no-untyped-def]
    child = child_in("03390", birth_date=date(2024, 6, 10))
    item = record_measurement(actor=officer, child=child, measured_on=TODAY, weight_kg=Decimal("9.6"),
                              length_cm=Decimal("75.7"), position="L", today=TODAY).measurement
    Child.objects.filter(pk=child.pk).update(birth_date=date(2024, 12, 10))
    result = recompute_zscores(batch_size=1)
    assert (result.checked, result.changed) == (1, 1)
    item.refresh_from_db()
    assert item.age_days == 182
    assert item.waz == Decimal(f"{engine_scores(182, 9.6, 75.7, 1)[0]:.2f}")
    assert recompute_zscores().changed == 0
    assert AuditEvent.objects.filter(action="recompute_zscores").count() == 2
