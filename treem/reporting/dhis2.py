"""DHIS2-compatible aggregate exchange: data value sets in DHIS2's JSON and in ADX XML, import and export.

Identifiers (``idScheme`` ``code`` or ``uid``; ``dataElementIdScheme``, ``orgUnitIdScheme`` and
``categoryOptionComboIdScheme`` override it; JSON defaults to uid and ADX to code, as DHIS2 does):

- the **data set** is the plan: code = the plan's code, uid = ``data_set_uid(plan)``;
- a **data element** by its code or ``data_element_uid(element)`` (stable: derived from the code);
- an **org unit** by its statistics-office code, resolved *on the period's reference date* (31 December of the
  year) because codes are reused across the 2025 reorganisation, or by ``OrgUnit.uid``;
- the **category option combo** carries the disaggregation: ``default`` (uid ``HllvX50cXC0``, all children),
  ``SEX_M`` / ``SEX_F``, ``ETH_01`` … ``ETH_54`` (ethnic group by the code of Decision 121), ``SEX_M_ETH_01`` …;
  in ADX the same as the attributes ``SEX`` and ``ETHNIC_GROUP``;
- periods are yearly: ``2026`` (ADX ``2026-01-01/P1Y``).

An import checks every value like the report page does (who may enter it, the validation rules, whether its report
is already submitted or approved, whether the year is locked) and stores the accepted ones with
``enter_data_values``. Refused values come back as *conflicts* (object, value, errorCode) and are not stored.
The answer is DHIS2's envelope around an import summary: HTTP 200 when everything was taken, 409 with status
WARNING when some values were refused, 409 with status ERROR when nothing was taken.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from treem.core.access import UserLike, visible_to
from treem.core.models import EthnicGroup
from treem.hierarchy.models import OrgUnit, make_uid
from treem.indicators.engine import reference_date
from treem.indicators.models import DataValue
from treem.indicators.services import ValueInput, can_enter_value, enter_data_values
from treem.plans.models import DataElement, Plan
from treem.reporting.models import ReportingCycle, Submission
from treem.reporting.permissions import EXCHANGE_READ
from treem.reporting.services import governing_submission
from treem.reporting.validation import CellInput, blocking, check_cells

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
DEFAULT_COC_UID = "HllvX50cXC0"
DEFAULT_COC_CODE = "default"
IMPORT_STRATEGIES = ("CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE")
ID_SCHEMES = ("uid", "code")
API_VERSION = "2.40.0"


class ExchangeError(ValueError):
    """The request as a whole cannot be processed (unreadable body, unknown option): HTTP 400 or 409."""

    def __init__(self, message: str, *, status: int = 409, error_code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code


# ---- identifiers ------------------------------------------------------------------------------------------------


def data_set_uid(plan: Plan) -> str:
    return make_uid(f"dataSet:{plan.code}")


def data_element_uid(element: DataElement) -> str:
    """The stable uid treem gives a data element (derived from its permanent code)."""
    return make_uid(f"dataElement:{element.code}")


def coc_code(sex: str, ethnic_group_code: str) -> str:
    parts = ([f"SEX_{sex}"] if sex else []) + ([f"ETH_{ethnic_group_code}"] if ethnic_group_code else [])
    return "_".join(parts) or DEFAULT_COC_CODE


def coc_uid(sex: str, ethnic_group_code: str) -> str:
    code = coc_code(sex, ethnic_group_code)
    return DEFAULT_COC_UID if code == DEFAULT_COC_CODE else make_uid(f"categoryOptionCombo:{code}")


_COC_PATTERN = re.compile(r"^(?:SEX_(?P<sex>[MF]))?_?(?:ETH_(?P<eth>\d{2}))?$")


def parse_coc(identifier: str, *, scheme: str, ethnic_codes: set[str]) -> tuple[str, str] | None:
    """(sex, ethnic group code) of a category option combo given by code or uid; None when unknown."""
    if identifier in ("", DEFAULT_COC_UID, DEFAULT_COC_CODE):
        return "", ""
    if scheme == "uid":
        for sex in ("", "M", "F"):
            for ethnic in ("", *sorted(ethnic_codes)):
                if coc_uid(sex, ethnic) == identifier:
                    return sex, ethnic
        return None
    match = _COC_PATTERN.match(identifier)
    if match is None or not (match.group("sex") or match.group("eth")):
        return None
    ethnic = match.group("eth") or ""
    if ethnic and ethnic not in ethnic_codes:
        return None
    if identifier != coc_code(match.group("sex") or "", ethnic):
        return None
    return match.group("sex") or "", ethnic


def parse_period(period: str) -> int | None:
    """The year of a yearly period: ``2026`` (DHIS2) or ``2026-01-01/P1Y`` (ADX); None for anything else."""
    text = period.strip()
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    match = re.fullmatch(r"(\d{4})-01-01/P1Y", text)
    return int(match.group(1)) if match else None


def adx_period(year: int) -> str:
    return f"{year}-01-01/P1Y"


def format_value(value: Decimal | None) -> str:
    if value is None:
        return ""
    normalized = value.normalize()
    return format(normalized.quantize(Decimal(1)) if normalized == normalized.to_integral_value() else normalized,
                  "f")


# ---- parsing ----------------------------------------------------------------------------------------------------


@dataclass
class IncomingValue:
    data_element: str
    period: str
    org_unit: str
    category_option_combo: str
    attribute_option_combo: str
    value: str | None
    comment: str
    index: int


@dataclass
class IncomingSet:
    data_set: str = ""
    values: list[IncomingValue] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


def _text(item: Any) -> str:
    if item is None:
        return ""
    return str(item).strip()


def parse_json_set(payload: Any) -> IncomingSet:
    """A dataValueSet in DHIS2's JSON; set-level dataSet, period, orgUnit and attributeOptionCombo apply to the
    values that do not carry their own."""
    if not isinstance(payload, dict):
        raise ExchangeError("Nội dung JSON phải là một đối tượng dataValueSet.", status=400)
    raw_values = payload.get("dataValues", [])
    if not isinstance(raw_values, list):
        raise ExchangeError("'dataValues' phải là một danh sách.", status=400)
    incoming = IncomingSet(data_set=_text(payload.get("dataSet")))
    for name in ("idScheme", "dataElementIdScheme", "orgUnitIdScheme", "categoryOptionComboIdScheme",
                 "importStrategy", "dryRun"):
        if name in payload:
            incoming.options[name] = _text(payload[name])
    for index, item in enumerate(raw_values):
        if not isinstance(item, dict):
            raise ExchangeError(f"Phần tử dataValues[{index}] không phải là một đối tượng.", status=400)
        raw = item.get("value")
        incoming.values.append(IncomingValue(
            data_element=_text(item.get("dataElement")),
            period=_text(item.get("period") or payload.get("period")),
            org_unit=_text(item.get("orgUnit") or payload.get("orgUnit")),
            category_option_combo=_text(item.get("categoryOptionCombo")),
            attribute_option_combo=_text(item.get("attributeOptionCombo") or payload.get("attributeOptionCombo")),
            value=None if raw is None else _text(raw), comment=_text(item.get("comment")), index=index,
        ))
    return incoming


def parse_adx(body: bytes) -> IncomingSet:
    """An ADX message: groups (orgUnit, period, dataSet) of dataValues, disaggregated by a categoryOptionCombo
    attribute or by the ``SEX`` and ``ETHNIC_GROUP`` attributes."""
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise ExchangeError("Tệp ADX không được chứa DOCTYPE hoặc ENTITY.", status=400)
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise ExchangeError(f"Tệp ADX không đọc được: {error}.", status=400) from error
    namespace = f"{{{ADX_NAMESPACE}}}"
    if root.tag not in (f"{namespace}adx", "adx"):
        raise ExchangeError("Phần tử gốc phải là <adx> (urn:ihe:qrph:adx:2015).", status=400)
    incoming = IncomingSet()
    index = 0
    for group in [*root.findall(f"{namespace}group"), *root.findall("group")]:
        incoming.data_set = incoming.data_set or group.get("dataSet", "")
        for element in [*group.findall(f"{namespace}dataValue"), *group.findall("dataValue")]:
            coc = element.get("categoryOptionCombo")
            if coc is None:
                coc = coc_code(element.get("SEX", ""), element.get("ETHNIC_GROUP", ""))
            incoming.values.append(IncomingValue(
                data_element=element.get("dataElement", ""), period=group.get("period", ""),
                org_unit=group.get("orgUnit", ""), category_option_combo=coc,
                attribute_option_combo=group.get("attributeOptionCombo", ""),
                value=element.get("value"), comment=element.get("comment", ""), index=index,
            ))
            index += 1
    return incoming


# ---- import -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOptions:
    id_scheme: str = "uid"
    data_element_id_scheme: str = ""
    org_unit_id_scheme: str = ""
    category_option_combo_id_scheme: str = ""
    dry_run: bool = False
    import_strategy: str = "CREATE_AND_UPDATE"

    @property
    def element_scheme(self) -> str:
        return self.data_element_id_scheme or self.id_scheme

    @property
    def unit_scheme(self) -> str:
        return self.org_unit_id_scheme or self.id_scheme

    @property
    def coc_scheme(self) -> str:
        return self.category_option_combo_id_scheme or self.id_scheme

    def as_json(self) -> dict[str, Any]:
        schemes = {key: {"type": value.upper()} for key, value in (
            ("idScheme", self.id_scheme), ("dataElementIdScheme", self.data_element_id_scheme),
            ("orgUnitIdScheme", self.org_unit_id_scheme),
            ("categoryOptionComboIdScheme", self.category_option_combo_id_scheme)) if value}
        return {"idSchemes": schemes, "dryRun": self.dry_run, "async": False,
                "importStrategy": self.import_strategy, "mergeMode": "REPLACE", "reportMode": "FULL",
                "skipAudit": False, "force": False}


def _scheme(value: str, name: str) -> str:
    scheme = value.strip().lower()
    if scheme == "id":
        scheme = "uid"
    if scheme and scheme not in ID_SCHEMES:
        raise ExchangeError(f"{name}='{value}' không hỗ trợ: dùng uid hoặc code.", status=409)
    return scheme


def import_options(params: dict[str, str], *, default_scheme: str) -> ImportOptions:
    """Options from the query string and the payload (the payload wins, as in DHIS2)."""
    strategy = (params.get("importStrategy") or "CREATE_AND_UPDATE").strip().upper()
    if strategy == "NEW_AND_UPDATES":
        strategy = "CREATE_AND_UPDATE"
    if strategy not in IMPORT_STRATEGIES:
        raise ExchangeError(f"importStrategy='{strategy}' không hỗ trợ: dùng {', '.join(IMPORT_STRATEGIES)}.")
    return ImportOptions(
        id_scheme=_scheme(params.get("idScheme", ""), "idScheme") or default_scheme,
        data_element_id_scheme=_scheme(params.get("dataElementIdScheme", ""), "dataElementIdScheme"),
        org_unit_id_scheme=_scheme(params.get("orgUnitIdScheme", ""), "orgUnitIdScheme"),
        category_option_combo_id_scheme=_scheme(params.get("categoryOptionComboIdScheme", ""),
                                                "categoryOptionComboIdScheme"),
        dry_run=(params.get("dryRun") or "").strip().lower() in ("true", "1", "yes"),
        import_strategy=strategy,
    )


@dataclass
class Conflict:
    object: str
    value: str
    error_code: str
    property: str
    indexes: list[int]

    def as_json(self) -> dict[str, Any]:
        return {"object": self.object, "objects": {self.property: self.object}, "value": self.value,
                "errorCode": self.error_code, "property": self.property, "indexes": self.indexes}


@dataclass
class ImportSummary:
    options: ImportOptions
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    set_error: str = ""

    @property
    def status(self) -> str:
        if self.set_error:
            return "ERROR"
        if not self.conflicts:
            return "SUCCESS"
        if self.imported + self.updated + self.deleted == 0:
            return "ERROR"
        return "WARNING"

    @property
    def http_status(self) -> int:
        return 200 if self.status == "SUCCESS" else 409

    def add_conflict(self, *, obj: str, value: str, error_code: str, prop: str, index: int) -> None:
        self.conflicts.append(Conflict(object=obj, value=value, error_code=error_code, property=prop,
                                       indexes=[index]))
        self.ignored += 1

    def as_json(self) -> dict[str, Any]:
        description = self.set_error or ("Import process completed successfully" if self.status == "SUCCESS"
                                         else "Import process completed with conflicts")
        return {
            "responseType": "ImportSummary", "status": self.status, "importOptions": self.options.as_json(),
            "description": description,
            "importCount": {"imported": self.imported, "updated": self.updated, "ignored": self.ignored,
                            "deleted": self.deleted},
            "conflicts": [conflict.as_json() for conflict in self.conflicts],
            "rejectedIndexes": sorted({index for conflict in self.conflicts for index in conflict.indexes}),
            "dataSetComplete": "false",
        }

    def envelope(self) -> dict[str, Any]:
        """DHIS2's WebMessage around the summary."""
        status = self.status
        if status == "SUCCESS":
            head = {"httpStatus": "OK", "httpStatusCode": 200, "status": "OK", "message": "Import was successful."}
        elif status == "WARNING":
            head = {"httpStatus": "Conflict", "httpStatusCode": 409, "status": "WARNING",
                    "message": "One more conflicts encountered, please check import summary."}
        else:
            head = {"httpStatus": "Conflict", "httpStatusCode": 409, "status": "ERROR",
                    "message": "An error occurred, please check import summary."}
        return {**head, "response": self.as_json()}


