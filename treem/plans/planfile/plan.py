"""Reading a plan file: parse with lines, validate against the schema, build, cross-check (also against the
agencies file when given). A file is accepted only when all of these pass."""

from __future__ import annotations

from pathlib import Path

from treem.plans.planfile.builders import build_plan
from treem.plans.planfile.checks import Checker, check_plan, check_plan_agencies
from treem.plans.planfile.problems import PlanFileError
from treem.plans.planfile.schema import PLAN_SCHEMA_PATH, load_schema, schema_problems
from treem.plans.planfile.types import AgenciesFile, PlanFile
from treem.plans.planfile.yaml_lines import load_yaml


def read_plan_file(path: str | Path, *, agencies: AgenciesFile | None = None) -> PlanFile:
    """Read and validate a plan file; raise :class:`PlanFileError` listing every problem found.

    When ``agencies`` is given, every agency code the plan uses must exist there, and dated references
    (responsible agencies, reassignments, reporters) must agree with the agencies' validity.
    """
    path = Path(path)
    document = load_yaml(path)
    problems = schema_problems(document, schema=load_schema(PLAN_SCHEMA_PATH), file_name=path.name)
    if problems:
        raise PlanFileError(problems)
    plan = build_plan(document, path)
    checker = Checker(document, path.name)
    check_plan(checker, plan)
    if agencies is not None:
        check_plan_agencies(checker, plan, agencies)
    if checker.problems:
        raise PlanFileError(checker.problems)
    return plan
