"""Writes to accounts: creating users, assigning roles, issuing and checking API tokens."""

from __future__ import annotations

import secrets
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
