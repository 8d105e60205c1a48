"""Pages of the nutrition domain: the weighing day, a child's growth chart, the follow-up list, the Excel import."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from treem.core.access import has_capability, require
from treem.core.audit import labelled_changes, record_read
from treem.core.intake.errors import UploadRefused
from treem.core.intake.models import ImportStatus
from treem.core.intake.runner import confirm_import, read_progress
from treem.core.models import AuditEvent
from treem.core.office import TableSpec, add_table_sheet, new_workbook, workbook_bytes
from treem.hierarchy.models import OrgUnit
from treem.nutrition import selectors
from treem.nutrition.charts import growth_figures
from treem.nutrition.checks import Assessment, MeasurementValues, assess, parse_decimal
from treem.nutrition.importing import template_workbook, upload_measurements
from treem.nutrition.models import Measurement, Place, Position, age_in_days
from treem.nutrition.permissions import EXPORT_MEASUREMENTS, RECORD_MEASUREMENTS, VIEW_MEASUREMENTS
from treem.nutrition.prevalence import Indicator, latest_valid
from treem.nutrition.scoring import RowInput, score_rows
from treem.nutrition.selectors import INDICATOR_LABELS
from treem.nutrition.services import correct_measurement, delete_measurement, record_measurement
from treem.registry.models import Child

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- helpers -----------------------------------------------------------------------------------------------------


def _date_param(raw: str | None, *, default: date) -> tuple[date, str]:
    """A date typed as dd/mm/yyyy or yyyy-mm-dd; the default and a message when it cannot be read."""
    text = (raw or "").strip()
    if not text:
        return default, ""
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day), ""
        return date.fromisoformat(text), ""
    except (ValueError, TypeError):
        return default, _("Ngày '%(text)s' không đọc được; dùng dd/mm/yyyy.") % {"text": text}


def _commune(request: HttpRequest, *, on: date, capability: str) -> tuple[OrgUnit | None, list[OrgUnit]]:
    """The commune asked for (``?xa=<uid>``), or the user's only commune; and the communes to choose from."""
    communes = list(selectors.communes_for(request.user, on=on, capability=capability))
    uid = request.GET.get("xa") or request.POST.get("xa")
    if uid:
        return selectors.commune_for(request.user, uid=uid, capability=capability), communes
    return (communes[0] if len(communes) == 1 else None), communes


def _decimal_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


# ---- landing page ------------------------------------------------------------------------------------------------


@require(VIEW_MEASUREMENTS)
def index(request: HttpRequest) -> HttpResponse:
    """The commune's picture for the year (latest valid measurement of each child) and the ways in."""
    today = timezone.localdate()
    year = _year(request, default=today.year)
    commune, communes = _commune(request, on=today, capability=VIEW_MEASUREMENTS)
    summary = []
    if commune is not None:
        rows = list(selectors.measurements_for(request.user).filter(
            org_unit__path__startswith=commune.path, measured_on__year=year,
        ).values_list(*selectors.MEASUREMENT_ARRAY_FIELDS))
        arrays = selectors.measurement_arrays(rows)
        for indicator in Indicator:
            result = latest_valid(arrays, indicator)
            share = result.share_below_minus_two()
            summary.append({"label": INDICATOR_LABELS[indicator], "children": result.children,
                            "below": result.below_minus_two, "severe": result.below_minus_three,
                            "percent": None if share is None else share * 100})
    return render(request, "nutrition/index.html", {
        "commune": commune, "communes": communes, "year": year, "summary": summary,
        "can_record": has_capability(request.user, RECORD_MEASUREMENTS),
        "is_demo": commune is not None and selectors.has_demo_measurements(commune=commune),
    })


