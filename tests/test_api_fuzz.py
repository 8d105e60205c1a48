"""The API against its own OpenAPI document: schemathesis on a live server, on a bounded budget.

A commune officer who is also the commune's case worker (so every operation has something to answer) calls every
operation of ``/api/v1/openapi.json`` with generated requests — valid ones and deliberately broken ones. Every
answer must be something other than a server error, and must match what the document declares for that
operation: its status codes, its content type and its schema. The run is deterministic (a fixed seed) and bounded
(examples per operation, a time cap), and known object identifiers are offered to the generator so that object
routes find real records, not only 404s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from treem.accounts.services import issue_api_token
from treem.accounts.tests.factories import user_with_role
from treem.core.roles import Role
from treem.nutrition.tests.factories import child_in, measurement_with
from treem.plans.tests.factories import ensure_lai_chau_plan
from treem.protection.services import refer_case
from treem.protection.tests.factories import incident, make_case, open_step
from treem.registry.models import DuplicateCandidate
from treem.registry.tests.factories import GuardianFactory
from treem.reporting.services import ensure_task_progress, open_reporting_cycle

COMMUNE = "03390"
SEED = 20261202
MAX_EXAMPLES = 15  # per operation and phase
PHASES = "examples,fuzzing,stateful"
TIME_CAP_SECONDS = 240  # far above a normal run (about 30 s on an idle machine): a run still going then has hung
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _fuzz_config(folder: Path, known: dict[str, list[Any]]) -> Path:
    """A schemathesis configuration offering the known values of each parameter, half the time."""
    lines: list[str] = []
    for name, values in known.items():
        lines += [f"[dictionaries.{name.replace('.', '_')}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    for name in known:
        lines.append(f'"{name}" = {{ dictionary = "{name.replace(".", "_")}", probability = 0.5 }}')
    path = folder / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run_schemathesis(base_url: str, token: str, config: Path, report: Path) -> subprocess.CompletedProcess[str]:
    """The schemathesis command line, as a developer would run it, in its own folder (it leaves files there)."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color",
        "run", f"{base_url}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", CHECKS,
        "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        "--phases", PHASES,
        "--workers", "1", "--request-timeout", "20", "--generation-database", "none",
        "--report", "json", "--report-json-path", str(report),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIME_CAP_SECONDS, check=False,
                          cwd=config.parent)


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(
    live_server: Any, reference_data: None, tmp_path: Path
) -> None:
    plan = ensure_lai_chau_plan()
    officer = user_with_role(Role.COMMUNE_OFFICER, COMMUNE)
    officer.assignments.create(role=Role.CASE_WORKER, org_unit=officer.assignments.get().org_unit)
    children = [child_in(COMMUNE, birth_date=date(2023, 5, 1), sex=sex) for sex in ("M", "F")]
    GuardianFactory(child=children[0])
    measurement_with(children[0], measured_on=date(2025, 5, 2), waz=-1.2, haz=-0.4, whz=-1.5)
    case = make_case(officer, code=COMMUNE, reported_at=timezone.now())
    step = open_step(case)
    referral = refer_case(actor=officer, case=case, target="health", target_name="Trạm y tế xã",
                          reason="Khám vết thương", follow_up_on=timezone.localdate())
    low, high = sorted(children, key=lambda child: child.pk)
    pair = DuplicateCandidate.objects.create(child_a=low, child_b=high, score=0.9, reasons=["Cùng ngày sinh"])
    incident(COMMUNE)
    reporting_cycle = open_reporting_cycle(actor=None, plan=plan, year=2026)
    submission = reporting_cycle.submissions.get(agency__isnull=True, org_unit__code=COMMUNE)
    progress = ensure_task_progress(submission)
    token, _api_token = issue_api_token(user=officer, name="fuzz")

    config = _fuzz_config(tmp_path, {
        "path.child_id": [child.pk for child in children],
        "path.case_id": [str(case.pk)],
        "path.plan_id": [plan.pk],
        "path.step_id": [step.pk],
        "path.referral_id": [referral.pk],
        "path.candidate_id": [pair.pk],
        "body.keep_child_id": [low.pk, high.pk],
        "body.number": [case.number],
        "path.submission_id": [submission.pk],
        "path.progress_id": [row.pk for row in progress[:3]],
        "query.assignment": [row.assignment.code for row in progress[:3]],
        "path.year": [2026],
        "query.year": [2026],
        "path.code": [COMMUNE, "12"],
        "query.indicator": ["I01", "I05", "I13"],
        "query.org_unit": [COMMUNE, "12"],
        "body.commune_code": [COMMUNE],
        "body.commune": [COMMUNE],
        "body.org_unit_code": [COMMUNE],
    })
    report = tmp_path / "report.json"
    result = _run_schemathesis(live_server.url, token, config, report)

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    summary = json.loads(report.read_text(encoding="utf-8"))
    operations, cases = summary["operations"], summary["test_cases"]
    assert operations["tested"] == operations["total"] >= 24 and not operations["errored"], operations
    assert cases["generated"] >= operations["total"] * 5 and cases["unique_failures"] == 0, cases
    assert summary["failures"] == [] and summary["errors"] == []
    print(f"schemathesis: {operations['tested']} operations, {cases['generated']} cases, "
          f"{cases['unique_failures']} failures in {summary['running_time']:.1f} s (seed {SEED})")
