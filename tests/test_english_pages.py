"""Every page in English: signed in as each demo role, a walk from the home page through the navigation and every
list and detail page linked from there finds no Vietnamese text outside data.

Data — names of units, children, agencies, values typed by users — sits in elements marked with the HTML standard
attribute ``translate="no"``; the walk strips those and searches what remains visible (text, ``title``,
``placeholder``, ``aria-label``, ``alt`` and button labels) for Vietnamese letters: ă â đ ê ô ơ ư and the tone marks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from treem.accounts.demo import DEMO_ACCOUNTS
from treem.accounts.models import User

# Letters only Vietnamese uses here (ă â đ ê ô ơ ư) and the five tone marks, as combining marks after NFD.
VIETNAMESE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b"}
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NOT_PAGES = re.compile(r"\.(xlsx|docx|pdf|csv|json|js|zip)$|/xuat|/mau-")
SKIPPED_PREFIXES = ("/quan-tri/", "/api/", "/tai-khoan/dang-xuat/", "/static/", "/tai-nguyen/")
PAGES_PER_ROLE = 120


def is_vietnamese(text: str) -> bool:
    if "đ" in text or "Đ" in text:
        return True
    return any(mark in VIETNAMESE_MARKS for mark in unicodedata.normalize("NFD", text))


class VisibleText(HTMLParser):
    """The text a reader sees, without ``<script>``/``<style>``, without ``translate="no"`` regions, without the
    content of a ``<textarea>`` (the value being typed) and without the ``<title>`` (plain text that cannot mark the
    unit or child it names; it repeats the page's heading, which is read); and the page's links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.links: list[str] = []
        self._skipped_tag = ""
        self._skipped_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if self._skipped_tag:
            if tag == self._skipped_tag and tag not in VOID_ELEMENTS:
                self._skipped_depth += 1
            return
        if values.get("translate") == "no" or tag in {"script", "style", "template", "textarea", "title"}:
            if tag not in VOID_ELEMENTS:
                self._skipped_tag, self._skipped_depth = tag, 1
            return
        for name in VISIBLE_ATTRIBUTES:
            if values.get(name):
                self.pieces.append(f"[{name}] {values[name]}")
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.pieces.append(f"[button] {values['value']}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._skipped_tag == tag and self._skipped_depth == 1 and tag not in VOID_ELEMENTS:
            self._skipped_tag, self._skipped_depth = "", 0

    def handle_endtag(self, tag: str) -> None:
        if self._skipped_tag == tag:
            self._skipped_depth -= 1
            if self._skipped_depth == 0:
                self._skipped_tag = ""

    def handle_data(self, data: str) -> None:
        if not self._skipped_tag and data.strip():
            self.pieces.append(data.strip())


def read_page(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser


def untranslated(html: str) -> list[str]:
    """The visible pieces of ``html`` that are Vietnamese."""
    return [piece for piece in read_page(html).pieces if is_vietnamese(piece)]


def route_of(url: str) -> str | None:
    """The URL pattern a link leads to (one page per pattern is enough), or None for what is not a page."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED_PREFIXES):
        return None
    if NOT_PAGES.search(parts.path):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.route


def walk_in_english(client: Client) -> tuple[list[str], dict[str, list[str]]]:
    """Visit the home page, the navigation and every page linked from visited pages (one per URL pattern), in
    English; answer the pages read and the Vietnamese found on each."""
    client.post("/tai-khoan/ngon-ngu/", {"language": "en", "next": "/"})
    queue, seen_routes = ["/"], {"/": "/"}
    read: list[str] = []
    found: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.pop(0)
        response = client.get(url)
        visited += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        read.append(url)
        html = response.content.decode()
        assert '<html lang="en"' in html, url
        problems = untranslated(html)
        if problems:
            found[url] = problems
        for link in read_page(html).links:
            route = route_of(link)
            if route is not None and route not in seen_routes:
                seen_routes[route] = link
                queue.append(link)
    return read, found


@pytest.fixture(scope="module")
def demo_data(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """The demo seed (small), once for this module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        call_command("load_plan", "reference_data/plans/lai-chau-2024.yaml", verbosity=0)
        call_command("load_validation_rules", verbosity=0)
        call_command("seed_demo", quiet=True)
        yield
        transaction.set_rollback(True)


def test_the_checker_finds_vietnamese_outside_data_only() -> None:
    page = ('<html><body><h1>Children</h1><p>Tìm</p><td translate="no">Nguyễn Văn An</td>'
            '<input type="submit" value="Lưu"><span title="Xem chi tiết">x</span><div translate="no"><div>Bản Mới'
            '</div></div><p>Đơn vị</p><script>var a = "Trẻ";</script></body></html>')
    assert untranslated(page) == ["Tìm", "[button] Lưu", "[title] Xem chi tiết", "Đơn vị"]
    assert not is_vietnamese("Children under 5 – 12.5 % (−2 SD)")


@pytest.mark.django_db
@pytest.mark.parametrize("username", [account.username for account in DEMO_ACCOUNTS])
def test_every_page_of_each_demo_role_is_in_english(demo_data: None, client: Client, username: str) -> None:
    client.force_login(User.objects.get(username=username))
    read, found = walk_in_english(client)
    assert len(read) >= 5, read
    report = "\n".join(f"{url}: {' | '.join(pieces[:12])}" for url, pieces in sorted(found.items()))
    assert not found, f"Vietnamese outside data on {len(found)} page(s):\n{report}"