def _year(request: HttpRequest, *, default: int) -> int:
    try:
        year = int(request.GET.get("nam") or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


# ---- the weighing day --------------------------------------------------------------------------------------------


@require(RECORD_MEASUREMENTS)
def weighing_day(request: HttpRequest) -> HttpResponse:
    """The list of the commune's children under five, one row each, for fast keyboard entry on a weighing day."""
    today = timezone.localdate()
    on, date_error = _date_param(request.GET.get("ngay"), default=today)
    if on > today:
        on, date_error = today, "Ngày cân không được ở tương lai; đang dùng ngày hôm nay."
    commune, communes = _commune(request, on=on, capability=RECORD_MEASUREMENTS)
    rows = selectors.weighing_rows(request.user, commune=commune, on=on, capability=RECORD_MEASUREMENTS) \
        if commune is not None else []
    place = request.GET.get("noi") or Place.HEALTH_STATION
    if place not in Place.values:
        place = Place.HEALTH_STATION
    measured_by = request.GET.get("nguoi_can") or getattr(request.user, "full_name", "") or ""
    return render(request, "nutrition/weighing_day.html", {
        "commune": commune, "communes": communes, "on": on, "date_error": date_error, "rows": rows,
        "places": Place.choices, "place": place, "measured_by": measured_by, "positions": Position.choices,
        "saved_count": sum(1 for row in rows if row.measurement is not None),
        "is_demo": any(row.child.is_demo for row in rows),
    })


def _row_values(request: HttpRequest) -> tuple[Child, MeasurementValues | None, dict[str, str], date]:
    """The child and the typed values of one weighing-day row; field errors for values that are not numbers."""
    try:
        child_id = int(request.POST.get("child", ""))
    except ValueError as error:
        raise Http404 from error
    child = selectors.child_for(request.user, child_id=child_id, capability=RECORD_MEASUREMENTS)
    today = timezone.localdate()
    on, date_error = _date_param(request.POST.get("ngay"), default=today)
    errors: dict[str, str] = {}
    if date_error:
        errors["measured_on"] = date_error
    weight, weight_error = parse_decimal(request.POST.get("weight_kg"))
    length, length_error = parse_decimal(request.POST.get("length_cm"))
    if weight_error:
        errors["weight_kg"] = weight_error
    if length_error:
        errors["length_cm"] = length_error
    position = request.POST.get("position", "")
    if errors:
        return child, None, errors, on
    values = MeasurementValues(measured_on=on, weight_kg=weight, length_cm=length, position=position,
                               has_oedema=request.POST.get("has_oedema") in ("1", "on", "true"))
    return child, values, {}, on


def _confirmation_token(child: Child, values: MeasurementValues) -> str:
    """Ties a confirmation of warnings to the exact values that raised them."""
    text = "|".join(str(part) for part in (child.pk, values.measured_on, values.weight_kg, values.length_cm,
                                           values.position, values.has_oedema))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _assess_row(child: Child, values: MeasurementValues) -> Assessment:
    return assess(values, sex=child.sex, birth_date=child.birth_date, age_days=age_in_days(child,
                  values.measured_on), previous=selectors.previous_measurement(child, before=values.measured_on),
                  today=timezone.localdate())


def _is_empty(values: MeasurementValues | None) -> bool:
    return values is not None and values.weight_kg is None and values.length_cm is None


def _render_result(request: HttpRequest, child: Child, context: dict[str, Any], *, status: str = "",
                   trigger: dict[str, Any] | None = None) -> HttpResponse:
    response = render(request, "nutrition/weighing_day.html#row-result",
                      {"child": child, "status": status, "oob": True, **context})
    if trigger:
        response["HX-Trigger"] = json.dumps(trigger)
    return response


@require(RECORD_MEASUREMENTS)
@require_POST
def weighing_preview(request: HttpRequest) -> HttpResponse:
    """The scores, flags and warnings of a row's typed values, before anything is saved."""
    child, values, errors, _ = _row_values(request)
    if values is None or _is_empty(values):
        return _render_result(request, child, {"errors": errors})
    assessment = _assess_row(child, values)
    stored = selectors.measurement_on(child, on=values.measured_on)
    status = "saved" if stored is not None and _same_values(stored, values) else ""
    return _render_result(request, child, {"assessment": assessment, "errors": assessment.errors,
                                           "measurement": stored if status else None}, status=status)


def _same_values(stored: Measurement, values: MeasurementValues) -> bool:
    """Whether the typed values are those already saved (a preview of a saved row still says it is saved)."""
    return (stored.weight_kg, stored.length_cm, stored.position, stored.has_oedema) == (
        values.weight_kg, values.length_cm, values.position, values.has_oedema)


@require(RECORD_MEASUREMENTS)
@require_POST
def weighing_save(request: HttpRequest) -> HttpResponse:
    """Save a row; a row with warnings is saved only when the officer confirms the same values (second Enter)."""
    child, values, errors, _ = _row_values(request)
    if values is None or _is_empty(values):
        errors = errors or {"weight_kg": "Chưa nhập cân nặng hoặc chiều dài/chiều cao."}
        return _render_result(request, child, {"errors": errors}, trigger={"weighing-error": {"child": child.pk}})
    assessment = _assess_row(child, values)
    if assessment.errors:
        return _render_result(request, child, {"assessment": assessment, "errors": assessment.errors},
                              trigger={"weighing-error": {"child": child.pk}})
    token = _confirmation_token(child, values)
    if assessment.needs_confirmation and request.POST.get("confirmed") != token:
        return _render_result(request, child, {"assessment": assessment, "token": token}, status="confirm",
                              trigger={"weighing-confirm": {"child": child.pk}})
    place = request.POST.get("noi") if request.POST.get("noi") in Place.values else Place.HEALTH_STATION
    try:
        saved = record_measurement(
            actor=request.user, child=child, measured_on=values.measured_on, weight_kg=values.weight_kg,
            length_cm=values.length_cm, position=values.position, has_oedema=values.has_oedema,
            place=place or Place.HEALTH_STATION, measured_by=(request.POST.get("nguoi_can") or "")[:150],
        )
    except ValidationError as error:
        messages_by_field = getattr(error, "message_dict", {"weight_kg": error.messages})
        return _render_result(request, child, {"errors": {key: " ".join(value) for key, value in
                                                          messages_by_field.items()}},
                              trigger={"weighing-error": {"child": child.pk}})
    return _render_result(request, child, {"assessment": assessment, "measurement": saved.measurement},
                          status="saved", trigger={"weighing-saved": {"child": child.pk}})


# ---- a child's growth ---------------------------------------------------------------------------------------------


@require(VIEW_MEASUREMENTS)
def child_growth(request: HttpRequest, child_id: int) -> HttpResponse:
    """The child's measurements with their scores, WHO growth charts (printable) and the history of changes."""
    child = selectors.child_for(request.user, child_id=child_id)
    record_read(actor=request.user, obj=child, org_unit_path=child.commune.path, reason="Xem biểu đồ tăng trưởng")
    measurements = list(selectors.child_measurements(child))
    adjusted = _adjusted_lengths(child, measurements)
    figures = growth_figures(sex=child.sex, measurements=measurements, adjusted=adjusted)
    today = timezone.localdate()
    history = [(event, labelled_changes(event.before, event.after, model=Measurement)
                if event.verb == AuditEvent.Verb.UPDATE else []) for event in selectors.child_history(child)[:50]]
    return render(request, "nutrition/child.html", {
        "child": child, "measurements": measurements, "figures": figures,
        "history": history, "age_days": age_in_days(child, today), "today": today,
        "can_record": has_capability(request.user, RECORD_MEASUREMENTS),
    })


def _adjusted_lengths(child: Child, measurements: list[Measurement]) -> dict[int, float]:
    with_length = [item for item in measurements if item.length_cm is not None]
    scores = score_rows([RowInput(sex=child.sex, age_days=None if item.age_days is None else float(item.age_days),
                                  length_cm=item.length_cm, measured=item.position) for item in with_length])
    return {item.pk: result.adjusted_length_cm for item, result in zip(with_length, scores, strict=True)
            if result.adjusted_length_cm is not None}


@require(RECORD_MEASUREMENTS)
@require_http_methods(["GET", "POST"])
def edit_measurement(request: HttpRequest, measurement_id: int) -> HttpResponse:
    """Correct a measurement (with a reason); warnings are shown and must be confirmed, like on the weighing day."""
    measurement = selectors.measurement_for(request.user, measurement_id=measurement_id,
                                            capability=RECORD_MEASUREMENTS)
    child = measurement.child
    context: dict[str, Any] = {"measurement": measurement, "child": child, "places": Place.choices,
                               "positions": Position.choices, "errors": {}}
    form = {
        "ngay": f"{measurement.measured_on:%d/%m/%Y}", "weight_kg": _decimal_text(measurement.weight_kg),
        "length_cm": _decimal_text(measurement.length_cm), "position": measurement.position,
        "has_oedema": measurement.has_oedema, "place": measurement.place, "measured_by": measurement.measured_by,
        "reason": "",
    }
    if request.method == "POST":
        form.update({key: request.POST.get(key, "") for key in ("ngay", "weight_kg", "length_cm", "position",
                                                                  "place", "measured_by", "reason")})
        form["has_oedema"] = request.POST.get("has_oedema") in ("1", "on")
        outcome = _correct(request, measurement, form)
        if isinstance(outcome, HttpResponse):
            return outcome
        context.update(outcome)
    context["form"] = form
    return render(request, "nutrition/edit.html", context)


def _correct(request: HttpRequest, measurement: Measurement, form: dict[str, Any]) -> HttpResponse | dict[str, Any]:
    errors: dict[str, str] = {}
    on, date_error = _date_param(form["ngay"], default=measurement.measured_on)
    if date_error:
        errors["measured_on"] = date_error
    weight, weight_error = parse_decimal(form["weight_kg"])
    length, length_error = parse_decimal(form["length_cm"])
    for key, error in (("weight_kg", weight_error), ("length_cm", length_error)):
        if error:
            errors[key] = error
    if not str(form["reason"]).strip():
        errors["reason"] = "Cần ghi lý do sửa."
    if errors:
        return {"errors": errors}
    values = MeasurementValues(measured_on=on, weight_kg=weight, length_cm=length, position=form["position"],
                               has_oedema=bool(form["has_oedema"]))
    child = measurement.child
    assessment = assess(values, sex=child.sex, birth_date=child.birth_date, age_days=age_in_days(child, on),
                        previous=selectors.previous_measurement(child, before=on), today=timezone.localdate())
    if assessment.errors:
        return {"errors": assessment.errors, "assessment": assessment}
    token = _confirmation_token(child, values)
    if assessment.needs_confirmation and request.POST.get("confirmed") != token:
        return {"assessment": assessment, "token": token}
    place = form["place"] if form["place"] in Place.values else Place.HEALTH_STATION
    try:
        correct_measurement(actor=request.user, measurement=measurement, reason=str(form["reason"]).strip(),
                            changes={"measured_on": on, "weight_kg": weight, "length_cm": length,
                                     "position": values.position, "has_oedema": values.has_oedema, "place": place,
                                     "measured_by": str(form["measured_by"]).strip()[:150]})
    except ValidationError as error:
        return {"errors": {key: " ".join(value) for key, value in getattr(
            error, "message_dict", {"weight_kg": error.messages}).items()}}
    messages.success(request, _("Đã sửa số đo; giá trị cũ được lưu trong lịch sử."))
    return redirect("nutrition:child", child_id=child.pk)


@require(RECORD_MEASUREMENTS)
@require_POST
def remove_measurement(request: HttpRequest, measurement_id: int) -> HttpResponse:
    """Soft-delete a measurement with a reason."""
    measurement = selectors.measurement_for(request.user, measurement_id=measurement_id,
                                            capability=RECORD_MEASUREMENTS)
    try:
        delete_measurement(actor=request.user, measurement=measurement, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã xoá số đo ngày %(day)s; vẫn xem được trong lịch sử.") % {
            "day": f"{measurement.measured_on:%d/%m/%Y}"})
    return redirect("nutrition:child", child_id=measurement.child_id)


