"""The runnable examples of ``docs/api.md`` — its ``sh`` code blocks — run as written with bash and curl against
a live server: each must succeed (curl's ``--fail-with-body`` turns an error status into a failure) and answer
JSON. The other blocks hold placeholders (tokens, ids) and are illustrations only."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from treem.accounts.tests.factories import unit
from treem.protection.models import Case, ExternalReport, Incident, ReportChannel
from treem.protection.services import register_external_system

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)


def runnable_blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_document_has_runnable_examples() -> None:
    assert len(runnable_blocks()) >= 2


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("openssl") is None, reason="needs curl, openssl")
@pytest.mark.django_db(transaction=True)
def test_the_sh_examples_of_docs_api_md_run_against_a_live_server(live_server: Any, reference_data: None) -> None:
    system = register_external_system(actor=None, name="Tổng đài 111", org_unit=unit("12"),
                                      allowed_kinds=["case", "incident"], channel=ReportChannel.HOTLINE_111,
                                      is_signature_required=False)
    environment = {**os.environ, "TREEM": live_server.url, "KEY": system.key, "SECRET": system.signing_secret}
    for block in runnable_blocks():
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], capture_output=True, text=True,
                              env=environment, timeout=60, check=False)
        assert done.returncode == 0, (block, done.stdout, done.stderr)
        assert "external_reference" in json.loads(done.stdout)
    assert Case.objects.count() == 1 and Incident.objects.count() == 1
    assert set(ExternalReport.objects.values_list("was_signed", flat=True)) == {False, True}
