"""The token endpoint: failures count towards the same lockout as the sign-in page, tokens expire, and they can be
revoked by their owner or an administrator (audited). Every path that sets a password applies the policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from treem.accounts.models import ApiToken, User
from treem.accounts.services import NotAllowed, issue_api_token, revoke_api_tokens
from treem.accounts.tests.factories import TEST_PASSWORD, UserFactory, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role

pytestmark = pytest.mark.django_db


def ask_token(client: Client, username: str, password: str, address: str = "10.0.0.1") -> object:
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json", REMOTE_ADDR=address)


def test_failed_token_requests_lock_the_username_from_that_address_like_the_sign_in_page(
    client: Client, settings: object,
) -> None:
    user = user_with_role(Role.LEADER, "12")
    limit = settings.AXES_FAILURE_LIMIT  # type: ignore[attr-defined]
    statuses = [ask_token(client, user.username, "sai-mat-khau").status_code  # type: ignore[attr-defined]
                for _ in range(limit)]
    assert statuses == [401] * (limit - 1) + [429]
    locked = ask_token(client, user.username, TEST_PASSWORD)
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert not ApiToken.objects.filter(user=user).exists()
    page = client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": TEST_PASSWORD},
                       REMOTE_ADDR="10.0.0.1")
    assert page.status_code != 302, "the lockout earned on the API also holds on the sign-in page"
    elsewhere = ask_token(client, user.username, TEST_PASSWORD, address="10.0.0.2")
    assert elsewhere.status_code == 200  # type: ignore[attr-defined]


def test_failures_below_the_limit_do_not_lock(client: Client, settings: object) -> None:
    user = user_with_role(Role.LEADER, "12")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):  # type: ignore[attr-defined]
        ask_token(client, user.username, "sai-mat-khau")
    assert ask_token(client, user.username, TEST_PASSWORD).status_code == 200  # type: ignore[attr-defined]


def test_an_expired_token_is_refused(client: Client) -> None:
    user = user_with_role(Role.LEADER, "12")
    token, api_token = issue_api_token(user=user)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    ApiToken.objects.filter(pk=api_token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_user_revokes_their_own_tokens_through_the_api_and_it_is_audited(client: Client) -> None:
    user = user_with_role(Role.LEADER, "12")
    first, _ = issue_api_token(user=user)
    second, _ = issue_api_token(user=user)
    response = client.post("/api/v1/auth/token/revoke", headers={"Authorization": f"Bearer {first}"})
    assert response.status_code == 200 and response.json() == {"revoked": 2}
    for token in (first, second):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    event = AuditEvent.objects.get(action="revoke_api_tokens")
    assert event.actor_id == user.pk and event.after is not None
    assert len(event.after["revoked_tokens"]) == 2 and not event.after["by_administrator"]
    assert first not in str(event.after) and second not in str(event.after)


def test_an_administrator_revokes_another_users_tokens_and_nobody_else_may() -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    colleague = user_with_role(Role.COMMUNE_OFFICER, "03390")
    administrator = user_with_role(Role.ADMIN, "12")
    issue_api_token(user=officer)
    with pytest.raises(NotAllowed):
        revoke_api_tokens(actor=colleague, user=officer)
    assert revoke_api_tokens(actor=administrator, user=officer, reason="máy bị mất") == 1
    event = AuditEvent.objects.get(action="revoke_api_tokens")
    assert event.actor_id == administrator.pk and event.reason == "máy bị mất"
    assert event.after is not None and event.after["by_administrator"]
    assert revoke_api_tokens(actor=administrator, user=officer) == 0


def test_the_admin_action_revokes_the_selected_users_tokens(client: Client) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, "03390")
    issue_api_token(user=officer)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post("/quan-tri/accounts/user/", {"action": "revoke_all_api_tokens",
                                                        "_selected_action": [officer.pk]})
    assert response.status_code == 302
    assert ApiToken.objects.get(user=officer).revoked_at is not None
    assert AuditEvent.objects.filter(action="revoke_api_tokens", object_id=str(officer.pk)).count() == 1
    assert client.get("/quan-tri/accounts/apitoken/add/").status_code == 403


def test_the_create_user_command_refuses_a_weak_password(reference_data: None) -> None:
    with pytest.raises(CommandError, match="Mật khẩu không đạt yêu cầu"):
        call_command("create_user", "--username", "can_bo_moi", "--password", "12345678901", "--role",
                     Role.COMMUNE_OFFICER, "--org-unit", "03390")
    assert not User.objects.filter(username="can_bo_moi").exists()


@pytest.mark.parametrize("weak", ["ngan", "1234567890123", "password123"])
def test_the_admin_refuses_a_weak_password_when_creating_a_user_or_setting_one(client: Client, weak: str) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    created = client.post("/quan-tri/accounts/user/add/", {
        "username": "can_bo_admin", "password1": weak, "password2": weak, "usable_password": "true",
        "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0"})
    assert created.status_code == 200
    assert not User.objects.filter(username="can_bo_admin").exists()
    officer = UserFactory()
    changed = client.post(f"/quan-tri/accounts/user/{officer.pk}/password/", {
        "password1": weak, "password2": weak, "usable_password": "true"})
    assert changed.status_code == 200
    officer.refresh_from_db()
    assert officer.check_password(TEST_PASSWORD)


def test_the_admin_accepts_a_strong_password(client: Client) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    officer = UserFactory()
    strong = "Ban-Lang-Lai-Chau-2026"
    response = client.post(f"/quan-tri/accounts/user/{officer.pk}/password/", {
        "password1": strong, "password2": strong, "usable_password": "true"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(strong)

