"""The health and readiness checks, which monitoring calls without signing in, and plotly.js (with its
stylesheet) served from its package."""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

import plotly
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.cache import never_cache

from treem.core.access import public
from treem.core.worker import queue_state, read_heartbeats


@public
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the database status when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse({"status": "error", "database": "unavailable", "detail": str(error)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


@public
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Whether treem can do its work: the database answers and a background worker is alive (its last heartbeat is
    recent), with the queue's length. 200 when ready, 503 otherwise, with the reason."""
    now = timezone.now()
    body: dict[str, object] = {}
    problems = []
    try:
        state = queue_state()
        body["database"] = "ok"
        body["queue"] = {"ready": state.ready, "running": state.running, "failed": state.failed,
                         "successful": state.successful}
    except DatabaseError as error:
        body["database"] = "unavailable"
        body["detail"] = str(error)[:200]
        problems.append("database")
    heartbeats = read_heartbeats()
    alive = [heartbeat for heartbeat in heartbeats if heartbeat.is_alive(now=now)]
    body["worker"] = {
        "alive": len(alive),
        "last_heartbeat_at": heartbeats[0].beat_at.isoformat() if heartbeats else None,
        "last_heartbeat_age_seconds": round((now - heartbeats[0].beat_at).total_seconds(), 1) if heartbeats else None,
        "running_task": any(heartbeat.task_id for heartbeat in alive),
    }
    if not alive:
        problems.append("worker")
    body["status"] = "ok" if not problems else "unavailable"
    if problems:
        body["problems"] = problems
    return JsonResponse(body, status=200 if not problems else 503)


PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
ONE_YEAR = 365 * 24 * 3600


@cache
def _plotly_bytes() -> tuple[bytes, bytes]:
    raw = PLOTLY_JS.read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0)


@public
def plotly_js(request: HttpRequest) -> HttpResponse:
    """plotly.js from the installed ``plotly`` package (never a CDN): gzipped when the browser accepts it (about a
    third of the size on a slow line) and cached for a year, since the address carries the package version."""
    raw, compressed = _plotly_bytes()
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(compressed, content_type="text/javascript; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(raw, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response["Vary"] = "Accept-Encoding"
    return response


# plotly.js adds its stylesheet as an inline <style> element, which the Content-Security-Policy refuses, unless an
# element with the id below marked ``no-inline-styles`` is already on the page. The rules come from the bundle's own
# table, so that they follow the installed version.
PLOTLY_STYLE_ID = "plotly.js-style-global"
_RULE_TABLE_START = '"X,X div":'
_RULE = re.compile(r"""(?:"([^"]*)"|([A-Za-z]+)):(?:'([^']*)'|"([^"]*)")""")


@cache
def plotly_css_text() -> str:
    """plotly.js's global style rules as a stylesheet (the bundle's table with its X and Y shorthands expanded)."""
    source = PLOTLY_JS.read_text(encoding="utf-8")
    start = source.index(_RULE_TABLE_START)
    table = source[start:source.index("}", start)]
    rules = []
    for match in _RULE.finditer(table):
        selector = match.group(1) if match.group(1) is not None else match.group(2)
        declarations = match.group(3) if match.group(3) is not None else match.group(4)
        selector = re.sub(r"^,", " ,", selector)
        selector = selector.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{selector}{{{declarations}}}")
    return "\n".join(rules) + "\n"


@cache
def plotly_injected_style_ids() -> tuple[str, ...]:
    """Ids of the other stylesheets the bundle injects only when no element with that id exists (MapLibre's,
    for map charts, which treem does not draw)."""
    source = PLOTLY_JS.read_text(encoding="utf-8")
    return tuple(dict.fromkeys(re.findall(r'getElementById\("([0-9a-f]{64})"\)', source)))


@public
def plotly_css(request: HttpRequest) -> HttpResponse:
    """The stylesheet plotly.js would otherwise inject, cached for a year like plotly.js itself."""
    response = HttpResponse(plotly_css_text(), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An unknown address: the project's own page for people, the API's error format for programs under /api/."""
    if _is_api(request):
        return JsonResponse({"detail": gettext("Không có địa chỉ này trong API."), "errors": {}}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """A failure of ours: the project's own page for people, the API's error format for programs under /api/."""
    if _is_api(request):
        return JsonResponse({"detail": gettext("Lỗi của hệ thống; đã được ghi lại. Xin thử lại sau."), "errors": {}},
                            status=500)
    return defaults.server_error(request)
