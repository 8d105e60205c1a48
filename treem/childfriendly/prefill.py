"""Pre-filling a sub-item from treem's own data, with a link to where the figure comes from.

A sub-item of the scoring file names its source (``prefill: nutrition.underweight``); each source here is a
function of the commune and the year returning the figure (a share in %, a count, or 1/0) — or None when treem
holds nothing for it. Shares and counts of the plan's indicators come through the one indicator engine, so the
pre-filled figure is the figure the indicator pages show for that commune; the protection sources count the case
files and the incident register directly, as the engine's own derived elements do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from treem.hierarchy.models import OrgUnit
from treem.indicators.engine import Engine, reference_date
from treem.plans.models import Indicator
from treem.protection.models import Case, HarmKind, Incident, IncidentKind, IncidentOutcome
from treem.protection.workflow import StepKind

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Prefilled:
    value: Decimal | None
    source: str
    link: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None


PrefillSource = Callable[[OrgUnit, int], Prefilled]
SOURCES: dict[str, PrefillSource] = {}


def source(name: str) -> Callable[[PrefillSource], PrefillSource]:
    def decorator(function: PrefillSource) -> PrefillSource:
        SOURCES[name] = function
        return function

    return decorator


def prefill(name: str, org_unit: OrgUnit, year: int) -> Prefilled | None:
    function = SOURCES.get(name)
    return function(org_unit, year) if function is not None else None


def _indicator_link(code: str, org_unit: OrgUnit, year: int) -> str:
    return reverse("indicators:detail", args=[code]) + "?" + urlencode({"unit": org_unit.uid, "year": year})


def _indicator(code: str) -> Indicator | None:
    return (Indicator.objects.filter(code=code, plan__is_active=True).select_related("numerator", "denominator")
            .order_by("-plan__start_year").first())


def _indicator_figure(code: str, org_unit: OrgUnit, year: int, *, label: str, part: str = "share") -> Prefilled:
    indicator = _indicator(code)
    link = _indicator_link(code, org_unit, year)
    if indicator is None:
        return Prefilled(value=None, source=label, link="")
    figures = Engine(within=[org_unit.path]).figures(indicator, years=[year], on=reference_date(year),
                                                     areas=[org_unit.id])
    figure = figures.get((org_unit.id, year))
    if figure is None:
        return Prefilled(value=None, source=label, link=link)
    if part == "denominator":
        value = figure.denominator
    elif part == "numerator":
        value = figure.numerator
    else:
        share = figure.value
        value = None if share is None else (Decimal(share.numerator) / Decimal(share.denominator)).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP)
    return Prefilled(value=value, source=label, link=link, numerator=figure.numerator,
                     denominator=figure.denominator)


@source("registry.birth_registration")
def birth_registration(org_unit: OrgUnit, year: int) -> Prefilled:
    return _indicator_figure("I14", org_unit, year, label="Sổ theo dõi trẻ em (chỉ tiêu I14: trẻ dưới 5 tuổi "
                                                           "được đăng ký khai sinh)")


@source("nutrition.underweight")
def underweight(org_unit: OrgUnit, year: int) -> Prefilled:
    return _indicator_figure("I05", org_unit, year, label="Số đo tăng trưởng (chỉ tiêu I05: suy dinh dưỡng thể "
                                                           "nhẹ cân)")


@source("nutrition.stunting")
def stunting(org_unit: OrgUnit, year: int) -> Prefilled:
    return _indicator_figure("I06", org_unit, year, label="Số đo tăng trưởng (chỉ tiêu I06: suy dinh dưỡng thể "
                                                           "thấp còi)")


@source("protection.abused_children")
def abused_children(org_unit: OrgUnit, year: int) -> Prefilled:
    return _indicator_figure("I13", org_unit, year, part="denominator",
                             label="Hồ sơ bảo vệ trẻ em (trẻ em bị xâm hại được phát hiện, chỉ tiêu I13)")


@source("reporting.kindergarten")
def kindergarten(org_unit: OrgUnit, year: int) -> Prefilled:
    return _indicator_figure("I07", org_unit, year, label="Báo cáo năm (chỉ tiêu I07: trẻ 5 tuổi đi mẫu giáo)")


@source("reporting.primary_completion")
def primary_completion(org_unit: OrgUnit, year: int) -> Prefilled:
    return _indicator_figure("I08", org_unit, year, label="Báo cáo năm (chỉ tiêu I08: hoàn thành tiểu học)")


@source("reporting.participation")
def participation(org_unit: OrgUnit, year: int) -> Prefilled:
    return _indicator_figure("I11", org_unit, year, label="Báo cáo năm (chỉ tiêu I11: trẻ em từ 11 tuổi tham gia)")


@source("reporting.play_space")
def play_space(org_unit: OrgUnit, year: int) -> Prefilled:
    found = _indicator_figure("I02", org_unit, year, part="numerator",
                              label="Báo cáo năm (chỉ tiêu I02: điểm văn hóa, vui chơi cho trẻ em)")
    value = None if found.value is None else Decimal(1 if found.value > 0 else 0)
    return Prefilled(value=value, source=found.source, link=found.link)


@source("protection.injuries")
def injuries(org_unit: OrgUnit, year: int) -> Prefilled:
    """Children injured or killed in an accident recorded in the incident register during the year."""
    count = (Incident.objects.active().filter(org_unit=org_unit, occurred_on__year=year,
                                              kind__in=IncidentKind.injuries(),
                                              outcome__in=[IncidentOutcome.DEATH, IncidentOutcome.INJURY]).count())
    link = reverse("protection:incidents") + "?" + urlencode({"year": year})
    return Prefilled(value=Decimal(count), source="Sổ theo dõi tai nạn, thương tích trẻ em", link=link)


PLAN_IN_TIME_HARMS = (HarmKind.SEXUAL_ABUSE, HarmKind.ABANDONMENT_NEGLECT, HarmKind.TRAFFICKING)


@source("protection.plans_on_time")
def plans_on_time(org_unit: OrgUnit, year: int) -> Prefilled:
    """Of the cases of sexual abuse, abandonment or trafficking received in the year, the share whose support plan
    step was completed by its deadline."""
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    cases = Case.objects.active().filter(org_unit=org_unit, harm_kind__in=PLAN_IN_TIME_HARMS,
                                         reported_at__gte=start, reported_at__lt=end)
    total = cases.count()
    in_time = cases.filter(Q(steps__kind=StepKind.PLAN, steps__is_on_time=True)).distinct().count()
    value = None if total == 0 else (Decimal(100) * in_time / total).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return Prefilled(value=value, source="Hồ sơ bảo vệ trẻ em (kế hoạch hỗ trợ, can thiệp phê duyệt đúng hạn)",
                     link=reverse("protection:queue"), numerator=Decimal(in_time), denominator=Decimal(total))
