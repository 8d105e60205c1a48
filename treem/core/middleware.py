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


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the user chose another language (the language cookie set by the switcher).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and most office computers here run
    English-language browsers; treem is Vietnamese first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