class _Resolver:
    """Looks identifiers up once per request."""

    def __init__(self, options: ImportOptions) -> None:
        self.options = options
        self.elements = list(DataElement.objects.select_related("plan", "reporter_agency"))
        self.by_code = {element.code: element for element in self.elements}
        self.by_uid = {data_element_uid(element): element for element in self.elements}
        self.ethnic_codes = set(EthnicGroup.objects.values_list("code", flat=True))
        self.ethnic_groups = {group.code: group for group in EthnicGroup.objects.all()}
        self.units: dict[tuple[str, int], OrgUnit | None] = {}
        self.plans = {plan.code: plan for plan in Plan.objects.all()}
        self.plan_uids = {data_set_uid(plan): plan for plan in self.plans.values()}
        self.cycles: dict[tuple[int, int], ReportingCycle | None] = {}

    def element(self, identifier: str) -> DataElement | None:
        source = self.by_uid if self.options.element_scheme == "uid" else self.by_code
        return source.get(identifier)

    def unit(self, identifier: str, year: int) -> OrgUnit | None:
        key = (identifier, year)
        if key not in self.units:
            on = reference_date(year)
            if self.options.unit_scheme == "uid":
                unit = OrgUnit.objects.filter(uid=identifier).first()
            else:
                unit = OrgUnit.objects.valid_on(on).filter(code=identifier).first()
            self.units[key] = unit
        return self.units[key]

    def cycle(self, element: DataElement, year: int) -> ReportingCycle | None:
        key = (element.plan_id, year)
        if key not in self.cycles:
            self.cycles[key] = ReportingCycle.objects.filter(plan_id=element.plan_id, year=year).first()
        return self.cycles[key]

    def data_set(self, identifier: str) -> Plan | None:
        return self.plan_uids.get(identifier) or self.plans.get(identifier)


