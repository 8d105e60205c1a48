"""Problems found in a file, each placed at its line, and the error that carries all of them at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file: where (file name and 1-based line, when known) and what, in Vietnamese."""

    file_name: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file_name}: {self.message}"
        return f"{self.file_name}, dòng {self.line}: {self.message}"


class PlanFileError(Exception):
    """A plan or agencies file that cannot be accepted; ``problems`` lists every problem found, by line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(
            dict.fromkeys(problems),
            key=lambda problem: (problem.file_name, problem.line or 0, problem.message),
        )
        super().__init__("\n".join(str(problem) for problem in self.problems))
