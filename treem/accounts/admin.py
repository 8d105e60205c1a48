from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse

from treem.accounts.models import ApiToken, Assignment, User
from treem.accounts.services import revoke_api_tokens
from treem.core.admin import AuditedModelAdmin
from treem.core.audit import record_event
from treem.core.models import AuditEvent


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
    actions = ["revoke_all_api_tokens"]

    @admin.action(description="Thu hồi mọi khóa truy cập API của người dùng đã chọn")
    def revoke_all_api_tokens(self, request: HttpRequest, queryset: Any) -> None:
        assert isinstance(request.user, User)
        revoked = sum(revoke_api_tokens(actor=request.user, user=user, reason="quản trị viên thu hồi")
                      for user in queryset)
        self.message_user(request, f"Đã thu hồi {revoked} khóa truy cập.", messages.SUCCESS)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Django's password page, audited when a new password is set (the password itself is never recorded)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user: Any = self.get_object(request, id)
            record_event(actor=request.user, verb=AuditEvent.Verb.UPDATE, obj=user, action="admin_change_password",
                         after={"password": "đã đặt mật khẩu mới"})
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "user", "created_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username", "name"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Tokens are issued only by ``POST /api/v1/auth/token``, which shows the token once."""
        return False

    @admin.action(description="Thu hồi các khóa truy cập đã chọn")
    def revoke_selected(self, request: HttpRequest, queryset: Any) -> None:
        assert isinstance(request.user, User)
        revoked = 0
        for user_id in sorted(set(queryset.values_list("user_id", flat=True))):
            owner = User.objects.get(pk=user_id)
            revoked += revoke_api_tokens(actor=request.user, user=owner, reason="quản trị viên thu hồi",
                                         token_ids=list(queryset.filter(user_id=user_id).values_list("pk", flat=True)))
        self.message_user(request, f"Đã thu hồi {revoked} khóa truy cập.", messages.SUCCESS)
