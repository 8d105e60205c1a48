"""The home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from treem.core.access import AUTHENTICATED, require


@require(AUTHENTICATED)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/home.html", {"today": timezone.localdate()})
