"""Pages of the plan: the plan as signed (identity, objectives, targets, funding, reporting rule) and the duties by
agency, with its Excel export."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from treem.core.access import require
from treem.hierarchy.selectors import coordinating_agency
from treem.plans.models import COMPARISON_SYMBOLS, DutyRole
from treem.plans.permissions import VIEW_PLANS
from treem.plans.selectors import AgencyDuties, duties_by_agency, indicators_of, plan_for
from treem.plans.xlsx import Sheet, xlsx_response


def _plan_id(request: HttpRequest) -> int | None:
    raw = (request.GET.get("plan") or "").strip()
    return int(raw) if raw.isdigit() else None


def _on(request: HttpRequest) -> date:
    raw = (request.GET.get("on") or "").strip()
    try:
        return date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@require(VIEW_PLANS)
def plan_page(request: HttpRequest) -> HttpResponse:
    plan = plan_for(request.user, plan_id=_plan_id(request))
    today = timezone.localdate()
    return render(request, "plans/plan.html", {
        "plan": plan,
        "indicators": [(indicator, indicator.responsible_agency_on(today)) for indicator in indicators_of(plan)],
        "task_groups": plan.task_groups.filter(is_active=True).prefetch_related("tasks").order_by("order"),
        "funding_sources": plan.funding_sources.filter(is_active=True).order_by("order"),
        "coordinator": coordinating_agency(on=today),
        "deadline": plan.last_day_to_report(today.year),
        "today": today,
    })


@require(VIEW_PLANS)
def plan_xlsx(request: HttpRequest) -> HttpResponse:
    """The plan's indicators with their targets, the tasks and the funding sources, as on the plan page."""
    plan = plan_for(request.user, plan_id=_plan_id(request))
    today = timezone.localdate()
    caption = f"{plan} – {plan.title}"
    indicators = Sheet(title="Chỉ tiêu", caption=caption,
                       headers=["Mã", "Chỉ tiêu", "Nguyên văn", "Năm", "So sánh", "Mục tiêu (%)", "Nguyên văn mục tiêu",
                                "Mục", "Cơ quan chịu trách nhiệm (hiện nay)"])
    for indicator in indicators_of(plan):
        responsible = indicator.responsible_agency_on(today)
        for target in indicator.targets.all():
            indicators.rows.append([indicator.code, indicator.name, indicator.wording, target.year,
                                    COMPARISON_SYMBOLS[target.comparison], target.value, target.wording,
                                    target.section, str(responsible or "")])
    tasks = Sheet(title="Nhiệm vụ", caption=caption, headers=["Nhóm", "Mã", "Nhiệm vụ", "Nội dung (nguyên văn)"])
    for group in plan.task_groups.filter(is_active=True).prefetch_related("tasks").order_by("order"):
        tasks.rows.extend([f"{group.section}. {group.title}", task.code, task.title, task.text]
                          for task in group.tasks.all() if task.is_active)
    funding = Sheet(title="Kinh phí", caption=caption, headers=["Mã", "Nguồn", "Nội dung (nguyên văn)"])
    funding.rows = [[source.code, source.name, source.text]
                    for source in plan.funding_sources.filter(is_active=True).order_by("order")]
    return xlsx_response(f"ke-hoach-{plan.code}.xlsx", [indicators, tasks, funding])


def _duties(request: HttpRequest) -> tuple[object, date, list[AgencyDuties]]:
    plan = plan_for(request.user, plan_id=_plan_id(request))
    on = _on(request)
    return plan, on, duties_by_agency(plan, on=on)


@require(VIEW_PLANS)
def tasks(request: HttpRequest) -> HttpResponse:
    """Who carries which duty of §V on a day (reassignments applied), and which indicators each agency answers for."""
    plan, on, groups = _duties(request)
    return render(request, "plans/tasks.html", {"plan": plan, "on": on, "groups": groups,
                                                "query": request.GET.urlencode()})


@require(VIEW_PLANS)
def tasks_xlsx(request: HttpRequest) -> HttpResponse:
    plan, on, groups = _duties(request)
    sheet = Sheet(title="Nhiệm vụ theo cơ quan", caption=f"Phân công nhiệm vụ ngày {on:%d/%m/%Y} – {plan}",
                  headers=["Cơ quan", "Mã", "Mục", "Vai trò", "Nhiệm vụ", "Phục vụ", "Cơ quan phối hợp",
                           "Nội dung (nguyên văn)"])
    indicators = Sheet(title="Chỉ tiêu theo cơ quan", caption=f"Cơ quan chịu trách nhiệm ngày {on:%d/%m/%Y}",
                       headers=["Cơ quan", "Mã", "Chỉ tiêu", "Mục tiêu"])
    for group in groups:
        for duty in [*group.lead, *group.cooperate]:
            serves = [task.code for task in duty.serves_tasks.all()] + [g.code for g in duty.serves_groups.all()]
            sheet.rows.append([group.label, duty.code, duty.section, DutyRole(duty.role).label, duty.title,
                               ", ".join(sorted(serves)), ", ".join(str(a) for a in duty.partners.all()),
                               duty.text])
        for indicator in group.indicators:
            targets = "; ".join(f"{t.year}: {COMPARISON_SYMBOLS[t.comparison]} {t.value.normalize():f} %"
                                for t in indicator.targets.all())
            indicators.rows.append([group.label, indicator.code, indicator.name, targets])
    return xlsx_response(f"nhiem-vu-{on:%Y%m%d}.xlsx", [sheet, indicators])