@dataclass
class _Accepted:
    incoming: IncomingValue
    element: DataElement
    unit: OrgUnit
    year: int
    sex: str
    ethnic: str
    value: Decimal | None


def _parse_number(raw: str | None) -> Decimal | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        number = Decimal(raw.strip())
    except InvalidOperation as error:
        raise ValueError(raw) from error
    if not number.is_finite():
        raise ValueError(raw)
    return number


def import_data_value_set(*, user: AbstractBaseUser, incoming: IncomingSet, options: ImportOptions) -> ImportSummary:
    """Check and store a data value set; with ``dry_run`` nothing is stored but the summary is the same."""
    summary = ImportSummary(options=options)
    resolver = _Resolver(options)
    data_set = None
    if incoming.data_set:
        data_set = resolver.data_set(incoming.data_set)
        if data_set is None:
            summary.set_error = f"Data set not found or not accessible: `{incoming.data_set}`"
            summary.ignored = len(incoming.values)
            summary.conflicts.append(Conflict(object=incoming.data_set, error_code="E7600", property="dataSet",
                                              value=f"Không có bộ dữ liệu (kế hoạch) `{incoming.data_set}`.",
                                              indexes=[]))
            return summary
    now = timezone.now()
    accepted: list[_Accepted] = []
    submissions: dict[tuple[int, int, int], Submission | None] = {}
    for item in incoming.values:
        year = parse_period(item.period)
        if year is None:
            summary.add_conflict(obj=item.period, prop="period", error_code="E7611", index=item.index,
                                 value=f"Kỳ `{item.period}` không hợp lệ: dùng kỳ năm, ví dụ 2026.")
            continue
        element = resolver.element(item.data_element)
        if element is None:
            summary.add_conflict(obj=item.data_element, prop="dataElement", error_code="E7610", index=item.index,
                                 value=f"Không có phần tử dữ liệu `{item.data_element}`.")
            continue
        if data_set is not None and element.plan_id != data_set.pk:
            summary.add_conflict(obj=item.data_element, prop="dataElement", error_code="E7633", index=item.index,
                                 value=f"Phần tử `{item.data_element}` không thuộc bộ dữ liệu `{incoming.data_set}`.")
            continue
        unit = resolver.unit(item.org_unit, year)
        if unit is None:
            summary.add_conflict(obj=item.org_unit, prop="orgUnit", error_code="E7612", index=item.index,
                                 value=f"Không có đơn vị `{item.org_unit}` hiệu lực ngày "
                                       f"{reference_date(year):%d/%m/%Y}.")
            continue
        category = parse_coc(item.category_option_combo, scheme=options.coc_scheme,
                             ethnic_codes=resolver.ethnic_codes)
        if category is None:
            summary.add_conflict(obj=item.category_option_combo, prop="categoryOptionCombo", error_code="E7613",
                                 index=item.index,
                                 value=f"Không có tổ hợp phân tổ `{item.category_option_combo}`.")
            continue
        if item.attribute_option_combo not in ("", DEFAULT_COC_UID, DEFAULT_COC_CODE):
            summary.add_conflict(obj=item.attribute_option_combo, prop="attributeOptionCombo", error_code="E7615",
                                 index=item.index,
                                 value=f"Không có tổ hợp thuộc tính `{item.attribute_option_combo}`.")
            continue
        if not can_enter_value(user, data_element=element, org_unit=unit):
            summary.add_conflict(obj=item.org_unit, prop="orgUnit", error_code="E7617", index=item.index,
                                 value=f"Bạn không được nhập `{element.code}` cho {unit.name}: ngoài phạm vi được "
                                       f"phân công hoặc không do đơn vị của bạn báo cáo.")
            continue
        key = (element.pk, unit.pk, year)
        if key not in submissions:
            submissions[key] = governing_submission(element=element, org_unit=unit, year=year)
        submission = submissions[key]
        cycle = resolver.cycle(element, year)
        if cycle is not None and cycle.is_locked_at(now):
            summary.add_conflict(obj=item.period, prop="period", error_code="E7643", index=item.index,
                                 value=f"Kỳ báo cáo năm {year} đã khóa nhập.")
            continue
        if submission is not None and not submission.is_editable:
            summary.add_conflict(obj=item.org_unit, prop="orgUnit", error_code="E7642", index=item.index,
                                 value=f"Báo cáo của {submission.reporter_name} năm {year} đang ở trạng thái "
                                       f"“{submission.get_status_display()}”: không sửa được số liệu.")
            continue
        try:
            value = None if options.import_strategy == "DELETE" else _parse_number(item.value)
        except ValueError:
            summary.add_conflict(obj=item.value or "", prop="value", error_code="E7619", index=item.index,
                                 value=f"Giá trị `{item.value}` của `{element.code}` phải là số.")
            continue
        if value is None and options.import_strategy != "DELETE" and not item.comment:
            summary.add_conflict(obj=item.data_element, prop="value", error_code="E7618", index=item.index,
                                 value=f"Chưa có giá trị hoặc ghi chú cho `{element.code}`.")
            continue
        accepted.append(_Accepted(item, element, unit, year, category[0], category[1], value))
    _check_rules(accepted, summary)
    _store(user=user, accepted=[entry for entry in accepted if entry.incoming.index not in _rejected(summary)],
           summary=summary, options=options, resolver=resolver)
    return summary


