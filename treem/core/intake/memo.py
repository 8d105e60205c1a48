"""Reading each distinct cell value once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class Memo(Generic[R]):
    """The result of a pure reading function for each distinct cell value: a commune's file repeats its names,
    villages, dates, sexes and ethnic groups many times, and each is read once."""

    def __init__(self, function: Callable[[Any], R], *, limit: int = 200_000) -> None:
        self.function = function
        self.limit = limit
        self.results: dict[tuple[type, object], R] = {}

    def __call__(self, value: object) -> R:
        key = (type(value), value)
        found = self.results.get(key)
        if found is None:
            found = self.function(value)
            if len(self.results) < self.limit:
                self.results[key] = found
        return found