# ---- follow-up list ----------------------------------------------------------------------------------------------


FOLLOW_UP_HEADERS = ("STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Thôn/bản", "Ngày cân gần nhất",
                     "WAZ", "HAZ", "WHZ", "Suy dinh dưỡng")


@require(VIEW_MEASUREMENTS)
def follow_up(request: HttpRequest) -> HttpResponse:
    """Children of a commune below −2 at their latest valid measurement of the last 12 months; Excel export."""
    today = timezone.localdate()
    on, date_error = _date_param(request.GET.get("ngay"), default=today)
    commune, communes = _commune(request, on=on, capability=VIEW_MEASUREMENTS)
    rows = selectors.follow_up_rows(request.user, commune=commune, on=on) if commune is not None else []
    if commune is not None and request.GET.get("xuat") == "xlsx":
        return _export_follow_up(request, commune=commune, on=on, rows=rows)
    return render(request, "nutrition/follow_up.html", {
        "commune": commune, "communes": communes, "on": on, "date_error": date_error, "rows": rows,
        "since": on - timedelta(days=365), "can_export": has_capability(request.user, EXPORT_MEASUREMENTS),
        "labels": {indicator.value: label for indicator, label in INDICATOR_LABELS.items()},
        "is_demo": any(row.child.is_demo for row in rows),
    })


