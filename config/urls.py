"""URLs. Every view declares its permission (``require`` or ``public``); a test walks this resolver to prove it."""

from django.contrib import admin
from django.urls import include, path

from config.api import api
from treem.core.access import public
from treem.core.views import healthz, plotly_css, plotly_js, readyz

admin.site.site_header = "treem – Quản trị"
admin.site.site_title = "treem"
admin.site.index_title = "Dữ liệu danh mục và tài khoản"

api_urls = api.urls
for pattern in api_urls[0]:
    callback = getattr(pattern, "callback", None)
    if callback is not None and getattr(pattern, "name", "") in {"openapi-json", "openapi-view"}:
        public(callback)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("tai-nguyen/plotly.min.js", plotly_js, name="plotly_js"),
    path("tai-nguyen/plotly.css", plotly_css, name="plotly_css"),
    path("api/v1/", api_urls),
    path("api/", include("treem.reporting.dhis2_urls")),
    path("quan-tri/", admin.site.urls),
    path("tai-khoan/", include("treem.accounts.urls")),
    path("don-vi/", include("treem.hierarchy.urls")),
    path("thong-bao/", include("treem.notices.urls")),
    path("bao-cao/", include("treem.reporting.urls")),
    path("ke-hoach/", include("treem.plans.urls")),
    path("chi-tieu/", include("treem.indicators.urls")),
    path("tre-em/", include("treem.registry.urls")),
    path("dinh-duong/", include("treem.nutrition.urls")),
    path("bao-ve/", include("treem.protection.urls")),
    path("xa-phu-hop-tre-em/", include("treem.childfriendly.urls")),
    path("ban-do/", include("treem.maps.urls")),
    path("thuc-dia/", include("treem.fieldwork.urls")),
    path("", include("treem.dashboards.urls")),
]

handler404 = "treem.core.views.page_not_found"
handler500 = "treem.core.views.server_error"