def _rejected(summary: ImportSummary) -> set[int]:
    return {index for conflict in summary.conflicts for index in conflict.indexes}


def _check_rules(accepted: Sequence[_Accepted], summary: ImportSummary) -> None:
    """The validation rules, over the whole set at once (a numerator is checked against a denominator sent with
    it); an error, or a warning without a comment, refuses the value."""
    by_year: dict[int, list[_Accepted]] = defaultdict(list)
    for entry in accepted:
        if summary.options.import_strategy != "DELETE":
            by_year[entry.year].append(entry)
    for year, entries in by_year.items():
        cells = [CellInput(element_code=entry.element.code, org_unit_id=entry.unit.pk, value=entry.value,
                           sex=entry.sex, ethnic_group_code=entry.ethnic, comment=entry.incoming.comment)
                 for entry in entries]
        findings = check_cells(cells, year=year)
        comments = {cell.key: cell.comment for cell in cells}
        for entry, cell in zip(entries, cells, strict=True):
            for finding in blocking(findings.get(cell.key, []), comments=comments):
                suffix = "" if finding.is_error else " Gửi kèm ghi chú (comment) giải trình để được chấp nhận."
                summary.add_conflict(obj=entry.incoming.data_element, prop="value", error_code=finding.rule_code,
                                     index=entry.incoming.index, value=finding.message + suffix)
                break


