"""Pages of the child registry: list and search, the record with its history, forms, export, imports, duplicates,
and the counts leaders see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from treem.core.access import NOT_FOUND_MESSAGE, has_capability, require, scope_paths
from treem.core.intake.errors import UploadRefused
from treem.core.intake.runner import confirm_import, read_progress
from treem.registry import services
from treem.registry.exports import children_workbook
from treem.registry.forms import (
    ChildForm,
    ConsentForm,
    DeleteForm,
    FilterForm,
    GuardianForm,
    ImportForm,
    LegalBasisForm,
    MoveForm,
    SpecialCircumstanceForm,
    StatusForm,
)
from treem.registry.history import history_changes
from treem.registry.jobs import upload_child_list
from treem.registry.models import (
    Child,
    consent_state,
)
from treem.registry.permissions import (
    EDIT_CHILDREN,
    EXPORT_IDENTITY,
    REVIEW_DUPLICATES,
    VIEW_COUNTS,
    VIEW_IDENTITY,
)
from treem.registry.selectors import (
    ChildFilters,
    can_edit,
    can_see_personal_id,
    child_for,
    communes_for,
    counts_for,
    duplicate_candidate_for,
    duplicate_candidates_for,
    editable_communes_for,
    history_of,
    import_for,
    merged_into,
    openings_of,
    recent_imports_for,
    search_children,
    special_groups_of,
)
from treem.registry.subject_access import export_child_personal_data

PAGE_SIZE = 50


def _filters(form: FilterForm) -> ChildFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return ChildFilters(
        query=data.get("q", ""), age_band=data.get("age_band", ""), special_group=data.get("special_group", ""),
        birth_registered=data.get("birth_registered", ""), schooling=data.get("schooling", ""),
        ethnic_code=data.get("ethnic_code", ""), status=data.get("status") or "present",
        consent=data.get("consent", ""), village=str(form.data.get("village", "")),
        commune_code=str(form.data.get("commune", "")),
    )


@require(VIEW_IDENTITY)
def children(request: HttpRequest) -> HttpResponse:
    """Search and filter the children of the officer's communes."""
    today = timezone.localdate()
    form = FilterForm(request.GET)
    found = search_children(request.user, _filters(form), today=today)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = list(page.object_list)
    groups = special_groups_of(request.user, children=rows, today=today)
    for child in rows:
        child.special_letters = groups.get(child.pk, [])
    query = request.GET.copy()
    query.pop("trang", None)
    context = {
        "form": form, "page": page, "rows": rows, "today": today,
        "query": query.urlencode(), "full_ids": can_see_personal_id(request.user),
        "can_export": has_capability(request.user, EXPORT_IDENTITY),
        "can_edit": has_capability(request.user, EDIT_CHILDREN),
        "communes": communes_for(request.user, on=today),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "registry/children.html#results", context)
    return render(request, "registry/children.html", context)


