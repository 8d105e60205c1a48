"""Syncing field records: each one applied at most once, through the domain's own service, and audited.

``sync_field_records`` answers every record of a batch on its own: ``synced`` (saved through
``nutrition.services.record_measurement``, with its permission checks), ``refused`` (with the Vietnamese reason) or
``conflict`` (a field the server changed since the device's copy and the device changed too: both values come back,
nothing is saved). The answer is kept as a ``SyncReceipt`` under the record's idempotency key, so the same record
sent again — after a dropped connection, or twice — gets the same answer and writes nothing more. Every receipt is
audited with the device's time and the sync time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from treem.core.access import ensure_permitted
from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.fieldwork.models import SyncReceipt
from treem.fieldwork.permissions import ENTER_IN_FIELD
from treem.fieldwork.records import FieldRecord, compare
from treem.fieldwork.selectors import REPORT_VALUE_FIELDS, measurement_values, receipt_for_key, stored_figure
from treem.nutrition import selectors as nutrition_selectors
from treem.nutrition.models import Measurement
from treem.nutrition.permissions import RECORD_MEASUREMENTS
from treem.nutrition.services import record_measurement
from treem.reporting import selectors as reporting_selectors
from treem.reporting.permissions import WRITE_SUBMISSION
from treem.reporting.services import enter_report_value

NOT_FOUND = "Không tìm thấy trẻ, hoặc trẻ không thuộc xã bạn phụ trách."
KEY_TAKEN = "Khoá chống lặp này đã được dùng cho một bản ghi khác."


def _answer(receipt: SyncReceipt, *, replayed: bool) -> dict[str, Any]:
    return {**receipt.result, "key": receipt.key, "status": receipt.status, "replayed": replayed}


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


def _decimal(value: object) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value).replace(",", "."))


def _apply_measurement(actor: AbstractBaseUser, record: FieldRecord, *, today: date | None) -> tuple[
        str, dict[str, Any], Measurement | None, str]:
    """Status, answer, the measurement written (if any) and the org-unit path of one measurement record."""
    assert record.child_id is not None and record.measured_on is not None
    try:
        child = nutrition_selectors.child_for(actor, child_id=record.child_id, capability=RECORD_MEASUREMENTS)
    except Http404:
        return SyncReceipt.Status.REFUSED, {"message": NOT_FOUND}, None, ""
    path = child.commune.path
    current = (Measurement.objects.select_for_update(of=("self",))
               .filter(child=child, measured_on=record.measured_on, deleted_at__isnull=True).first())
    server = measurement_values(current)
    merged, conflicts = compare(device=record.values, base=record.base, server=server)
    if conflicts:
        return SyncReceipt.Status.CONFLICT, {
            "message": "Số liệu trên máy chủ đã thay đổi từ khi máy này lấy bản sao: hãy chọn giá trị giữ lại.",
            "fields": conflicts, "server": server,
        }, None, path
    try:
        with transaction.atomic():
            saved = record_measurement(
                actor=actor, child=child, measured_on=record.measured_on, weight_kg=_decimal(merged["weight_kg"]),
                length_cm=_decimal(merged["length_cm"]), position=merged["position"],
                has_oedema=bool(merged["has_oedema"]), today=today,
            )
    except ValidationError as error:
        return SyncReceipt.Status.REFUSED, {"message": _messages(error)}, None, path
    except PermissionDenied as error:
        return SyncReceipt.Status.REFUSED, {"message": str(error)}, None, path
    measurement = saved.measurement
    return SyncReceipt.Status.SYNCED, {
        "message": "Đã lưu số đo.", "measurement_id": measurement.pk, "created": saved.created,
        "server": measurement_values(measurement),
        "scores": {name: None if getattr(measurement, name) is None else format(getattr(measurement, name), "f")
                   for name in ("waz", "haz", "whz")},
    }, measurement, path


REPORT_NOT_FOUND = "Không tìm thấy báo cáo hoặc chỉ tiêu, hoặc bạn không được nhập số liệu này."


def _apply_report_value(actor: AbstractBaseUser, record: FieldRecord) -> tuple[str, dict[str, Any], str, str]:
    """Status, answer, the report's id (when the figure was saved) and the org-unit path of one figure, stored
    through ``reporting.services.enter_report_value`` (the reporter, the report's state and the element checked)."""
    assert record.submission_id is not None and record.element_id is not None and record.org_unit_id is not None
    try:
        submission = reporting_selectors.submission_for(actor, submission_id=record.submission_id,
                                                        capability=WRITE_SUBMISSION)
        element, unit = reporting_selectors.report_cell(element_id=str(record.element_id),
                                                        org_unit_id=str(record.org_unit_id))
    except Http404:
        return SyncReceipt.Status.REFUSED, {"message": REPORT_NOT_FOUND}, "", ""
    path = submission.org_unit.path
    year = submission.cycle.year
    server = stored_figure(element=element, org_unit=unit, year=year)
    merged, conflicts = compare(device=record.values, base=record.base, server=server, fields=REPORT_VALUE_FIELDS)
    if conflicts:
        return SyncReceipt.Status.CONFLICT, {
            "message": "Số liệu trên máy chủ đã thay đổi từ khi máy này lấy bản sao: hãy chọn giá trị giữ lại.",
            "fields": conflicts, "server": server,
        }, "", path
    try:
        with transaction.atomic():
            result = enter_report_value(actor=actor, submission=submission, element=element, org_unit=unit,
                                        raw_value=merged["value"] or "", comment=merged["comment"])
            if result.problems:
                raise ValidationError(result.problems)
    except ValidationError as error:
        return SyncReceipt.Status.REFUSED, {"message": _messages(error)}, "", path
    except PermissionDenied as error:
        return SyncReceipt.Status.REFUSED, {"message": str(error)}, "", path
    return SyncReceipt.Status.SYNCED, {
        "message": "Đã lưu số liệu báo cáo.", "server": stored_figure(element=element, org_unit=unit, year=year),
        "findings": [finding.message for finding in result.findings],
        "element": element.code, "org_unit": unit.uid, "year": year,
    }, str(submission.pk), path


def _sync_one(actor: AbstractBaseUser, record: FieldRecord, *, synced_at: datetime,
              today: date | None) -> dict[str, Any]:
    existing = receipt_for_key(record.key)
    if existing is not None:
        if existing.user_id != actor.pk:
            return {"key": record.key, "status": SyncReceipt.Status.REFUSED, "message": KEY_TAKEN, "replayed": False}
        return _answer(existing, replayed=True)
    path = ""
    status: str
    result: dict[str, Any]
    object_type = object_id = ""
    if record.problem:
        status, result = SyncReceipt.Status.REFUSED, {"message": record.problem}
    elif record.kind == SyncReceipt.Kind.REPORT_VALUE:
        status, result, object_id, path = _apply_report_value(actor, record)
        object_type = "reporting.submission" if object_id else ""
    else:
        status, result, measurement, path = _apply_measurement(actor, record, today=today)
        if measurement is not None:
            object_type, object_id = Measurement._meta.label_lower, str(measurement.pk)
    kind = SyncReceipt.Kind.REPORT_VALUE if record.kind == SyncReceipt.Kind.REPORT_VALUE else (
        SyncReceipt.Kind.MEASUREMENT)
    receipt = SyncReceipt.objects.create(
        key=record.key, user_id=actor.pk, kind=kind, status=status, result=result, object_type=object_type,
        object_id=object_id, device_at=record.device_at, synced_at=synced_at,
    )
    record_event(
        actor=actor, verb=AuditEvent.Verb.CREATE, obj=receipt, action="sync_field_record", org_unit_path=path,
        after={"key": record.key, "kind": record.kind, "status": status,
               "device_at": record.device_at.isoformat() if record.device_at else None,
               "synced_at": synced_at.isoformat(), "object_type": receipt.object_type,
               "object_id": receipt.object_id, "conflicting_fields": sorted(result.get("fields", {}))},
    )
    return _answer(receipt, replayed=False)


def sync_field_records(*, actor: AbstractBaseUser, records: Sequence[FieldRecord], synced_at: datetime,
                       today: date | None = None) -> list[dict[str, Any]]:
    """Answer each record in order, each in its own transaction (one refusal does not undo the others)."""
    ensure_permitted(actor, ENTER_IN_FIELD)
    answers = []
    for record in records:
        try:
            with transaction.atomic():
                answers.append(_sync_one(actor, record, synced_at=synced_at, today=today))
        except IntegrityError:
            # The same key arrived twice at once: the other request's receipt is the answer.
            existing = receipt_for_key(record.key)
            if existing is None:
                raise
            answers.append(_answer(existing, replayed=True) if existing.user_id == actor.pk else
                           {"key": record.key, "status": SyncReceipt.Status.REFUSED, "message": KEY_TAKEN,
                            "replayed": False})
    return answers
