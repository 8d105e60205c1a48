"""API of the child registry: the same selectors and services as the pages, scoped the same way.

The ID number is masked unless the caller's role needs it; reading one child is recorded in the audit trail.

Annotations here are evaluated (no ``from __future__ import annotations``): django-ninja reads the schemas of the
wrapped operations from them.
"""

import shutil
from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from treem.core.access import NOT_FOUND_MESSAGE, UserLike, api_require
from treem.core.api_choices import choices_text
from treem.core.api_concurrency import IF_MATCH, VersionConflictOut, conflict_responses, expected_version, set_etag
from treem.core.api_errors import ErrorOut, invalid
from treem.core.api_paging import limit_query, offset_query, page
from treem.core.idempotency import IDEMPOTENCY_KEY, idempotent
from treem.core.intake.errors import ImportRefused, UploadRefused
from treem.core.intake.models import ImportRecord, ImportStatus
from treem.core.intake.runner import confirm_import, read_progress, store_upload
from treem.core.models import AuditEvent, EthnicGroup
from treem.hierarchy.models import Village
from treem.registry import services
from treem.registry.history import history_changes
from treem.registry.import_rows import SAMPLE_LIMIT
from treem.registry.imports import import_children_file
from treem.registry.jobs import upload_child_list
from treem.registry.models import (
    Child,
    ChildStatus,
    DatePrecision,
    DuplicateCandidate,
    DuplicateStatus,
    GuardianRelationship,
    LegalBasis,
    SchoolLevel,
    Sex,
    SpecialCircumstanceGroup,
    consent_state,
)
from treem.registry.permissions import EDIT_CHILDREN, REVIEW_DUPLICATES, VIEW_IDENTITY
from treem.registry.selectors import (
    ChildFilters,
    can_edit,
    can_see_personal_id,
    child_for,
    duplicate_candidate_for,
    duplicate_candidates_for,
    editable_communes_for,
    ethnic_group_with_code,
    history_of,
    import_for,
    search_children,
    special_groups_of,
    village_named,
)

router = Router(tags=["Trẻ em"])
MAX_LIMIT = 500
NOT_SENT: Any = None  # the default of a field that may be left out but not sent as null


# The fixed values of the child list's filters (``selectors.AGE_BANDS`` and ``ChildFilters``); a test keeps them equal.
AgeBand = Literal["", "0-2", "3-5", "6-10", "11-15", "u5", "5"]
BirthRegisteredFilter = Literal["", "yes", "no", "unknown"]
StatusFilter = Literal["present", "all", "living", "moved_away", "turned_16", "deceased"]
AGE_BAND_TEXT = ("nhóm tuổi: `0-2` dưới 3 tuổi; `3-5` từ 3 đến 5; `6-10` từ 6 đến 10; `11-15` từ 11 đến 15; `u5` dưới "
                 "5 tuổi; `5` tròn 5 tuổi; rỗng: mọi tuổi")
SCHOOL_LEVEL_TEXT = choices_text(SchoolLevel, blank="chưa ghi")
PRECISION_TEXT = "độ chính xác của ngày sinh (ngày sinh bắt buộc; chỉ biết năm thì ghi ngày 01/01 và `year`): " + \
    choices_text(DatePrecision)


class GuardianOut(Schema):
    full_name: str
    relationship: GuardianRelationship = Field(description=choices_text(GuardianRelationship))
    phone: str


class ChildOut(Schema):
    id: int
    full_name: str
    birth_date: date
    birth_date_precision: DatePrecision = Field(description=PRECISION_TEXT)
    sex: Sex = Field(description=choices_text(Sex))
    ethnic_group_code: str | None
    personal_id: str
    commune_code: str
    commune_name: str
    village: str | None
    is_birth_registered: bool | None
    birth_registered_on: date | None
    has_health_insurance: bool | None
    school_level: SchoolLevel | Literal[""] = Field(description=SCHOOL_LEVEL_TEXT)
    school_name: str
    is_out_of_school: bool | None
    has_disability: bool | None
    status: ChildStatus = Field(description=choices_text(ChildStatus))
    status_on: date | None
    special_circumstances: list[str]
    is_demo: bool


