"""Factories for users and assignments. Passwords are hashed once, so creating many users stays fast."""

from __future__ import annotations

from datetime import date
from functools import cache

import factory
from django.contrib.auth.hashers import make_password

from treem.accounts.models import Assignment, User
from treem.hierarchy.models import OrgUnit

TEST_PASSWORD = "mat-khau-thu-nghiem-2026"


@cache
def _hashed_test_password() -> str:
    return make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"nguoi_dung_{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    password = factory.LazyFunction(_hashed_test_password)


def unit(code: str, *, on: date | None = None) -> OrgUnit:
    """The reference unit with ``code`` valid on ``on`` (today by default)."""
    return OrgUnit.objects.valid_on(on or date.today()).get(code=code)


def user_with_role(role: str, org_unit_code: str, *, agency_code: str | None = None, **fields: object) -> User:
    user: User = UserFactory(**fields)
    agency = None
    if agency_code:
        from treem.hierarchy.models import Agency

        agency = Agency.objects.get(code=agency_code)
    Assignment.objects.create(user=user, role=role, org_unit=unit(org_unit_code), agency=agency)
    return user
