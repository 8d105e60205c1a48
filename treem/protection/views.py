"""Pages of the protection domain: the worker's queue, the case page (a timeline with the open step's form), the
supervisor's caseload, emergency access, figures without identities, and the incident register.

Every case page goes through ``selectors.case_for`` / ``open_case``: a case the user is not entitled to open is the
same 404 as a missing one, and each opening and print is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from treem.core.access import NOT_FOUND_MESSAGE, has_capability, require
from treem.core.audit import record_read
from treem.core.models import AuditEvent
from treem.notices.selectors import unread_count
from treem.protection import selectors, services
from treem.protection.documents import FORM_STEPS, UnknownForm, form_numbers, render_case_form
from treem.protection.exports import incidents_workbook
from treem.protection.forms import (
    STEP_FORMS,
    ApprovalForm,
    BreakGlassForm,
    CaseEditForm,
    CaseReportForm,
    DeliveryForm,
    FollowUpForm,
    IncidentFilterForm,
    IncidentForm,
    PlanForm,
    ReferralForm,
    ReferralResponseForm,
    ServiceForm,
    TransferForm,
    outcome_from,
)
from treem.protection.models import Case, IncidentKind, Referral
from treem.protection.permissions import (
    BREAK_GLASS,
    RECORD_INCIDENTS,
    SUPERVISE_CASES,
    VIEW_INCIDENTS,
    VIEW_PROTECTION_COUNTS,
    WORK_CASES,
)
from treem.protection.workflow import STEP_RULES, StepKind
from treem.registry.selectors import child_for as registry_child_for


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("nam", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


# ---------------------------------------------------------------------------------------------------------------
# The worker's queue and the supervisor's caseload


@require(WORK_CASES)
def queue(request: HttpRequest) -> HttpResponse:
    """My cases and the steps due, overdue first; names masked unless asked for (and then audited)."""
    now = timezone.now()
    cases = list(selectors.my_cases(request.user).order_by("-status", "-reported_at"))
    show_names = request.GET.get("ten") == "1"
    if show_names:
        for case in cases:
            record_read(actor=request.user, obj=case, org_unit_path=case.org_unit.path,
                        reason="Hiện tên trong danh sách trường hợp của tôi")
    steps = list(selectors.steps_due_for(request.user))
    others = list(selectors.cases_for(request.user).exclude(pk__in=[case.pk for case in cases])
                  .order_by("-status", "-reported_at")[:500])
    return render(request, "protection/queue.html", {
        "cases": cases, "steps": steps, "now": now, "show_names": show_names, "other_cases": others,
        "unread": unread_count(request.user),
        "counts": selectors.case_counts(request.user), "can_break_glass": has_capability(request.user, BREAK_GLASS),
    })


@require(SUPERVISE_CASES)
def caseload(request: HttpRequest) -> HttpResponse:
    """The supervisor's team: each worker's open cases and steps, overdue first (case numbers and initials)."""
    return render(request, "protection/caseload.html", {
        "loads": selectors.team_caseload(request.user), "now": timezone.now(),
    })


# ---------------------------------------------------------------------------------------------------------------
# Reporting, opening and editing a case


@require(WORK_CASES)
def case_new(request: HttpRequest) -> HttpResponse:
    """Receive a report (Mẫu 01)."""
    communes = selectors.communes_for_cases(request.user, on=timezone.localdate())
    form = CaseReportForm(request.POST or None, communes=communes,
                          initial={"reported_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.report_case(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            form.add_error("org_unit", str(error))
        else:
            messages.success(request, _("Đã tiếp nhận hồ sơ %(number)s. Bước tiếp theo: xác minh, đánh giá nguy cơ "
                                        "ban đầu.") % {"number": case.number})
            return redirect("protection:case", case_id=case.pk)
    return render(request, "protection/case_new.html", {"form": form})


def _case_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    step = selectors.open_step(case)
    plan = selectors.current_plan(case)
    context: dict[str, Any] = {
        "case": case, "step": step, "plan": plan, "now": timezone.now(),
        "workers": selectors.current_workers(case), "timeline": selectors.timeline_of(case),
        "referrals": selectors.referrals_of(case),
        "forms": [(number, STEP_RULES[FORM_STEPS[number]].form_title) for number in form_numbers()],
        "can_transfer": selectors.can_transfer_case(request.user, case),
        "emergency": selectors.emergency_access_of(request.user, case),
        "origin": selectors.external_origin_of(case),
    }
    if step is not None and step.kind in STEP_FORMS:
        context["step_form"] = forms.get("step_form") or STEP_FORMS[step.kind](prefix="step")
    if step is not None and step.kind == StepKind.PLAN:
        draft = step.plan
        context["plan_form"] = forms.get("plan_form") or PlanForm(instance=draft, prefix="plan")
        context["draft"] = draft
        context["service_form"] = forms.get("service_form") or ServiceForm(prefix="service")
        context["approval_form"] = forms.get("approval_form") or ApprovalForm(prefix="approval")
    if plan is not None:
        context["services"] = plan.services.select_related("provider_agency")
        context["delivery_form"] = forms.get("delivery_form") or DeliveryForm(prefix="delivery")
        context["delivery_service_id"] = forms.get("delivery_service_id")
        if step is not None and step.kind == StepKind.SERVICES and "service_form" not in context:
            context["service_form"] = forms.get("service_form") or ServiceForm(prefix="service")
    context["referral_form"] = forms.get("referral_form") or ReferralForm(prefix="referral")
    context["response_form"] = forms.get("response_form") or ReferralResponseForm(prefix="response")
    context["follow_up_form"] = forms.get("follow_up_form") or FollowUpForm(prefix="followup")
    context["form_referral_id"] = forms.get("form_referral_id")
    return context


@require(WORK_CASES)
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case as a timeline, its open step with its deadline and form, the plan, services and referrals."""
    if request.method == "GET":
        case = selectors.open_case(request.user, case_id=case_id)
        return render(request, "protection/case.html", _case_context(request, case))
    case = selectors.case_for(request.user, case_id=case_id)
    action = request.POST.get("action", "")
    handler = CASE_ACTIONS.get(action)
    if handler is None:
        raise Http404(NOT_FOUND_MESSAGE)
    if case.is_closed:
        messages.error(request, _("Hồ sơ đã đóng, không ghi thêm được."))
        return redirect("protection:case", case_id=case.pk)
    result = handler(request, case)
    if isinstance(result, HttpResponse):
        return result
    record_read(actor=request.user, obj=case, org_unit_path=case.org_unit.path)
    return render(request, "protection/case.html", _case_context(request, case, **result), status=400)


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("protection:case", case_id=case.pk)