@require(EXPORT_IDENTITY)
def export_children(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx; the export is recorded in the audit trail and said so in the file."""
    today = timezone.localdate()
    form = FilterForm(request.GET)
    visible = list(search_children(request.user, _filters(form), today=today))
    full_ids = can_see_personal_id(request.user)
    scope = ", ".join(scope_paths(request.user, capability=EXPORT_IDENTITY))
    description = f"Bộ lọc: {request.GET.urlencode() or 'không'}; phạm vi {scope}"
    services.record_children_export(actor=request.user, child_ids=[child.pk for child in visible],
                                    org_unit_path=scope.split(",")[0], description=description, full_ids=full_ids)
    content = children_workbook(
        visible, exported_by=str(request.user), exported_at=timezone.localtime(), scope=scope, full_ids=full_ids,
        special_groups=special_groups_of(request.user, children=visible, today=today), today=today)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="danh-sach-tre-em-{today:%Y%m%d}.xlsx"'
    return response


@require(VIEW_IDENTITY)
def child_detail(request: HttpRequest, child_id: int) -> HttpResponse:
    """A child's record with guardians, consents, special circumstances, residences and history; opening it is
    recorded in the audit trail."""
    child = child_for(request.user, child_id=child_id)
    services.record_child_opened(actor=request.user, child=child)
    today = timezone.localdate()
    editable = can_edit(request.user, child)
    consents = list(child.consents.select_related("guardian").order_by("-given_on"))
    guardians = child.guardians.all()
    full_ids = can_see_personal_id(request.user)
    context: dict[str, Any] = {
        "child": child, "today": today, "age": child.age_on(today), "can_edit": editable,
        "full_ids": full_ids, "guardians": guardians, "consents": consents,
        "consent": consent_state(child, consents, on=today),
        "memberships": child.special_circumstances.order_by("ended_on", "group"),
        "residences": child.residences.select_related("commune", "village").order_by("-moved_in_on"),
        "history": [(event, history_changes(event, full_ids=full_ids)) for event in history_of(child)[:200]],
        "openings": openings_of(child),
        "merged": merged_into(child),
    }
    if editable:
        context.update({
            "consent_form": ConsentForm(guardians=guardians, initial={"given_on": today}),
            "legal_basis_form": LegalBasisForm(initial={"legal_basis": child.legal_basis,
                                                        "legal_basis_note": child.legal_basis_note}),
            "guardian_form": GuardianForm(), "special_form": SpecialCircumstanceForm(initial={"identified_on": today}),
            "status_form": StatusForm(initial={"status_on": today}), "delete_form": DeleteForm(),
            "move_form": MoveForm(communes=editable_communes_for(request.user, on=today).exclude(pk=child.commune_id),
                                  initial={"moved_on": today}),
        })
    return render(request, "registry/child.html", context)


@require(VIEW_IDENTITY)
def child_personal_data(request: HttpRequest, child_id: int) -> HttpResponse:
    """Everything held on the child as one file, for a subject access request (?dinh-dang=json for JSON)."""
    file_format = "json" if request.GET.get("dinh-dang") == "json" else "xlsx"
    export = export_child_personal_data(actor=request.user, child_id=child_id, file_format=file_format)
    stem = f"du-lieu-ca-nhan-tre-{export.child.pk}-{timezone.localdate():%Y%m%d}"
    if file_format == "json":
        response = HttpResponse(export.as_json(), content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(export.as_xlsx(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{file_format}"'
    return response


def _child_form_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {key: value for key, value in data.items() if key != "commune"}
    for key in ("personal_id", "health_insurance_number", "school_name", "disability_note", "notes",
                "school_level"):
        values[key] = values.get(key) or ""
    return values


@require(EDIT_CHILDREN)
def child_new(request: HttpRequest) -> HttpResponse:
    """A new record; an officer of one commune adds to that commune, others choose the commune."""
    today = timezone.localdate()
    communes = editable_communes_for(request.user, on=today)
    chosen = request.POST.get("commune") or request.GET.get("commune")
    commune = communes.filter(pk=chosen).first() if chosen and str(chosen).isdigit() else None
    commune = commune or communes.first()
    if commune is None:
        raise Http404(NOT_FOUND_MESSAGE)
    several = communes.count() > 1
    form = ChildForm(request.POST or None, villages=commune.villages.order_by("name"),
                     commune_choices=communes if several else None, initial={"commune": commune})
    if request.method == "POST" and form.is_valid():
        values = _child_form_values(form.cleaned_data)
        try:
            child = services.register_child(actor=request.user, commune=form.cleaned_data.get("commune", commune),
                                            today=today, **values)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Đã thêm hồ sơ %(name)s.") % {"name": child.full_name})
            return redirect("registry:child", child_id=child.pk)
    return render(request, "registry/child_form.html", {"form": form, "child": None, "commune": commune})


@require(EDIT_CHILDREN)
def child_edit(request: HttpRequest, child_id: int) -> HttpResponse:
    child = child_for(request.user, child_id=child_id)
    if not can_edit(request.user, child):
        raise Http404(NOT_FOUND_MESSAGE)
    today = timezone.localdate()
    initial = {field: getattr(child, field) for field in services.EDITABLE_FIELDS}
    form = ChildForm(request.POST or None, villages=child.commune.villages.order_by("name"), initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {key: value for key, value in _child_form_values(form.cleaned_data).items()
                   if key in services.EDITABLE_FIELDS and key not in ("legal_basis", "legal_basis_note")}
        try:
            services.update_child(actor=request.user, child=child, changes=changes, today=today,
                                  reason=request.POST.get("reason", ""))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Đã lưu thay đổi; giá trị trước và sau được ghi trong lịch sử hồ sơ."))
            return redirect("registry:child", child_id=child.pk)
    return render(request, "registry/child_form.html", {"form": form, "child": child})


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


ACTIONS = {
    "dong-y": ConsentForm, "can-cu": LegalBasisForm, "nguoi-cham-soc": GuardianForm,
    "hoan-canh": SpecialCircumstanceForm, "tinh-trang": StatusForm, "chuyen-xa": MoveForm, "xoa": DeleteForm,
}


@require(EDIT_CHILDREN)
@require_POST
def child_action(request: HttpRequest, child_id: int, action: str) -> HttpResponse:
    """One of the small forms of the record page (consent, guardian, group, status, move, delete)."""
    child = child_for(request.user, child_id=child_id)
    if action not in ACTIONS or not can_edit(request.user, child):
        raise Http404(NOT_FOUND_MESSAGE)
    today = timezone.localdate()
    kwargs: dict[str, Any] = {}
    if action == "dong-y":
        kwargs["guardians"] = child.guardians.all()
    if action == "chuyen-xa":
        kwargs["communes"] = editable_communes_for(request.user, on=today)
    form = ACTIONS[action](request.POST, **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = _apply_action(request, child, action, data, today=today)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
            if action in ("xoa", "chuyen-xa") and not _still_visible(request, child):
                return redirect("registry:children")
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for text in errors:
                messages.error(request, f"{label}: {text}" if label else text)
    return redirect("registry:child", child_id=child.pk)


def _still_visible(request: HttpRequest, child: Child) -> bool:
    try:
        child_for(request.user, child_id=child.pk)
    except Http404:
        return False
    return True


def _apply_action(request: HttpRequest, child: Child, action: str, data: dict[str, Any], *, today: Any) -> str:
    actor = request.user
    if action == "dong-y":
        services.record_consent(actor=actor, child=child, given_by=data["given_by"], purpose=data["purpose"],
                                given_on=data["given_on"], guardian=data.get("guardian"), note=data["note"],
                                today=today)
        return "Đã ghi nhận sự đồng ý."
    if action == "can-cu":
        services.set_legal_basis(actor=actor, child=child, legal_basis=data["legal_basis"],
                                 note=data["legal_basis_note"], today=today)
        return "Đã ghi căn cứ xử lý dữ liệu."
    if action == "nguoi-cham-soc":
        services.add_guardian(actor=actor, child=child, full_name=data["full_name"],
                              relationship=data["relationship"], phone=data["phone"], personal_id=data["personal_id"])
        return "Đã thêm cha, mẹ, người chăm sóc."
    if action == "hoan-canh":
        services.add_special_circumstance(actor=actor, child=child, group=data["group"], subgroup=data["subgroup"],
                                          identified_on=data["identified_on"], is_supported=data["is_supported"],
                                          support_note=data["support_note"])
        return "Đã ghi nhóm hoàn cảnh đặc biệt."
    if action == "tinh-trang":
        services.record_child_status(actor=actor, child=child, status=data["status"], status_on=data["status_on"],
                                     reason=data["reason"])
        return "Đã cập nhật tình trạng."
    if action == "chuyen-xa":
        services.move_child(actor=actor, child=child, commune=data["commune"], moved_on=data["moved_on"])
        return _("Đã chuyển hồ sơ đến %(commune)s; hồ sơ và lịch sử được giữ nguyên.") % {
            "commune": data["commune"].name}
    services.delete_child(actor=actor, child=child, reason=data["reason"])
    return "Đã xoá hồ sơ (xoá mềm; lịch sử được giữ lại)."


@require(VIEW_COUNTS)
def counts(request: HttpRequest) -> HttpResponse:
    """Children per commune by sex and age band: numbers only, never identities."""
    today = timezone.localdate()
    rows = counts_for(request.user, today=today)
    totals = {key: sum(getattr(row, key) for row in rows) for key in (
        "total", "boys", "girls", "under_5", "aged_5", "aged_6_to_10", "aged_11_to_15", "birth_registered_under_5",
        "special")}
    return render(request, "registry/counts.html", {"rows": rows, "totals": totals, "today": today})


# -- imports ---------------------------------------------------------------------------------------------------


@require(EDIT_CHILDREN)
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a commune's list (then preview and confirm), and the earlier imports."""
    today = timezone.localdate()
    communes = editable_communes_for(request.user, on=today)
    form = ImportForm(request.POST or None, request.FILES or None, communes=communes,
                      initial={"as_of": today, "commune": communes.first()})
    if request.method == "POST" and form.is_valid():
        try:
            child_import = upload_child_list(actor=request.user,  # type: ignore[arg-type]
                                             upload=form.cleaned_data["file"], commune=form.cleaned_data["commune"],
                                             as_of=form.cleaned_data["as_of"], today=today)
        except UploadRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect("registry:import", import_id=child_import.pk)
    return render(request, "registry/imports.html", {"form": form, "imports": recent_imports_for(request.user)})


@require(EDIT_CHILDREN)
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The preview before confirming, the progress while running, the summary after."""
    child_import = import_for(request.user, import_id=import_id)
    if request.method == "POST":
        try:
            child_import = confirm_import(actor=request.user, record=child_import)  # type: ignore[arg-type]
        except UploadRefused as error:
            messages.error(request, str(error))
        return redirect("registry:import", import_id=child_import.pk)
    context = {"job": child_import, "progress": read_progress(child_import), "is_running": child_import.is_running}
    if request.headers.get("HX-Request") == "true":
        return render(request, "registry/import.html#status", context)
    return render(request, "registry/import.html", context)


@require(EDIT_CHILDREN)
def import_rejected(request: HttpRequest, import_id: int) -> FileResponse:
    """The rejected rows of an import (original cells and reason), to fix and import again."""
    child_import = import_for(request.user, import_id=import_id)
    if not child_import.rejected_file or not Path(child_import.rejected_file).exists():
        raise Http404(NOT_FOUND_MESSAGE)
    name = f"{Path(child_import.original_name).stem}-dong-bi-tu-choi.xlsx"
    return FileResponse(Path(child_import.rejected_file).open("rb"), as_attachment=True, filename=name)


# -- duplicates ------------------------------------------------------------------------------------------------


@require(REVIEW_DUPLICATES)
def duplicates(request: HttpRequest) -> HttpResponse:
    pairs: QuerySet[Any] = duplicate_candidates_for(request.user)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "registry/duplicates.html", {"page": page, "full_ids": can_see_personal_id(request.user)})


@require(REVIEW_DUPLICATES)
def duplicate_detail(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Two records side by side; the officer keeps one (merging the other into it) or says they differ."""
    pair = duplicate_candidate_for(request.user, candidate_id=candidate_id)
    today = timezone.localdate()
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            if decision in ("keep_a", "keep_b"):
                keep = pair.child_a if decision == "keep_a" else pair.child_b
                kept = services.merge_duplicate_children(actor=request.user, candidate=pair, keep=keep, today=today)
                messages.success(request, _("Đã gộp hai hồ sơ; lịch sử và các liên kết của cả hai được giữ lại."))
                return redirect("registry:child", child_id=kept.pk)
            if decision == "not_same":
                services.mark_not_same_child(actor=request.user, candidate=pair)
                messages.success(request, _("Đã ghi nhận: đây là hai trẻ khác nhau."))
                return redirect("registry:duplicates")
            messages.error(request, _("Chọn một quyết định."))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        return redirect("registry:duplicate", candidate_id=pair.pk)
    fields = [(_("Họ và tên"), "full_name"), (_("Ngày sinh"), "birth_date_label"), (_("Giới tính"), "get_sex_display"),
              (_("Dân tộc"), "ethnic_group"), (_("Xã"), "commune"), (_("Thôn/bản"), "village")]
    full_ids = can_see_personal_id(request.user)
    rows = []
    for label, attribute in fields:
        values = []
        for child in (pair.child_a, pair.child_b):
            value = getattr(child, attribute)
            values.append(value() if callable(value) else (value or ""))
        rows.append((label, values[0], values[1], str(values[0]) != str(values[1])))
    ids = [child.personal_id if full_ids else child.masked_personal_id for child in (pair.child_a, pair.child_b)]
    rows.append((_("Số định danh"), ids[0], ids[1], ids[0] != ids[1]))
    guardians = [", ".join(g.full_name for g in child.guardians.all()) for child in (pair.child_a, pair.child_b)]
    rows.append((_("Cha, mẹ, người chăm sóc"), guardians[0], guardians[1], guardians[0] != guardians[1]))
    return render(request, "registry/duplicate.html", {"pair": pair, "rows": rows})