def _store(*, user: AbstractBaseUser, accepted: Sequence[_Accepted], summary: ImportSummary,
           options: ImportOptions, resolver: _Resolver) -> None:
    existing = {
        (row.data_element_id, row.org_unit_id, row.year, row.sex, row.ethnic_group.code if row.ethnic_group else ""):
            row.value
        for row in DataValue.objects.filter(
            data_element_id__in={entry.element.pk for entry in accepted},
            org_unit_id__in={entry.unit.pk for entry in accepted},
            year__in={entry.year for entry in accepted},
        ).select_related("ethnic_group")
    }
    with transaction.atomic():
        for entry in accepted:
            current = existing.get((entry.element.pk, entry.unit.pk, entry.year, entry.sex, entry.ethnic))
            exists = current is not None
            strategy = options.import_strategy
            if (strategy == "CREATE" and exists) or (strategy in ("UPDATE", "DELETE") and not exists):
                summary.ignored += 1
                continue
            group = resolver.ethnic_groups.get(entry.ethnic) if entry.ethnic else None
            try:
                with transaction.atomic():
                    result = enter_data_values(
                        actor=user, org_unit=entry.unit, year=entry.year,
                        values=[ValueInput(data_element=entry.element, value=entry.value, sex=entry.sex,
                                           ethnic_group=group, comment=entry.incoming.comment)],
                    )
            except ValidationError as error:
                summary.add_conflict(obj=entry.incoming.data_element, prop="value", error_code="E7619",
                                     index=entry.incoming.index, value="; ".join(error.messages))
                continue
            if strategy == "DELETE":
                summary.deleted += 1
            elif result.created or (not exists and result.updated):
                summary.imported += 1
            else:
                summary.updated += 1
        if options.dry_run:
            transaction.set_rollback(True)


