"""The REST API at /api/v1/: one NinjaAPI to which each domain contributes its router."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from treem.accounts.api import router as accounts_router
from treem.accounts.api_auth import API_AUTH
from treem.hierarchy.api import router as hierarchy_router
from treem.indicators.api import router as indicators_router
from treem.nutrition.api import router as nutrition_router
from treem.plans.api import router as plans_router
from treem.protection.api import router as protection_router
from treem.registry.api import router as registry_router

api = NinjaAPI(
    title="treem API",
    version="1",
    description="API của hệ thống treem: cùng các bộ chọn (selectors) và dịch vụ như giao diện web, "
    "đều giới hạn theo phạm vi đơn vị của người dùng.",
    urls_namespace="api-v1",
    auth=API_AUTH,
    docs_url="/docs",
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Chưa đăng nhập hoặc khóa truy cập không hợp lệ."}, status=401)


api.add_router("/", accounts_router)
api.add_router("/", hierarchy_router)
api.add_router("/", plans_router)
api.add_router("/", indicators_router)
api.add_router("/", registry_router)
api.add_router("/", nutrition_router)
api.add_router("/", protection_router)
