"""The DHIS2-compatible endpoints: ``/api/dataValueSets`` (JSON and ADX, import and export), the metadata a client
reads at start-up (``/api/dataElements``, ``/api/organisationUnits``, …) and ``/api/system/info``; each also with
``.json`` and under a version (``/api/40/…``), as DHIS2 clients call them.

Callers authenticate as DHIS2 clients do — HTTP Basic (username and password, with the same lockout as the login
page) or ``Authorization: ApiToken <token>`` with a treem API token (``Bearer`` is accepted too) — or with the
browser session (CSRF-checked on writes). Every view declares the capability it needs; the values a caller reads
or writes are scoped like the report pages.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from treem.accounts.services import user_for_api_token
from treem.core.access import AUTHENTICATED, has_capability, mark_permission
from treem.reporting.dhis2 import (
    ExchangeError,
    adx_document,
    export_request,
    export_values,
    import_data_value_set,
    import_options,
    metadata_collection,
    metadata_item,
    parse_adx,
    parse_json_set,
    system_info,
)
from treem.reporting.permissions import EXCHANGE_READ, EXCHANGE_WRITE

ADX_TYPE = "application/adx+xml"
JSON_TYPE = "application/json"
MAX_BODY_BYTES = 20 * 1024 * 1024

View = Callable[..., HttpResponse]


def web_message(status_code: int, message: str, *, status: str = "ERROR", **extra: Any) -> JsonResponse:
    """DHIS2's WebMessage for errors that are not import summaries."""
    names = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
             409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type"}
    body = {"httpStatus": names.get(status_code, "Error"), "httpStatusCode": status_code, "status": status,
            "message": message, **extra}
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})


def _header_user(request: HttpRequest) -> tuple[Any, bool]:
    """(user, whether an Authorization header was given). A wrong header gives (None, True)."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None, False
    scheme, _, credentials = header.partition(" ")
    scheme = scheme.lower()
    credentials = credentials.strip()
    if scheme in ("apitoken", "bearer") and credentials:
        return user_for_api_token(credentials), True
    if scheme == "basic" and credentials:
        try:
            username, _, password = base64.b64decode(credentials).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, True
        user = authenticate(request, username=username, password=password)
        return (user if user is not None and user.is_active else None), True
    return None, True


def dhis2_api(capability: str) -> Callable[[View], View]:
    """Authenticate like DHIS2 (Basic, ApiToken, or the session), then require ``capability``."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user, by_header = _header_user(request)
            if by_header:
                if user is None:
                    response = web_message(401, "Thông tin đăng nhập hoặc khóa truy cập không hợp lệ.")
                    response["WWW-Authenticate"] = 'Basic realm="treem"'
                    return response
                request.user = user
            elif request.user.is_authenticated and request.user.is_active:
                if request.method not in ("GET", "HEAD", "OPTIONS"):
                    rejected = CsrfViewMiddleware(lambda _request: HttpResponse()).process_view(
                        request, view, args, kwargs)
                    if rejected is not None:
                        return web_message(403, "Thiếu hoặc sai mã CSRF cho phiên đăng nhập.")
            else:
                response = web_message(401, "Cần đăng nhập (HTTP Basic) hoặc khóa truy cập (ApiToken).")
                response["WWW-Authenticate"] = 'Basic realm="treem"'
                return response
            if not has_capability(request.user, capability):
                return web_message(403, "Bạn không có quyền dùng giao diện trao đổi số liệu này.")
            return view(request, *args, **kwargs)

        return mark_permission(csrf_exempt(wrapper), capability)

    return decorator


def _wants_adx(request: HttpRequest) -> bool:
    return ADX_TYPE in request.headers.get("Accept", "") or request.GET.get("format") == "adx"


