"""The layers hold: pages, API operations and exports read the database only through their app's selectors.

Each views, API and export module of every app is parsed (not imported) and searched for a model manager:
``Model.objects``, ``Model._default_manager`` or Django's ``get_object_or_404`` / ``get_list_or_404``. A read written
there would bypass the scoping that the selectors apply (``visible_to``), so it belongs in ``selectors.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TREEM = Path(__file__).resolve().parent.parent / "treem"
MANAGERS = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def layer_modules() -> list[Path]:
    patterns = ("views.py", "api.py", "api_*.py", "exports.py")
    found = {path for pattern in patterns for path in TREEM.glob(f"*/{pattern}")}
    return sorted(found)


def manager_uses(source: str) -> list[tuple[int, str]]:
    """(line, text) of every model manager or ORM shortcut the source code uses."""
    uses = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            uses.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Name) and node.id in SHORTCUTS:
            uses.append((node.lineno, node.id))
        elif isinstance(node, ast.alias) and node.name.split(".")[-1] in SHORTCUTS:
            uses.append((getattr(node, "lineno", 0), node.name))
    return sorted(uses)


def test_every_app_with_pages_is_checked() -> None:
    """The walk finds the modules it is meant to check (an empty list would pass anything)."""
    apps = {path.parent.name for path in layer_modules()}
    assert {"accounts", "core", "dashboards", "hierarchy", "indicators", "nutrition", "plans", "registry",
            "reporting"} <= apps


@pytest.mark.parametrize("path", layer_modules(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_views_api_and_exports_read_only_through_selectors(path: Path) -> None:
    uses = manager_uses(path.read_text(encoding="utf-8"))
    assert uses == [], f"{path.parent.name}/{path.name} queries models directly at lines {uses}"


@pytest.mark.parametrize("source", [
    "Child.objects.filter(pk=1)",
    "def view(request):\n    return Submission._default_manager.all()",
    "from django.shortcuts import get_object_or_404\n",
    "item = get_object_or_404(Plan, pk=1)",
])
def test_the_check_sees_a_query_written_in_a_view(source: str) -> None:
    assert manager_uses(source)


def test_the_check_leaves_selector_calls_alone() -> None:
    assert manager_uses("rows = selectors.children_for(request.user).filter(pk=1)\nobjects = []\n") == []
