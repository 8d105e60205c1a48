from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from treem.core.request_context import current_request


class RequestContextMiddleware:
    """Make the current request available to services (for the audit trail's IP address)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
