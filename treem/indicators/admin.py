"""Data values in the admin, read only: they are written by ``enter_data_values`` (audited, value by value)."""

from __future__ import annotations

from django.contrib import admin

from treem.indicators.models import DataValue
from treem.plans.admin import ReadOnlyAdmin


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ["data_element", "org_unit", "year", "sex", "ethnic_group", "value", "is_demo", "updated_at"]
    list_filter = ["year", "is_demo", "data_element"]
    search_fields = ["org_unit__code", "org_unit__name", "data_element__code"]
    list_select_related = ["data_element", "org_unit", "ethnic_group"]
    raw_id_fields = ["org_unit"]
