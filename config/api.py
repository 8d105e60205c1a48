"""The REST API at /api/v1/: one NinjaAPI to which each domain contributes its router.

Every error of every operation answers in one format, ``treem.core.api_errors.ErrorOut``, through the handlers
below; each operation's OpenAPI entry lists the error statuses it may answer, all with that one schema.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as ServiceValidationError
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as InputValidationError
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.types import DictStrAny

from treem.accounts.api import router as accounts_router
from treem.accounts.api_auth import API_AUTH
from treem.childfriendly.api import router as childfriendly_router
from treem.core.access import AUTHENTICATED, NOT_FOUND_MESSAGE, PUBLIC, declared_permission
from treem.core.api_errors import (
    ApiError,
    ErrorOut,
    MalformedRequest,
    input_errors,
    is_unreadable_body,
    service_errors,
)
from treem.hierarchy.api import router as hierarchy_router
from treem.indicators.api import router as indicators_router
from treem.nutrition.api import router as nutrition_router
from treem.nutrition.api_records import router as nutrition_records_router
from treem.plans.api import router as plans_router
from treem.protection.api import router as protection_router
from treem.protection.api_intake import router as intake_router
from treem.protection.api_plans import router as protection_plans_router
from treem.registry.api import router as registry_router
from treem.reporting.api import router as reporting_router
from treem.reporting.api_evidence import router as evidence_router

JSON_TYPES = ("application/json",)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class StrictParser(Parser):
    """JSON bodies only as ``application/json``, form fields and files only from a form: anything else is 400."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        content_type = request.content_type or ""
        if content_type not in JSON_TYPES and not content_type.endswith("+json"):
            raise MalformedRequest(_("Nội dung phải gửi dạng application/json."))
        return super().parse_body(request)

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str],
                        request: HttpRequest) -> DictStrAny:
        is_form = data is request.POST or data is request.FILES
        if is_form and request.content_type not in FORM_TYPES:
            raise MalformedRequest(_("Nội dung phải gửi dạng multipart/form-data."))
        return super().parse_querydict(data, list_fields, request)


api = NinjaAPI(
    title="treem API",
    version="1",
    description="API của hệ thống treem: cùng các bộ chọn (selectors) và dịch vụ như giao diện web, "
    "đều giới hạn theo phạm vi đơn vị của người dùng. Mọi lỗi trả về cùng một dạng ErrorOut "
    "({detail, errors: {trường: [thông báo]}}): 400 yêu cầu không đọc được, 401 chưa đăng nhập, 403 không có "
    "quyền, 404 không tìm thấy hoặc ngoài phạm vi, 409 xung đột phiên bản, 422 dữ liệu không hợp lệ, "
    "429 đăng nhập sai quá nhiều lần.",
    urls_namespace="api-v1",
    auth=API_AUTH,
    docs_url="/docs",
    parser=StrictParser(),
)


def error_response(request: HttpRequest, status: int, detail: str,
                   errors: dict[str, list[str]] | None = None) -> HttpResponse:
    return api.create_response(request, ErrorOut(detail=detail, errors=errors or {}).model_dump(), status=status)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(request, exc.status, exc.detail, exc.errors)


@api.exception_handler(InputValidationError)
def invalid_input(request: HttpRequest, exc: InputValidationError) -> HttpResponse:
    if is_unreadable_body(exc.errors):
        return error_response(request, 400, _("Nội dung yêu cầu không đọc được."), input_errors(exc.errors))
    return error_response(request, 422, _("Dữ liệu gửi lên không hợp lệ."), input_errors(exc.errors))


@api.exception_handler(ServiceValidationError)
def invalid_data(request: HttpRequest, exc: ServiceValidationError) -> HttpResponse:
    return error_response(request, 422, _("Dữ liệu không hợp lệ."), service_errors(exc))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, ApiError):
        return api_error(request, cause)
    if exc.status_code == 400 and isinstance(cause, ValueError):  # django-ninja could not decode the JSON body
        return error_response(request, 400, _("Nội dung yêu cầu không phải JSON hợp lệ."))
    return error_response(request, exc.status_code, exc.message)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, _("Chưa đăng nhập hoặc khóa truy cập không hợp lệ."))


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = error_response(request, 429, _("Quá nhiều yêu cầu; vui lòng thử lại sau."))
    if exc.wait is not None:
        response["Retry-After"] = str(max(1, int(exc.wait)))
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, NOT_FOUND_MESSAGE)


@api.exception_handler(MultiPartParserError)
def unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error_response(request, 400, _("Nội dung multipart/form-data không đọc được."))


@api.exception_handler(UnreadablePostError)
def unreadable_body(request: HttpRequest, exc: UnreadablePostError) -> HttpResponse:
    return error_response(request, 400, _("Nội dung yêu cầu không đọc được."))


@api.exception_handler(SuspiciousOperation)
def refused_body(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    request._mark_post_parse_error()  # type: ignore[attr-defined]  # the body cannot be read a second time
    if isinstance(exc, RequestDataTooBig):
        return error_response(request, 413, _("Nội dung yêu cầu quá lớn."))
    return error_response(request, 400, _("Yêu cầu không hợp lệ."))


def _response_model(schema: type[Schema]) -> type[Schema]:
    """The wrapper django-ninja keeps for each declared response (a schema with one ``response`` field)."""
    return type("NinjaResponseSchema", (Schema,), {"__annotations__": {"response": schema}})


def _has_input(operation: Operation, *sources: str) -> bool:
    return any(getattr(model, "__ninja_param_source__", None) in sources for model in operation.models)


def error_statuses(operation: Operation, methods: list[str]) -> set[int]:
    """The error statuses any operation of this kind may answer (operations declare the others themselves)."""
    statuses: set[int] = set()
    if _has_input(operation, "body", "form", "file"):
        statuses.add(400)
    if operation.models:
        statuses.add(422)
    if _has_input(operation, "path"):
        statuses.add(404)
    if operation.throttle_objects:
        statuses.add(429)
    if operation.auth_param is not None:  # the API's authentication (or its own): none only where auth=None
        statuses.add(401)
        if declared_permission(operation.view_func) not in (PUBLIC, AUTHENTICATED) or UNSAFE_METHODS & set(methods):
            statuses.add(403)  # missing capability; or a session's write without its CSRF token
    return statuses


def declare_error_responses(router: Router) -> None:
    """Add the shared error schema to every operation of ``router`` for each status it may answer."""
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            for status in sorted(error_statuses(operation, operation.methods)):
                operation.response_models.setdefault(status, _response_model(ErrorOut))


for router in (accounts_router, hierarchy_router, plans_router, indicators_router, registry_router,
               nutrition_router, nutrition_records_router, protection_router, protection_plans_router, intake_router,
               reporting_router, evidence_router, childfriendly_router):
    declare_error_responses(router)
    api.add_router("/", router)