class ChildDetailOut(ChildOut):
    version: str = Field(description="phiên bản của hồ sơ (cũng là ETag): gửi lại khi sửa (If-Match hoặc version)")
    guardians: list[GuardianOut]
    consent_complete: bool
    consent_missing: list[str]
    legal_basis: LegalBasis = Field(description=choices_text(LegalBasis))
    legal_basis_note: str


class ChildListOut(Schema):
    count: int
    items: list[ChildOut]


class ChildIn(Schema):
    commune_code: str
    full_name: str
    birth_date: date
    birth_date_precision: DatePrecision = Field(DatePrecision.DAY, description=PRECISION_TEXT)
    sex: Sex = Field(description=choices_text(Sex))
    ethnic_group_code: str | None = None
    personal_id: str = ""
    village: str | None = None
    is_birth_registered: bool | None = None
    birth_registered_on: date | None = None
    has_health_insurance: bool | None = None
    school_level: SchoolLevel | Literal[""] = Field("", description=SCHOOL_LEVEL_TEXT)
    school_name: str = ""
    is_out_of_school: bool | None = None
    has_disability: bool | None = None
    disability_note: str = ""
    notes: str = ""


class ChildPatch(Schema):
    """Only the fields sent are changed; ``null`` empties a field that may be empty (the first four may not)."""

    version: str | None = Field(None, max_length=64, description="phiên bản đã đọc (hoặc header If-Match); bắt buộc "
                                "một trong hai: 428 nếu thiếu, 409 (412 với If-Match) nếu hồ sơ đã đổi")
    full_name: str = NOT_SENT
    birth_date: date = NOT_SENT
    birth_date_precision: DatePrecision = Field(NOT_SENT, description=PRECISION_TEXT)
    sex: Sex = Field(NOT_SENT, description=choices_text(Sex))
    ethnic_group_code: str | None = None
    personal_id: str | None = None
    village: str | None = None
    is_birth_registered: bool | None = None
    birth_registered_on: date | None = None
    has_health_insurance: bool | None = None
    health_insurance_number: str | None = None
    school_level: SchoolLevel | Literal[""] | None = Field(None, description=SCHOOL_LEVEL_TEXT)
    school_name: str | None = None
    is_out_of_school: bool | None = None
    has_disability: bool | None = None
    disability_note: str | None = None
    notes: str | None = None
    reason: str = ""


class ImportOut(Schema):
    id: int | None
    status: ImportStatus | Literal["dry_run"] = Field(
        description=choices_text(ImportStatus) + "; `dry_run`: chạy thử, không lưu gì")
    background: bool
    summary: dict[str, Any] | None
    error: str
    progress: dict[str, Any] | None


def _child_out(child: Child, *, full_ids: bool, special: list[str]) -> dict[str, Any]:
    return {
        "id": child.pk, "full_name": child.full_name, "birth_date": child.birth_date,
        "birth_date_precision": child.birth_date_precision, "sex": child.sex,
        "ethnic_group_code": child.ethnic_group.code if child.ethnic_group else None,
        "personal_id": child.personal_id if full_ids else child.masked_personal_id,
        "commune_code": child.commune.code, "commune_name": child.commune.name,
        "village": child.village.name if child.village else None,
        "is_birth_registered": child.is_birth_registered, "birth_registered_on": child.birth_registered_on,
        "has_health_insurance": child.has_health_insurance, "school_level": child.school_level,
        "school_name": child.school_name, "is_out_of_school": child.is_out_of_school,
        "has_disability": child.has_disability, "status": child.status, "status_on": child.status_on,
        "special_circumstances": special, "is_demo": child.is_demo,
    }


def _detail(child: Child, user: UserLike) -> ChildDetailOut:
    today = timezone.localdate()
    consents = list(child.consents.all())
    state = consent_state(child, consents, on=today)
    return ChildDetailOut(
        **_child_out(child, full_ids=can_see_personal_id(user),
                     special=special_groups_of(user, children=[child], today=today).get(child.pk, [])),
        guardians=[GuardianOut(full_name=g.full_name, relationship=GuardianRelationship(g.relationship),
                               phone=g.phone)
                   for g in child.guardians.all()],
        consent_complete=state.is_complete, consent_missing=state.missing, legal_basis=LegalBasis(child.legal_basis),
        legal_basis_note=child.legal_basis_note, version=child.version,
    )


