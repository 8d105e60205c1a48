"""The plan in the admin, read only: it changes only through ``load_plan`` from its versioned file."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from treem.plans.models import DataElement, Indicator, Plan, PlanAssignment, Target, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["code", "document_type", "label_number", "year", "start_year", "end_year", "is_active"]


@admin.register(DataElement)
class DataElementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "source", "derived_from", "reporter_agency", "reporter_is_locality", "is_active"]
    list_filter = ["plan", "source", "is_active"]
    search_fields = ["code", "name"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["year", "comparison", "value", "wording", "section", "is_active"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "numerator", "denominator", "direction", "is_active"]
    list_filter = ["plan", "is_active"]
    inlines = [TargetInline]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "group", "is_active"]
    list_filter = ["plan", "group"]


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "assignee_kind", "agency", "role", "is_active"]
    list_filter = ["plan", "assignee_kind", "role", "agency"]