def _score_cell(row: selectors.FollowUpRow, name: str) -> float | None:
    item = row.scores.get(name)
    value = getattr(item, name) if item is not None else None
    return None if value is None else float(value)


def _export_follow_up(request: HttpRequest, *, commune: OrgUnit, on: date,
                      rows: list[selectors.FollowUpRow]) -> HttpResponse:
    if not has_capability(request.user, EXPORT_MEASUREMENTS):
        raise Http404
    labels = {"waz": "nhẹ cân", "haz": "thấp còi", "whz": "gầy còm"}
    table_rows = []
    for number, row in enumerate(rows, start=1):
        child = row.child
        forms = [labels[name] + (" (nặng)" if name in row.severe else "") for name in row.below]
        table_rows.append([
            number, child.full_name, child.birth_date_label, child.get_sex_display(),
            child.ethnic_group.name if child.ethnic_group else "", child.village.name if child.village else "",
            row.latest_measured_on, _score_cell(row, "waz"), _score_cell(row, "haz"), _score_cell(row, "whz"),
            ", ".join(forms),
        ])
    workbook = new_workbook()
    demo = " – DỮ LIỆU TRÌNH DIỄN" if any(row.child.is_demo for row in rows) else ""
    add_table_sheet(
        workbook, sheet_title="Trẻ cần theo dõi",
        title=f"Trẻ em dưới 5 tuổi suy dinh dưỡng cần theo dõi – {commune.name}{demo}",
        subtitle=(f"Lần cân hợp lệ gần nhất trong 12 tháng đến {on:%d/%m/%Y}; chỉ số Z theo chuẩn WHO 2006. "
                  "Tài liệu có thông tin cá nhân của trẻ em: chỉ dùng cho việc theo dõi, chăm sóc."),
        table=TableSpec(headers=FOLLOW_UP_HEADERS, rows=table_rows, number_columns=frozenset({7, 8, 9}),
                        decimals=2),
    )
    record_read(actor=request.user, obj=commune, org_unit_path=commune.path, verb=AuditEvent.Verb.EXPORT,
                reason=f"Xuất danh sách {len(rows)} trẻ suy dinh dưỡng cần theo dõi ({on:%d/%m/%Y})")
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="tre-can-theo-doi-{commune.code}-{on:%Y%m%d}.xlsx"'
    return response


