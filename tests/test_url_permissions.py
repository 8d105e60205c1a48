"""Deny by default: every URL pattern and every API route declares the capability it needs (or public)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from config.api import api
from treem.core.access import CAPABILITIES, PUBLIC, declared_permission

KNOWN = set(CAPABILITIES) | {PUBLIC, "authenticated"}


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern),
                            pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.callback


def test_every_url_pattern_declares_its_permission() -> None:
    undeclared = []
    for route, namespace, callback in walk(get_resolver().url_patterns):
        if namespace == "admin":
            # Django's admin wraps each of its views in admin_site.admin_view, which requires an active staff
            # member (only the admin role makes a user staff); it is checked separately below.
            continue
        if namespace == "api-v1" and declared_permission(callback) is None:
            # The API's own URL patterns dispatch to operations, each checked in the next test.
            continue
        permission = declared_permission(callback)
        if permission not in KNOWN:
            undeclared.append(route)
    assert undeclared == []


def test_every_api_operation_declares_its_permission() -> None:
    undeclared = []
    count = 0
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                count += 1
                if declared_permission(operation.view_func) not in KNOWN:
                    undeclared.append(f"{operation.methods} {prefix}{path}")
    assert count >= 5
    assert undeclared == []


def test_the_admin_site_admits_only_active_staff() -> None:
    class Request:
        class user:
            is_active = True
            is_staff = False

    assert admin.site.has_permission(Request()) is False  # type: ignore[arg-type]
