"""What a locked-out caller is answered (django-axes' ``AXES_LOCKOUT_CALLABLE``).

After too many failed sign-ins the same username from the same address is refused for the cool-off time. A
browser gets the lockout page; an API client (a request to ``/api/``, or one that asks for or sends JSON) gets the
API's error format with status 429 and ``Retry-After`` in seconds, so a program can tell when to try again.
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from treem.core.api_errors import ErrorOut

JSON_TYPE = "application/json"


def wants_json(request: HttpRequest) -> bool:
    """An API call, or a client that sends or prefers JSON over a page."""
    if request.path.startswith("/api/"):
        return True
    if request.content_type == JSON_TYPE:
        return True
    accept = request.headers.get("Accept", "")
    return JSON_TYPE in accept and "text/html" not in accept


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    status: int = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    cool_off = get_cool_off(request)
    seconds = max(1, math.ceil(cool_off.total_seconds())) if cool_off else None
    if wants_json(request):
        if seconds is None:
            detail = _("Tài khoản tạm khoá do đăng nhập sai quá nhiều lần; liên hệ quản trị hệ thống để mở khoá.")
        else:
            minutes = math.ceil(seconds / 60)
            detail = _("Tài khoản tạm khoá do đăng nhập sai quá nhiều lần; vui lòng thử lại sau %(minutes)d phút.") % {
                "minutes": minutes}
        response: HttpResponse = JsonResponse(ErrorOut(detail=detail).model_dump(),
                                              status=status, json_dumps_params={"ensure_ascii": False})
    else:
        context = {"failure_limit": get_failure_limit(request, credentials),
                   "username": get_client_username(request, credentials) or "", "cooloff_timedelta": cool_off}
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=status)
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response
