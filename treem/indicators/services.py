"""Writing data values: ``enter_data_values`` is the one way figures are entered (report forms, DHIS2 import).
``refresh_derived_counts`` counts the records ahead of the dashboards (``treem.indicators.counts``) and computes the
plans' figures ahead (``refresh_stored_figures``, ``treem.indicators.stored``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from treem.core.access import UserLike, ensure_permitted, grants_of
from treem.core.audit import record_event, snapshot
from treem.core.models import AuditEvent, EthnicGroup
from treem.core.roles import Role
from treem.hierarchy.models import OrgUnit
from treem.indicators.counts import Refreshed, refresh
from treem.indicators.engine import Engine, data_years
from treem.indicators.models import DataValue, Sex
from treem.indicators.permissions import ENTER_DATA_VALUES
from treem.plans.models import DataElement, Plan
from treem.plans.selectors import indicators_of

FIRST_YEAR, LAST_YEAR = 2000, 2100
COUNTED_YEARS = 10  # the years counted ahead by default: this one and the nine before (a trend's longest span)


def counted_years(*, today: date) -> list[int]:
    """The years whose counts are kept ahead by default: from the first year with entered figures (at most
    ``COUNTED_YEARS`` back) to this year."""
    first, _last = data_years()
    start = max(first if first is not None else today.year, today.year - COUNTED_YEARS + 1)
    return list(range(min(start, today.year), today.year + 1))


def refresh_derived_counts(
    *, today: date, years: Sequence[int] | None = None, sources: Sequence[str] | None = None
) -> list[Refreshed]:
    """Count ahead what the dashboards will ask for: the derived functions named by the active data elements of the
    plans (of ``sources``, or any) whose counts are stored, for each of ``years`` (by default ``counted_years``),
    where the stored count is missing or out of date. Safe to run at any time and from several processes; what is
    current is left alone."""
    names = DataElement.objects.filter(is_active=True, source=DataElement.Source.DERIVED).values_list(
        "derived_from", flat=True)
    chosen = list(years) if years is not None else counted_years(today=today)
    report = refresh(names=list(names), years=chosen, sources=sources)
    refresh_stored_figures(today=today, years=chosen)
    return report


@dataclass(frozen=True)
class FiguresRefreshed:
    plan: str
    indicators: int
    years: int
    figures: int  # (area, year) figures of the plan's indicators now stored and current


def refresh_stored_figures(*, today: date, years: Sequence[int] | None = None) -> list[FiguresRefreshed]:
    """Compute ahead what the overviews will ask for: every active indicator of every plan, for every area in
    force, for each of ``years`` (by default ``counted_years``), on each year's own hierarchy and on today's (the
    overview's trend). What is current is read back, the rest computed and stored (``treem.indicators.stored``).
    Not scoped: it only fills the store, whose figures the selectors hand out within each user's scope."""
    chosen = list(years) if years is not None else counted_years(today=today)
    report: list[FiguresRefreshed] = []
    for plan in Plan.objects.order_by("pk"):
        indicators = list(indicators_of(plan))
        if not indicators or not chosen:
            continue
        engine = Engine()
        engine.figures_many(indicators, years=chosen)
        figures = engine.figures_many(indicators, years=chosen, on=today)
        report.append(FiguresRefreshed(plan=plan.code, indicators=len(indicators), years=len(chosen),
                                       figures=sum(len(by_area) for by_area in figures.values())))
    return report


@dataclass(frozen=True)
class ValueInput:
    """One figure to enter. ``data_element`` and ``ethnic_group`` may be given by code; ``value`` None clears."""

    data_element: DataElement | str
    value: Decimal | int | str | None
    sex: str = ""
    ethnic_group: EthnicGroup | str | None = None
    comment: str = ""


@dataclass
class EntryResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    values: list[DataValue] = field(default_factory=list)


def can_enter_value(user: UserLike, *, data_element: DataElement, org_unit: OrgUnit, on: date | None = None) -> bool:
    """Whether ``user`` may type a value of ``data_element`` for ``org_unit``: an assignment over the unit whose
    role enters data, and — for agency reporters — the element's reporting agency; commune officers enter the
    elements reported by the locality. Coordinators and administrators may enter any enterable element."""
    if not data_element.can_be_entered:
        return False
    for grant in grants_of(user, capability=ENTER_DATA_VALUES, on=on):
        if not org_unit.path.startswith(grant.path):
            continue
        if grant.role in (Role.ADMIN, Role.COORDINATOR):
            return True
        if grant.role == Role.COMMUNE_OFFICER and data_element.reporter_is_locality:
            return True
        agency = data_element.reporter_agency
        if grant.role == Role.AGENCY_REPORTER and agency is not None and grant.agency_code == agency.code:
            return True
    return False


def _is_valid_during(org_unit: OrgUnit, year: int) -> bool:
    return (org_unit.valid_from is None or org_unit.valid_from <= date(year, 12, 31)) and (
        org_unit.valid_to is None or org_unit.valid_to >= date(year, 1, 1))


def _parse_value(raw: Decimal | int | str | None) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        raw = raw.strip().replace(".", "").replace(",", ".") if "," in raw else raw.strip()
    try:
        return Decimal(raw)
    except (InvalidOperation, ValueError) as error:
        raise ValueError(str(raw)) from error


@transaction.atomic
def enter_data_values(
    *,
    actor: AbstractBaseUser | None,
    org_unit: OrgUnit,
    year: int,
    values: Iterable[ValueInput],
    is_demo: bool = False,
) -> EntryResult:
    """Create or update the figures of ``org_unit`` for ``year``; one audit event per created or changed value.

    Everything is checked first and nothing is written if any value is refused (``ValidationError`` lists every
    problem, in Vietnamese, naming the element). A value of None clears a figure: the row stays, with no value, so
    that its history stays with it. A user who may not enter one of the figures (``can_enter_value``) is refused
    with ``PermissionDenied`` and nothing is written; ``actor=None`` is the console.
    """
    ensure_permitted(actor, ENTER_DATA_VALUES, path=org_unit.path)
    items = list(values)
    problems: list[str] = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": f"Năm {year} không hợp lệ."})
    if not _is_valid_during(org_unit, year):
        raise ValidationError({"org_unit": f"{org_unit.name} không có hiệu lực trong năm {year} "
                                           f"(hiệu lực {org_unit.validity_label})."})
    element_codes = {item.data_element for item in items if isinstance(item.data_element, str)}
    elements_by_code = {element.code: element
                        for element in DataElement.objects.filter(code__in=element_codes)}
    group_codes = {item.ethnic_group for item in items if isinstance(item.ethnic_group, str)}
    groups_by_code = {group.code: group for group in EthnicGroup.objects.filter(code__in=group_codes)}

    resolved: list[tuple[DataElement, str, EthnicGroup | None, Decimal | None, str]] = []
    seen: set[tuple[int, str, int | None]] = set()
    for item in items:
        element = (elements_by_code.get(item.data_element) if isinstance(item.data_element, str)
                   else item.data_element)
        if element is None:
            problems.append(f"Không có phần tử dữ liệu mã {item.data_element}.")
            continue
        group = groups_by_code.get(item.ethnic_group) if isinstance(item.ethnic_group, str) else item.ethnic_group
        label = element.code
        if isinstance(item.ethnic_group, str) and group is None:
            problems.append(f"{label}: không có dân tộc mã {item.ethnic_group}.")
            continue
        if not element.is_active:
            problems.append(f"{label}: phần tử dữ liệu đã ngừng dùng, không nhập được.")
        if not element.can_be_entered:
            problems.append(f"{label}: số liệu này được tính từ hồ sơ, không nhập tay.")
        if org_unit.level != element.collection_level:
            problems.append(f"{label}: số liệu được thu thập ở cấp {element.get_collection_level_display().lower()}, "
                            f"không phải {org_unit.get_level_display().lower()}.")
        if item.sex not in Sex.values:
            problems.append(f"{label}: giới tính '{item.sex}' không hợp lệ (M, F hoặc để trống).")
        elif item.sex and not element.by_sex:
            problems.append(f"{label}: số liệu này không phân tổ theo giới tính.")
        if group is not None and not element.by_ethnicity:
            problems.append(f"{label}: số liệu này không phân tổ theo dân tộc.")
        try:
            value = _parse_value(item.value)
        except ValueError:
            problems.append(f"{label}: giá trị '{item.value}' không phải là số.")
            continue
        if value is not None:
            if value < 0:
                problems.append(f"{label}: giá trị không được âm (nhận được {value}).")
            elif element.value_type == DataElement.ValueType.INTEGER and value != value.to_integral_value():
                problems.append(f"{label}: giá trị phải là số nguyên (nhận được {value}).")
        cell = (element.pk, item.sex, group.pk if group else None)
        if cell in seen:
            problems.append(f"{label}: một ô số liệu được nhập hai lần.")
        seen.add(cell)
        resolved.append((element, item.sex, group, value, item.comment))
    if problems:
        raise ValidationError(problems)
    if actor is not None:
        refused = sorted({element.code for element, *_ in resolved
                          if not can_enter_value(actor, data_element=element, org_unit=org_unit)})
        if refused:
            raise PermissionDenied(gettext("Bạn không được nhập số liệu %(codes)s của %(unit)s.")
                                   % {"codes": ", ".join(refused), "unit": org_unit.name})

    existing = {
        (row.data_element_id, row.sex, row.ethnic_group_id): row
        for row in DataValue.objects.filter(org_unit=org_unit, year=year,
                                            data_element_id__in={element.pk for element, *_ in resolved})
    }
    result = EntryResult()
    actor_id = actor.pk if actor is not None else None
    for element, sex, group, value, comment in resolved:
        row = existing.get((element.pk, sex, group.pk if group else None))
        if row is None:
            row = DataValue(data_element=element, org_unit=org_unit, year=year, sex=sex, ethnic_group=group,
                            value=value, comment=comment, is_demo=is_demo, entered_by_id=actor_id)
            row.full_clean(validate_unique=False, validate_constraints=False)
            row.save()
            result.created += 1
            record_event(actor=actor, verb=AuditEvent.Verb.CREATE, obj=row, after=snapshot(row),
                         org_unit_path=org_unit.path, action="enter_data_values")
        elif row.value == value and row.comment == comment and row.is_demo == is_demo:
            result.unchanged += 1
        else:
            before = snapshot(row)
            row.value, row.comment, row.is_demo, row.entered_by_id = value, comment, is_demo, actor_id
            row.full_clean(validate_unique=False, validate_constraints=False)
            row.save()
            result.updated += 1
            record_event(actor=actor, verb=AuditEvent.Verb.UPDATE, obj=row, before=before, after=snapshot(row),
                         org_unit_path=org_unit.path, action="enter_data_values")
        result.values.append(row)
    return result
