"""API: correcting and removing a measurement, the follow-up list, and importing measurements from a file — what the
nutrition pages offer besides recording one measurement.

The same selectors and services as the pages: a measurement of a child outside the caller's scope is the same 404 as
a missing one; a correction carries the version read (If-Match 412, body ``version`` 409, neither 428) and a
reason, and keeps the values before in the history; removal is a soft delete with a reason; an import is checked in
a dry run (its preview) and runs only when confirmed, every row accounted for.

No postponed annotations: the operations are wrapped by ``api_require`` and Ninja resolves parameter annotations in
the wrapper's module.
"""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from treem.core.access import api_require
from treem.core.api_choices import choices_text
from treem.core.api_concurrency import IF_MATCH, VersionConflictOut, conflict_responses, expected_version, set_etag
from treem.core.api_errors import ApiError, ErrorOut, invalid
from treem.core.api_paging import limit_query, offset_query, page
from treem.core.idempotency import IDEMPOTENCY_KEY, idempotent
from treem.core.intake.errors import UploadRefused
from treem.core.intake.models import ImportRecord, ImportStatus
from treem.core.intake.runner import confirm_import, read_progress
from treem.hierarchy.models import OrgUnit
from treem.nutrition import selectors, services
from treem.nutrition.api import POSITION_TEXT, MeasurementOut, SavedMeasurementOut
from treem.nutrition.checks import MeasurementValues, assess
from treem.nutrition.importing import upload_measurements
from treem.nutrition.models import Place, Position, age_in_days
from treem.nutrition.permissions import RECORD_MEASUREMENTS, VIEW_MEASUREMENTS

router = Router(tags=["Dinh dưỡng"])
MAX_ID = 2_147_483_647
MeasurementIdPath = Path(..., ge=1, le=MAX_ID, description="mã số (id) của lần cân, đo")
ImportIdPath = Path(..., ge=1, le=MAX_ID, description="mã số (id) của lần nhập")
NOT_SENT: Any = None


class MeasurementPatch(Schema):
    """Only the fields sent are changed; the scores are recomputed."""

    version: str | None = Field(None, max_length=64, description="phiên bản đã đọc (hoặc header If-Match); bắt buộc "
                                "một trong hai: 428 nếu thiếu, 409 (412 với If-Match) nếu số đo đã đổi")
    reason: str = Field(min_length=1, max_length=255, description="lý do sửa (bắt buộc, được ghi lịch sử)")
    measured_on: date = NOT_SENT
    weight_kg: float | None = Field(None, ge=0, le=100)
    length_cm: float | None = Field(None, ge=0, le=200, description="chiều dài (đo nằm) hoặc chiều cao (đo đứng), cm")
    position: Position | Literal[""] = Field(NOT_SENT, description=POSITION_TEXT)
    has_oedema: bool = NOT_SENT
    place: Place = Field(NOT_SENT, description=choices_text(Place))
    measured_by: str = Field(NOT_SENT, max_length=150)


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))


@router.patch("/nutrition/measurements/{measurement_id}",
              response={200: SavedMeasurementOut, **conflict_responses(VersionConflictOut)},
              summary="Sửa một lần cân, đo (có lý do; giá trị cũ được giữ trong lịch sử)")
@api_require(RECORD_MEASUREMENTS)
def correct_measurement(request: HttpRequest, response: HttpResponse, payload: MeasurementPatch,
                        measurement_id: int = MeasurementIdPath, if_match: str | None = IF_MATCH) -> Status[Any]:
    measurement = selectors.measurement_for(request.user, measurement_id=measurement_id,
                                            capability=RECORD_MEASUREMENTS)
    version, stale_status = expected_version(if_match, payload.version)
    sent = payload.model_fields_set - {"version", "reason"}
    changes: dict[str, Any] = {name: getattr(payload, name) for name in sent}
    for name in ("weight_kg", "length_cm"):
        if name in changes:
            changes[name] = _decimal(changes[name])
    for name in ("measured_on", "has_oedema", "place", "measured_by", "position"):
        if name in changes and changes[name] is None:
            raise invalid(name, _("Trường này không để trống được."))
    values = MeasurementValues(
        measured_on=changes.get("measured_on", measurement.measured_on),
        weight_kg=changes.get("weight_kg", measurement.weight_kg), length_cm=changes.get("length_cm",
                                                                                       measurement.length_cm),
        position=changes.get("position", measurement.position),
        has_oedema=changes.get("has_oedema", measurement.has_oedema))
    child = measurement.child
    assessment = assess(values, sex=child.sex, birth_date=child.birth_date,
                        age_days=age_in_days(child, values.measured_on),
                        previous=selectors.previous_measurement(child, before=values.measured_on),
                        today=timezone.localdate())
    if assessment.errors:
        raise ApiError(422, _("Số đo không hợp lệ."),
                       {field: [message] for field, message in assessment.errors.items()})
    try:
        corrected = services.correct_measurement(actor=request.user, measurement=measurement, changes=changes,
                                                 reason=payload.reason.strip(), expected_version=version)
    except services.StaleMeasurement as error:
        return Status(stale_status, VersionConflictOut(detail=str(error), current_version=error.current_version))
    set_etag(response, corrected.version)
    return Status(200, SavedMeasurementOut(created=False, measurement=MeasurementOut.of(corrected),
                                           warnings=list(assessment.warnings)))