def _ethnic_group(code: str | None) -> EthnicGroup | None:
    if not code:
        return None
    group = ethnic_group_with_code(code)
    if group is None:
        raise invalid("ethnic_group_code", f"Mã dân tộc '{code}' không có trong danh mục.")
    return group


def _village(commune_id: int, name: str | None) -> Village | None:
    if not name:
        return None
    village = village_named(commune=commune_id, name=name)
    if village is not None:
        return village
    raise invalid("village", f"Không có thôn/bản '{name}' trong xã.")


SpecialGroupFilter = SpecialCircumstanceGroup | Literal["", "any"]
SchoolingFilter = SchoolLevel | Literal["", "out"]
QUERY_TEXT: Any = Query("", max_length=150, description="tên (không dấu cũng được), số định danh, thôn/bản, cha mẹ")
AGE_BAND_QUERY: Any = Query("", description=AGE_BAND_TEXT)
SPECIAL_GROUP_QUERY: Any = Query("", description="nhóm hoàn cảnh đặc biệt: " + choices_text(SpecialCircumstanceGroup)
                                 + "; `any`: bất kỳ nhóm nào; rỗng: không lọc")
BIRTH_REGISTERED_QUERY: Any = Query(
    "", description="đăng ký khai sinh: `yes` đã; `no` chưa; `unknown` chưa rõ; rỗng: không lọc")
SCHOOLING_QUERY: Any = Query("", description="cấp học: " + choices_text(SchoolLevel)
                             + "; `out`: không đi học, bỏ học; rỗng: không lọc")
ETHNIC_CODE_QUERY: Any = Query("", max_length=8, description="mã dân tộc")
COMMUNE_QUERY: Any = Query("", max_length=32, description="mã xã")
VILLAGE_QUERY: Any = Query("", max_length=12, description="id của thôn/bản")
STATUS_QUERY: Any = Query("present", description="`present` (mặc định): đang sống ở xã, dưới 16 tuổi; `all`: tất cả; "
                          "hoặc một tình trạng: " + choices_text(ChildStatus))


@router.get("/children", response=ChildListOut, summary="Tìm trẻ em (theo tên không dấu, số định danh, thôn/bản, "
            "cha mẹ) và lọc")
@api_require(VIEW_IDENTITY)
def list_children(
    request: HttpRequest, response: HttpResponse,
    q: str = QUERY_TEXT, age_band: AgeBand = AGE_BAND_QUERY, special_group: SpecialGroupFilter = SPECIAL_GROUP_QUERY,
    birth_registered: BirthRegisteredFilter = BIRTH_REGISTERED_QUERY, schooling: SchoolingFilter = SCHOOLING_QUERY,
    ethnic_code: str = ETHNIC_CODE_QUERY, commune: str = COMMUNE_QUERY, village: str = VILLAGE_QUERY,
    status: StatusFilter = STATUS_QUERY,
    limit: int = limit_query(100, MAX_LIMIT, "trẻ"), offset: int = offset_query("trẻ"),
) -> ChildListOut:
    filters = ChildFilters(query=q, age_band=age_band, special_group=special_group,
                           birth_registered=birth_registered, schooling=schooling, ethnic_code=ethnic_code,
                           commune_code=commune, village=village, status=status)
    found = search_children(request.user, filters, today=timezone.localdate())
    total, rows = page(response, found, limit=limit, offset=offset)
    groups = special_groups_of(request.user, children=rows, today=timezone.localdate())
    full_ids = can_see_personal_id(request.user)
    return ChildListOut(count=total, items=[
        ChildOut(**_child_out(child, full_ids=full_ids, special=groups.get(child.pk, []))) for child in rows])


@router.post("/children/import", response={200: ImportOut, 202: ImportOut, 404: ErrorOut},
             summary="Nhập danh sách trẻ em của một xã (tệp Excel/CSV)")