# ---- export -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRequest:
    data_sets: list[str]
    periods: list[str]
    org_units: list[str]
    children: bool = False
    id_scheme: str = "uid"
    data_element_id_scheme: str = ""
    org_unit_id_scheme: str = ""
    approved_only: bool = False


def _export_units(identifiers: Sequence[str], years: Sequence[int], children: bool) -> list[OrgUnit]:
    """The units named by uid, or by code as they stood in the requested years, and with ``children`` their
    subtrees (scoping to the user is done on the values, by ``visible_to``)."""
    units: dict[int, OrgUnit] = {}
    for identifier in identifiers:
        found = list(OrgUnit.objects.filter(uid=identifier))
        for year in years:
            found += list(OrgUnit.objects.valid_on(reference_date(year)).filter(code=identifier))
        for unit in found:
            units[unit.pk] = unit
            if children:
                for child in OrgUnit.objects.within(unit.path):
                    units[child.pk] = child
    return list(units.values())


def approved_units_and_elements(*, year: int) -> set[tuple[int, int]]:
    """(element id, org unit id) pairs whose governing report for ``year`` is approved."""
    pairs: set[tuple[int, int]] = set()
    cycles = ReportingCycle.objects.filter(year=year)
    for submission in Submission.objects.filter(cycle__in=cycles, status=Submission.Status.APPROVED) \
            .select_related("cycle", "agency", "org_unit"):
        elements = DataElement.objects.filter(plan_id=submission.cycle.plan_id)
        if submission.agency_id is not None:
            element_ids = list(elements.filter(reporter_agency_id=submission.agency_id).values_list("pk", flat=True))
            unit_ids = list(OrgUnit.objects.valid_on(reference_date(year)).within(submission.org_unit.path)
                            .values_list("pk", flat=True))
        else:
            element_ids = list(elements.filter(reporter_is_locality=True).values_list("pk", flat=True))
            unit_ids = [submission.org_unit_id]
        pairs.update((element_id, unit_id) for element_id in element_ids for unit_id in unit_ids)
    return pairs


