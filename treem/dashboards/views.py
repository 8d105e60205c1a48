"""The home page: what the signed-in user's roles can reach, and the plan's progress for their area."""

from __future__ import annotations

from collections import Counter

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from treem.core.access import AUTHENTICATED, has_capability, require
from treem.indicators.permissions import VIEW_INDICATORS
from treem.indicators.progress import Status
from treem.indicators.selectors import PlanProgress, plan_progress
from treem.indicators.stored import figures_on_screen
from treem.plans.selectors import plan_for


def _progress(request: HttpRequest) -> PlanProgress | None:
    if not has_capability(request.user, VIEW_INDICATORS):
        return None
    try:
        plan = plan_for(request.user)
        return plan_progress(request.user, plan=plan, unit_uid=None, year=None, today=timezone.localdate())
    except Http404:
        return None


@require(AUTHENTICATED)
def home(request: HttpRequest) -> HttpResponse:
    with figures_on_screen():
        progress = _progress(request)
    counts = Counter(item.headline[1].status for item in progress.items if item.headline) if progress else Counter()
    statuses = [(status, status.label, counts.get(status, 0)) for status in Status if counts.get(status)]
    return render(request, "dashboards/home.html", {
        "today": timezone.localdate(), "progress": progress, "statuses": statuses,
    })
