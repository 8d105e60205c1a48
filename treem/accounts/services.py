"""Writes to accounts: creating users, assigning roles, issuing and checking API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from treem.accounts.models import ApiToken, Assignment, User
from treem.accounts.permissions import MANAGE_ACCOUNTS
from treem.core.access import ensure_permitted
from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.hierarchy.models import Agency, OrgUnit


@transaction.atomic
def assign_role(
    *, actor: AbstractBaseUser | None, user: User, role: str, org_unit: OrgUnit, agency: Agency | None = None
) -> tuple[Assignment, bool]:
    """Give ``user`` the ``role`` over the subtree of ``org_unit``; returns the assignment and whether it is new.
    Only an administrator whose own subtree holds ``org_unit`` may."""
    ensure_permitted(actor, MANAGE_ACCOUNTS, path=org_unit.path)
    if role not in Role.values:
        raise ValueError(f"Vai trò '{role}' không hợp lệ; dùng một trong: {', '.join(Role.values)}.")
    assignment, created = Assignment.objects.get_or_create(user=user, role=role, org_unit=org_unit, agency=agency)
    if not created and assignment.is_active:
        return assignment, False
    before = None if created else snapshot(assignment)
    assignment.is_active = True
    assignment.full_clean()
    assignment.save()
    if role == Role.ADMIN and not user.is_staff:
        user_before = snapshot(user, exclude=["last_login"])
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
        record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=user, action="assign_role",
                     org_unit_path=org_unit.path, before=user_before, after=snapshot(user, exclude=["last_login"]))
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE if created else AuditEvent.Verb.UPDATE, obj=assignment,
                 action="assign_role", org_unit_path=org_unit.path, before=before, after=snapshot(assignment))
    return assignment, True


@transaction.atomic
def create_user(
    *,
    actor: AbstractBaseUser | None,
    username: str,
    password: str,
    role: str,
    org_unit: OrgUnit,
    agency: Agency | None = None,
    full_name: str = "",
    email: str = "",
    is_demo: bool = False,
) -> User:
    """Create a user with one assignment. The password must satisfy the password policy. Only an administrator
    whose own subtree holds ``org_unit`` may."""
    ensure_permitted(actor, MANAGE_ACCOUNTS, path=org_unit.path)
    if User.objects.filter(username=username).exists():
        raise ValueError(f"Tên đăng nhập '{username}' đã tồn tại.")
    user = User(username=username, full_name=full_name, email=email, is_demo=is_demo)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=user, action="create_user",
                 org_unit_path=org_unit.path, after=snapshot(user, exclude=["last_login"]))
    assign_role(actor=actor, user=user, role=role, org_unit=org_unit, agency=agency)
    return user


@transaction.atomic
def issue_api_token(*, user: User, name: str = "") -> tuple[str, ApiToken]:
    """A new bearer token for ``user``; only its digest is kept, so the token is returned once."""
    token = "trm_" + secrets.token_urlsafe(32)
    api_token = ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(token), prefix=token[:8], name=name,
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
    )
    record_event(actor=user, verb=AuditEvent.Verb.CREATE, obj=api_token, action="issue_api_token",
                 after={"prefix": api_token.prefix, "expires_at": api_token.expires_at})
    return token, api_token


class NotAllowed(PermissionError):
    """The acting user may not do this to another user's account."""


@transaction.atomic
def revoke_api_tokens(*, actor: AbstractBaseUser, user: User, token_ids: Sequence[int] | None = None,
                      reason: str = "") -> int:
    """Revoke ``user``'s live tokens (all of them, or those in ``token_ids``); returns how many.

    A user revokes their own tokens; an administrator (the accounts.manage capability, or a superuser) revokes
    anybody's. One audit row names the revoked tokens by prefix, never by value.
    """
    from treem.accounts.permissions import MANAGE_ACCOUNTS
    from treem.core.access import has_capability

    is_admin = bool(getattr(actor, "is_superuser", False)) or has_capability(actor, MANAGE_ACCOUNTS)
    if actor.pk != user.pk and not is_admin:
        raise NotAllowed("Chỉ người dùng đó hoặc quản trị viên mới thu hồi được khóa truy cập.")
    now = timezone.now()
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    if token_ids is not None:
        live = live.filter(pk__in=list(token_ids))
    tokens = list(live.order_by("id"))
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).update(revoked_at=now, updated_at=now)
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=user, action="revoke_api_tokens", reason=reason,
                 before={"live_tokens": [token.prefix for token in tokens]},
                 after={"revoked_tokens": [token.prefix for token in tokens], "revoked_at": now,
                        "by_administrator": actor.pk != user.pk})
    return len(tokens)


def user_for_api_token(token: str) -> User | None:
    """The active user owning a valid, unexpired, unrevoked token, or None."""
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if api_token is None or not api_token.user.is_active:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user