def export_values(*, user: UserLike | None, request: ExportRequest) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The stored values matching the request, as DHIS2 dataValues, and the set-level fields (dataSet, period,
    orgUnit when there is one of each). ``user`` None exports without scoping (the push command)."""
    plans = [plan for plan in Plan.objects.all() if plan.code in request.data_sets
             or data_set_uid(plan) in request.data_sets]
    if not plans:
        raise ExchangeError("Không có bộ dữ liệu (dataSet) nào được yêu cầu hoặc tìm thấy.", error_code="E7600")
    years = [year for year in (parse_period(period) for period in request.periods) if year is not None]
    if not years:
        raise ExchangeError("Cần ít nhất một kỳ (period) hợp lệ, ví dụ 2026.", error_code="E7611")
    values: QuerySet[DataValue] = DataValue.objects.with_value().filter(
        data_element__plan__in=plans, year__in=years).select_related(
        "data_element", "org_unit", "ethnic_group", "entered_by").order_by(
        "year", "org_unit__path", "data_element__order", "sex", "ethnic_group__code")
    if request.org_units:
        values = values.filter(org_unit__in=_export_units(request.org_units, years, request.children))
    elif user is not None:  # as DHIS2: a reader names the units it wants (the push command sends every unit)
        raise ExchangeError("Cần ít nhất một đơn vị (orgUnit), ví dụ orgUnit=12&children=true.", error_code="E2006")
    if user is not None:
        values = visible_to(user, values, path_field="org_unit__path", capability=EXCHANGE_READ)
    element_scheme = request.data_element_id_scheme or request.id_scheme
    unit_scheme = request.org_unit_id_scheme or request.id_scheme
    approved = {year: approved_units_and_elements(year=year) for year in years} if request.approved_only else {}
    rows = []
    for row in values:
        if request.approved_only and (row.data_element_id, row.org_unit_id) not in approved[row.year]:
            continue
        ethnic = row.ethnic_group.code if row.ethnic_group else ""
        coc = coc_uid(row.sex, ethnic) if request.id_scheme == "uid" else coc_code(row.sex, ethnic)
        rows.append({
            "dataElement": data_element_uid(row.data_element) if element_scheme == "uid" else row.data_element.code,
            "period": str(row.year),
            "orgUnit": row.org_unit.uid if unit_scheme == "uid" else row.org_unit.code,
            "categoryOptionCombo": coc,
            "attributeOptionCombo": DEFAULT_COC_UID if request.id_scheme == "uid" else DEFAULT_COC_CODE,
            "value": format_value(row.value),
            "storedBy": row.entered_by.get_username() if row.entered_by else "",
            "created": _timestamp(row.created_at), "lastUpdated": _timestamp(row.updated_at),
            "comment": row.comment, "followup": False,
        })
    head: dict[str, str] = {}
    if len(plans) == 1:
        head["dataSet"] = data_set_uid(plans[0]) if request.id_scheme == "uid" else plans[0].code
    if len(years) == 1:
        head["period"] = str(years[0])
    units_seen = {str(row["orgUnit"]) for row in rows}
    if len(units_seen) == 1:
        head["orgUnit"] = next(iter(units_seen))
    return rows, head


def _timestamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def adx_document(rows: Iterable[dict[str, Any]], *, data_set: str) -> bytes:
    """Rows (as from ``export_values``) as ADX: one group per org unit and period; disaggregations as attributes."""
    ElementTree.register_namespace("", ADX_NAMESPACE)
    root = ElementTree.Element(f"{{{ADX_NAMESPACE}}}adx",
                               {"exported": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")})
    groups: dict[tuple[str, str], ElementTree.Element] = {}
    for row in rows:
        key = (row["orgUnit"], row["period"])
        if key not in groups:
            groups[key] = ElementTree.SubElement(root, f"{{{ADX_NAMESPACE}}}group", {
                "orgUnit": row["orgUnit"], "period": adx_period(int(row["period"])), "dataSet": data_set})
        attributes = {"dataElement": row["dataElement"], "value": row["value"]}
        coc = row["categoryOptionCombo"]
        match = _COC_PATTERN.match(coc) if coc != DEFAULT_COC_CODE else None
        if match is not None and (match.group("sex") or match.group("eth")):
            if match.group("sex"):
                attributes["SEX"] = match.group("sex")
            if match.group("eth"):
                attributes["ETHNIC_GROUP"] = match.group("eth")
        elif coc not in (DEFAULT_COC_CODE, DEFAULT_COC_UID):
            attributes["categoryOptionCombo"] = coc
        ElementTree.SubElement(groups[key], f"{{{ADX_NAMESPACE}}}dataValue", attributes)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="utf-8",
                                                                              xml_declaration=False)


def system_info(*, base_url: str) -> dict[str, Any]:
    now = timezone.localtime()
    return {
        "contextPath": base_url.rstrip("/"), "calendar": "iso8601", "dateFormat": "yyyy-mm-dd",
        "serverDate": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3], "serverTimeZoneId": str(now.tzinfo),
        "serverTimeZoneDisplayName": "Indochina Time", "version": API_VERSION, "revision": "treem",
        "systemName": "treem", "systemId": make_uid("treem-system"), "instanceBaseUrl": base_url.rstrip("/"),
        "isMetadataVersionEnabled": False, "encryption": False, "emailConfigured": False,
        "lastAnalyticsTableSuccess": None, "buildTime": date.today().isoformat(),
    }
