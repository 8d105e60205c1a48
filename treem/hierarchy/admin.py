from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from treem.core.admin import AuditedModelAdmin
from treem.hierarchy.forms import OrgUnitChangeForm
from treem.hierarchy.models import Agency, AgencyLineage, CoordinatingAgency, Lineage, OrgUnit, Village


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is never edited by hand: reorganisations go through the 'record a change' page."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "kind", "valid_to"]
    search_fields = ["code", "name", "uid"]
    change_list_template = "admin/hierarchy/orgunit/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        custom = [path("ghi-nhan-thay-doi/", self.admin_site.admin_view(self.record_change_view),
                       name="hierarchy_orgunit_record_change")]
        return custom + super().get_urls()

    def record_change_view(self, request: HttpRequest) -> HttpResponse:
        """Record a merge, split or rename with its effective date, through the same form as the command."""
        if not request.user.is_superuser:
            messages.error(request, "Chỉ quản trị hệ thống được ghi nhận thay đổi địa giới.")
            return redirect("admin:hierarchy_orgunit_changelist")
        form = OrgUnitChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            created = form.save(actor=request.user)
            if created:
                messages.success(request, "Đã ghi nhận thay đổi: " + ", ".join(str(unit) for unit in created))
                return redirect("admin:hierarchy_orgunit_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": "Ghi nhận thay đổi địa giới",
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/hierarchy/orgunit/record_change.html", context)


@admin.register(Lineage)
class LineageAdmin(ReadOnlyAdmin):
    list_display = ["predecessor", "successor", "effective_on", "kind", "legal_basis"]
    list_filter = ["kind", "effective_on"]
    search_fields = ["predecessor__code", "predecessor__name", "successor__code", "successor__name"]


@admin.register(Village)
class VillageAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "org_unit"]
    search_fields = ["name", "code", "org_unit__name"]
    raw_id_fields = ["org_unit"]


class AgencyLineageInline(admin.TabularInline):
    model = AgencyLineage
    fk_name = "predecessor"
    extra = 0


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "short_name"]
    inlines = [AgencyLineageInline]


@admin.register(CoordinatingAgency)
class CoordinatingAgencyAdmin(AuditedModelAdmin):
    list_display = ["agency", "valid_from"]
