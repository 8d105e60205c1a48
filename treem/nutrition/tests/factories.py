"""Test helpers: children of the registry and measurements with known scores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from treem.accounts.tests.factories import unit
from treem.core.intake.names import fold_name
from treem.core.models import EthnicGroup
from treem.nutrition.models import Measurement, Source
from treem.registry.models import Child

_numbers = count(1)


def child_in(
    commune_code: str,
    *,
    birth_date: date,
    sex: str = "M",
    ethnic_code: str | None = "01",
    full_name: str | None = None,
    personal_id: str = "",
    **fields: object,
) -> Child:
    """An active child living in the commune with ``commune_code`` (valid today)."""
    name = full_name or f"Lò Văn Thử {next(_numbers)}"
    ethnic = EthnicGroup.objects.get(code=ethnic_code) if ethnic_code else None
    return Child.objects.create(full_name=name, name_folded=fold_name(name), birth_date=birth_date, sex=sex,
                                ethnic_group=ethnic, commune=unit(commune_code), personal_id=personal_id, **fields)


def _score(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.2f}")


def measurement_with(
    child: Child,
    *,
    measured_on: date,
    waz: float | None = None,
    haz: float | None = None,
    whz: float | None = None,
    flag_waz: bool = False,
    flag_haz: bool = False,
    flag_whz: bool = False,
    has_oedema: bool = False,
    age_days: int | None = None,
    **fields: object,
) -> Measurement:
    """A stored measurement with the given (already rounded) scores, as the engine would have left them."""
    return Measurement.objects.create(
        child=child, org_unit=fields.pop("org_unit", child.commune), measured_on=measured_on,
        weight_kg=fields.pop("weight_kg", Decimal("10.0")), length_cm=fields.pop("length_cm", Decimal("80.0")),
        age_days=(measured_on - child.birth_date).days if age_days is None else age_days,
        waz=_score(waz), haz=_score(haz), whz=_score(whz), flag_waz=flag_waz, flag_haz=flag_haz, flag_whz=flag_whz,
        has_oedema=has_oedema, source=Source.ENTERED, **fields,
    )
