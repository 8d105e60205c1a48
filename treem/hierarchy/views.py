"""Pages of the hierarchy: the unit browser with its date-aware picker, and the agencies."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.access import require, scope_paths
from treem.hierarchy.permissions import VIEW_AGENCIES, VIEW_HIERARCHY
from treem.hierarchy.selectors import (
    agencies_for,
    coordinating_agency,
    lineage_of,
    org_unit_by_uid_for,
    org_units_for,
)


def _date_param(request: HttpRequest) -> tuple[date, str]:
    """The date asked for (dd/mm/yyyy or yyyy-mm-dd), today when absent; and an error message when unreadable."""
    raw = (request.GET.get("on") or "").strip()
    if not raw:
        return timezone.localdate(), ""
    for parse in (date.fromisoformat, lambda text: date(*reversed([int(p) for p in text.split("/")]))):
        try:
            return parse(raw), ""
        except (ValueError, TypeError):
            continue
    return timezone.localdate(), _("Ngày '%(raw)s' không đọc được; dùng dd/mm/yyyy. Đang hiển thị ngày hôm nay.") % {
        "raw": raw}


@require(VIEW_HIERARCHY)
def unit_browser(request: HttpRequest) -> HttpResponse:
    """A unit on a date: its children valid that day, its lineage; the picker moves through dates and levels."""
    on, date_error = _date_param(request)
    uid = request.GET.get("unit")
    unit = org_unit_by_uid_for(request.user, uid=uid) if uid else None
    if unit is not None and not unit.is_valid_on(on):
        date_error = date_error or _("%(unit)s không có hiệu lực ngày %(day)s (hiệu lực %(validity)s).") % {
            "unit": unit.name, "day": f"{on:%d/%m/%Y}", "validity": unit.validity_label}
    if unit is None:
        roots = org_units_for(request.user, on=on).filter(path__in=scope_paths(request.user))
        children = roots
    else:
        children = org_units_for(request.user, on=on, parent_code=unit.code).filter(parent=unit)
    context = {
        "on": on, "date_error": date_error, "unit": unit, "children": children,
        "lineage": list(lineage_of(unit=unit)) if unit else [],
        "ancestors": _ancestors(unit),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "hierarchy/browser.html#unit-panel", context)
    return render(request, "hierarchy/browser.html", context)


def _ancestors(unit: object) -> list[object]:
    chain: list[object] = []
    current = getattr(unit, "parent", None)
    while current is not None:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


@require(VIEW_AGENCIES)
def agencies(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(request, "hierarchy/agencies.html", {
        "agencies": agencies_for(request.user).order_by("valid_to", "code"),
        "coordinator": coordinating_agency(on=today), "today": today,
    })
