"""The inbox page and the unread counter in the navigation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from treem.notices import services
from treem.notices.models import Notice
from treem.notices.tests.factories import a_user, some_users

pytestmark = pytest.mark.django_db

INBOX = "/thong-bao/"


def test_the_inbox_shows_only_the_users_own_notices(client: Client) -> None:
    user, other = some_users(2)
    services.notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key="mine", title="Của tôi")
    services.notify(recipient_id=other.pk, kind=Notice.Kind.ASSIGNED, key="theirs", title="Của người khác")
    client.force_login(user)
    page = client.get(INBOX).content.decode()
    assert "Của tôi" in page and "Của người khác" not in page


def test_the_navigation_counts_unread_notices(client: Client) -> None:
    user = a_user()
    client.force_login(user)
    assert 'data-testid="nav-badge"' not in client.get(INBOX).content.decode()
    for number in range(3):
        services.notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key=f"n:{number}", title=f"Số {number}")
    page = client.get(reverse("dashboards:home")).content.decode()
    assert 'data-testid="nav-badge">3<' in page


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(client: Client) -> None:
    user = a_user()
    services.notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key="open", title="Mở", url="/bao-ve/")
    notice = Notice.objects.get()
    client.force_login(user)
    response = client.post(INBOX, {"notice": notice.pk, "open": "1"})
    assert response.status_code == 302 and response["Location"] == "/bao-ve/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_another_users_notice_is_not_found_and_stays_unread(client: Client) -> None:
    user, other = some_users(2)
    services.notify(recipient_id=other.pk, kind=Notice.Kind.ASSIGNED, key="other", title="Không phải của bạn")
    notice = Notice.objects.get()
    client.force_login(user)
    assert client.post(INBOX, {"notice": notice.pk}).status_code == 404
    assert client.post(INBOX, {"notice": "abc"}).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read(client: Client) -> None:
    user = a_user()
    for number in range(2):
        services.notify(recipient_id=user.pk, kind=Notice.Kind.ASSIGNED, key=f"all:{number}", title="x")
    client.force_login(user)
    assert client.post(INBOX, {"all": "1"}).status_code == 302
    assert not Notice.objects.filter(read_at__isnull=True).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
