"""Every message the API modules pass through gettext has its English entry: a client that chose English (the
language cookie the switcher sets) reads no Vietnamese ``detail`` or field message.

The messages are read from the modules' source (every ``_("…")``/``gettext("…")`` with a literal), so a message
added later is held to the same rule without a new test."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role

ROOT = Path(__file__).resolve().parent.parent
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "ngettext"}


def api_modules() -> list[Path]:
    return sorted([ROOT / "config" / "api.py", *ROOT.glob("treem/*/api*.py"), *ROOT.glob("treem/core/api_*.py"),
                   ROOT / "treem" / "core" / "idempotency.py"])


def api_messages() -> dict[str, str]:
    """Message → the module it is in."""
    found: dict[str, str] = {}
    for module in api_modules():
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, str(module.relative_to(ROOT)))
    return found


def test_every_api_message_has_its_english_entry() -> None:
    messages = api_messages()
    assert len(messages) >= 50
    with translation.override("en"):
        untranslated = {message: module for message, module in messages.items()
                        if translation.gettext(message) == message}
    assert untranslated == {}


@pytest.mark.django_db
def test_an_english_client_reads_the_error_in_english(client: Client, settings: object) -> None:
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, "03390"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # type: ignore[attr-defined]
    response = client.post("/api/v1/incidents", data="{", content_type="application/json")
    assert response.status_code == 400 and response["Content-Language"] == "en"
    with translation.override("en"):
        assert response.json()["detail"] == translation.gettext("Nội dung yêu cầu không phải JSON hợp lệ.")
        assert response.json()["detail"] != "Nội dung yêu cầu không phải JSON hợp lệ."
