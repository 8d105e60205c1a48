"""The runnable examples of ``docs/api.md`` — its ``sh`` code blocks — run as written, in order, with bash, curl
and jq against a live server: each must succeed (curl's ``--fail-with-body`` turns an error status into a failure),
and what each printed is checked against what the page says it does. The first block signs in; its token is the
``TOKEN`` of the blocks after it. The other blocks of the page hold placeholders and are illustrations only."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from treem.accounts.tests.factories import TEST_PASSWORD, unit, user_with_role
from treem.core.models import IdempotencyKey
from treem.core.roles import Role
from treem.indicators.models import DataValue
from treem.plans.models import DataElement
from treem.protection.models import Case, ExternalReport, Incident, ReportChannel
from treem.protection.services import register_external_system
from treem.protection.tests.factories import make_case
from treem.registry.tests.factories import child_in
from treem.reporting.dhis2.formats import data_element_uid
from treem.reporting.tests.conftest import load_plan_and_rules
from treem.reporting.tests.factories import cycle

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
FIRST_PATH = re.compile(r"\$TREEM(/api[^\"?]*)")
COMMUNE = "03390"


def runnable_blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def _documents(stdout: str) -> list[Any]:
    """The JSON answers a block printed, one after another."""
    decoder, found, position = json.JSONDecoder(), [], 0
    while position < len(stdout):
        if stdout[position].isspace():
            position += 1
            continue
        value, position = decoder.raw_decode(stdout, position)
        found.append(value)
    return found


def _token(answers: list[Any], headers: str) -> dict[str, str]:
    [answer] = answers
    assert answer["token"].startswith("trm_") and answer["token_type"] == "Bearer"
    return {"TOKEN": answer["token"]}


def _org_units(answers: list[Any], headers: str) -> dict[str, str]:
    [units] = answers
    assert [unit["code"] for unit in units] == [COMMUNE]
    assert re.search(r"(?im)^x-total-count: 1\r?$", headers)
    return {}


def _children(answers: list[Any], headers: str) -> dict[str, str]:
    [page] = answers
    assert page["count"] == 2 and len(page["items"]) == 1
    return {}


def _cases(answers: list[Any], headers: str) -> dict[str, str]:
    [cases] = answers
    assert [case["id"] for case in cases] == list(Case.objects.values_list("pk", flat=True))
    assert re.search(r"(?im)^x-total-count: 1\r?$", headers)
    return {}


def _figure(answers: list[Any], headers: str) -> dict[str, str]:
    [values] = answers
    cells = {(cell["element_code"], cell["org_unit_code"]): cell for cell in values["cells"]}
    assert cells[("DE_COMMUNE_PLAY_SPACE", COMMUNE)]["value"] == "2"
    assert DataValue.objects.get(data_element__code="DE_COMMUNE_PLAY_SPACE", org_unit__code=COMMUNE,
                                 year=2026).value == 2
    return {}


def _replayed_incident(answers: list[Any], headers: str) -> dict[str, str]:
    first, second = answers
    assert first == second and first["kind"] == "drowning"
    assert re.search(r"(?im)^idempotent-replayed: true\r?$", headers)
    assert Incident.objects.filter(pk=first["id"]).count() == 1 and IdempotencyKey.objects.count() == 1
    return {}


def _data_value_set(answers: list[Any], headers: str) -> dict[str, str]:
    [answer] = answers
    assert [(row["dataElement"], row["period"], row["orgUnit"], row["value"]) for row in answer["dataValues"]] == [
        (data_element_uid(DataElement.objects.get(code="DE_COMMUNE_PLAY_SPACE")), "2026", unit(COMMUNE).uid, "2")]
    return {}


def _intake(answers: list[Any], headers: str) -> dict[str, str]:
    [answer] = answers
    assert answer["external_reference"].startswith("111-") and answer["is_replay"] is False
    return {}


CHECKS: dict[str, Callable[[list[Any], str], dict[str, str]]] = {
    "/api/v1/auth/token": _token, "/api/v1/org-units": _org_units, "/api/v1/children": _children,
    "/api/v1/cases": _cases, "/api/v1/reporting/submissions": _figure, "/api/v1/incidents": _replayed_incident,
    "/api/dataValueSets": _data_value_set, "/api/v1/intake/cases": _intake, "/api/v1/intake/incidents": _intake,
}


def test_the_document_has_a_runnable_walk_through() -> None:
    paths = [FIRST_PATH.search(block).group(1) for block in runnable_blocks()]  # type: ignore[union-attr]
    assert paths == list(CHECKS)  # sign in first; every block is checked
    assert not any(re.search(r"…|trm_|<[a-z_]+>", block) for block in runnable_blocks())  # no placeholders


@pytest.mark.skipif(any(shutil.which(tool) is None for tool in ("curl", "openssl", "jq")),
                    reason="needs curl, openssl, jq")
@pytest.mark.django_db(transaction=True)
def test_the_sh_examples_of_docs_api_md_run_against_a_live_server(live_server: Any, reference_data: None) -> None:
    load_plan_and_rules()
    cycle(2026)
    officer = user_with_role(Role.COMMUNE_OFFICER, COMMUNE)
    officer.assignments.create(role=Role.CASE_WORKER, org_unit=unit(COMMUNE))
    child_in(COMMUNE)
    child_in(COMMUNE)
    make_case(officer, code=COMMUNE)
    system = register_external_system(actor=None, name="Tổng đài 111", org_unit=unit("12"),
                                      allowed_kinds=["case", "incident"], channel=ReportChannel.HOTLINE_111,
                                      is_signature_required=False)
    environment = {**os.environ, "TREEM": live_server.url, "USER": officer.username, "PASSWORD": TEST_PASSWORD,
                   "KEY": system.key, "SECRET": system.signing_secret}
    for block in runnable_blocks():
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], capture_output=True, text=True,
                              env=environment, timeout=60, check=False)
        assert done.returncode == 0, (block, done.stdout, done.stderr)
        check = CHECKS[FIRST_PATH.search(block).group(1)]  # type: ignore[union-attr]
        environment.update(check(_documents(done.stdout), done.stderr))
    assert Case.objects.count() == 2 and Incident.objects.count() == 2
    assert set(ExternalReport.objects.values_list("was_signed", flat=True)) == {False, True}
