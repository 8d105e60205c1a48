from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent, AuditSeal, CalendarDay, EthnicGroup


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Browse and filter the audit trail; nothing here can add, change or delete a row."""

    list_display = ["at", "actor_username", "verb", "action", "object_type", "object_repr", "org_unit_path"]
    list_filter = ["verb", "object_type", "action", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_username", "object_repr", "object_id", "org_unit_path", "reason"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditSeal)
class AuditSealAdmin(admin.ModelAdmin):
    """The hash chain over the audit trail, to look at; only ``seal_audit_log`` appends to it."""

    list_display = ["id", "event_id", "digest", "sealed_at"]
    search_fields = ["event_id", "digest"]
    readonly_fields = [field.name for field in AuditSeal._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedModelAdmin(admin.ModelAdmin):
    """An admin whose saves and deletions are written to the audit trail with the values before and after."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change:
            original = type(obj).objects.filter(pk=obj.pk).first()
            before = snapshot(original) if original is not None else None
        super().save_model(request, obj, form, change)
        record_event(actor=request.user, verb=AuditEvent.Verb.UPDATE if change else AuditEvent.Verb.CREATE,
                     obj=obj, action="admin_save", before=before, after=snapshot(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_event(actor=request.user, verb=AuditEvent.Verb.DELETE, obj=obj, action="admin_delete",
                     before=snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Rows edited inline (a user's assignments) are audited like the object itself."""
        before: dict[int, Any] = {}
        for inline_form in formset.initial_forms:
            original = type(inline_form.instance).objects.filter(pk=inline_form.instance.pk).first()
            if original is not None:
                before[original.pk] = snapshot(original)
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                record_event(actor=request.user, verb=AuditEvent.Verb.DELETE, obj=deleted.instance,
                             action="admin_delete", before=before.get(deleted.instance.pk))
        super().save_formset(request, form, formset, change)
        for created in formset.new_objects:
            record_event(actor=request.user, verb=AuditEvent.Verb.CREATE, obj=created, action="admin_save",
                         after=snapshot(created))
        for changed, _fields in formset.changed_objects:
            record_event(actor=request.user, verb=AuditEvent.Verb.UPDATE, obj=changed, action="admin_save",
                         before=before.get(changed.pk), after=snapshot(changed))


@admin.register(EthnicGroup)
class EthnicGroupAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "code_system", "is_majority"]
    list_filter = ["code_system", "is_majority"]
    search_fields = ["code", "name"]



@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    """The province's own days off and swapped working days, on top of the public holidays."""

    list_display = ["on", "kind", "name", "legal_basis"]
    list_filter = ["kind"]
    search_fields = ["name", "legal_basis"]
    date_hierarchy = "on"
