"""Users for the inbox tests, made through the user model itself (notices sits below accounts)."""

from __future__ import annotations

from itertools import count
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

_numbers = count(1)


def a_user(**fields: Any) -> AbstractBaseUser:
    number = next(_numbers)
    values: dict[str, Any] = {"username": f"nguoi_nhan_{number}", "password": "!", **fields}
    created: AbstractBaseUser = get_user_model().objects.create(**values)
    return created


def some_users(how_many: int) -> list[AbstractBaseUser]:
    return [a_user() for _ in range(how_many)]
