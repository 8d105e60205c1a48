"""Writes of the child-friendly assessment: start, score, submit, review. Each is atomic, checks its actor first
(``ensure_permitted`` over the commune, or over the recognising unit for a review), locks the assessment row for a
transition, and records one audit event. Bad input is refused as a whole with Vietnamese messages keyed by field,
and nothing is saved."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.childfriendly.models import (
    Assessment,
    CommuneBand,
    Evidence,
    Score,
    ScoringVersion,
    SubItem,
)
from treem.childfriendly.permissions import ASSESS_COMMUNE, REVIEW_ASSESSMENTS
from treem.childfriendly.prefill import prefill
from treem.childfriendly.reminders import notify_awaiting_review, notify_returned
from treem.childfriendly.rules import format_points
from treem.childfriendly.selectors import assessment_version, recognition_of, reviewing_unit_for
from treem.core.access import UserLike, ensure_permitted
from treem.core.audit import record_event
from treem.core.models import AuditEvent
from treem.core.uploads import DISK_FULL_MESSAGE, is_disk_full
from treem.hierarchy.models import Level, OrgUnit
from treem.indicators.engine import reference_date
from treem.indicators.services import ValueInput, enter_data_values
from treem.reporting.evidence import ACCEPTED_LABEL, detect_kind
from treem.reporting.models import ReportingCycle

RECOGNISED_ELEMENT = "DE_COMMUNE_CHILD_FRIENDLY"
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# (from statuses, to status) of each transition
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({Assessment.Status.DRAFT, Assessment.Status.RETURNED}), Assessment.Status.SUBMITTED),
    "recognise": (frozenset({Assessment.Status.SUBMITTED}), Assessment.Status.RECOGNISED),
    "return": (frozenset({Assessment.Status.SUBMITTED}), Assessment.Status.RETURNED),
}


@dataclass(frozen=True)
class ScoreInput:
    """One sub-item as the officer leaves it: the figure, optionally the points (default: the rule's), whether a
    pre-filled figure is confirmed, and — when it is changed — the reason and an evidence file."""

    code: str
    value: Decimal | int | str | None
    points: Decimal | int | str | None = None
    reason: str = ""
    evidence: UploadedFile | None = None


def _actor_id(actor: UserLike | None) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


class StaleAssessment(Exception):
    """A write based on a version of the assessment that somebody has saved over since."""

    def __init__(self, current_version: str) -> None:
        super().__init__(_("Bản đánh giá đã được người khác lưu sau khi bạn mở; tải lại rồi nhập lại."))
        self.current_version = current_version


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("org_unit", "version").get(pk=assessment.pk)


def _ensure_transition(assessment: Assessment, transition: str) -> str:
    sources, target = TRANSITIONS[transition]
    if assessment.status not in sources:
        raise ValidationError({"status": _("Không thể thực hiện khi bản đánh giá đang ở trạng thái “%(status)s”.")
                                         % {"status": assessment.get_status_display()}})
    return target


def version_in_force(year: int) -> ScoringVersion | None:
    on = reference_date(year)
    return (ScoringVersion.objects.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            .order_by("-valid_from").first())


def deadline_for(year: int) -> date | None:
    """The year's reporting deadline (the self-assessment goes with the commune's yearly report)."""
    cycle = ReportingCycle.objects.filter(year=year).order_by("-deadline_at").first()
    return timezone.localtime(cycle.deadline_at).date() if cycle is not None else None


def _snapshot(assessment: Assessment) -> dict[str, object]:
    return {"status": assessment.status, "total": str(assessment.total), "band": assessment.band,
            "threshold": assessment.threshold, "review_comment": assessment.review_comment}


@transaction.atomic
def start_assessment(*, actor: UserLike | None, org_unit: OrgUnit, year: int,
                     is_demo: bool = False) -> Assessment:
    """Open a commune's assessment for a year, every sub-item pre-filled from treem's data where it holds it."""
    ensure_permitted(actor, ASSESS_COMMUNE, path=org_unit.path)
    on = reference_date(year)
    if org_unit.level != Level.COMMUNE:
        raise ValidationError({"org_unit": _("%(unit)s không phải đơn vị cấp xã.") % {"unit": org_unit.name}})
    if not org_unit.is_valid_on(on):
        raise ValidationError({"org_unit": _("%(unit)s không có hiệu lực vào ngày %(on)s (hiệu lực %(validity)s): "
                                             "không đánh giá được cho năm %(year)s.")
                                           % {"unit": org_unit.name, "on": f"{on:%d/%m/%Y}",
                                              "validity": org_unit.validity_label, "year": year}})
    if Assessment.objects.active().filter(org_unit=org_unit, year=year).exists():
        raise ValidationError({"year": _("%(unit)s đã có bản đánh giá năm %(year)s; mỗi năm chỉ một bản.")
                                       % {"unit": org_unit.name, "year": year}})
    version = version_in_force(year)
    if version is None:
        raise ValidationError({"year": _("Chưa có bảng điểm áp dụng cho năm %(year)s.") % {"year": year}})
    assessment = Assessment(org_unit=org_unit, year=year, version=version, deadline_on=deadline_for(year),
                            is_demo=is_demo)
    assessment.full_clean(validate_constraints=False)
    assessment.save()
    scores = []
    for item in SubItem.objects.filter(criterion__version=version).order_by("criterion__number", "position"):
        found = prefill(item.prefill, org_unit, year) if item.prefill else None
        value = found.value if found is not None else None
        scores.append(Score(assessment=assessment, sub_item=item, value=value, prefilled_value=value,
                            points=Decimal(item.points) if item.earns_points(value) else Decimal(0),
                            prefill_source=found.source if found else "", prefill_link=found.link if found else ""))
    Score.objects.bulk_create(scores)
    _update_total(assessment)
    record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=assessment, org_unit_path=org_unit.path,
                 after={**_snapshot(assessment), "year": year, "version": version.code,
                        "prefilled": {score.sub_item.code: str(score.value) for score in scores
                                      if score.value is not None}},
                 action="start_assessment")
    return assessment


def _update_total(assessment: Assessment) -> None:
    assessment.total = sum((score.points for score in assessment.scores.all()), Decimal(0))
    assessment.save(update_fields=["total", "updated_at"])


def _number(raw: Decimal | int | str | None) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = raw.strip().replace(",", ".") if isinstance(raw, str) else raw
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError) as error:
        raise ValueError(str(raw)) from error
    if not value.is_finite():
        raise ValueError(str(raw))
    return value


def _check_value(item: SubItem, value: Decimal) -> str | None:
    if value < 0:
        return _("Mục %(code)s: số liệu không được âm.") % {"code": item.code}
    if item.is_share and value > 100:
        return _("Mục %(code)s: tỷ lệ không được quá 100 %% (nhận được %(value)s %%).") % {"code": item.code,
                                                                                  "value": f"{value:f}"}
    if item.is_yes_no and value not in (0, 1):
        return _("Mục %(code)s: chỉ chọn Có (1) hoặc Không (0).") % {"code": item.code}
    if not item.is_share and value != value.to_integral_value():
        return _("Mục %(code)s: số lượng phải là số nguyên.") % {"code": item.code}
    return None


def _evidence_kind(upload: UploadedFile) -> tuple[str, str] | str:
    if upload.size is None or upload.size > EVIDENCE_MAX_BYTES:
        return _("Tệp minh chứng quá lớn: tối đa %(size)s MB.") % {"size": EVIDENCE_MAX_BYTES // (1024 * 1024)}
    if upload.size == 0:
        return _("Tệp minh chứng rỗng.")
    kind = detect_kind(upload.file, name=upload.name or "") if upload.file is not None else None
    if kind is None:
        return _("Loại tệp minh chứng không được chấp nhận: chỉ nhận %(accepted)s.") % {"accepted": ACCEPTED_LABEL}
    if upload.size > kind.max_bytes:
        return _("Tệp %(kind)s quá lớn: tối đa %(size)s MB.") % {"kind": kind.label,
                                                           "size": kind.max_bytes // (1024 * 1024)}
    return kind.content_type, kind.extension


@transaction.atomic
def save_scores(*, actor: UserLike | None, assessment: Assessment,
                entries: Sequence[ScoreInput], expected_version: str | None = None) -> Assessment:
    """Record the officer's figures and points. Everything is checked first; one problem refuses all of it.

    A changed pre-filled figure is an override: it needs a reason and an evidence file (new, or one already kept
    for that sub-item), and the audit event names it. With ``expected_version`` (``assessment_version`` as the
    caller read it), ``StaleAssessment`` (nothing saved) when the assessment was saved since."""
    ensure_permitted(actor, ASSESS_COMMUNE, path=assessment.org_unit.path)
    assessment = _locked(assessment)
    if expected_version is not None and expected_version != assessment_version(assessment):
        raise StaleAssessment(assessment_version(assessment))
    if not assessment.is_editable:
        raise ValidationError({"status": _("Bản đánh giá đang “%(status)s”, không sửa được.")
                                          % {"status": assessment.get_status_display()}})
    scores = {score.sub_item.code: score for score in assessment.scores.select_related("sub_item")}
    with_evidence = set(Evidence.objects.filter(assessment=assessment, deleted_at__isnull=True,
                                                score__isnull=False).values_list("score__sub_item__code", flat=True))
    errors: dict[str, list[str]] = {}
    planned: list[tuple[Score, Decimal | None, Decimal, str, UploadedFile | None, tuple[str, str] | None]] = []
    for entry in entries:
        score = scores.get(entry.code)
        if score is None:
            errors.setdefault("scores", []).append(_("Không có mục %(code)s trong bảng điểm.") % {"code": entry.code})
            continue
        item = score.sub_item
        field = f"value_{item.code}"
        try:
            value = _number(entry.value)
            points = _number(entry.points)
        except ValueError:
            errors.setdefault(field, []).append(
                _("Mục %(code)s: “%(value)s” không phải là số.") % {"code": item.code, "value": entry.value})
            continue
        if value is not None and (problem := _check_value(item, value)):
            errors.setdefault(field, []).append(problem)
            continue
        if points is None:
            points = Decimal(item.points) if item.earns_points(value) else Decimal(0)
        elif points < 0:
            errors.setdefault(f"points_{item.code}", []).append(
                _("Mục %(code)s: điểm không được âm.") % {"code": item.code})
            continue
        elif points > item.points:
            errors.setdefault(f"points_{item.code}", []).append(
                _("Mục %(code)s: điểm %(points)s vượt quá điểm tối đa %(maximum)s của mục.")
                % {"code": item.code, "points": f"{points:f}", "maximum": item.points})
            continue
        elif points > 0 and not item.earns_points(value):
            errors.setdefault(f"points_{item.code}", []).append(
                _("Mục %(code)s: số liệu chưa đạt mức của mục nên không được tính điểm.") % {"code": item.code})
            continue
        reason = " ".join(entry.reason.split())
        kind: tuple[str, str] | None = None
        if entry.evidence is not None:
            found = _evidence_kind(entry.evidence)
            if isinstance(found, str):
                errors.setdefault(f"evidence_{item.code}", []).append(found)
                continue
            kind = found
        prefilled = score.prefilled_value
        if prefilled is not None and value != prefilled:
            if not reason:
                errors.setdefault(f"reason_{item.code}", []).append(
                    _("Mục %(code)s: số liệu khác số liệu điền sẵn (%(prefilled)s), cần ghi lý do.")
                    % {"code": item.code, "prefilled": format_points(prefilled)})
            if entry.evidence is None and item.code not in with_evidence:
                errors.setdefault(f"evidence_{item.code}", []).append(
                    _("Mục %(code)s: số liệu khác số liệu điền sẵn, cần tệp minh chứng.") % {"code": item.code})
        planned.append((score, value, points, reason, entry.evidence, kind))
    if errors:
        raise ValidationError(errors)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    overrides: list[str] = []
    for score, value, points, reason, upload, kind in planned:
        code = score.sub_item.code
        old = {"value": None if score.value is None else str(score.value), "points": str(score.points),
               "reason": score.override_reason}
        score.value, score.points, score.is_confirmed = value, points, True
        score.override_reason = reason if score.is_override else ""
        new = {"value": None if value is None else str(value), "points": str(points), "reason": score.override_reason}
        if score.is_override:
            overrides.append(code)
        if upload is not None and kind is not None:
            evidence = _store_evidence(actor=actor, assessment=assessment, score=score, upload=upload, kind=kind)
            new["evidence"] = evidence.sha256
        if old != {key: new[key] for key in old} or "evidence" in new:
            before[code], after[code] = old, new
        score.save(update_fields=["value", "points", "is_confirmed", "override_reason", "updated_at"])
    _update_total(assessment)
    if after:
        record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=assessment,
                     org_unit_path=assessment.org_unit.path, before=before,
                     after={**after, "overrides": overrides, "total": str(assessment.total)},
                     action="override_prefill" if overrides else "save_scores",
                     reason="; ".join(f"{score.sub_item.code}: {score.override_reason}" for score, *_ in planned
                                      if score.override_reason))
    return assessment


def _store_evidence(*, actor: UserLike | None, assessment: Assessment, score: Score, upload: UploadedFile,
                    kind: tuple[str, str]) -> Evidence:
    content_type, extension = kind
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original = (upload.name or "tep").replace("/", "_").replace("\\", "_")[:255]
    evidence = Evidence(assessment=assessment, score=score, original_name=original, content_type=content_type,
                        size=upload.size or 0, sha256=digest.hexdigest(),
                        uploaded_by_id=_actor_id(actor))
    try:
        evidence.file.save(f"minh-chung{extension}", upload, save=False)
    except OSError as error:
        if is_disk_full(error):
            raise ValidationError({f"evidence_{score.sub_item.code}": str(DISK_FULL_MESSAGE)}) from error
        raise
    evidence.full_clean()
    evidence.save()
    return evidence


@transaction.atomic
def submit_assessment(*, actor: UserLike | None, assessment: Assessment,
                      now: datetime | None = None) -> Assessment:
    """Send the self-assessment for review: every sub-item filled in; the band of the commune fixed."""
    ensure_permitted(actor, ASSESS_COMMUNE, path=assessment.org_unit.path)
    assessment = _locked(assessment)
    target = _ensure_transition(assessment, "submit")
    missing = [score.sub_item.code for score in assessment.scores.select_related("sub_item") if score.value is None]
    if missing:
        raise ValidationError({"scores": _("Còn mục chưa có số liệu: %(codes)s.") % {"codes": ", ".join(missing)}})
    band = CommuneBand.band_on(assessment.org_unit, reference_date(assessment.year))
    if band is None:
        raise ValidationError({"band": _(
            "%(unit)s chưa được xác định nhóm điểm chuẩn (miền núi, hải đảo, đặc biệt khó khăn / còn lại / phường "
            "thành phố).") % {"unit": assessment.org_unit.name}})
    before = _snapshot(assessment)
    assessment.band = band.band
    assessment.threshold = assessment.version.threshold_for(band.band)
    assessment.status = target
    assessment.submitted_at = now or timezone.now()
    assessment.submitted_by_id = _actor_id(actor)
    assessment.save()
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=assessment, org_unit_path=assessment.org_unit.path,
                 before=before, after=_snapshot(assessment), action="submit_assessment")
    notify_awaiting_review(assessment=assessment)
    return assessment


@transaction.atomic
def review_assessment(*, actor: UserLike | None, assessment: Assessment, decision: str, comment: str = "",
                      now: datetime | None = None) -> Assessment:
    """Recognise the commune (the rule must hold) or return the assessment with comments.

    Recognition writes DE_COMMUNE_CHILD_FRIENDLY = 1 for the year through ``enter_data_values``, so I01 counts it
    without anybody typing it; the value's comment names the assessment."""
    moment = now or timezone.now()
    reviewer = reviewing_unit_for(assessment.org_unit, on=timezone.localtime(moment).date())
    if reviewer is None:
        raise ValidationError({"decision": _("Không xác định được cấp thẩm định của xã.")})
    ensure_permitted(actor, REVIEW_ASSESSMENTS, path=reviewer.path)
    assessment = _locked(assessment)
    if decision not in ("recognise", "return"):
        raise ValidationError({"decision": _("Chọn công nhận hoặc trả lại.")})
    target = _ensure_transition(assessment, decision)
    comment = comment.strip()
    if decision == "return" and not comment:
        raise ValidationError({"comment": _("Trả lại cần ghi ý kiến để xã bổ sung.")})
    if decision == "recognise":
        result = recognition_of(assessment)
        if not result.is_recognisable:
            raise ValidationError({"decision": [_("Chưa đủ điều kiện công nhận."), *result.reasons()]})
    before = _snapshot(assessment)
    assessment.status = target
    assessment.review_comment = comment
    assessment.reviewed_at = moment
    assessment.reviewed_by_id = _actor_id(actor)
    assessment.reviewing_unit = reviewer
    if decision == "recognise":
        entry = enter_data_values(actor=None, org_unit=assessment.org_unit, year=assessment.year, values=[
            ValueInput(RECOGNISED_ELEMENT, 1, comment=f"Công nhận xã phù hợp với trẻ em, bản đánh giá số "
                                                      f"{assessment.pk}")], is_demo=assessment.is_demo)
        assessment.recognised_value = entry.values[0] if entry.values else None
    assessment.save()
    record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=assessment, org_unit_path=assessment.org_unit.path,
                 before=before, after=_snapshot(assessment), action=f"{decision}_assessment", reason=comment)
    if decision == "return":
        notify_returned(assessment=assessment)
    return assessment
