"""The health and readiness checks, which monitoring calls without signing in, and plotly.js served from its
package."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import plotly
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
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