@api_require(EDIT_CHILDREN)
def import_children(
    request: HttpRequest, response: HttpResponse, file: UploadedFile = File(...),  # noqa: B008
    commune: str = Form(...), as_of: date = Form(...), dry_run: bool = Form(False),  # noqa: B008
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> Status[ImportOut]:
    return idempotent(request, response, idempotency_key,
                      lambda: _import_children(request, file, commune=commune, as_of=as_of, dry_run=dry_run))


def _import_children(request: HttpRequest, file: UploadedFile, *, commune: str, as_of: date,
                     dry_run: bool) -> Status[ImportOut]:
    today = timezone.localdate()
    unit = editable_communes_for(request.user, on=as_of).filter(code=commune).first()
    if unit is None:
        raise HttpError(404, NOT_FOUND_MESSAGE)
    if dry_run:
        try:
            path, name = store_upload(file)  # the same kinds and size limit as a real import, written in chunks
        except UploadRefused as error:
            raise HttpError(422, str(error)) from error
        try:
            summary = import_children_file(actor=request.user, path=path, commune=unit, as_of=as_of,
                                           dry_run=True, source_name=name)
        except ImportRefused as error:
            raise HttpError(422, str(error)) from error
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)
        return Status(200, ImportOut(id=None, status="dry_run", background=False, summary=summary.as_dict(),
                                     error="", progress=None))
    try:
        child_import = upload_child_list(actor=request.user, upload=file, commune=unit, as_of=as_of,  # type: ignore[arg-type]
                                         today=today)
        if child_import.status == ImportStatus.FAILED:
            raise HttpError(422, child_import.error)
        child_import = confirm_import(actor=request.user, record=child_import)  # type: ignore[arg-type]
    except UploadRefused as error:
        raise HttpError(422, str(error)) from error
    status = 202 if child_import.is_running else 200
    return Status(status, _import_out(child_import))


