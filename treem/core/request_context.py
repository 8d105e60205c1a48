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


def request_memo(name: str) -> dict[object, object] | None:
    """A dictionary that lives as long as the request being served (None outside a request): reads that cannot
    change during one request — the user's grants — are made once per request instead of once per check."""
    request = current_request.get()
    if request is None:
        return None
    memo: dict[str, dict[object, object]] = request.__dict__.setdefault("_treem_memo", {})
    return memo.setdefault(name, {})