@dhis2_api(EXCHANGE_READ)
def data_value_sets(request: HttpRequest, version: str | None = None) -> HttpResponse:
    """GET: export values (JSON, or ADX with ``Accept: application/adx+xml``); POST: import (needs write)."""
    if request.method == "POST":
        if not has_capability(request.user, EXCHANGE_WRITE):
            return web_message(403, "Bạn không có quyền gửi số liệu.")
        return _import(request)
    if request.method != "GET":
        return web_message(405, "Chỉ hỗ trợ GET và POST.")
    return _export(request)


def _export(request: HttpRequest) -> HttpResponse:
    adx = _wants_adx(request)
    try:
        exported = export_values(user=request.user, request=export_request(
            request.GET, default_scheme="code" if adx else "uid"))
    except ExchangeError as error:
        return web_message(error.status, str(error), errorCode=error.error_code or None)
    if adx:
        return HttpResponse(adx_document(exported.rows, data_sets=exported.data_set_of_rows),
                            content_type=f"{ADX_TYPE}; charset=utf-8")
    return JsonResponse({**exported.head, "dataValues": exported.rows}, json_dumps_params={"ensure_ascii": False})


def _import(request: HttpRequest) -> HttpResponse:
    content_type = (request.content_type or "").lower()
    if len(request.body) > MAX_BODY_BYTES:
        return web_message(413, "Nội dung gửi lên quá lớn.")
    params = {key: request.GET.get(key, "") for key in request.GET}
    try:
        if content_type in (ADX_TYPE, "application/xml+adx"):
            incoming = parse_adx(request.body)
            default_scheme = "code"
        elif content_type in (JSON_TYPE, "application/json+dhis2", ""):
            try:
                payload = json.loads(request.body.decode("utf-8") or "{}")
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                return web_message(400, f"JSON không hợp lệ: {error}.")
            incoming = parse_json_set(payload)
            default_scheme = "uid"
        else:
            return web_message(415, f"Loại nội dung '{content_type}' không hỗ trợ: dùng {JSON_TYPE} hoặc {ADX_TYPE}.")
        options = import_options({**params, **incoming.options}, default_scheme=default_scheme)
    except ExchangeError as error:
        return web_message(error.status, str(error))
    summary = import_data_value_set(user=request.user, incoming=incoming, options=options)  # type: ignore[arg-type]
    return JsonResponse(summary.envelope(), status=summary.http_status, json_dumps_params={"ensure_ascii": False})


def _metadata_params(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "") for key in request.GET if key != "filter"}


def _page_url(request: HttpRequest) -> Callable[[int], str]:
    def url(page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return url


@dhis2_api(EXCHANGE_READ)
def metadata_list(request: HttpRequest, kind: str, version: str | None = None) -> HttpResponse:
    """``GET /api/<kind>``: a metadata collection with DHIS2's fields, filter and paging."""
    if request.method != "GET":
        return web_message(405, "Chỉ hỗ trợ GET.")
    try:
        answer = metadata_collection(user=request.user, kind=kind, params=_metadata_params(request),
                                     filters=request.GET.getlist("filter"), page_url=_page_url(request))
    except ExchangeError as error:
        return web_message(error.status, str(error), errorCode=error.error_code or None)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


@dhis2_api(EXCHANGE_READ)
def metadata_object(request: HttpRequest, kind: str, uid: str, version: str | None = None) -> HttpResponse:
    """``GET /api/<kind>/<uid>``: one object, every field unless ``fields`` says otherwise."""
    if request.method != "GET":
        return web_message(405, "Chỉ hỗ trợ GET.")
    try:
        answer = metadata_item(user=request.user, kind=kind, uid=uid, params=_metadata_params(request))
    except ExchangeError as error:
        return web_message(error.status, str(error), errorCode=error.error_code or None)
    if answer is None:
        return web_message(404, f"Không có đối tượng {kind} với id {uid}.", errorCode="E1005")
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


@dhis2_api(AUTHENTICATED)
def system_info_view(request: HttpRequest, version: str | None = None) -> HttpResponse:
    return JsonResponse(system_info(base_url=request.build_absolute_uri("/")),
                        json_dumps_params={"ensure_ascii": False})
