"""The navigation each page shows, decided by the capabilities of the signed-in user's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from treem.accounts.models import Assignment
from treem.core.access import AUTHENTICATED, capabilities_of_role
from treem.core.extensions import navigation_entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu and the user's assignments, read only if the template shows them: a fragment answered to htmx (a
    saved figure, a weighing result) renders without the page's frame and costs no query for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": [], "assignments": []}
    read: dict[str, Any] = {}

    def part(name: str) -> Any:
        if not read:
            read.update(_navigation(request, user))
        return read[name]

    return {"navigation": SimpleLazyObject(lambda: part("navigation")),
            "assignments": SimpleLazyObject(lambda: part("assignments"))}


def _navigation(request: HttpRequest, user: Any) -> dict[str, Any]:
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
