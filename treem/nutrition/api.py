"""API: WHO z-scores of posted rows; a child's measurements (read and record).

No ``from __future__ import annotations`` here: the access decorators wrap each operation, and django-ninja
resolves string annotations in the wrapper's module, where the body schemas of this module are unknown.
"""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from treem.core.access import api_require
from treem.core.api_choices import choices_text
from treem.core.api_errors import ApiError
from treem.core.api_paging import limit_query, offset_query, page
from treem.core.audit import record_read
from treem.core.idempotency import IDEMPOTENCY_KEY, idempotent
from treem.nutrition.checks import MeasurementValues, assess
from treem.nutrition.models import Measurement, Place, Position, Source, age_in_days
from treem.nutrition.permissions import RECORD_MEASUREMENTS, SCORE_MEASUREMENTS, VIEW_MEASUREMENTS
from treem.nutrition.scoring import RowInput, score_rows
from treem.nutrition.selectors import child_for, child_measurements, previous_measurement
from treem.nutrition.services import record_measurement
from treem.nutrition.zscores import Convention

router = Router(tags=["Dinh dưỡng"])

MAX_SCORED_ROWS = 100_000


class ScoreRowIn(Schema):
    sex: str | int | None = Field(None, description="1/2, M/F, Nam/Nữ")
    age_days: float | None = Field(None, description="tuổi tính bằng ngày; nếu trống thì tính từ hai ngày")
    birth_date: date | None = None
    measured_on: date | None = None
    weight_kg: float | None = None
    length_cm: float | None = None
    measured: str | None = Field(None, description="L (đo nằm), H (đo đứng) hoặc trống")
    oedema: bool | str | None = Field(None, description="phù hai chân: true/false hoặc y/n")


class ScoreRequest(Schema):
    rows: list[ScoreRowIn] = Field(..., max_length=MAX_SCORED_ROWS)
    convention: Convention = Field(Convention.ANTHRO, description="anthro (mặc định) hoặc igrowup")


class ScoreRowOut(Schema):
    waz: float | None
    haz: float | None
    whz: float | None
    flag_waz: bool | None
    flag_haz: bool | None
    flag_whz: bool | None
    adjusted_length_cm: float | None
    position_implausible: bool


class ScoreResponse(Schema):
    rows: list[ScoreRowOut]


@router.post("/nutrition/zscores", response=ScoreResponse,
             summary="Tính chỉ số Z (WHO 2006) cho các dòng số đo gửi lên")
@api_require(SCORE_MEASUREMENTS)
def score(request: HttpRequest, payload: ScoreRequest) -> ScoreResponse:
    """Scores as WHO's software gives them: two decimals, blank (null) where WHO leaves the score blank; a flag is
    null with a blank score. Nothing is stored."""
    rows = [RowInput(**row.model_dump()) for row in payload.rows]
    scored = score_rows(rows, convention=payload.convention)
    return ScoreResponse(rows=[ScoreRowOut(**vars(result)) for result in scored])


POSITION_TEXT = choices_text(Position, blank="không ghi")


class MeasurementOut(Schema):
    id: int
    version: str = Field(description="phiên bản (cũng là ETag): gửi lại khi sửa (If-Match hoặc version)")
    measured_on: date
    age_days: int | None
    weight_kg: float | None
    length_cm: float | None
    position: Position | Literal[""] = Field(description=POSITION_TEXT)
    has_oedema: bool
    place: Place = Field(description=choices_text(Place))
    measured_by: str
    waz: float | None
    haz: float | None
    whz: float | None
    flag_waz: bool
    flag_haz: bool
    flag_whz: bool
    is_demo: bool

    @staticmethod
    def of(item: Measurement) -> "MeasurementOut":
        def number(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return MeasurementOut.model_validate(dict(
            id=item.pk, version=item.version, measured_on=item.measured_on, age_days=item.age_days,
            weight_kg=number(item.weight_kg), length_cm=number(item.length_cm), position=item.position,
            has_oedema=item.has_oedema, place=item.place, measured_by=item.measured_by, waz=number(item.waz),
            haz=number(item.haz), whz=number(item.whz), flag_waz=item.flag_waz, flag_haz=item.flag_haz,
            flag_whz=item.flag_whz, is_demo=item.is_demo,
        ))


class MeasurementIn(Schema):
    measured_on: date
    weight_kg: float | None = None
    length_cm: float | None = Field(None, description="chiều dài (đo nằm) hoặc chiều cao (đo đứng), cm")
    position: Position | Literal[""] = Field("", description=POSITION_TEXT)
    has_oedema: bool = False
    place: Place = Field(Place.HEALTH_STATION, description=choices_text(Place))
    measured_by: str = ""


class SavedMeasurementOut(Schema):
    created: bool
    measurement: MeasurementOut
    warnings: list[str]


@router.get("/nutrition/children/{child_id}/measurements", response=list[MeasurementOut],
            summary="Các lần cân, đo của một trẻ, với chỉ số Z")
@api_require(VIEW_MEASUREMENTS)
def list_measurements(request: HttpRequest, response: HttpResponse, child_id: int,
                      limit: int = limit_query(200, 500, "lần cân, đo"),
                      offset: int = offset_query("lần cân, đo")) -> list[MeasurementOut]:
    child = child_for(request.user, child_id=child_id)
    record_read(actor=request.user, obj=child, org_unit_path=child.commune.path, reason="API: số đo tăng trưởng")
    _total, rows = page(response, child_measurements(child), limit=limit, offset=offset)
    return [MeasurementOut.of(item) for item in rows]


@router.post("/nutrition/children/{child_id}/measurements", response={201: SavedMeasurementOut,
             200: SavedMeasurementOut}, summary="Ghi một lần cân, đo (cùng ngày thì sửa lần đã ghi)")
@api_require(RECORD_MEASUREMENTS)
def create_measurement(request: HttpRequest, response: HttpResponse, child_id: int, payload: MeasurementIn,
                       idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[SavedMeasurementOut]:
    """Scores are computed and stored; implausible values are saved and returned with their warnings."""
    return idempotent(request, response, idempotency_key, lambda: _create_measurement(request, child_id, payload))


def _create_measurement(request: HttpRequest, child_id: int, payload: MeasurementIn) -> Status[SavedMeasurementOut]:
    child = child_for(request.user, child_id=child_id, capability=RECORD_MEASUREMENTS)
    values = MeasurementValues(
        measured_on=payload.measured_on, weight_kg=_decimal(payload.weight_kg),
        length_cm=_decimal(payload.length_cm), position=payload.position, has_oedema=payload.has_oedema,
    )
    assessment = assess(values, sex=child.sex, birth_date=child.birth_date,
                        age_days=age_in_days(child, payload.measured_on),
                        previous=previous_measurement(child, before=payload.measured_on), today=timezone.localdate())
    if assessment.errors:
        raise ApiError(422, _("Số đo không hợp lệ."),
                       {field: [message] for field, message in assessment.errors.items()})
    saved = record_measurement(actor=request.user, child=child, measured_on=payload.measured_on,
                               weight_kg=values.weight_kg, length_cm=values.length_cm, position=payload.position,
                               has_oedema=payload.has_oedema, place=payload.place,
                               measured_by=payload.measured_by[:150], source=Source.API)
    body = SavedMeasurementOut(created=saved.created, measurement=MeasurementOut.of(saved.measurement),
                               warnings=list(assessment.warnings))
    return Status(201 if saved.created else 200, body)


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))
