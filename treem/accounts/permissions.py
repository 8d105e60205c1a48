"""Capabilities of the accounts domain, and the assignment source that access control reads."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser

from treem.core.access import Grant, define_capability
from treem.core.roles import Role

MANAGE_ACCOUNTS = define_capability("accounts.manage", label="quản lý tài khoản", roles={Role.ADMIN})


def grants_from_assignments(user: AbstractBaseUser, *, on: date) -> list[Grant]:
    """The user's active assignments as grants (role, subtree path, agency)."""
    from treem.accounts.models import Assignment

    return [
        Grant(role=role, path=path, agency_code=agency_code)
        for role, path, agency_code in Assignment.objects.active(on)
        .filter(user_id=user.pk)
        .values_list("role", "org_unit__path", "agency__code")
    ]
