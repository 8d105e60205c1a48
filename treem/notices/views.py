"""The inbox page: every notice of the signed-in user, newest first; open one (marking it read) or mark all read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from treem.core.access import AUTHENTICATED, require
from treem.notices import selectors, services

INBOX_SIZE = 200


@require(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("all"):
            services.mark_all_notices_read(actor=request.user)  # type: ignore[arg-type]
            return redirect("notices:inbox")
        notice = selectors.notice_for(request.user, notice_id=request.POST.get("notice", ""))
        services.mark_notice_read(actor=request.user, notice=notice)  # type: ignore[arg-type]
        if request.POST.get("open") and notice.url and url_has_allowed_host_and_scheme(
                notice.url, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(notice.url)
        return redirect("notices:inbox")
    notices = selectors.notices_for(request.user)
    return render(request, "notices/inbox.html", {
        "notices": notices[:INBOX_SIZE], "unread": selectors.unread_count(request.user),
    })
