"""Administration of the protection teams, and a read-only view of the external systems. Cases are deliberately
not in the admin: their identities are shown only through the pages and API that apply the case-assignment rule
and audit every opening.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from treem.core.admin import AuditedModelAdmin
from treem.protection.models import ExternalSystem, ProtectionLead, Supervision


@admin.register(Supervision)
class SupervisionAdmin(AuditedModelAdmin):
    """Who supervises which case worker: the supervisor sees the worker's cases and is alerted on overdue steps."""

    list_display = ["supervisor", "worker", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["supervisor__username", "supervisor__full_name", "worker__username", "worker__full_name"]
    raw_id_fields = ["supervisor", "worker"]


@admin.register(ProtectionLead)
class ProtectionLeadAdmin(AuditedModelAdmin):
    """The commune's protection lead sees every case of the commune."""

    list_display = ["org_unit", "user", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["org_unit__name", "org_unit__code", "user__username", "user__full_name"]
    raw_id_fields = ["org_unit", "user"]


@admin.register(ExternalSystem)
class ExternalSystemAdmin(admin.ModelAdmin[ExternalSystem]):
    """Systems that file reports through /api/v1/intake. Read-only: they are added and revoked with
    ``manage.py external_systems`` (which prints the key once); the key is stored only as its digest and the
    signing secret is never shown."""

    list_display = ["name", "org_unit", "allowed_kinds", "is_signature_required", "is_active", "last_used_at"]
    list_filter = ["is_active", "is_signature_required"]
    search_fields = ["name"]
    fields = ("name", "org_unit", "allowed_kinds", "channel", "is_signature_required", "is_active", "revoked_at",
              "last_used_at", "key_digest", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ExternalSystem | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ExternalSystem | None = None) -> bool:
        return False
