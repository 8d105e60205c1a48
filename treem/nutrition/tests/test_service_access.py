"""The measurement services decide themselves who may call them: an officer of a neighbouring commune, the
coordinator (who reads measurements but does not record them) or a user with no assignment is refused with
``PermissionDenied`` and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from treem.accounts.models import User
from treem.accounts.tests.factories import UserFactory, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.nutrition import services
from treem.nutrition.models import Measurement
from treem.nutrition.tests.factories import child_in, measurement_with

pytestmark = pytest.mark.django_db

OWN, NEIGHBOUR = "03390", "03408"
MEASURED_ON = date(2025, 6, 1)

CALLS: dict[str, Callable[[User, Measurement], Any]] = {
    "record_measurement": lambda actor, measurement: services.record_measurement(
        actor=actor, child=measurement.child, measured_on=date(2025, 7, 1), weight_kg=Decimal("11.2"),
        length_cm=Decimal("84.0"), position="H", today=date(2025, 7, 2)),
    "correct_measurement": lambda actor, measurement: services.correct_measurement(
        actor=actor, measurement=measurement, changes={"weight_kg": Decimal("10.5")}, today=date(2025, 7, 2)),
    "delete_measurement": lambda actor, measurement: services.delete_measurement(
        actor=actor, measurement=measurement, reason="Nhập nhầm."),
    "recompute_zscores": lambda actor, measurement: services.recompute_zscores(actor=actor),
}

ACTORS: dict[str, Callable[[], User]] = {
    "neighbouring officer": lambda: user_with_role(Role.COMMUNE_OFFICER, NEIGHBOUR),
    "coordinator": lambda: user_with_role(Role.COORDINATOR, "12"),
    "unassigned": UserFactory,
}


@pytest.mark.parametrize("service", sorted(CALLS))
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_a_service_called_by_someone_without_the_right_refuses_and_writes_nothing(service: str, who: str) -> None:
    child = child_in(OWN, birth_date=date(2023, 5, 1))
    measurement = measurement_with(child, measured_on=MEASURED_ON, waz=-1.0)
    actor = ACTORS[who]()
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        CALLS[service](actor, measurement)
    assert AuditEvent.objects.count() == events
    assert list(Measurement.objects.values_list("pk", "weight_kg", "deleted_at")) == [
        (measurement.pk, Decimal("10.00"), None)]


def test_the_commune_officer_records_the_measurement() -> None:
    child = child_in(OWN, birth_date=date(2023, 5, 1))
    saved = services.record_measurement(actor=user_with_role(Role.COMMUNE_OFFICER, OWN), child=child,
                                        measured_on=date(2025, 7, 1), weight_kg=Decimal("11.2"),
                                        length_cm=Decimal("84.0"), position="H", today=date(2025, 7, 2))
    assert saved.created
