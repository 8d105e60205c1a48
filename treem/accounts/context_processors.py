"""The navigation each page shows, decided by the capabilities of the signed-in user's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from treem.accounts.models import Assignment
from treem.core.access import AUTHENTICATED, capabilities_of_role
from treem.core.extensions import navigation_entries


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
    items = []
    for entry in navigation_entries():
        if entry.capability in capabilities:
            url = reverse(entry.url_name)
            badge = entry.badge(user) if entry.badge is not None else 0
            items.append({"url": url, "label": entry.label, "active": request.path == url, "badge": badge})
    return {"navigation": items, "assignments": assignments}
