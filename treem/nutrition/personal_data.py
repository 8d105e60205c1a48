"""The nutrition section of a child's subject access export: the measurements the requesting user may see."""

from __future__ import annotations

from treem.core.access import UserLike
from treem.core.personal_data import PersonalDataTable, model_table, register_personal_data_section
from treem.nutrition.models import Measurement
from treem.nutrition.selectors import measurements_for
from treem.registry.models import Child


def _measurements(*, user: UserLike, child: Child) -> PersonalDataTable:
    visible = measurements_for(user).filter(child=child).select_related("org_unit").order_by("measured_on", "id")
    return model_table("Số đo cân nặng, chiều cao", visible, Measurement, exclude=["child"],
                       note="Các lần cân, đo mà người xuất được xem.")


def register() -> None:
    register_personal_data_section("nutrition.measurements", _measurements, order=200)
