"""Admin pages of the reporting domain: cycles (dates) and validation rules are edited here; reports are read-only
(they change only through the workflow)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from treem.core.admin import AuditedModelAdmin
from treem.reporting.models import ReportingCycle, Submission, SubmissionVersion, ValidationRule


@admin.register(ReportingCycle)
class ReportingCycleAdmin(AuditedModelAdmin):
    list_display = ["year", "plan", "opens_on", "deadline_at", "locks_at", "is_demo"]
    readonly_fields = ["plan", "year", "is_demo"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ValidationRule)
class ValidationRuleAdmin(AuditedModelAdmin):
    list_display = ["code", "kind", "severity", "element_code", "other_element_code", "is_active"]
    list_filter = ["kind", "severity", "is_active"]
    search_fields = ["code", "element_code", "message"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "kind", "agency", "org_unit", "status", "first_submitted_at", "is_demo"]
    list_filter = ["cycle", "kind", "status"]


@admin.register(SubmissionVersion)
class SubmissionVersionAdmin(ReadOnlyAdmin):
    list_display = ["submission", "number", "submitted_at", "decision", "is_late"]
