from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from treem.accounts.models import ApiToken, Assignment, User
from treem.core.admin import AuditedModelAdmin


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["org_unit"]


@admin.register(User)
class TreemUserAdmin(UserAdmin, AuditedModelAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_demo", "last_login"]
    list_filter = ["is_active", "is_demo", "assignments__role"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (*UserAdmin.fieldsets, ("treem", {"fields": ("full_name", "phone", "is_demo")}))  # type: ignore[misc]
    inlines = [AssignmentInline]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "user", "created_at", "last_used_at"]
