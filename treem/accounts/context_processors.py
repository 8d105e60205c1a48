"""The navigation each page shows, decided by the capabilities of the signed-in user's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.accounts.models import Assignment
from treem.accounts.permissions import MANAGE_ACCOUNTS
from treem.core.access import AUTHENTICATED, capabilities_of_role
from treem.hierarchy.permissions import VIEW_AGENCIES, VIEW_HIERARCHY

NAVIGATION: list[tuple[str, Any, str]] = [
    ("dashboards:home", _("Tổng quan"), AUTHENTICATED),
    ("hierarchy:browser", _("Đơn vị hành chính"), VIEW_HIERARCHY),
    ("hierarchy:agencies", _("Cơ quan"), VIEW_AGENCIES),
    ("admin:index", _("Quản trị"), MANAGE_ACCOUNTS),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "assignments": []}
    assignments = list(
        Assignment.objects.active(timezone.localdate()).filter(user_id=user.pk).select_related("org_unit", "agency")
    )
    capabilities: set[str] = {AUTHENTICATED}
    for assignment in assignments:
        capabilities |= capabilities_of_role(assignment.role)
    items = [
        {"url": reverse(name), "label": label, "active": request.path == reverse(name)}
        for name, label, capability in NAVIGATION
        if capability in capabilities
    ]
    return {"navigation": items, "assignments": assignments}
