"""The request being served, for services that record where an action came from (audit IP address)."""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

current_request: ContextVar[HttpRequest | None] = ContextVar("treem_current_request", default=None)


def client_ip() -> str | None:
    request = current_request.get()
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
