"""Pages of the child-friendly assessment: the overview of an area, one assessment (scoring, submitting,
reviewing), the printable record and the summary table. Reads are selectors, writes services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from treem.childfriendly import exports, selectors, services
from treem.childfriendly.models import Assessment, SubItem
from treem.childfriendly.permissions import ASSESS_COMMUNE, REVIEW_ASSESSMENTS, VIEW_ASSESSMENTS
from treem.childfriendly.rules import format_points
from treem.core.access import has_capability, require
from treem.core.audit import record_read
from treem.core.models import AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year(request: HttpRequest) -> int:
    raw = (request.GET.get("nam") or request.POST.get("nam") or "").strip()
    today = timezone.localdate()
    if raw.isdigit() and 2019 <= int(raw) <= today.year + 1:
        return int(raw)
    return today.year


@require(VIEW_ASSESSMENTS)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows = selectors.overview(request.user, year=year)
    assessed = {row.org_unit.pk for row in rows if row.assessment is not None}
    startable = ([unit for unit in selectors.communes_to_assess(request.user, year=year) if unit.pk not in assessed]
                 if has_capability(request.user, ASSESS_COMMUNE) else [])
    recognised = sum(1 for row in rows if row.assessment and row.assessment.status == Assessment.Status.RECOGNISED)
    return render(request, "childfriendly/index.html", {
        "year": year, "rows": rows, "startable": startable, "recognised": recognised,
        "years": list(range(timezone.localdate().year + 1, 2018, -1)),
    })


@require(ASSESS_COMMUNE)
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    raw = request.POST.get("org_unit", "")
    unit = next((unit for unit in selectors.communes_to_assess(request.user, year=year) if str(unit.pk) == raw),
                None)
    if unit is None:
        messages.error(request, _("Chọn một xã trong phạm vi của bạn, có hiệu lực trong năm đánh giá."))
        return redirect(f"{_index_url()}?nam={year}")
    try:
        created = services.start_assessment(actor=request.user, org_unit=unit, year=year)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{_index_url()}?nam={year}")
    return redirect("childfriendly:assessment", assessment_id=created.pk)


def _index_url() -> str:
    return reverse("childfriendly:index")


def _rule_points(item: SubItem, value: Decimal | None) -> Decimal:
    return Decimal(item.points) if item.earns_points(value) else Decimal(0)


def _page(request: HttpRequest, assessment: Assessment, *, errors: dict[str, list[str]] | None = None,
          posted: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    errors = errors or {}
    posted = posted or {}
    today = timezone.localdate()
    result = selectors.recognition_of(assessment)
    evidence_by_score: dict[int, list[Any]] = {}
    for kept in selectors.evidence_of(assessment):
        evidence_by_score.setdefault(kept.score_id or 0, []).append(kept)
    criteria: list[dict[str, Any]] = []
    by_number = {criterion.number: criterion for criterion in result.criteria}
    for score in selectors.scores_of(assessment):
        item = score.sub_item
        criterion = item.criterion
        if not criteria or criteria[-1]["number"] != criterion.number:
            criteria.append({"number": criterion.number, "name": criterion.name,
                             "result": by_number.get(criterion.number), "rows": []})
        code = item.code
        criteria[-1]["rows"].append({
            "score": score, "item": item,
            "value": posted.get(f"value_{code}", "" if score.value is None else format_points(score.value)),
            # Empty while the points are the rule's, so that a figure typed later earns its points by the rule;
            # the officer types points only to give fewer. The points standing now show as the placeholder.
            "points": posted.get(f"points_{code}", "" if score.points == _rule_points(item, score.value)
                                 else format_points(score.points)),
            "points_now": format_points(score.points),
            "reason": posted.get(f"reason_{code}", score.override_reason),
            "prefilled": None if score.prefilled_value is None else format_points(score.prefilled_value),
            "evidence": evidence_by_score.get(score.pk, []),
            "errors": [*errors.get(f"value_{code}", []), *errors.get(f"points_{code}", []),
                       *errors.get(f"reason_{code}", []), *errors.get(f"evidence_{code}", [])],
        })
    general = [message for key, values in errors.items() if not key.startswith(("value_", "points_", "reason_",
                                                                                 "evidence_"))
               for message in values]
    return render(request, "childfriendly/assessment.html", {
        "assessment": assessment, "criteria": criteria, "result": result, "errors": general,
        "threshold": selectors.threshold_of(assessment), "band": selectors.band_of(assessment),
        "total": format_points(result.total),
        "can_assess": selectors.can_assess(request.user, assessment),
        "can_review": selectors.can_review(request.user, assessment, on=today),
        "reviewer": selectors.reviewing_unit_for(assessment.org_unit, on=today),
        "recognised_value": assessment.recognised_value,
    }, status=status)


@require(VIEW_ASSESSMENTS)
@require_GET
def assessment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return _page(request, selectors.assessment_for(request.user, assessment_id=assessment_id))


def _errors_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {key: [message for item in values for message in item.messages]
                for key, values in error.error_dict.items()}
    return {"__all__": error.messages}


@require(ASSESS_COMMUNE)
@require_POST
def scores(request: HttpRequest, assessment_id: int) -> HttpResponse:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    entries = []
    for score in selectors.scores_of(found):
        code = score.sub_item.code
        if f"value_{code}" not in request.POST:
            continue
        entries.append(services.ScoreInput(
            code=code, value=request.POST.get(f"value_{code}"), points=request.POST.get(f"points_{code}") or None,
            reason=request.POST.get(f"reason_{code}", ""), evidence=request.FILES.get(f"evidence_{code}")))
    try:
        services.save_scores(actor=request.user, assessment=found, entries=entries)
    except ValidationError as error:
        found.refresh_from_db()
        return _page(request, found, errors=_errors_of(error), posted=request.POST.dict(), status=422)
    messages.success(request, _("Đã lưu điểm."))
    return redirect("childfriendly:assessment", assessment_id=found.pk)


@require(ASSESS_COMMUNE)
@require_POST
def submit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    try:
        services.submit_assessment(actor=request.user, assessment=found)
    except ValidationError as error:
        return _page(request, found, errors=_errors_of(error), status=422)
    messages.success(request, _("Đã gửi bản tự đánh giá để thẩm định."))
    return redirect("childfriendly:assessment", assessment_id=found.pk)


@require(REVIEW_ASSESSMENTS)
@require_POST
def review(request: HttpRequest, assessment_id: int) -> HttpResponse:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    try:
        services.review_assessment(actor=request.user, assessment=found, decision=request.POST.get("decision", ""),
                                   comment=request.POST.get("comment", ""))
    except ValidationError as error:
        found.refresh_from_db()
        return _page(request, found, errors=_errors_of(error), status=422)
    messages.success(request, _("Đã ghi kết quả thẩm định."))
    return redirect("childfriendly:assessment", assessment_id=found.pk)


@require(VIEW_ASSESSMENTS)
@require_GET
def record_docx(request: HttpRequest, assessment_id: int) -> HttpResponse:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    content = exports.assessment_record(found, today=timezone.localdate())
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = (f'attachment; filename="danh-gia-xa-phu-hop-tre-em-{found.org_unit.code}-'
                                       f'{found.year}.docx"')
    return response


@require(VIEW_ASSESSMENTS)
@require_GET
def summary_xlsx(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows = selectors.overview(request.user, year=year)
    content = exports.summary_workbook(rows, year=year, area=_("Phạm vi của người xuất: các xã được phân công"))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="tong-hop-xa-phu-hop-tre-em-{year}.xlsx"'
    return response


@require(VIEW_ASSESSMENTS)
@require_GET
def evidence(request: HttpRequest, assessment_id: int, evidence_id: int) -> FileResponse:
    found = selectors.assessment_for(request.user, assessment_id=assessment_id)
    item = selectors.evidence_for(request.user, assessment=found, evidence_id=evidence_id)
    try:
        handle = item.file.open("rb")
    except OSError as error:
        raise Http404(_("Tệp không còn trên máy chủ.")) from error
    record_read(actor=request.user, obj=item, verb=AuditEvent.Verb.EXPORT, org_unit_path=found.org_unit.path)
    return FileResponse(handle, as_attachment=True, filename=item.original_name, content_type=item.content_type)