def _action_complete_step(request: HttpRequest, case: Case) -> HttpResponse | dict[str, Any]:
    step = selectors.case_step_for(request.user, case=case, step_id=request.POST.get("step", ""))
    if step.kind not in STEP_FORMS:
        raise Http404(NOT_FOUND_MESSAGE)
    form = STEP_FORMS[step.kind](request.POST, prefix="step")
    if not form.is_valid():
        return {"step_form": form}
    data = dict(form.cleaned_data)
    try:
        services.complete_step(actor=request.user, step=step, outcome=outcome_from(step.kind, data),  # type: ignore[arg-type]
                               data=data)
    except services.StepAlreadyDoneError as error:
        messages.warning(request, str(error))
        return redirect("protection:case", case_id=case.pk)
    except ValidationError as error:
        _add_errors(form, error)
        return {"step_form": form}
    return _done(request, case, _("Đã hoàn thành bước “%(step)s”.") % {"step": step.get_kind_display()})


def _action_save_plan(request: HttpRequest, case: Case) -> HttpResponse | dict[str, Any]:
    form = PlanForm(request.POST, prefix="plan")
    if not form.is_valid():
        return {"plan_form": form}
    try:
        services.save_plan(actor=request.user, case=case, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationError as error:
        _add_errors(form, error)
        return {"plan_form": form}
    return _done(request, case, "Đã lưu dự thảo kế hoạch.")


def _action_add_service(request: HttpRequest, case: Case) -> HttpResponse | dict[str, Any]:
    form = ServiceForm(request.POST, prefix="service")
    step = selectors.open_step(case)
    plan = (step.plan if step is not None and step.kind == StepKind.PLAN else selectors.current_plan(case))
    if plan is None:
        form.add_error(None, _("Lưu dự thảo kế hoạch trước khi thêm dịch vụ."))
        return {"service_form": form}
    if not form.is_valid():
        return {"service_form": form}
    try:
        services.add_service(actor=request.user, plan=plan, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationError as error:
        _add_errors(form, error)
        return {"service_form": form}
    return _done(request, case, "Đã thêm dịch vụ vào kế hoạch.")


def _action_deliver_service(request: HttpRequest, case: Case) -> HttpResponse | dict[str, Any]:
    service = selectors.case_service_for(request.user, case=case, service_id=request.POST.get("service", ""))
    form = DeliveryForm(request.POST, prefix="delivery")
    if not form.is_valid():
        return {"delivery_form": form, "delivery_service_id": service.pk}
    try:
        services.record_service_delivery(actor=request.user, service=service, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationError as error:
        _add_errors(form, error)
        return {"delivery_form": form, "delivery_service_id": service.pk}
    return _done(request, case, _("Đã ghi nhận dịch vụ “%(service)s” đã thực hiện.") % {
        "service": service.get_kind_display()})


def _action_approve_plan(request: HttpRequest, case: Case) -> HttpResponse | dict[str, Any]:
    form = ApprovalForm(request.POST, prefix="approval")
    step = selectors.open_step(case)
    if step is None or step.kind != StepKind.PLAN or step.plan is None:
        form.add_error(None, _("Chưa có dự thảo kế hoạch để phê duyệt."))
        return {"approval_form": form}
    if not form.is_valid():
        return {"approval_form": form}
    try:
        services.approve_plan(actor=request.user, plan=step.plan, **form.cleaned_data)  # type: ignore[arg-type]
    except services.StepAlreadyDoneError as error:
        messages.warning(request, str(error))
        return redirect("protection:case", case_id=case.pk)
    except ValidationError as error:
        _add_errors(form, error)
        return {"approval_form": form}
    return _done(request, case, "Đã ghi nhận phê duyệt kế hoạch. Bước tiếp theo: thực hiện các dịch vụ.")


def _action_refer(request: HttpRequest, case: Case) -> HttpResponse | dict[str, Any]:
    form = ReferralForm(request.POST, prefix="referral")
    if not form.is_valid():
        return {"referral_form": form}
    try:
        services.refer_case(actor=request.user, case=case, **form.cleaned_data)  # type: ignore[arg-type]
    except ValidationError as error:
        _add_errors(form, error)
        return {"referral_form": form}
    return _done(request, case, "Đã ghi nhận chuyển gửi. Bạn vẫn phụ trách hồ sơ này.")


def _referral_of(request: HttpRequest, case: Case) -> Referral:
    return selectors.referral_for(request.user, case=case, referral_id=request.POST.get("referral", ""))


def _action_respond_referral(request: HttpRequest, case: Case) -> HttpResponse | dict[str, Any]:
    referral = _referral_of(request, case)
    form = ReferralResponseForm(request.POST, prefix="response")
    if not form.is_valid():
        return {"response_form": form, "form_referral_id": referral.pk}
    try:
        services.record_referral_response(actor=request.user, referral=referral,  # type: ignore[arg-type]
                                          **form.cleaned_data)
    except ValidationError as error:
        _add_errors(form, error)
        return {"response_form": form, "form_referral_id": referral.pk}
    return _done(request, case, "Đã ghi nhận trả lời của cơ quan nhận.")


def _action_follow_up(request: HttpRequest, case: Case) -> HttpResponse | dict[str, Any]:
    referral = _referral_of(request, case)
    form = FollowUpForm(request.POST, prefix="followup")
    if not form.is_valid():
        return {"follow_up_form": form, "form_referral_id": referral.pk}
    try:
        services.record_referral_follow_up(actor=request.user, referral=referral,  # type: ignore[arg-type]
                                           **form.cleaned_data)
    except ValidationError as error:
        _add_errors(form, error)
        return {"follow_up_form": form, "form_referral_id": referral.pk}
    return _done(request, case, "Đã ghi kết quả theo dõi chuyển gửi.")


CASE_ACTIONS = {
    "complete_step": _action_complete_step,
    "save_plan": _action_save_plan,
    "add_service": _action_add_service,
    "deliver_service": _action_deliver_service,
    "approve_plan": _action_approve_plan,
    "refer": _action_refer,
    "respond_referral": _action_respond_referral,
    "follow_up": _action_follow_up,
}


@require(WORK_CASES)
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    """Edit the case's details. A save based on an older version is refused and the other's change is shown;
    the editor's input stays in the form, on top of the current version, so nothing is lost."""
    case = selectors.open_case(request.user, case_id=case_id) if request.method == "GET" else selectors.case_for(
        request.user, case_id=case_id)
    form = CaseEditForm(request.POST or None, instance=case)
    conflict: services.StaleVersionError | None = None
    if request.method == "POST" and form.is_valid():
        changes = _edit_changes(request, form, case)
        if changes is not None:
            try:
                services.update_case(actor=request.user, case=case,  # type: ignore[arg-type]
                                     expected_version=form.cleaned_data["version"], changes=changes)
            except services.StaleVersionError as error:
                conflict = error
                data = request.POST.copy()
                data["version"] = str(error.current_version)
                form = CaseEditForm(data, instance=selectors.case_for(request.user, case_id=case.pk))
                form.is_valid()
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("protection:case", case_id=case.pk)
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(request, "protection/case_edit.html", {"case": case, "form": form, "conflict": conflict},
                  status=status)


def _edit_changes(request: HttpRequest, form: CaseEditForm, case: Case) -> dict[str, Any] | None:
    """The form's changes, with the registry child to link when one is named; None (and an error) if not found."""
    changes = form.changes()
    child_id = form.cleaned_data.get("child_id")
    if child_id and child_id != case.child_id:
        try:
            changes["child"] = registry_child_for(request.user, child_id=child_id)
        except Http404:
            form.add_error("child_id", _("Không tìm thấy hồ sơ trẻ em này trong phạm vi của bạn."))
            return None
    return changes


@require(WORK_CASES)
@require_http_methods(["GET", "POST"])
def case_transfer(request: HttpRequest, case_id: int) -> HttpResponse:
    """Transfer the case to another worker: an explicit act that ends the current workers' access."""
    case = selectors.case_for(request.user, case_id=case_id)
    if not selectors.can_transfer_case(request.user, case):
        raise Http404(NOT_FOUND_MESSAGE)
    form = TransferForm(request.POST or None, candidates=selectors.transfer_candidates(case))
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_case(actor=request.user, case=case, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Đã chuyển giao hồ sơ %(number)s.") % {"number": case.number})
            if selectors.cases_for(request.user).filter(pk=case.pk).exists():
                return redirect("protection:case", case_id=case.pk)
            return redirect("protection:queue")
    return render(request, "protection/case_transfer.html", {"case": case, "form": form})


@require(WORK_CASES)
def case_form_document(request: HttpRequest, case_id: int, number: str) -> HttpResponse:
    """Print a form (Mẫu 01–06) as a Word document; the print is audited."""
    if number not in form_numbers():
        raise Http404(NOT_FOUND_MESSAGE)
    case = selectors.open_case(request.user, case_id=case_id, verb=AuditEvent.Verb.EXPORT,
                               reason=f"In Mẫu số {number}")
    try:
        filename, content = render_case_form(case, number)
    except UnknownForm as error:
        raise Http404(NOT_FOUND_MESSAGE) from error
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require(BREAK_GLASS)
@require_http_methods(["GET", "POST"])
def emergency_access(request: HttpRequest) -> HttpResponse:
    """Break the glass: open a case not assigned to you, with a written reason; the supervisor is notified."""
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.break_glass(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _add_errors(form, error)
        else:
            until = timezone.localtime(access.expires_at).strftime("%H:%M %d/%m/%Y")
            messages.warning(request, _("Truy cập khẩn cấp đến %(until)s. Việc truy cập đã được ghi nhật ký và báo "
                                        "người giám sát.") % {"until": until})
            return redirect("protection:case", case_id=access.case_id)
    return render(request, "protection/emergency_access.html", {"form": form})


# ---------------------------------------------------------------------------------------------------------------
# Figures without identities, and the incident register


@require(VIEW_PROTECTION_COUNTS)
def overview(request: HttpRequest) -> HttpResponse:
    """Counts and KPIs of cases and injuries in the user's scope: figures only, never an identity."""
    year = _year(request)
    return render(request, "protection/overview.html", {
        "year": year, "counts": selectors.case_counts(request.user, year=year),
        "kpis": selectors.case_kpis(request.user, year=year),
        "injuries": selectors.injury_counts(request.user, year=year),
    })


INCIDENTS_PAGE_SIZE = 50


def _incident_register(request: HttpRequest) -> tuple[IncidentFilterForm, selectors.IncidentFilters]:
    year = _year(request)
    asked = request.GET.copy()
    asked.setdefault("nam", str(year))
    form = IncidentFilterForm(asked, communes=selectors.incident_communes(request.user, year=year),
                              age_groups=selectors.AGE_GROUPS)
    form.full_clean()
    data = form.cleaned_data  # the valid filters; an invalid one is shown next to its field and left out
    return form, selectors.IncidentFilters(
        year=year, month=data.get("thang"), commune_uid=data.get("xa", ""), kind=data.get("loai", ""),
        outcome=data.get("hau_qua", ""), child_sex=data.get("gioi_tinh", ""), age_group=data.get("nhom_tuoi", ""))


@require(VIEW_INCIDENTS)
def incidents(request: HttpRequest) -> HttpResponse:
    """The register, filtered and paged like the child list; htmx asks for the results region only."""
    form, filters = _incident_register(request)
    page = Paginator(selectors.incident_register(request.user, filters), INCIDENTS_PAGE_SIZE).get_page(
        request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    context = {"form": form, "year": filters.year, "page": page, "query": query.urlencode()}
    if request.headers.get("HX-Request") == "true":
        return render(request, "protection/incidents.html#results", context)
    return render(request, "protection/incidents.html", context)


@require(VIEW_INCIDENTS)
def export_incidents(request: HttpRequest) -> HttpResponse:
    """The filtered register as .xlsx (the register keeps no names)."""
    _form, filters = _incident_register(request)
    content = incidents_workbook(selectors.incident_register(request.user, filters), filters=filters,
                                 exported_by=str(request.user), exported_at=timezone.localtime())
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="so-theo-doi-tai-nan-{filters.year}.xlsx"'
    return response


@require(RECORD_INCIDENTS)
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    communes = selectors.communes_for_incidents(request.user, on=timezone.localdate(), capability=RECORD_INCIDENTS)
    form = IncidentForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_incident(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            form.add_error("org_unit", str(error))
        else:
            messages.success(request, _("Đã ghi vào sổ theo dõi."))
            return redirect("protection:incidents")
    return render(request, "protection/incident_new.html", {"form": form})


@require(VIEW_PROTECTION_COUNTS)
def incident_statistics(request: HttpRequest) -> HttpResponse:
    """The monthly table and chart by commune, and drowning deaths by month and age."""
    year = _year(request)
    kind = request.GET.get("loai", "")
    kinds = [kind] if kind in IncidentKind.values else None
    table = selectors.incident_table(request.user, year=year, kinds=kinds)
    drowning = selectors.drowning_deaths(request.user, year=year)
    months = [f"T{month}" for month in range(1, 13)]
    chart = {
        "data": [{"type": "bar", "name": commune, "x": months, "y": table.cells[commune]}
                 for commune in table.communes],
        "layout": {"barmode": "stack",
                   "title": {"text": gettext("Số vụ theo tháng và xã, năm %(year)s") % {"year": year}},
                   "legend": {"orientation": "h"}, "margin": {"t": 40, "l": 40, "r": 10}},
    }
    drowning_chart = {
        "data": [{"type": "bar", "name": label, "x": months, "y": values}
                 for label, values in drowning.by_month_and_age.items()],
        "layout": {"barmode": "stack",
                   "title": {"text": gettext("Trẻ em tử vong do đuối nước, năm %(year)s") % {"year": year}},
                   "legend": {"orientation": "h"}, "margin": {"t": 40, "l": 40, "r": 10}},
    }
    return render(request, "protection/incident_statistics.html", {
        "year": year, "kind": kind, "kinds": IncidentKind.choices, "table": table, "drowning": drowning,
        "months": months, "chart": chart, "drowning_chart": drowning_chart,
        "rows": [(commune, table.cells[commune], sum(table.cells[commune])) for commune in table.communes],
    })