@router.delete("/nutrition/measurements/{measurement_id}", response=MeasurementOut,
               summary="Xoá một lần cân, đo (xoá mềm, có lý do; vẫn xem được trong lịch sử)")
@api_require(RECORD_MEASUREMENTS)
def remove_measurement(
    request: HttpRequest, measurement_id: int = MeasurementIdPath,
    reason: str = Query(..., min_length=1, max_length=255, description="lý do xoá (bắt buộc)"),
) -> MeasurementOut:
    measurement = selectors.measurement_for(request.user, measurement_id=measurement_id,
                                            capability=RECORD_MEASUREMENTS)
    return MeasurementOut.of(services.delete_measurement(actor=request.user, measurement=measurement, reason=reason))


def _commune(request: HttpRequest, code: str, *, on: date, capability: str) -> OrgUnit:
    commune = selectors.communes_for(request.user, on=on, capability=capability).filter(code=code).first()
    if commune is None:
        raise invalid("commune", _("Không có xã mã '%(code)s' trong phạm vi của bạn.") % {"code": code})
    return commune


Indicator = Literal["waz", "haz", "whz"]
INDICATOR_TEXT = ("`waz`: nhẹ cân (cân nặng theo tuổi); `haz`: thấp còi (chiều cao theo tuổi); `whz`: gầy còm (cân "
                  "nặng theo chiều cao)")


class FollowUpOut(Schema):
    child_id: int
    full_name: str
    birth_date: str = Field(description="ngày sinh như trang hiển thị")
    village: str | None
    latest_measured_on: date
    waz: float | None
    haz: float | None
    whz: float | None
    below: list[Indicator] = Field(description="chỉ số dưới −2: " + INDICATOR_TEXT)
    severe: list[Indicator] = Field(description="chỉ số dưới −3 (nặng)")


def _score(row: selectors.FollowUpRow, name: str) -> float | None:
    item = row.scores.get(name)
    value = getattr(item, name) if item is not None else None
    return None if value is None else float(value)


@router.get("/nutrition/follow-up", response=list[FollowUpOut],
            summary="Trẻ dưới 5 tuổi của một xã có chỉ số Z dưới −2 ở lần cân hợp lệ gần nhất trong 12 tháng")
@api_require(VIEW_MEASUREMENTS)
def follow_up(
    request: HttpRequest, response: HttpResponse,
    commune: str = Query(..., max_length=32, description="mã xã"),
    on: date | None = Query(None, description="tính đến ngày (mặc định hôm nay)"),  # noqa: B008
    limit: int = limit_query(100, 500, "trẻ"), offset: int = offset_query("trẻ"),
) -> list[FollowUpOut]:
    day = on or timezone.localdate()
    unit = _commune(request, commune, on=day, capability=VIEW_MEASUREMENTS)
    _total, rows = page(response, selectors.follow_up_rows(request.user, commune=unit, on=day), limit=limit,
                        offset=offset)
    return [FollowUpOut.model_validate(dict(
        child_id=row.child.pk, full_name=row.child.full_name, birth_date=row.child.birth_date_label,
        village=row.child.village.name if row.child.village else None, latest_measured_on=row.latest_measured_on,
        waz=_score(row, "waz"), haz=_score(row, "haz"), whz=_score(row, "whz"), below=row.below,
        severe=row.severe)) for row in rows]


RowOutcome = Literal["created", "updated", "rejected"]
ROW_OUTCOME_TEXT = "`created`: thêm lần cân mới; `updated`: sửa lần cân cùng ngày; `rejected`: bị từ chối"
ROW_OUTCOME_QUERY: Any = Query(None, description=ROW_OUTCOME_TEXT + "; bỏ trống: mọi dòng")


class ImportRowOut(Schema):
    row: int = Field(description="số dòng trong tệp gốc")
    outcome: RowOutcome = Field(description=ROW_OUTCOME_TEXT)
    reason: str = Field(description="lý do khi bị từ chối")
    child_id: int | None
    child_name: str
    measured_on: str = Field(description="ngày cân như đọc được (dd/mm/yyyy); rỗng khi không đọc được")
    warnings: list[str]
    unchanged: bool = Field(description="dòng trùng hoàn toàn với số đo đã có")


class MeasurementImportOut(Schema):
    id: int
    status: ImportStatus = Field(description=choices_text(ImportStatus))
    original_name: str
    commune_code: str
    as_of: date
    error: str = Field(description="vì sao không nhập được (khi status là failed)")
    is_preview: bool = Field(description="true: kết quả chạy thử (status uploaded), chưa lưu gì; xác nhận bằng "
                             "POST /nutrition/imports/{import_id}/confirm")
    rows: int = Field(description="số dòng; rows = created + updated + rejected")
    created: int
    updated: int
    rejected: int
    outcomes: list[ImportRowOut] = Field(description="kết quả từng dòng (phân trang bằng limit, offset)")
    progress: dict[str, Any] | None