# ---- Excel import -------------------------------------------------------------------------------------------------


@require(RECORD_MEASUREMENTS)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file; it is checked in a dry run and shown for confirmation before anything is written."""
    today = timezone.localdate()
    commune, communes = _commune(request, on=today, capability=RECORD_MEASUREMENTS)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        error = "" if upload is not None else "Chọn tệp Excel hoặc CSV để nhập."
        if commune is None:
            error = error or "Chọn xã."
        if not error and upload is not None and commune is not None:
            try:
                record = upload_measurements(actor=request.user, upload=upload,  # type: ignore[arg-type]
                                             commune=commune, as_of=today)
            except UploadRefused as refused:
                error = str(refused)
            else:
                return redirect("nutrition:import_detail", import_id=record.pk)
    return render(request, "nutrition/import.html", {
        "commune": commune, "communes": communes, "error": error, "today": today,
        "imports": selectors.imports_for(request.user, capability=RECORD_MEASUREMENTS).defer("summary", "preview")[:10],
    })


@require(RECORD_MEASUREMENTS)
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The preview of an uploaded file (confirm to import), the progress of a large file imported in the background,
    or the outcome of every row of a finished import."""
    record = selectors.import_for(request.user, import_id=import_id, capability=RECORD_MEASUREMENTS)
    if request.method == "POST":
        if record.status != ImportStatus.UPLOADED:
            return HttpResponseBadRequest("Tệp này đã được nhập.")
        try:
            record = confirm_import(actor=request.user, record=record)  # type: ignore[arg-type]
        except UploadRefused as error:
            messages.error(request, str(error))
        if record.status == ImportStatus.DONE and record.summary:
            summary = record.summary
            messages.success(request, _("Đã nhập %(rows)s dòng: %(created)s thêm mới, %(updated)s cập nhật, "
                                        "%(rejected)s bị từ chối.") % {
                "rows": summary["rows"], "created": summary["created"], "updated": summary["updated"],
                "rejected": summary["rejected"]})
        return redirect("nutrition:import_detail", import_id=record.pk)
    report = record.summary or record.preview or {}
    context = {"record": record, "report": report, "progress": read_progress(record)}
    if request.headers.get("HX-Request") == "true":
        return render(request, "nutrition/import_detail.html#status", context)
    return render(request, "nutrition/import_detail.html", context)


