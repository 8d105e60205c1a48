"""The child list as a kind of the intake pipeline: imports started from the page or the API.

The upload, its preview, the run (inline, or as a background job for a large file) and its progress are the
pipeline's (``treem.core.intake.runner``); this module plugs in the child import (``import_children_file``) and
counts the derived figures ahead once an import has written children.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from treem.core.intake.errors import UploadRefused
from treem.core.intake.models import ImportRecord
from treem.core.intake.runner import Actor, IntakeKind, Progress, RunResult, register_kind, upload_import
from treem.hierarchy.models import Level, OrgUnit
from treem.indicators.services import refresh_derived_counts
from treem.registry.import_fields import CHILD_LIST_KIND
from treem.registry.imports import import_children_file
from treem.registry.permissions import EDIT_CHILDREN


def _run(record: ImportRecord, *, actor: Actor, dry_run: bool, max_rows: int | None, rejected_path: Path | None,
         progress: Progress | None) -> RunResult:
    summary = import_children_file(actor=actor, path=Path(record.stored_file), commune=record.org_unit,
                                   as_of=record.as_of, dry_run=dry_run, max_rows=max_rows,
                                   rejected_path=rejected_path, progress=progress, source_name=record.original_name)
    return RunResult(summary={**summary.as_dict(), "outcomes": summary.outcomes_as_json()},
                     rejected_file=summary.rejected_file,
                     changed=bool(summary.created or summary.updated))


def _count_ahead(record: ImportRecord, result: RunResult) -> None:
    """Count the derived figures again, so that the next dashboard does not wait."""
    refresh_derived_counts(today=timezone.localdate())


CHILD_LIST = IntakeKind(name=CHILD_LIST_KIND, capability=EDIT_CHILDREN, run=_run, after_run=_count_ahead)


def register() -> None:
    register_kind(CHILD_LIST)


def upload_child_list(*, actor: AbstractBaseUser, upload: UploadedFile, commune: OrgUnit, as_of: date,
                      today: date) -> ImportRecord:
    """Store a commune's child list and its preview; nothing is imported until confirmed."""
    if commune.level != Level.COMMUNE or not commune.is_valid_on(as_of):
        raise UploadRefused(f"{commune.name} không phải xã có hiệu lực ngày {as_of:%d/%m/%Y}.")
    if as_of > today:
        raise UploadRefused("Ngày số liệu không được ở tương lai.")
    return upload_import(kind=CHILD_LIST_KIND, actor=actor, upload=upload, org_unit=commune, as_of=as_of)
