"""Administration of the protection teams only. Cases are deliberately not in the admin: their identities are
shown only through the pages and API that apply the case-assignment rule and audit every opening.
"""

from __future__ import annotations

from django.contrib import admin

from treem.core.admin import AuditedModelAdmin
from treem.protection.models import ProtectionLead, Supervision


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
