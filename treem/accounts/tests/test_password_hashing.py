"""Passwords are hashed with Argon2id at OWASP's parameters; hashes made with Django's heavier defaults still sign
in and are rehashed at the next sign-in."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password

from treem.accounts.models import User
from treem.accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _memory_cost(encoded: str) -> int:
    return int(identify_hasher(encoded).decode(encoded)["memory_cost"])


def test_a_new_password_is_hashed_with_argon2id_at_19_mib() -> None:
    encoded = make_password(TEST_PASSWORD)
    assert encoded.startswith("argon2$argon2id$")
    assert _memory_cost(encoded) == 19 * 1024
    assert identify_hasher(encoded).decode(encoded)["parallelism"] == 1


def test_a_hash_made_with_djangos_defaults_signs_in_and_is_rehashed(client) -> None:  # type: ignore[no-untyped-def]
    old = Argon2PasswordHasher().encode(TEST_PASSWORD, Argon2PasswordHasher().salt())
    assert _memory_cost(old) == 102400
    user = UserFactory(password=old)
    response = client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    rehashed = User.objects.get(pk=user.pk).password
    assert rehashed != old
    assert _memory_cost(rehashed) == 19 * 1024