class ImportRowListOut(Schema):
    is_preview: bool = Field(description="true: kết quả chạy thử, chưa lưu gì")
    count: int
    items: list[ImportRowOut]


def _row_out(item: dict[str, Any]) -> ImportRowOut:
    return ImportRowOut.model_validate({**item, "child_name": item.get("child_name") or "",
                                        "reason": item.get("reason") or "",
                                        "measured_on": str(item.get("measured_on") or "")})


def _import_out(record: ImportRecord, *, limit: int = 500, offset: int = 0) -> MeasurementImportOut:
    report: dict[str, Any] = record.summary or record.preview or {}
    outcomes = list(report.get("outcomes") or [])[offset:offset + limit]
    return MeasurementImportOut(
        id=record.pk, status=ImportStatus(record.status), original_name=record.original_name,
        commune_code=record.org_unit.code, as_of=record.as_of, error=record.error,
        is_preview=record.summary is None, progress=read_progress(record),
        **{name: int(report.get(name) or 0) for name in ("rows", "created", "updated", "rejected")},
        outcomes=[_row_out(item) for item in outcomes])


@router.post("/nutrition/imports", response={201: MeasurementImportOut},
             summary="Tải lên tệp số đo (Excel/CSV) của một xã: chạy thử, chưa lưu gì cho đến khi xác nhận")
@api_require(RECORD_MEASUREMENTS)
def upload_import(request: HttpRequest, response: HttpResponse, file: UploadedFile = File(...),  # noqa: B008
                  commune: str = Form(..., max_length=32), idempotency_key: str | None = IDEMPOTENCY_KEY,
                  ) -> Status[MeasurementImportOut]:
    today = timezone.localdate()
    unit = _commune(request, commune, on=today, capability=RECORD_MEASUREMENTS)

    def upload() -> Status[MeasurementImportOut]:
        try:
            record = upload_measurements(actor=request.user, upload=file, commune=unit,  # type: ignore[arg-type]
                                         as_of=today)
        except UploadRefused as error:
            raise invalid("file", str(error)) from error
        return Status(201, _import_out(record))

    return idempotent(request, response, idempotency_key, upload)


@router.get("/nutrition/imports/{import_id}", response=MeasurementImportOut,
            summary="Một lần nhập số đo: bản chạy thử, tiến độ, hoặc kết quả từng dòng")
@api_require(RECORD_MEASUREMENTS)
def get_import(request: HttpRequest, import_id: int = ImportIdPath,
               limit: int = limit_query(500, 1000, "dòng kết quả"),
               offset: int = offset_query("dòng kết quả")) -> MeasurementImportOut:
    record = selectors.import_for(request.user, import_id=import_id, capability=RECORD_MEASUREMENTS)
    return _import_out(record, limit=limit, offset=offset)


@router.get("/nutrition/imports/{import_id}/rows", response=ImportRowListOut,
            summary="Kết quả từng dòng của một lần nhập số đo (lọc theo kết quả, ví dụ các dòng bị từ chối và lý do)")
@api_require(RECORD_MEASUREMENTS)
def list_import_rows(
    request: HttpRequest, response: HttpResponse, import_id: int = ImportIdPath,
    outcome: RowOutcome | None = ROW_OUTCOME_QUERY,
    limit: int = limit_query(200, 1000, "dòng"), offset: int = offset_query("dòng"),
) -> ImportRowListOut:
    record = selectors.import_for(request.user, import_id=import_id, capability=RECORD_MEASUREMENTS)
    report: dict[str, Any] = record.summary or record.preview or {}
    rows = [item for item in report.get("outcomes") or [] if outcome is None or item.get("outcome") == outcome]
    total, found = page(response, rows, limit=limit, offset=offset)
    return ImportRowListOut(is_preview=record.summary is None, count=total, items=[_row_out(item) for item in found])


@router.post("/nutrition/imports/{import_id}/confirm", response={200: MeasurementImportOut,
             202: MeasurementImportOut, 409: ErrorOut},
             summary="Xác nhận nhập tệp đã chạy thử (tệp lớn nhập ở nền: 202; đã xác nhận rồi: 409)")
@api_require(RECORD_MEASUREMENTS)
def confirm(request: HttpRequest, response: HttpResponse, import_id: int = ImportIdPath,
            idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[MeasurementImportOut]:
    record = selectors.import_for(request.user, import_id=import_id, capability=RECORD_MEASUREMENTS)

    def run() -> Status[MeasurementImportOut]:
        try:
            confirmed = confirm_import(actor=request.user, record=record)  # type: ignore[arg-type]
        except UploadRefused as error:
            raise ApiError(409, str(error)) from error
        return Status(202 if confirmed.is_running else 200, _import_out(confirmed))

    return idempotent(request, response, idempotency_key, run)
