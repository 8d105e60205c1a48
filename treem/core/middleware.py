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


class SecurityHeadersMiddleware:
    """Refuse a request body larger than ``TREEM_MAX_REQUEST_BYTES`` before anything reads it (413), and send the
    Permissions-Policy header, which Django's SecurityMiddleware does not.

    It runs before any view's ``process_view`` (the CSRF check is the first to read a form), so an oversized
    upload is refused from its declared length without being parsed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        limit = int(settings.TREEM_MAX_REQUEST_BYTES)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        response = _too_large(request, limit) if declared > limit else self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    from django.http import JsonResponse
    from django.utils.translation import gettext

    message = gettext("Dữ liệu gửi lên quá lớn: tối đa %(size)s MB.") % {"size": limit // (1024 * 1024)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
