"""The consolidated report as a stored document: asked for on its page, built by the background worker (or at once
when no worker runs), kept build after build, downloaded by those of the same scope only."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, TestCase
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from docx import Document
from openpyxl import load_workbook
from pytest_django.fixtures import Settings as SettingsWrapper

from treem.accounts.tests.factories import unit, user_with_role
from treem.core.models import AuditEvent
from treem.core.roles import Role
from treem.core.worker import recover_abandoned_tasks, write_heartbeat
from treem.indicators.models import DataValue
from treem.plans.models import DataElement
from treem.reporting.models import ConsolidatedBuild
from treem.reporting.tests.factories import OWN_COMMUNE, PROVINCE, coordinator, cycle

pytestmark = pytest.mark.django_db

PAGE = "/bao-cao/nam/2026/tong-hop/"


@pytest.fixture(autouse=True)
def heartbeat_directory(tmp_path: Path, settings: SettingsWrapper) -> Path:
    settings.WORKER_HEARTBEAT_DIR = str(tmp_path / "workers")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "workers"


def a_live_worker() -> None:
    now = timezone.now()
    write_heartbeat(worker_id="w-live", started_at=now, task_id=None, now=now)


def test_without_a_worker_the_report_is_built_at_once_and_both_documents_download(client: Client) -> None:
    cycle(2026)
    reviewer = coordinator()
    client.force_login(reviewer)
    assert client.get("/bao-cao/nam/2026/tong-hop.docx").url == PAGE  # nothing built yet: the page to build it
    response = client.post(PAGE)
    assert response.status_code == 302
    build = ConsolidatedBuild.objects.get()
    assert build.status == ConsolidatedBuild.Status.DONE and build.requested_by == reviewer
    assert build.scope_key == unit(PROVINCE).path and build.figures_as_of is not None
    page = client.get(PAGE).content.decode()
    assert f"/bao-cao/nam/2026/tong-hop/{build.pk}.docx" in page and 'data-testid="pending"' not in page
    word = client.get(f"/bao-cao/nam/2026/tong-hop/{build.pk}.docx")
    assert word.status_code == 200 and word["Content-Disposition"].startswith("attachment")
    document = Document(BytesIO(b"".join(word.streaming_content)))
    assert any("KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU" in paragraph.text for paragraph in document.paragraphs)
    annex = load_workbook(BytesIO(b"".join(client.get(f"/bao-cao/nam/2026/tong-hop/{build.pk}.xlsx")
                                           .streaming_content)))
    assert "Tình hình báo cáo" in annex.sheetnames
    latest = client.get("/bao-cao/nam/2026/tong-hop.xlsx")
    assert latest.status_code == 200 and "phu-luc-bao-cao-tong-hop-2026.xlsx" in latest["Content-Disposition"]
    actions = set(AuditEvent.objects.filter(object_id=str(build.pk), object_type="reporting.consolidatedbuild")
                  .values_list("action", flat=True))
    assert actions == {"request_consolidated_build", "execute_consolidated_build"}


@pytest.mark.django_db(transaction=True)  # the worker loop closes and reopens its connection, as in production
def test_with_a_worker_the_build_is_queued_once_and_the_worker_builds_it(client: Client, reference_data: None) -> None:
    cycle(2026)
    a_live_worker()
    client.force_login(coordinator())
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(PAGE)
    build = ConsolidatedBuild.objects.get()
    assert build.status == ConsolidatedBuild.Status.QUEUED and build.task_id
    page = client.get(PAGE).content.decode()
    assert 'data-testid="pending"' in page and 'hx-trigger="every 3s"' in page and 'data-testid="build"' not in page
    other_leader = user_with_role(Role.LEADER, PROVINCE)
    client.force_login(other_leader)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(PAGE)  # a second leader of the same province asks meanwhile: the same build
    assert ConsolidatedBuild.objects.count() == 1 and DBTaskResult.objects.count() == 1
    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "w-test", "--nice", "0", verbosity=0)
    build.refresh_from_db()
    assert build.status == ConsolidatedBuild.Status.DONE and build.docx.name.endswith(".docx")
    assert 'data-testid="latest-docx"' in client.get(PAGE).content.decode()


def test_a_build_is_seen_only_by_users_of_the_same_scope(client: Client) -> None:
    cycle(2026)
    client.force_login(coordinator())
    client.post(PAGE)
    build = ConsolidatedBuild.objects.get()
    client.force_login(user_with_role(Role.LEADER, OWN_COMMUNE))
    assert f"/tong-hop/{build.pk}.docx" not in client.get(PAGE).content.decode()
    assert client.get(f"/bao-cao/nam/2026/tong-hop/{build.pk}.docx").status_code == 404
    client.force_login(user_with_role(Role.COMMUNE_OFFICER, OWN_COMMUNE))
    assert client.get(PAGE).status_code == 403
    assert client.get(f"/bao-cao/nam/2026/tong-hop/{build.pk}.docx").status_code == 403


def test_a_failed_build_says_why_and_stores_no_file(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    cycle(2026)

    def broken(**kwargs: object) -> None:
        raise RuntimeError("đọc số liệu lỗi")

    monkeypatch.setattr("treem.reporting.services.consolidated_report", broken)
    client.force_login(coordinator())
    client.post(PAGE)
    build = ConsolidatedBuild.objects.get()
    assert build.status == ConsolidatedBuild.Status.FAILED and not build.docx and not build.xlsx
    assert "đọc số liệu lỗi" in build.error
    page = client.get(PAGE).content.decode()
    assert "Không lập được báo cáo" in page and 'data-testid="build"' in page
    assert client.get(f"/bao-cao/nam/2026/tong-hop/{build.pk}.docx").status_code == 404


def test_a_change_after_the_build_is_flagged_on_the_page(client: Client) -> None:
    cycle(2026)
    client.force_login(coordinator())
    client.post(PAGE)
    assert 'data-testid="outdated"' not in client.get(PAGE).content.decode()
    DataValue.objects.create(data_element=DataElement.objects.get(code="DE_SCHOOL_TOTAL"), org_unit=unit(OWN_COMMUNE),
                             year=2026, value=4)
    assert 'data-testid="outdated"' in client.get(PAGE).content.decode()


def test_a_build_whose_worker_died_is_marked_failed(client: Client) -> None:
    cycle(2026)
    a_live_worker()
    client.force_login(coordinator())
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(PAGE)
    build = ConsolidatedBuild.objects.get()
    long_ago = timezone.now() - timedelta(hours=2)
    write_heartbeat(worker_id="dead", started_at=long_ago, task_id=build.task_id, now=long_ago)
    DBTaskResult.objects.filter(pk=build.task_id).update(status=TaskResultStatus.RUNNING, worker_ids=["dead"],
                                                          started_at=long_ago)
    assert recover_abandoned_tasks() == [build.task_id]
    build.refresh_from_db()
    assert build.status == ConsolidatedBuild.Status.FAILED and "lập lại" in build.error