def _without_outcomes(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    """The summary without every row's outcome (those are paged by ``GET /imports/{import_id}/rows``)."""
    return None if summary is None else {key: value for key, value in summary.items() if key != "outcomes"}


def _import_out(child_import: ImportRecord) -> ImportOut:
    return ImportOut(id=child_import.pk, status=ImportStatus(child_import.status),
                     background=child_import.is_background, summary=_without_outcomes(child_import.summary),
                     error=child_import.error,
                     progress=read_progress(child_import))


@router.get("/children/imports/{import_id}", response=ImportOut, summary="Tiến độ và kết quả một lần nhập")
@api_require(EDIT_CHILDREN)
def get_import(request: HttpRequest, import_id: int) -> ImportOut:
    return _import_out(import_for(request.user, import_id=import_id))


@router.post("/children", response={201: ChildDetailOut, 404: ErrorOut},
             summary="Thêm một trẻ em vào cơ sở dữ liệu của xã")
@api_require(EDIT_CHILDREN)
def create_child(request: HttpRequest, response: HttpResponse, payload: ChildIn,
                 idempotency_key: str | None = IDEMPOTENCY_KEY) -> Status[ChildDetailOut]:
    return idempotent(request, response, idempotency_key, lambda: _create_child(request, payload))


def _create_child(request: HttpRequest, payload: ChildIn) -> Status[ChildDetailOut]:
    today = timezone.localdate()
    commune = editable_communes_for(request.user, on=today).filter(code=payload.commune_code).first()
    if commune is None:
        raise HttpError(404, NOT_FOUND_MESSAGE)
    values = payload.dict(exclude={"commune_code", "ethnic_group_code", "village"})
    child = services.register_child(actor=request.user, commune=commune, today=today,
                                    ethnic_group=_ethnic_group(payload.ethnic_group_code),
                                    village=_village(commune.pk, payload.village), **values)
    return Status(201, _detail(child_for(request.user, child_id=child.pk), request.user))


@router.get("/children/{child_id}", response=ChildDetailOut, summary="Hồ sơ một trẻ (việc mở hồ sơ được ghi "
            "nhật ký)")
@api_require(VIEW_IDENTITY)
def get_child(request: HttpRequest, response: HttpResponse, child_id: int) -> ChildDetailOut:
    child = child_for(request.user, child_id=child_id)
    services.record_child_opened(actor=request.user, child=child)
    set_etag(response, child.version)
    return _detail(child, request.user)


@router.patch("/children/{child_id}", response={200: ChildDetailOut, **conflict_responses(VersionConflictOut)},
              summary="Sửa hồ sơ một trẻ (giá trị trước và sau được ghi lịch sử); gửi phiên bản đã đọc")
@api_require(EDIT_CHILDREN)
def update_child(request: HttpRequest, response: HttpResponse, child_id: int, payload: ChildPatch,
                 if_match: str | None = IF_MATCH) -> Status[Any]:
    child = child_for(request.user, child_id=child_id)
    if not can_edit(request.user, child):
        raise Http404(NOT_FOUND_MESSAGE)
    version, stale_status = expected_version(if_match, payload.version)
    changes = payload.dict(exclude_unset=True, exclude={"reason", "ethnic_group_code", "village", "version"})
    if "ethnic_group_code" in payload.model_fields_set:
        changes["ethnic_group"] = _ethnic_group(payload.ethnic_group_code)
    if "village" in payload.model_fields_set:
        changes["village"] = _village(child.commune_id, payload.village)
    for text_field in ("personal_id", "school_level", "school_name", "disability_note", "notes",
                       "health_insurance_number"):
        if text_field in changes and changes[text_field] is None:
            changes[text_field] = ""
    try:
        services.update_child(actor=request.user, child=child, changes=changes, today=timezone.localdate(),
                              reason=payload.reason, expected_version=version)
    except services.StaleChild as error:
        return Status(stale_status, VersionConflictOut(detail=str(error), current_version=error.current_version))
    updated = child_for(request.user, child_id=child.pk)
    set_etag(response, updated.version)
    return Status(200, _detail(updated, request.user))



# -- a record's history and the duplicate review queue ---------------------------------------------------------

MAX_HISTORY_LIMIT = 200
MAX_DUPLICATES_LIMIT = 100
MAX_ID = 2_147_483_647


class HistoryChangeOut(Schema):
    label: str = Field(description="tên trường như trang hồ sơ hiển thị")
    before: Any = None
    after: Any = None


class HistoryEventOut(Schema):
    at: datetime
    by: str = Field(description="tên đăng nhập của người thực hiện; rỗng khi hệ thống thực hiện")
    verb: AuditEvent.Verb = Field(description=choices_text(AuditEvent.Verb.choices))
    verb_label: str
    child_id: int = Field(description="hồ sơ của sự kiện: hồ sơ này, hoặc một hồ sơ đã gộp vào hồ sơ này")
    reason: str
    changes: list[HistoryChangeOut] = Field(
        description="các trường thay đổi (trước → sau); số định danh bị che như trên trang nếu vai trò của bạn không "
                    "được xem đầy đủ")


class HistoryOut(Schema):
    count: int
    items: list[HistoryEventOut]


@router.get("/children/{child_id}/history", response=HistoryOut,
            summary="Lịch sử hồ sơ một trẻ (cả các hồ sơ đã gộp vào), mới nhất trước; việc xem được ghi nhật ký")
@api_require(VIEW_IDENTITY)
def child_history(
    request: HttpRequest, child_id: int = Path(..., ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=MAX_HISTORY_LIMIT, description=f"tối đa {MAX_HISTORY_LIMIT}"),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> HistoryOut:
    child = child_for(request.user, child_id=child_id)
    services.record_child_opened(actor=request.user, child=child)
    full_ids = can_see_personal_id(request.user)
    events = history_of(child)
    return HistoryOut(count=events.count(), items=[
        HistoryEventOut(at=event.at, by=event.actor_username, verb=AuditEvent.Verb(event.verb),
                        verb_label=event.get_verb_display(), child_id=int(event.object_id), reason=event.reason,
                        changes=[HistoryChangeOut(label=label, before=before, after=after)
                                 for label, before, after in history_changes(event, full_ids=full_ids)])
        for event in events[offset:offset + limit]])


class PairChildOut(Schema):
    id: int
    full_name: str
    birth_date: str = Field(description="ngày sinh như trang hiển thị (có thể chỉ năm, hoặc tháng và năm)")
    sex: Sex = Field(description=choices_text(Sex.choices))
    ethnic_group: str
    commune_code: str
    commune_name: str
    village: str | None
    personal_id: str = Field(description="bị che trừ khi vai trò của bạn được xem đầy đủ")


class DuplicateOut(Schema):
    id: int
    score: float = Field(description="mức giống nhau, 0–1")
    reasons: list[str]
    status: DuplicateStatus = Field(description=choices_text(DuplicateStatus.choices))
    child_a: PairChildOut
    child_b: PairChildOut


class DuplicateListOut(Schema):
    count: int
    items: list[DuplicateOut]


def _pair_child(child: Child, *, full_ids: bool) -> PairChildOut:
    return PairChildOut(
        id=child.pk, full_name=child.full_name, birth_date=child.birth_date_label, sex=Sex(child.sex),
        ethnic_group=str(child.ethnic_group or ""), commune_code=child.commune.code, commune_name=child.commune.name,
        village=child.village.name if child.village else None,
        personal_id=child.personal_id if full_ids else child.masked_personal_id)


def _duplicate_out(pair: DuplicateCandidate, *, full_ids: bool) -> DuplicateOut:
    return DuplicateOut(id=pair.pk, score=pair.score, reasons=[str(reason) for reason in pair.reasons or []],
                        status=DuplicateStatus(pair.status), child_a=_pair_child(pair.child_a, full_ids=full_ids),
                        child_b=_pair_child(pair.child_b, full_ids=full_ids))


@router.get("/duplicates", response=DuplicateListOut,
            summary="Các cặp hồ sơ nghi trùng chờ xem xét mà bạn được quyết định (cả hai trẻ trong phạm vi của bạn)")
@api_require(REVIEW_DUPLICATES)
def list_duplicates(
    request: HttpRequest,
    limit: int = Query(50, ge=1, le=MAX_DUPLICATES_LIMIT, description=f"tối đa {MAX_DUPLICATES_LIMIT}"),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> DuplicateListOut:
    pairs = duplicate_candidates_for(request.user)
    full_ids = can_see_personal_id(request.user)
    return DuplicateListOut(count=pairs.count(),
                            items=[_duplicate_out(pair, full_ids=full_ids) for pair in pairs[offset:offset + limit]])


class MergeIn(Schema):
    keep_child_id: int = Field(ge=1, le=MAX_ID, description="hồ sơ được giữ: child_a.id hoặc child_b.id của cặp")


class DecisionOut(Schema):
    id: int
    status: DuplicateStatus = Field(description=choices_text(DuplicateStatus.choices))
    kept_child_id: int | None = Field(description="hồ sơ được giữ sau khi gộp (null khi không phải cùng một trẻ)")


@router.post("/duplicates/{candidate_id}/merge", response=DecisionOut,
             summary="Gộp cặp hồ sơ vào hồ sơ được giữ; lịch sử và liên kết của cả hai được giữ lại")
@api_require(REVIEW_DUPLICATES)
def merge_duplicate(
    request: HttpRequest, payload: MergeIn, candidate_id: int = Path(..., ge=1, le=MAX_ID),
) -> DecisionOut:
    pair = duplicate_candidate_for(request.user, candidate_id=candidate_id)
    if payload.keep_child_id not in (pair.child_a_id, pair.child_b_id):
        raise invalid("keep_child_id", "Chọn một trong hai hồ sơ của cặp này.")
    keep = pair.child_a if payload.keep_child_id == pair.child_a_id else pair.child_b
    kept = services.merge_duplicate_children(actor=request.user, candidate=pair, keep=keep,
                                             today=timezone.localdate())
    return DecisionOut(id=pair.pk, status=DuplicateStatus.MERGED, kept_child_id=kept.pk)


@router.post("/duplicates/{candidate_id}/not-the-same", response=DecisionOut,
             summary="Ghi nhận hai hồ sơ là hai trẻ khác nhau; cặp này không được đề xuất lại")
@api_require(REVIEW_DUPLICATES)
def not_the_same_child(
    request: HttpRequest, candidate_id: int = Path(..., ge=1, le=MAX_ID),
) -> DecisionOut:
    pair = duplicate_candidate_for(request.user, candidate_id=candidate_id)
    decided = services.mark_not_same_child(actor=request.user, candidate=pair)
    return DecisionOut(id=decided.pk, status=DuplicateStatus(decided.status), kept_child_id=None)


# -- an import with its row outcomes ---------------------------------------------------------------------------


class RowOutcomeOut(Schema):
    row: int = Field(description="số dòng trong tệp gốc")
    reason: str


class ImportDetailOut(Schema):
    id: int
    status: ImportStatus = Field(description=choices_text(ImportStatus.choices))
    original_name: str
    commune_code: str
    as_of: date
    created_at: datetime
    finished_at: datetime | None
    error: str = Field(description="vì sao không nhập được (khi status là failed)")
    rows: int = Field(description="số dòng dữ liệu; rows = created + updated + rejected")
    created: int
    updated: int
    rejected: int
    warnings: int
    possible_duplicates: int = Field(description="số cặp nghi trùng đưa vào hàng chờ xem xét (GET /duplicates)")
    rejected_rows: list[RowOutcomeOut] = Field(
        description=f"các dòng bị từ chối với lý do (tối đa {SAMPLE_LIMIT} dòng đầu; đủ cả, có phân trang, ở "
        "GET /imports/{import_id}/rows?outcome=rejected và trong tệp dòng bị từ chối)")
    warning_rows: list[RowOutcomeOut] = Field(
        description=f"các dòng được nhận nhưng có giá trị cần xem lại (tối đa {SAMPLE_LIMIT} dòng đầu)")
    has_rejected_file: bool = Field(description="có tệp Excel các dòng bị từ chối để sửa và nhập lại")


def _row_outcomes(rows: Any) -> list[RowOutcomeOut]:
    return [RowOutcomeOut(row=int(number), reason=str(reason)) for number, reason in rows or []]


@router.get("/imports/{import_id}", response=ImportDetailOut,
            summary="Một lần nhập danh sách trẻ em với kết quả từng dòng (các dòng bị từ chối và lý do)")
@api_require(EDIT_CHILDREN)
def get_import_outcomes(request: HttpRequest, import_id: int = Path(..., ge=1, le=MAX_ID)) -> ImportDetailOut:
    record = import_for(request.user, import_id=import_id)
    summary: dict[str, Any] = record.summary or {}
    return ImportDetailOut(
        id=record.pk, status=ImportStatus(record.status), original_name=record.original_name,
        commune_code=record.org_unit.code, as_of=record.as_of, created_at=record.created_at,
        finished_at=record.finished_at, error=record.error,
        **{name: int(summary.get(name) or 0) for name in ("rows", "created", "updated", "rejected", "warnings",
                                                          "possible_duplicates")},
        rejected_rows=_row_outcomes(summary.get("rejected_rows")),
        warning_rows=_row_outcomes(summary.get("warning_rows")), has_rejected_file=bool(record.rejected_file))


RowOutcome = Literal["created", "updated", "rejected"]
ROW_OUTCOME_TEXT = "`created`: thêm trẻ mới; `updated`: cập nhật hồ sơ đã có; `rejected`: bị từ chối"
ROW_OUTCOME_QUERY: Any = Query(None, description=ROW_OUTCOME_TEXT + "; bỏ trống: mọi dòng")


class ImportRowOut(Schema):
    row: int = Field(description="số dòng trong tệp gốc")
    outcome: RowOutcome = Field(description=ROW_OUTCOME_TEXT)
    reason: str = Field(description="lý do khi bị từ chối; các giá trị cần xem lại khi được nhận kèm cảnh báo")
    child_id: int | None = Field(description="hồ sơ trẻ được thêm hoặc cập nhật (null khi bị từ chối)")


class ImportRowListOut(Schema):
    count: int
    items: list[ImportRowOut]


def _row_items(summary: dict[str, Any]) -> list[ImportRowOut]:
    if "outcomes" not in summary:  # an import recorded before every row's outcome was kept: its rejected rows
        return [ImportRowOut(row=int(number), outcome="rejected", reason=str(reason), child_id=None)
                for number, reason in summary.get("rejected_rows") or []]
    return [ImportRowOut(row=int(number), outcome=outcome, reason=str(reason), child_id=child_id)
            for number, outcome, reason, child_id in summary["outcomes"]]


@router.get("/imports/{import_id}/rows", response=ImportRowListOut,
            summary="Kết quả từng dòng của một lần nhập danh sách trẻ em (lọc theo kết quả, phân trang)")
@api_require(EDIT_CHILDREN)
def list_import_rows(
    request: HttpRequest, response: HttpResponse, import_id: int = Path(..., ge=1, le=MAX_ID),
    outcome: RowOutcome | None = ROW_OUTCOME_QUERY,
    limit: int = limit_query(200, 1000, "dòng"), offset: int = offset_query("dòng"),
) -> ImportRowListOut:
    record = import_for(request.user, import_id=import_id)
    rows = [item for item in _row_items(record.summary or {}) if outcome is None or item.outcome == outcome]
    total, found = page(response, rows, limit=limit, offset=offset)
    return ImportRowListOut(count=total, items=found)