@require(RECORD_MEASUREMENTS)
def import_rejected(request: HttpRequest, import_id: int) -> FileResponse:
    """The rejected rows of an import as .xlsx (original cells and the reason), to fix and import again."""
    record = selectors.import_for(request.user, import_id=import_id, capability=RECORD_MEASUREMENTS)
    if not record.rejected_file or not Path(record.rejected_file).exists():
        raise Http404("Lần nhập này không có dòng bị từ chối.")
    stem = Path(record.original_name).stem or "tep"
    return FileResponse(Path(record.rejected_file).open("rb"), as_attachment=True, content_type=XLSX,
                        filename=f"{stem}-dong-bi-tu-choi.xlsx")


@require(RECORD_MEASUREMENTS)
def import_template(request: HttpRequest) -> HttpResponse:
    """A workbook listing the commune's children under five, ready to fill in on a weighing day."""
    today = timezone.localdate()
    on, _date_error = _date_param(request.GET.get("ngay"), default=today)
    commune, _communes = _commune(request, on=on, capability=RECORD_MEASUREMENTS)
    if commune is None:
        raise Http404(_("Chọn xã."))
    children = list(selectors.children_to_weigh(request.user, commune=commune, on=on,
                                                capability=RECORD_MEASUREMENTS))
    record_read(actor=request.user, obj=commune, org_unit_path=commune.path, verb=AuditEvent.Verb.EXPORT,
                reason=f"Tải mẫu cân đo có danh sách {len(children)} trẻ dưới 5 tuổi")
    response = HttpResponse(template_workbook(children, measured_on=on, commune=commune), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-can-do-{commune.code}-{on:%Y%m%d}.xlsx"'
    return response
