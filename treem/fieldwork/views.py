"""The field page and what it reads and writes: the app shell, its service worker and manifest, the reference data
(WHO tables, validation rules), the commune's bundle, and the sync of field records."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from treem.core.access import public, require
from treem.fieldwork import reference, selectors
from treem.fieldwork.permissions import ENTER_IN_FIELD
from treem.fieldwork.records import RecordUnreadable, read_record
from treem.fieldwork.services import sync_field_records
from treem.fieldwork.texts import page_texts

MAX_RECORDS_PER_SYNC = 500
SCOPE = "/thuc-dia/"
SCRIPTS = ("zscores.js", "rules.js", "vault.js", "field.js")
ICONS = ("icon-192.png", "icon-512.png")


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _asset_urls() -> dict[str, str]:
    """The files the service worker keeps, by a name templates can look up (no dots)."""
    urls = {name.split(".")[0].replace("-", "_"): static(f"treem/fieldwork/{name}") for name in (*SCRIPTS, *ICONS)}
    urls["app_css"] = static("treem/app.css")
    urls["app_js"] = static("treem/app.js")
    return urls


def key_salt(user_id: int) -> str:
    """The user's salt for deriving the device key: stable per user, different between users, from the server."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"fieldwork-key-salt:{user_id}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


@require(ENTER_IN_FIELD)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The app shell: no child's data is in it (the data comes from the bundle and is kept encrypted)."""
    return render(request, "fieldwork/index.html", {"assets": _asset_urls(), "scope": SCOPE, "texts": page_texts()})


@public
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    assets = _asset_urls()
    version = hashlib.sha256(json.dumps(assets, sort_keys=True).encode()).hexdigest()[:16]
    response = render(request, "fieldwork/sw.js", {"assets_json": json.dumps(sorted(assets.values())),
                                                   "version": version, "scope": SCOPE},
                      content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SCOPE
    response["Cache-Control"] = "no-cache"
    return response


@public
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    assets = _asset_urls()
    data: dict[str, Any] = {
        "name": "treem – Thực địa", "short_name": "treem thực địa", "lang": "vi",
        "start_url": SCOPE, "scope": SCOPE, "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#1f5f8b",
        "icons": [{"src": assets[name], "sizes": size, "type": "image/png"}
                  for name, size in (("icon_192", "192x192"), ("icon_512", "512x512"))],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@public
@require_GET
def who_tables(request: HttpRequest) -> HttpResponse:
    """WHO's LMS tables (public reference data) and the engine's constants, for z-scores in the browser."""
    response = JsonResponse(reference.who_tables())
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require(ENTER_IN_FIELD)
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return JsonResponse(reference.validation_rules(), json_dumps_params={"ensure_ascii": False})


@require(ENTER_IN_FIELD)
@require_GET
def session(request: HttpRequest) -> HttpResponse:
    """Who is signed in and a fresh CSRF token: the device asks before every sync."""
    return _no_store(JsonResponse({"user_id": request.user.pk, "csrf_token": get_token(request)}))


@require(ENTER_IN_FIELD)
@require_POST
def bundle(request: HttpRequest) -> HttpResponse:
    """The commune's children and villages for the weighing day, the key's salt, and how long offline may last.

    The device derives its key from the password posted here, so the password is checked first (through the
    sign-in's own backends, lockout included): a mistyped password would otherwise lock the device's data behind
    it."""
    user = authenticate(request, username=request.user.get_username(), password=request.POST.get("password", ""))
    if user is None or user.pk != request.user.pk:
        return _no_store(JsonResponse({"detail": gettext("Mật khẩu không đúng.")}, status=403))
    now = timezone.now()
    on = timezone.localdate()
    commune = selectors.field_commune(request.user, uid=request.GET.get("xa"), on=on)
    if commune is None:
        return _no_store(JsonResponse({"detail": gettext("Bạn chưa được phân công xã nào.")}, status=404))
    data = selectors.field_bundle(request.user, commune=commune, on=on, now=now)
    data["key"] = {"salt": key_salt(request.user.pk), "iterations": settings.FIELDWORK_PBKDF2_ITERATIONS}
    return _no_store(JsonResponse(data, json_dumps_params={"ensure_ascii": False}))


@require(ENTER_IN_FIELD)
@require_POST
def sync(request: HttpRequest) -> HttpResponse:
    """Answer each posted field record (``{"records": [...]}``): synced, refused with its reason, or a conflict."""
    try:
        payload = json.loads(request.body.decode("utf-8"))
        raw_records = payload["records"]
        if not isinstance(raw_records, list) or len(raw_records) > MAX_RECORDS_PER_SYNC:
            raise ValueError
        records = [read_record(item) for item in raw_records]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecordUnreadable):
        return HttpResponseBadRequest("Dữ liệu đồng bộ không đọc được.")
    answers = sync_field_records(actor=request.user, records=records, synced_at=timezone.now())  # type: ignore[arg-type]
    return _no_store(JsonResponse({"results": answers}, json_dumps_params={"ensure_ascii": False}))
